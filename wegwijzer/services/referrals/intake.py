"""Which services accept referrals, for which municipalities, and who receives them.

The municipality's own debt help (``find_debt_help``: the one definition) always accepts
referrals; any other service does when its organisation says so (a ``ReferralIntake`` row).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ...models import (
    Municipality,
    Referral,
    ReferralIntake,
    Service,
    ServiceArea,
    User,
)
from ...models.referral import MAX_CHECKLIST_ITEMS
from ..audit import add_audit
from ..permissions import (
    NATIONAL,
    editable_services_filter,
    is_beheerder,
    may_receive,
    may_refer,
    may_set_intake,
    organization_gm_codes,
)
from ..referral import find_debt_help
from . import NotAllowed


def debt_help_map(session: Session, gm_codes: Iterable[str]) -> dict[str, str]:
    """Return ``{gm_code: service id}`` of the own debt help of each municipality that has one."""
    found = {}
    for gm_code in sorted(set(gm_codes)):
        service = find_debt_help(session, gm_code, display=False)
        if service is not None:
            found[gm_code] = service.id
    return found


def debt_help_of(
    session: Session, service: Service, known: dict[str, str] | None = None
) -> set[str]:
    """Return the municipalities whose own debt help ``service`` is.

    ``known`` is a :func:`debt_help_map` covering the service's municipalities, for lists.
    """
    known = known if known is not None else debt_help_map(session, service.gm_codes)
    return {gm for gm in service.gm_codes if known.get(gm) == service.id}


def accepts_referrals(session: Session, service: Service) -> bool:
    """Return True when helpers may make a referral to ``service`` (public services only)."""
    if not service.is_public:
        return False
    if session.get(ReferralIntake, service.id) is not None:
        return True
    return bool(debt_help_of(session, service))


def offers_referral(session: Session, user: User | None, service: Service) -> bool:
    """Return True when the page of ``service`` should offer ``user`` to make a referral."""
    if user is None or not getattr(user, "is_authenticated", False) or not may_refer(user):
        return False
    return accepts_referrals(session, service)


def referral_municipalities(session: Session, service: Service) -> list[Municipality]:
    """Return the municipalities a referral to ``service`` may count for, by name.

    The municipality's own debt help: that municipality. A national service: all of them.
    Any other: the municipalities of its service area.
    """
    query = select(Municipality).order_by(Municipality.name)
    own = debt_help_of(session, service)
    if own:
        query = query.where(Municipality.gm_code.in_(sorted(own)))
    elif not service.is_national:
        query = query.where(Municipality.gm_code.in_(service.gm_codes))
    return list(session.scalars(query))


def receiving_services(session: Session, user: User) -> list[Service]:
    """Return the services whose referrals ``user`` receives, by name.

    A beheerder: the own debt help of their municipalities. An organisation's account: its
    services that accept referrals or have received some.
    """
    if is_beheerder(user):
        found = (find_debt_help(session, gm, display=False) for gm in sorted(user.gm_codes))
        services = list({s.id: s for s in found if s is not None}.values())
    elif user.organization_ids:
        own = list(
            session.scalars(
                select(Service)
                .where(Service.organization_id.in_(sorted(user.organization_ids)))
                .options(joinedload(Service.organization), selectinload(Service.service_areas))
            )
        )
        ids = [s.id for s in own]
        open_to = set(
            session.scalars(
                select(ReferralIntake.service_id).where(ReferralIntake.service_id.in_(ids))
            )
        ) | set(
            session.scalars(
                select(Referral.receiving_service_id)
                .where(Referral.receiving_service_id.in_(ids))
                .distinct()
            )
        )
        known = debt_help_map(session, {gm for s in own for gm in s.gm_codes})
        services = [s for s in own if s.id in open_to or debt_help_of(session, s, known)]
    else:
        return []
    known = debt_help_map(session, {gm for s in services for gm in s.gm_codes})
    services = [s for s in services if may_receive(user, s, debt_help_of(session, s, known))]
    return sorted(services, key=lambda s: (s.name.lower(), s.id))


@dataclass
class IntakeSetting:
    """Whether one service accepts referrals, and whether new ones are mailed."""

    service: Service
    accepts: bool
    notify: bool
    #: The municipality's own debt help: it always accepts referrals.
    is_debt_help: bool


def intake_settings(session: Session, user: User) -> list[IntakeSetting]:
    """Return the intake setting of every live service ``user`` may edit, by name."""
    services = list(
        session.scalars(
            select(Service)
            .where(editable_services_filter(user), Service.deleted_at.is_(None))
            .options(joinedload(Service.organization), selectinload(Service.service_areas))
            .order_by(Service.name, Service.id)
        )
    )
    rows = {r.service_id: r for r in session.scalars(select(ReferralIntake))}
    known = debt_help_map(session, {gm for s in services for gm in s.gm_codes})
    settings = []
    for svc in services:
        row = rows.get(svc.id)
        own = bool(debt_help_of(session, svc, known))
        settings.append(
            IntakeSetting(
                service=svc,
                accepts=own or row is not None,
                notify=bool(row and row.notify),
                is_debt_help=own,
            )
        )
    return settings


def set_intake(session: Session, user: User, service: Service, accepts: bool, notify: bool) -> None:
    """Say whether ``service`` accepts referrals and mails new ones; audit; commit."""
    if not may_set_intake(user, service):
        raise NotAllowed(_("U mag deze dienst niet wijzigen."))
    row = session.get(ReferralIntake, service.id)
    before = {"overdrachten": row is not None, "overdracht-mail": bool(row and row.notify)}
    # The municipality's own debt help always accepts; its row only carries the mail choice.
    keep = accepts or bool(debt_help_of(session, service))
    if keep and row is None:
        row = ReferralIntake(service_id=service.id, notify=notify)
        session.add(row)
    elif keep and row is not None:
        row.notify = notify
    elif row is not None:
        session.delete(row)
        row = None
    after = {"overdrachten": row is not None, "overdracht-mail": bool(row and row.notify)}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        add_audit(session, user, "service", service.id, "update", changes)
    session.commit()


def referable_services(session: Session, user: User) -> list[Service]:
    """Return the public services ``user`` can refer to, for the start of a referral.

    Those that accept referrals and work where the user or their organisations work (or
    nationally), and the own debt help of those municipalities; everything that accepts
    referrals when the account is tied to no municipality.
    """
    orgs = list(user.organizations)
    places = set(user.gm_codes) | {c for o in orgs for c in organization_gm_codes(o)}
    query = (
        select(Service)
        .where(Service.is_public, Service.id.in_(select(ReferralIntake.service_id)))
        .options(joinedload(Service.organization), selectinload(Service.service_areas))
    )
    if places:
        query = query.where(
            Service.service_areas.any(
                ServiceArea.gm_code.in_(sorted(places)) | (ServiceArea.extent_type == NATIONAL)
            )
        )
    found = {s.id: s for s in session.scalars(query)}
    for gm_code in sorted(places):
        svc = find_debt_help(session, gm_code)
        if svc is not None:
            found.setdefault(svc.id, svc)
    return sorted(found.values(), key=lambda s: (s.name.lower(), s.id))


@dataclass
class ReferralChoices:
    """What the new-referral form offers: for whom, which municipality, which checklist."""

    organizations: list[tuple[str, str]]
    municipalities: list[tuple[str, str]]
    checklist: list[str]


def referral_choices(session: Session, user: User, service: Service) -> ReferralChoices:
    """Return the choices of the new-referral form for ``user`` and ``service``."""
    return ReferralChoices(
        organizations=sorted(
            ((o.id, o.name) for o in user.organizations if o.deleted_at is None),
            key=lambda pair: pair[1].lower(),
        ),
        municipalities=[(m.gm_code, m.name) for m in referral_municipalities(session, service)],
        checklist=checklist_of(service),
    )


def checklist_of(service: Service) -> list[str]:
    """Return the service's handover checklist items that a referral can tick."""
    items = [str(item).strip() for item in (service.handover_needs or [])]
    return [item for item in items if item][:MAX_CHECKLIST_ITEMS]


def service_for_intake(session: Session, service_id: str) -> Service | None:
    """Return the live service ``service_id`` for the intake setting, or None."""
    service = session.get(Service, service_id)
    return service if service is not None and service.deleted_at is None else None
