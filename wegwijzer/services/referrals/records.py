"""Making a referral and setting its status: the only writes on a referral.

Every step is a ``ReferralStatusChange`` and an audit entry, in the same commit as the
change. Nothing typed by a person is stored: only choices from fixed lists and dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...domain.hours import today as local_today
from ...models import (
    NotStartedReason,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Service,
    Urgency,
    User,
    utcnow,
)
from ..audit import add_audit
from ..permissions import may_receive, may_refer_for
from . import NotAllowed, NotFound, ReferralError
from .codes import new_code
from .intake import accepts_referrals, checklist_of, debt_help_of, referral_municipalities
from .notify import LinkFor, mail_new_referral, mail_status
from .terms import term_ends_on

#: Which status may follow which; closed referrals change no more.
TRANSITIONS: dict[str, tuple[ReferralStatus, ...]] = {
    ReferralStatus.NEW: (
        ReferralStatus.RECEIVED,
        ReferralStatus.PLANNED,
        ReferralStatus.NOT_STARTED,
    ),
    ReferralStatus.RECEIVED: (ReferralStatus.PLANNED, ReferralStatus.NOT_STARTED),
    ReferralStatus.PLANNED: (
        ReferralStatus.PLANNED,
        ReferralStatus.STARTED,
        ReferralStatus.NOT_STARTED,
    ),
    ReferralStatus.STARTED: (ReferralStatus.FINISHED, ReferralStatus.STOPPED),
}
#: How far ahead a first conversation may be planned.
PLAN_AHEAD = timedelta(days=366)


def prepared_mask(indexes: Iterable[int], size: int) -> int:
    """Return the bit mask of the ticked checklist items; refuse an index outside the list."""
    mask = 0
    for index in indexes:
        if not 0 <= index < size:
            raise ReferralError(_("Kies alleen punten uit de lijst van de dienst."), "voorbereid")
        mask |= 1 << index
    return mask


@dataclass
class NewReferral:
    """What a helper chooses when referring: no names, no free text."""

    service_id: str
    organization_id: str
    gm_code: str
    urgency: str
    prepared: list[int]
    feedback_consent: bool
    mail_updates: bool = False


def _unique_code(session: Session) -> str:
    for _attempt in range(5):
        code = new_code()
        if session.scalar(select(Referral.id).where(Referral.code == code)) is None:
            return code
    raise RuntimeError("no free referral code after 5 attempts")  # 2.6e13 codes: never


def create_referral(
    session: Session,
    user: User,
    data: NewReferral,
    link: LinkFor | None = None,
    today: date | None = None,
) -> Referral:
    """Record a referral from ``user``'s organisation to a service; audit; commit; mail."""
    service = session.get(Service, data.service_id)
    if service is None or not accepts_referrals(session, service):
        raise NotFound(_("Deze dienst neemt geen overdrachten aan via Wegwijzer."))
    if not may_refer_for(user, data.organization_id):
        raise ReferralError(_("Kies de organisatie waarvoor u verwijst."), "organisatie")
    if data.gm_code not in {m.gm_code for m in referral_municipalities(session, service)}:
        raise ReferralError(_("Kies de gemeente waar de inwoner woont."), "gemeente")
    if data.urgency not in {u.value for u in Urgency}:
        raise ReferralError(_("Kies wat er dringend is, of 'geen spoed'."), "urgentie")
    checklist = checklist_of(service)
    referred_on = today or local_today()
    referral = Referral(
        code=_unique_code(session),
        gm_code=data.gm_code,
        referring_organization_id=data.organization_id,
        referring_user_id=user.id,
        receiving_service_id=service.id,
        referred_on=referred_on,
        term_ends_on=term_ends_on(referred_on, data.urgency),
        urgency=data.urgency,
        prepared_items=prepared_mask(data.prepared, len(checklist)),
        checklist_size=len(checklist),
        feedback_consent=bool(data.feedback_consent),
        mail_updates=bool(data.mail_updates and data.feedback_consent),
        status=ReferralStatus.NEW.value,
    )
    session.add(referral)
    session.flush()
    session.add(
        ReferralStatusChange(referral_id=referral.id, status=referral.status, user_id=user.id)
    )
    add_audit(
        session,
        user,
        "referral",
        str(referral.id),
        "create",
        {
            "status": [None, referral.status],
            "urgentie": [None, referral.urgency],
            "dienst": [None, service.id],
            "terugkoppeling": [None, referral.feedback_consent],
        },
    )
    session.commit()
    if link is not None:
        mail_new_referral(session, referral, link)
    return referral


def next_statuses(referral: Referral) -> tuple[ReferralStatus, ...]:
    """Return the statuses the receiving side may choose next."""
    return TRANSITIONS.get(referral.status, ())


@dataclass
class StatusUpdate:
    """A new status, with its date (first conversation) or reason (not started)."""

    status: str
    conversation_on: date | None = None
    reason: str | None = None
    forwarded_to_service_id: str | None = None


def _check(session: Session, referral: Referral, change: StatusUpdate) -> None:
    if change.status not in next_statuses(referral):
        raise ReferralError(_("Deze stap kan nu niet. Kies een van de volgende stappen."), "status")
    if change.status == ReferralStatus.PLANNED:
        day = change.conversation_on
        if day is None:
            raise ReferralError(_("Vul de datum van het eerste gesprek in."), "gesprek_op")
        if day < referral.referred_on or day > referral.referred_on + PLAN_AHEAD:
            raise ReferralError(
                _(
                    "De datum van het eerste gesprek ligt niet tussen de overdracht en een jaar "
                    "daarna."
                ),
                "gesprek_op",
            )
    reasons = {r.value for r in NotStartedReason}
    if change.status == ReferralStatus.NOT_STARTED and change.reason not in reasons:
        raise ReferralError(_("Kies waarom het traject niet gestart is."), "reden")
    forwarded = change.forwarded_to_service_id
    if forwarded:
        if change.reason != NotStartedReason.FORWARDED:
            raise ReferralError(
                _("Kies alleen een dienst als de inwoner is doorverwezen."), "doorverwezen_naar"
            )
        target = session.get(Service, forwarded)
        if target is None or not target.is_public:
            raise ReferralError(_("Kies een dienst uit de lijst."), "doorverwezen_naar")


def _apply(referral: Referral, change: StatusUpdate, now: datetime) -> dict[str, list[object]]:
    changes: dict[str, list[object]] = {"status": [referral.status, change.status]}
    referral.status = change.status
    if change.status != ReferralStatus.NEW and referral.received_at is None:
        referral.received_at = now
    if change.status == ReferralStatus.PLANNED:
        old = referral.first_conversation_on
        referral.first_conversation_on = change.conversation_on
        changes["eerste-gesprek"] = [
            old.isoformat() if old else None,
            change.conversation_on.isoformat() if change.conversation_on else None,
        ]
    elif change.status == ReferralStatus.STARTED:
        referral.started_at = now
    elif change.status == ReferralStatus.NOT_STARTED:
        referral.not_started_reason = change.reason
        referral.forwarded_to_service_id = change.forwarded_to_service_id or None
        changes["reden"] = [None, change.reason]
    if referral.is_closed:
        referral.closed_at = now
    return changes


def set_status(
    session: Session,
    user: User,
    referral: Referral,
    change: StatusUpdate,
    link: LinkFor | None = None,
    now: datetime | None = None,
) -> ReferralStatusChange:
    """Move ``referral`` to a new status as its receiving side; audit; commit; mail.

    Two people changing the same referral at once: the second gets a ReferralError instead
    of silently overwriting the first.
    """
    if not may_receive(
        user, referral.receiving_service, debt_help_of(session, referral.receiving_service)
    ):
        raise NotAllowed(_("Alleen de ontvangende dienst zet de status."))
    _check(session, referral, change)
    now = now or utcnow()
    before = referral.status
    claimed = session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status == before)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ReferralError(
            _("Iemand anders heeft de status net gewijzigd. Bekijk de overdracht opnieuw."),
            "status",
        )
    changes = _apply(referral, change, now)
    step = ReferralStatusChange(
        referral_id=referral.id,
        status=change.status,
        at=now,
        user_id=user.id,
        reason=referral.not_started_reason if change.status == ReferralStatus.NOT_STARTED else None,
        conversation_on=change.conversation_on if change.status == ReferralStatus.PLANNED else None,
        forwarded_to_service_id=referral.forwarded_to_service_id
        if change.status == ReferralStatus.NOT_STARTED
        else None,
    )
    session.add(step)
    add_audit(session, user, "referral", str(referral.id), "status", changes)
    session.commit()
    if link is not None:
        mail_status(session, referral, link)
    return step
