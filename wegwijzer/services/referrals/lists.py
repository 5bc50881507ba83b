"""Read models: the inbox of a receiving service, the helper's sent referrals, one referral.

Each list is filtered by the rules in ``permissions``; the referring organisation sees the
statuses and signals only where the resident agreed to feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ...models import (
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Service,
    ServiceArea,
    User,
    utcnow,
)
from ..permissions import (
    NATIONAL,
    is_referring_side,
    may_receive,
    may_see_progress,
    may_see_referral,
    municipality_referrals_filter,
    referring_referrals_filter,
)
from . import NotAllowed, NotFound, TooManyLookups
from .codes import format_code, lookup_throttled, normalise_code, record_failed_lookup
from .intake import checklist_of, debt_help_of
from .records import next_statuses
from .terms import Signal, signal_of, urgency_rank, workdays_left

#: Closed referrals stay in the lists this long; after that only their own page shows them.
RECENTLY_CLOSED = timedelta(days=60)
#: Most rows in one list.
LIST_LIMIT = 500

_LOADS = (
    joinedload(Referral.receiving_service).joinedload(Service.organization),
    joinedload(Referral.referring_organization),
)


@dataclass
class ReferralRow:
    """One referral in a list, as the viewer may see it."""

    referral: Referral
    code: str
    #: Statuses and signals: False for the referring side without the resident's consent.
    shows_progress: bool
    signal: Signal | None
    workdays_left: int


def _row(referral: Referral, shows_progress: bool, today: date) -> ReferralRow:
    return ReferralRow(
        referral=referral,
        code=format_code(referral.code),
        shows_progress=shows_progress,
        signal=signal_of(referral, today) if shows_progress else None,
        workdays_left=workdays_left(referral, today) if not referral.is_closed else 0,
    )


def _recent(query, now):  # type: ignore[no-untyped-def]
    return query.where(
        or_(Referral.closed_at.is_(None), Referral.closed_at >= now - RECENTLY_CLOSED)
    )


def _inbox_order(row: ReferralRow) -> tuple[object, ...]:
    r = row.referral
    return (r.is_closed, urgency_rank(r.urgency), r.term_ends_on, r.created_at, r.id)


@dataclass
class Inbox:
    service: Service
    rows: list[ReferralRow]

    @property
    def open_rows(self) -> list[ReferralRow]:
        return [r for r in self.rows if not r.referral.is_closed]

    @property
    def closed_rows(self) -> list[ReferralRow]:
        return [r for r in self.rows if r.referral.is_closed]


def inbox(session: Session, user: User, service_id: str, today: date) -> Inbox:
    """Return the referrals to one service: open first, urgency first, then the term."""
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound(service_id)
    if not may_receive(user, service, debt_help_of(session, service)):
        raise NotAllowed(service_id)
    query = (
        select(Referral)
        .where(Referral.receiving_service_id == service.id)
        .options(*_LOADS)
        .limit(LIST_LIMIT)
    )
    rows = [_row(r, True, today) for r in session.scalars(_recent(query, utcnow()))]
    return Inbox(service=service, rows=sorted(rows, key=_inbox_order))


def _flagged_first(row: ReferralRow) -> tuple[object, ...]:
    r = row.referral
    return (row.signal is None, r.is_closed, -r.referred_on.toordinal(), -r.id)


def sent_referrals(session: Session, user: User, today: date) -> list[ReferralRow]:
    """Return the referrals made by ``user``'s organisations: signals first, then newest."""
    query = (
        select(Referral)
        .where(referring_referrals_filter(user))
        .options(*_LOADS)
        .order_by(Referral.id.desc())
        .limit(LIST_LIMIT)
    )
    rows = [_row(r, r.feedback_consent, today) for r in session.scalars(_recent(query, utcnow()))]
    return sorted(rows, key=_flagged_first)


def municipality_referrals(session: Session, user: User, today: date) -> list[ReferralRow]:
    """Return the referrals that count for ``user``'s municipalities (beheerders)."""
    query = (
        select(Referral)
        .where(municipality_referrals_filter(user))
        .options(*_LOADS)
        .order_by(Referral.id.desc())
        .limit(LIST_LIMIT)
    )
    rows = [_row(r, True, today) for r in session.scalars(_recent(query, utcnow()))]
    return sorted(rows, key=_flagged_first)


def look_up(session: Session, user: User, text: str) -> Referral:
    """Return the referral with code ``text`` if ``user`` may see it.

    A wrong code and a code of someone else's referral look the same (NotFound) and both
    count towards the account's look-up limit (TooManyLookups).
    """
    if lookup_throttled(session, user.id):
        raise TooManyLookups(user.id)
    code = normalise_code(text)
    referral = None
    if code is not None:
        referral = session.scalar(select(Referral).where(Referral.code == code).options(*_LOADS))
    if referral is None or not may_see_referral(
        user, referral, debt_help_of(session, referral.receiving_service)
    ):
        record_failed_lookup(session, user.id)
        raise NotFound(text)
    return referral


@dataclass
class ChecklistItem:
    label: str
    prepared: bool


@dataclass
class ReferralView:
    """One referral's page for one viewer."""

    referral: Referral
    code: str
    shows_progress: bool
    may_handle: bool
    is_referring_side: bool
    signal: Signal | None
    workdays_left: int
    checklist: list[ChecklistItem]
    #: The service changed its checklist after the referral: the ticks may not match.
    checklist_changed: bool
    history: list[ReferralStatusChange] = field(default_factory=list)
    next_statuses: tuple[ReferralStatus, ...] = ()


def referral_view(session: Session, user: User, referral: Referral, today: date) -> ReferralView:
    """Return what ``user`` sees of ``referral`` (look it up with :func:`look_up` first)."""
    service = referral.receiving_service
    own = debt_help_of(session, service)
    handles = may_receive(user, service, own)
    progress = may_see_progress(user, referral, own)
    items = checklist_of(service)
    history = (
        list(
            session.scalars(
                select(ReferralStatusChange)
                .where(ReferralStatusChange.referral_id == referral.id)
                .order_by(ReferralStatusChange.id)
            )
        )
        if progress
        else []
    )
    return ReferralView(
        referral=referral,
        code=format_code(referral.code),
        shows_progress=progress,
        may_handle=handles,
        is_referring_side=is_referring_side(user, referral),
        signal=signal_of(referral, today) if progress else None,
        workdays_left=workdays_left(referral, today) if not referral.is_closed else 0,
        checklist=[
            ChecklistItem(label, bool(referral.prepared_items & (1 << i)))
            for i, label in enumerate(items)
        ],
        checklist_changed=len(items) != referral.checklist_size,
        history=history,
        next_statuses=next_statuses(referral) if handles else (),
    )


def forward_choices(session: Session, referral: Referral) -> list[Service]:
    """Return the public services a resident can be forwarded to: same municipality or national."""
    area = Service.service_areas.any(
        or_(ServiceArea.gm_code == referral.gm_code, ServiceArea.extent_type == NATIONAL)
    )
    return list(
        session.scalars(
            select(Service)
            .where(Service.is_public, area, Service.id != referral.receiving_service_id)
            .options(selectinload(Service.organization))
            .order_by(Service.name)
            .limit(LIST_LIMIT)
        )
    )


def count_open_signals(rows: list[ReferralRow]) -> int:
    """Return how many rows carry a signal."""
    return sum(1 for r in rows if r.signal is not None)
