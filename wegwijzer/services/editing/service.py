"""Create and edit a service: its fields, phones, contacts, area, topics, hours and locations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import (
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Municipality,
    Organization,
    Phone,
    PublicationStatus,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    User,
)
from ..audit import add_audit, diff
from ..permissions import (
    can_use_organization,
    edits_wait_for_review,
    keeps_own_municipality,
    may_spread_organization,
    organization_gm_codes,
)
from .base import (
    OUT_OF_SCOPE_ORGANIZATION,
    SPREADS_ORGANIZATION,
    EditError,
    check_version,
    touch_service,
    unique_slug,
    unit_of_work,
)
from .inputs import ServiceInput
from .snapshots import SERVICE_FIELDS, input_snapshot, service_snapshot


def _apply_areas(session: Session, svc: Service, data: ServiceInput) -> None:
    if data.is_national:
        svc.service_areas = [ServiceArea(name="Nederland", extent_type="landelijk")]
        return
    codes = sorted(set(data.gm_codes))
    if not codes:
        raise EditError("Kies minstens één gemeente, of kies 'landelijk'.")
    names = dict(
        session.execute(
            select(Municipality.gm_code, Municipality.name).where(Municipality.gm_code.in_(codes))
        ).all()
    )
    missing = [c for c in codes if c not in names]
    if missing:
        raise EditError(f"Onbekende gemeentecode: {', '.join(missing)}.")
    keep = {a.gm_code: a for a in svc.service_areas if a.extent_type == "gemeente"}
    svc.service_areas = [
        keep.get(c) or ServiceArea(name=names[c], extent_type="gemeente", gm_code=c) for c in codes
    ]


def _apply_terms(session: Session, svc: Service, term_ids: list[str]) -> None:
    wanted = []
    for tid in dict.fromkeys(term_ids):
        term = session.get(TaxonomyTerm, tid)
        if term is None:
            raise EditError("Een gekozen onderwerp bestaat niet meer. Laad de pagina opnieuw.")
        wanted.append(term)
    have = {a.taxonomy_term_id: a for a in svc.attributes}
    svc.attributes = [
        have.get(t.id)
        or Attribute(link_id=svc.id, link_entity="service", link_type="service", taxonomy_term=t)
        for t in wanted
    ]


def _apply_hours(svc: Service, data: ServiceInput) -> None:
    weekly = [
        Schedule(
            freq="WEEKLY",
            byday=",".join(w.days),
            opens_at=w.opens_at,
            closes_at=w.closes_at,
            attending_type=w.attending_type,
        )
        for w in data.weekly
    ]
    exceptions = [
        Schedule(
            freq=None,
            valid_from=e.valid_from,
            valid_to=e.valid_to or e.valid_from,
            is_closed=e.is_closed,
            opens_at=None if e.is_closed else (e.opens_at or None),
            closes_at=None if e.is_closed else (e.closes_at or None),
            description=e.description or None,
        )
        for e in data.exceptions
    ]
    svc.schedules = weekly + exceptions


def _apply_locations(
    session: Session, svc: Service, org: Organization, location_ids: list[str]
) -> None:
    locations = []
    for lid in dict.fromkeys(location_ids):
        loc = session.get(Location, lid)
        if loc is None or loc.organization_id != org.id:
            raise EditError("Een gekozen locatie hoort niet bij deze organisatie.")
        locations.append(loc)
    existing = {sal.location_id: sal for sal in svc.service_at_locations}
    svc.service_at_locations = [
        existing.get(loc.id) or ServiceAtLocation(location=loc) for loc in locations
    ]


def _apply_service(
    session: Session, actor: User, svc: Service, data: ServiceInput, current: Organization | None
) -> None:
    org = session.get(Organization, data.organization_id)
    if org is None or org.deleted_at is not None:
        raise EditError("Kies een bestaande organisatie.")
    if not can_use_organization(actor, org, current):
        raise EditError(OUT_OF_SCOPE_ORGANIZATION)
    svc.organization = org
    for name in SERVICE_FIELDS:
        if name in data.fields:
            setattr(svc, name, data.fields[name])
    svc.handover_needs = list(data.fields.get("handover_needs") or [])
    svc.phones = [
        Phone(
            number=p.number,
            description=p.description or None,
            is_public=p.is_public,
            position=i,
            type="voice",
        )
        for i, p in enumerate(data.phones)
    ]
    contacts = []
    for c in data.contacts:
        contact = Contact(
            name=c.name or None, title=c.title or None, email=c.email or None, is_public=c.is_public
        )
        if c.phone:
            contact.phones.append(Phone(number=c.phone, is_public=c.is_public))
        contacts.append(contact)
    svc.contacts = contacts
    _apply_areas(session, svc, data)
    _apply_terms(session, svc, data.term_ids)
    _apply_hours(svc, data)
    _apply_locations(session, svc, org, data.location_ids)
    svc.languages = [Language(name=name) for name in dict.fromkeys(data.languages)]
    others = [c for c in svc.cost_options if not c.is_free]
    free = [c for c in svc.cost_options if c.is_free]
    if data.is_free:
        free = free or [CostOption(option="Gratis", amount=0, currency="EUR")]
        svc.cost_options = others + free
    else:
        svc.cost_options = others


def create_service(session: Session, actor: User, data: ServiceInput) -> Service:
    """Create a service as a concept; log it; commit."""
    svc = Service(
        name=data.fields["name"],
        slug=unique_slug(session, Service, data.fields["name"]),
        publication_status=PublicationStatus.CONCEPT,
        organization_id=data.organization_id,
    )
    with unit_of_work(session, svc, service_snapshot):
        session.add(svc)
        session.flush()
        _apply_service(session, actor, svc, data, None)
        if not keeps_own_municipality(actor, svc):
            raise EditError("U beheert geen van deze gemeenten. Kies een gemeente van uzelf.")
        session.flush()
        add_audit(session, actor, "service", svc.id, "create", diff({}, service_snapshot(svc)))
        touch_service(session, svc)
    return svc


def update_service(
    session: Session, actor: User, svc: Service, data: ServiceInput, expected_version: int
) -> Service:
    """Save an edit; raise EditConflict when someone saved in between; log the changed fields."""

    def mine() -> dict:
        return input_snapshot(session, data)

    check_version(svc, expected_version, service_snapshot, mine)
    with unit_of_work(session, svc, service_snapshot, mine):
        before = service_snapshot(svc)
        org = svc.organization
        org_codes = organization_gm_codes(org)
        _apply_service(session, actor, svc, data, org)
        if svc.organization is org and not may_spread_organization(
            actor, org, org_codes, organization_gm_codes(org)
        ):
            raise EditError(SPREADS_ORGANIZATION)
        if not keeps_own_municipality(actor, svc):
            raise EditError(
                "U beheert geen van deze gemeenten. Houd minstens één gemeente van uzelf."
            )
        changes = diff(before, service_snapshot(svc))
        if not changes:
            session.rollback()  # an unchanged save writes nothing, not even an audit entry
            return svc
        _log_update(session, actor, svc, changes)
    return svc


def _log_update(session: Session, actor: User, svc: Service, changes: dict) -> None:
    """Log an edit; a redacteur's edit of what is live goes back to review first."""
    comment = None
    if edits_wait_for_review(actor) and svc.publication_status in (
        PublicationStatus.PUBLISHED,
        PublicationStatus.REVIEW,
    ):
        # An organisation's change is checked by the municipality before it shows again.
        if svc.publication_status == PublicationStatus.PUBLISHED:
            changes["publication_status"] = [svc.publication_status, PublicationStatus.REVIEW.value]
            comment = "Gewijzigd door redacteur: opnieuw ter beoordeling."
        svc.publication_status = PublicationStatus.REVIEW
    add_audit(session, actor, "service", svc.id, "update", changes, comment)
    touch_service(session, svc)
