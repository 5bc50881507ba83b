"""Edit organisations, services and locations: status flow, locking, audit trail, search sync."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..domain.text import slugify
from ..models import (
    Accessibility,
    Address,
    Attribute,
    AuditEntry,
    Contact,
    CostOption,
    Language,
    Location,
    Municipality,
    Organization,
    Phone,
    PublicationStatus,
    Role,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    User,
    utcnow,
)
from .audit import add_audit, diff
from .changes import record_change
from .permissions import (
    can_use_organization,
    manages_service,
    may_spread_organization,
    organization_gm_codes,
)

SERVICE_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "status",
    "alert",
    "url",
    "email",
    "application_process",
    "eligibility_description",
    "fees_description",
    "wait_time",
    "minimum_age",
    "maximum_age",
    "referral_route",
    "handover_needs",
    "warm_handover",
    "funding_source",
    "collaboration_agreement",
    "coordinator",
    "internal_notes",
)
ORGANIZATION_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "email",
    "website",
    "funding_source",
    "collaboration_agreement",
    "coordinator",
    "internal_notes",
)


class EditError(ValueError):
    """The change is not allowed or not valid; the message says why, in Dutch."""


class EditConflict(Exception):
    """Someone else saved the entry after this editor opened it."""

    def __init__(self, current: dict[str, Any], mine: dict[str, Any], version: int) -> None:
        super().__init__("conflict")
        self.current = current
        self.mine = mine
        self.version = version

    def rows(self) -> list[tuple[str, Any, Any]]:
        """Return (field, saved value, my value) for every field that differs."""
        return [(k, v[0], v[1]) for k, v in diff(self.current, self.mine).items()]


# --- input values -----------------------------------------------------------------------------


@dataclass
class PhoneInput:
    number: str
    description: str = ""
    is_public: bool = True


@dataclass
class ContactInput:
    name: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    is_public: bool = False


@dataclass
class WeeklyInput:
    days: list[str]
    opens_at: str
    closes_at: str
    attending_type: str = "inloop"


@dataclass
class ExceptionInput:
    valid_from: date
    valid_to: date | None = None
    is_closed: bool = True
    opens_at: str = ""
    closes_at: str = ""
    description: str = ""


@dataclass
class ServiceInput:
    """Everything the service form can change, already type-checked by the form."""

    organization_id: str
    fields: dict[str, Any]
    phones: list[PhoneInput] = field(default_factory=list)
    contacts: list[ContactInput] = field(default_factory=list)
    is_national: bool = False
    gm_codes: list[str] = field(default_factory=list)
    term_ids: list[str] = field(default_factory=list)
    weekly: list[WeeklyInput] = field(default_factory=list)
    exceptions: list[ExceptionInput] = field(default_factory=list)
    location_ids: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    is_free: bool = False


@dataclass
class LocationInput:
    name: str
    address_1: str = ""
    postal_code: str = ""
    city: str = ""
    description: str = ""
    transportation: str = ""
    wheelchair: str = ""
    accessibility_details: str = ""
    latitude: float | None = None
    longitude: float | None = None


# --- snapshots (for the audit trail and the conflict page) ----------------------------------


def _weekly_text(s: Schedule) -> str:
    return f"{s.byday} {s.opens_at}-{s.closes_at} {s.attending_type or ''}".strip()


def _exception_text(s: Schedule) -> str:
    span = f"{s.valid_from}" + (
        f" t/m {s.valid_to}" if s.valid_to and s.valid_to != s.valid_from else ""
    )
    what = "gesloten" if s.is_closed else f"{s.opens_at}-{s.closes_at}"
    return f"{span} {what} {s.description or ''}".strip()


def service_snapshot(svc: Service) -> dict[str, Any]:
    """Return the editable state of a service as plain, comparable values."""
    snap: dict[str, Any] = {f: getattr(svc, f) for f in SERVICE_FIELDS}
    snap["handover_needs"] = list(svc.handover_needs or [])
    snap["organization_id"] = svc.organization_id
    snap["phones"] = [
        f"{p.number}{' – ' + p.description if p.description else ''}"
        f"{'' if p.is_public else ' (niet openbaar)'}"
        for p in svc.phones
    ]
    snap["contacts"] = [
        " / ".join(x for x in (c.name, c.title, c.email, *(p.number for p in c.phones)) if x)
        + ("" if not c.is_public else " (openbaar)")
        for c in svc.contacts
    ]
    snap["service_areas"] = ["landelijk"] if svc.is_national else svc.gm_codes
    snap["terms"] = sorted(f"{t.taxonomy.name}/{t.code}" for t in svc.terms)
    snap["weekly"] = sorted(_weekly_text(s) for s in svc.schedules if s.valid_from is None)
    snap["exceptions"] = sorted(_exception_text(s) for s in svc.schedules if s.valid_from)
    snap["locations"] = sorted(sal.location_id for sal in svc.service_at_locations)
    snap["languages"] = sorted(x.name or "" for x in svc.languages)
    snap["is_free"] = any(c.is_free for c in svc.cost_options)
    return snap


def organization_snapshot(org: Organization) -> dict[str, Any]:
    """Return the editable state of an organisation as plain values."""
    return {f: getattr(org, f) for f in ORGANIZATION_FIELDS}


def location_snapshot(loc: Location) -> dict[str, Any]:
    """Return the editable state of a location as plain values."""
    addr = loc.address
    access = loc.accessibility[0] if loc.accessibility else None
    return {
        "name": loc.name,
        "address_1": addr.address_1 if addr else None,
        "postal_code": addr.postal_code if addr else None,
        "city": addr.city if addr else None,
        "description": loc.description,
        "transportation": loc.transportation,
        "wheelchair": access.description if access else None,
        "accessibility_details": access.details if access else None,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "gm_code": loc.gm_code,
    }


def _input_snapshot(session: Session, svc: Service | None, data: ServiceInput) -> dict[str, Any]:
    """Return what the service would look like with ``data`` applied (nothing is written)."""
    snap = dict(data.fields)
    snap["handover_needs"] = list(data.fields.get("handover_needs") or [])
    snap["organization_id"] = data.organization_id
    snap["phones"] = [
        f"{p.number}{' – ' + p.description if p.description else ''}"
        f"{'' if p.is_public else ' (niet openbaar)'}"
        for p in data.phones
    ]
    snap["contacts"] = [
        " / ".join(x for x in (c.name, c.title, c.email, c.phone) if x)
        + ("" if not c.is_public else " (openbaar)")
        for c in data.contacts
    ]
    snap["service_areas"] = ["landelijk"] if data.is_national else sorted(set(data.gm_codes))
    terms = [session.get(TaxonomyTerm, t) for t in data.term_ids]
    snap["terms"] = sorted(f"{t.taxonomy.name}/{t.code}" for t in terms if t)
    snap["weekly"] = sorted(
        f"{','.join(w.days)} {w.opens_at}-{w.closes_at} {w.attending_type}".strip()
        for w in data.weekly
    )
    snap["exceptions"] = sorted(
        _exception_text(
            Schedule(
                valid_from=e.valid_from,
                valid_to=e.valid_to or e.valid_from,
                is_closed=e.is_closed,
                opens_at=e.opens_at or None,
                closes_at=e.closes_at or None,
                description=e.description or None,
            )
        )
        for e in data.exceptions
    )
    snap["locations"] = sorted(set(data.location_ids))
    snap["languages"] = sorted(data.languages)
    snap["is_free"] = data.is_free
    return snap


# --- helpers ---------------------------------------------------------------------------------


def _sync_search() -> None:
    # Imported here: the search package imports models, and services are imported by it.
    from ..search import sync_index

    sync_index()


def _commit(session: Session) -> None:
    """Commit; a concurrent save of the same row (version mismatch) becomes an EditConflict."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise


def unique_slug(session: Session, model: type[Service] | type[Organization], name: str) -> str:
    """Return a slug for ``name`` that no other row of ``model`` uses."""
    base = slugify(name, 100)
    slug, n = base, 1
    while session.scalar(select(func.count()).select_from(model).where(model.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def resolve_municipalities(session: Session, text: str) -> list[str]:
    """Turn "Zwolle, GM0166" into GM-codes; raise EditError naming what is unknown."""
    codes: list[str] = []
    unknown: list[str] = []
    for part in (p.strip() for p in (text or "").replace(";", ",").split(",")):
        if not part:
            continue
        row = session.scalar(
            select(Municipality).where(
                (Municipality.gm_code == part.upper())
                | (func.lower(Municipality.name) == part.lower())
            )
        )
        if row is None:
            unknown.append(part)
        else:
            codes.append(row.gm_code)
    if unknown:
        raise EditError(f"Onbekende gemeente: {', '.join(unknown)}.")
    return codes


def _touch_search(session: Session, svc: Service) -> None:
    record_change(session, "service", svc.id)


# --- services --------------------------------------------------------------------------------


#: Shown when an account may not put a service or location under the chosen organisation.
OUT_OF_SCOPE_ORGANIZATION = (
    "U kunt deze organisatie niet kiezen: zij werkt (ook) buiten uw gemeente(n), of u beheert "
    "haar niet. Kies een organisatie van uzelf."
)
#: Shown when a change would make an organisation of others work in more municipalities.
SPREADS_ORGANIZATION = (
    "Hiermee gaat de organisatie ook in een andere gemeente werken. Dat kan alleen iemand die "
    "alle gemeenten van deze organisatie beheert."
)


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

    if data.is_national:
        svc.service_areas = [ServiceArea(name="Nederland", extent_type="landelijk")]
    else:
        codes = sorted(set(data.gm_codes))
        if not codes:
            raise EditError("Kies minstens één gemeente, of kies 'landelijk'.")
        names = dict(
            session.execute(
                select(Municipality.gm_code, Municipality.name).where(
                    Municipality.gm_code.in_(codes)
                )
            ).all()
        )
        missing = [c for c in codes if c not in names]
        if missing:
            raise EditError(f"Onbekende gemeentecode: {', '.join(missing)}.")
        keep = {a.gm_code: a for a in svc.service_areas if a.extent_type == "gemeente"}
        svc.service_areas = [
            keep.get(c) or ServiceArea(name=names[c], extent_type="gemeente", gm_code=c)
            for c in codes
        ]

    wanted = []
    for tid in dict.fromkeys(data.term_ids):
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

    schedules = [
        Schedule(
            freq="WEEKLY",
            byday=",".join(w.days),
            opens_at=w.opens_at,
            closes_at=w.closes_at,
            attending_type=w.attending_type,
        )
        for w in data.weekly
    ]
    schedules += [
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
    svc.schedules = schedules

    locations = []
    for lid in dict.fromkeys(data.location_ids):
        loc = session.get(Location, lid)
        if loc is None or loc.organization_id != org.id:
            raise EditError("Een gekozen locatie hoort niet bij deze organisatie.")
        locations.append(loc)
    existing = {sal.location_id: sal for sal in svc.service_at_locations}
    svc.service_at_locations = [
        existing.get(loc.id) or ServiceAtLocation(location=loc) for loc in locations
    ]

    svc.languages = [Language(name=name) for name in dict.fromkeys(data.languages)]
    free = [c for c in svc.cost_options if c.is_free]
    others = [c for c in svc.cost_options if not c.is_free]
    if data.is_free:
        svc.cost_options = others + (
            free or [CostOption(option="Gratis", amount=0, currency="EUR")]
        )
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
    session.add(svc)
    session.flush()
    try:
        _apply_service(session, actor, svc, data, None)
        if actor.role == Role.ADMIN and not manages_service(actor, svc):
            raise EditError("U beheert geen van deze gemeenten. Kies een gemeente van uzelf.")
    except EditError:
        session.rollback()
        raise
    session.flush()
    add_audit(session, actor, "service", svc.id, "create", diff({}, service_snapshot(svc)))
    _touch_search(session, svc)
    session.commit()
    _sync_search()
    return svc


def update_service(
    session: Session, actor: User, svc: Service, data: ServiceInput, expected_version: int
) -> Service:
    """Save an edit; raise EditConflict when someone saved in between; log the changed fields."""
    before = service_snapshot(svc)
    if expected_version != svc.version:
        raise EditConflict(before, _input_snapshot(session, svc, data), svc.version)
    org = svc.organization
    org_codes = organization_gm_codes(org)
    try:
        _apply_service(session, actor, svc, data, org)
        if svc.organization is org and not may_spread_organization(
            actor, org, org_codes, organization_gm_codes(org)
        ):
            raise EditError(SPREADS_ORGANIZATION)
        if actor.role == Role.ADMIN and not manages_service(actor, svc):
            raise EditError(
                "U beheert geen van deze gemeenten. Houd minstens één gemeente van uzelf."
            )
    except EditError:
        session.rollback()
        raise
    after = service_snapshot(svc)
    changes = diff(before, after)
    if not changes:
        session.rollback()
        return svc
    comment = None
    if actor.role == Role.EDITOR and svc.publication_status in (
        PublicationStatus.PUBLISHED,
        PublicationStatus.REVIEW,
    ):
        # An organisation's change is checked by the municipality before it shows again.
        if svc.publication_status == PublicationStatus.PUBLISHED:
            changes["publication_status"] = [svc.publication_status, PublicationStatus.REVIEW.value]
            comment = "Gewijzigd door redacteur: opnieuw ter beoordeling."
        svc.publication_status = PublicationStatus.REVIEW
    add_audit(session, actor, "service", svc.id, "update", changes, comment)
    _touch_search(session, svc)
    try:
        _commit(session)
    except StaleDataError:
        current = session.get(Service, svc.id)
        session.refresh(current)
        raise EditConflict(
            service_snapshot(current), _input_snapshot(session, current, data), current.version
        ) from None
    _sync_search()
    return svc


_TRANSITIONS = {
    "submit": ({PublicationStatus.CONCEPT}, PublicationStatus.REVIEW),
    "publish": ({PublicationStatus.CONCEPT, PublicationStatus.REVIEW}, PublicationStatus.PUBLISHED),
    "send-back": ({PublicationStatus.REVIEW}, PublicationStatus.CONCEPT),
    "archive": (
        {PublicationStatus.PUBLISHED, PublicationStatus.REVIEW, PublicationStatus.CONCEPT},
        PublicationStatus.ARCHIVED,
    ),
    "unarchive": ({PublicationStatus.ARCHIVED}, PublicationStatus.CONCEPT),
}
_STATUS_WORDS = {
    "concept": "concept",
    "ter-beoordeling": "ter beoordeling",
    "gepubliceerd": "gepubliceerd",
    "gearchiveerd": "gearchiveerd",
}


def change_status(
    session: Session, actor: User, svc: Service, action: str, comment: str | None = None
) -> Service:
    """Move a service through concept → ter-beoordeling → gepubliceerd → gearchiveerd; commit."""
    if action not in _TRANSITIONS:
        raise EditError(f"Onbekende actie '{action}'.")
    if svc.deleted_at is not None:
        raise EditError("Deze dienst is verwijderd. Zet hem eerst terug.")
    allowed_from, target = _TRANSITIONS[action]
    if svc.publication_status not in allowed_from:
        raise EditError(
            f"Dit kan niet: de dienst staat op '{_STATUS_WORDS[svc.publication_status]}'."
        )
    if action in ("publish", "send-back") and not manages_service(actor, svc):
        raise EditError("Alleen een beheerder van de gemeente kan publiceren of terugsturen.")
    if action == "send-back" and not (comment or "").strip():
        raise EditError("Schrijf kort wat er anders moet.")
    changes: dict[str, list[Any]] = {"publication_status": [svc.publication_status, target.value]}
    svc.publication_status = target
    if action == "publish":
        if svc.review_comment:
            changes["review_comment"] = [svc.review_comment, None]
        svc.review_comment = None
        svc.last_verified_at = utcnow()
    elif action == "send-back":
        changes["review_comment"] = [svc.review_comment, comment.strip()]
        svc.review_comment = comment.strip()
    add_audit(session, actor, "service", svc.id, action, changes, comment)
    _touch_search(session, svc)
    _commit(session)
    _sync_search()
    return svc


def _set_deleted(
    session: Session,
    actor: User,
    kind: str,
    entity: Service | Organization,
    deleted: bool,
    touch: Callable[[], None],
) -> None:
    """Soft-delete or restore ``entity``, log it, note it for search and commit."""
    if (entity.deleted_at is not None) == deleted:
        return
    old = entity.deleted_at.isoformat() if entity.deleted_at else None
    entity.deleted_at = utcnow() if deleted else None
    new = entity.deleted_at.isoformat() if entity.deleted_at else None
    action = "delete" if deleted else "restore"
    add_audit(session, actor, kind, entity.id, action, {"deleted_at": [old, new]})
    touch()
    _commit(session)
    _sync_search()


def delete_service(session: Session, actor: User, svc: Service) -> None:
    """Soft-delete a service (it can be restored); commit."""
    _set_deleted(session, actor, "service", svc, True, lambda: _touch_search(session, svc))


def restore_service(session: Session, actor: User, svc: Service) -> None:
    """Undo a soft delete; the service keeps its publication status; commit."""
    if svc.deleted_at is not None and svc.organization is not None:
        before = organization_gm_codes(svc.organization)
        after = before if svc.is_national else before | set(svc.gm_codes)
        if not may_spread_organization(actor, svc.organization, before, after):
            raise EditError(SPREADS_ORGANIZATION)
    _set_deleted(session, actor, "service", svc, False, lambda: _touch_search(session, svc))


def verify_service(session: Session, actor: User, svc: Service) -> None:
    """Mark a service as checked today ("nog steeds juist"); commit."""
    old = svc.last_verified_at
    svc.last_verified_at = utcnow()
    add_audit(
        session,
        actor,
        "service",
        svc.id,
        "verify",
        {"last_verified_at": [old.isoformat() if old else None, svc.last_verified_at.isoformat()]},
    )
    _touch_search(session, svc)
    _commit(session)
    _sync_search()


# --- organisations -------------------------------------------------------------------------


def _touch_organization(session: Session, org: Organization) -> None:
    record_change(session, "organization", org.id)
    for svc in org.services:
        record_change(session, "service", svc.id)


def create_organization(session: Session, actor: User, fields: dict[str, Any]) -> Organization:
    """Create an organisation; log it; commit."""
    org = Organization(
        slug=unique_slug(session, Organization, fields["name"]),
        publication_status=PublicationStatus.PUBLISHED,
        last_verified_at=utcnow(),
    )
    for name in ORGANIZATION_FIELDS:
        setattr(org, name, fields.get(name))
    org.description = fields.get("description") or ""
    session.add(org)
    session.flush()
    add_audit(
        session, actor, "organization", org.id, "create", diff({}, organization_snapshot(org))
    )
    if actor.role == Role.EDITOR:
        actor.organizations.append(org)
    _touch_organization(session, org)
    session.commit()
    _sync_search()
    return org


def update_organization(
    session: Session, actor: User, org: Organization, fields: dict[str, Any], expected_version: int
) -> Organization:
    """Save an organisation edit; EditConflict on a concurrent save; log changed fields.

    A redacteur's edit waits in ``pending_changes`` for a beheerder (review before
    publication); the site keeps showing the current values until it is approved.
    """
    before = organization_snapshot(org)
    mine = {**before, **{k: fields.get(k) for k in ORGANIZATION_FIELDS}}
    mine["description"] = mine["description"] or ""
    if expected_version != org.version:
        raise EditConflict(before, mine, org.version)
    changes = diff(before, mine)
    if actor.role == Role.EDITOR:
        if not changes:
            session.rollback()
            return org
        org.pending_changes = {name: new for name, (_old, new) in changes.items()}
        org.pending_by = actor.email
        add_audit(session, actor, "organization", org.id, "submit", changes)
        _commit_organization(session, org, mine)
        return org
    if not changes:
        session.rollback()
        return org
    for name in ORGANIZATION_FIELDS:
        setattr(org, name, mine[name])
    add_audit(session, actor, "organization", org.id, "update", changes)
    _touch_organization(session, org)
    _commit_organization(session, org, mine)
    _sync_search()
    return org


def _commit_organization(session: Session, org: Organization, mine: dict[str, Any]) -> None:
    try:
        _commit(session)
    except StaleDataError:
        current = session.get(Organization, org.id)
        session.refresh(current)
        raise EditConflict(organization_snapshot(current), mine, current.version) from None


def approve_organization_changes(session: Session, actor: User, org: Organization) -> None:
    """Put a redacteur's waiting organisation edit live; log it; commit."""
    pending = org.pending_changes or {}
    before = organization_snapshot(org)
    for name, value in pending.items():
        if name in ORGANIZATION_FIELDS:
            setattr(org, name, value)
    org.pending_changes = None
    org.pending_by = None
    add_audit(
        session, actor, "organization", org.id, "publish", diff(before, organization_snapshot(org))
    )
    _touch_organization(session, org)
    _commit(session)
    _sync_search()


def reject_organization_changes(
    session: Session, actor: User, org: Organization, comment: str
) -> None:
    """Drop a redacteur's waiting organisation edit, with a comment for them; commit."""
    if not org.pending_changes:
        return
    add_audit(
        session,
        actor,
        "organization",
        org.id,
        "send-back",
        {name: [None, value] for name, value in org.pending_changes.items()},
        comment=comment,
    )
    org.pending_changes = None
    org.pending_by = None
    _commit(session)


def delete_organization(session: Session, actor: User, org: Organization) -> None:
    """Soft-delete an organisation and hide its services; commit."""
    _set_deleted(
        session, actor, "organization", org, True, lambda: _touch_organization(session, org)
    )


def restore_organization(session: Session, actor: User, org: Organization) -> None:
    """Undo a soft delete of an organisation; commit."""
    _set_deleted(
        session, actor, "organization", org, False, lambda: _touch_organization(session, org)
    )


def geocode_location(data: LocationInput) -> tuple[float, float, str | None]:
    """Return (lat, lon, gm_code): the editor's pin, else the gazetteer's postcode or place."""
    from ..domain.places import gazetteer

    gaz = gazetteer()
    if data.latitude is not None and data.longitude is not None:
        if not gaz.is_in_netherlands(data.latitude, data.longitude):
            raise EditError("Het punt op de kaart ligt niet in Nederland.")
        return (
            data.latitude,
            data.longitude,
            gaz.municipality_for_point(data.latitude, data.longitude),
        )
    query = data.postal_code.strip() or data.city.strip()
    if not query:
        raise EditError("Vul een postcode of plaats in, of zet een punt op de kaart.")
    found = gaz.resolve(query)
    if not found and data.city.strip() and query != data.city.strip():
        found = gaz.resolve(data.city.strip())
    if not found:
        hint = f" Bedoelt u: {', '.join(found.suggestions[:3])}?" if found.suggestions else ""
        raise EditError(f"Postcode of plaats '{query}' niet gevonden.{hint}")
    gm = gaz.municipality_for_point(found.lat, found.lon) or found.gm_code
    return found.lat, found.lon, gm


def _apply_location(loc: Location, data: LocationInput) -> None:
    lat, lon, gm = geocode_location(data)
    loc.name = data.name
    loc.description = data.description or None
    loc.transportation = data.transportation or None
    loc.latitude, loc.longitude, loc.gm_code = round(lat, 6), round(lon, 6), gm
    if data.address_1 or data.postal_code or data.city:
        addr = loc.address
        if addr is None:
            addr = Address(address_type="physical", address_1="", city="", postal_code="")
            loc.addresses.append(addr)
        addr.address_1 = data.address_1
        compact = re.sub(r"\s+", "", data.postal_code.upper())
        addr.postal_code = f"{compact[:4]} {compact[4:]}".strip()
        addr.city = data.city
    if data.wheelchair or data.accessibility_details:
        access = loc.accessibility[0] if loc.accessibility else Accessibility()
        access.description = data.wheelchair or None
        access.details = data.accessibility_details or None
        if not loc.accessibility:
            loc.accessibility.append(access)
    else:
        loc.accessibility = []


def _touch_location(session: Session, loc: Location) -> None:
    record_change(session, "location", loc.id)
    for sal in loc.service_at_locations:
        record_change(session, "service", sal.service_id)


def create_location(
    session: Session, actor: User, org: Organization, data: LocationInput
) -> Location:
    """Create a location for ``org``, geocoded at write time; log it; commit."""
    loc = Location(organization=org, location_type="physical")
    try:
        _apply_location(loc, data)
    except EditError:
        session.rollback()
        raise
    session.add(loc)
    session.flush()
    add_audit(session, actor, "location", loc.id, "create", diff({}, location_snapshot(loc)))
    _touch_location(session, loc)
    session.commit()
    _sync_search()
    return loc


def update_location(session: Session, actor: User, loc: Location, data: LocationInput) -> Location:
    """Save a location edit (address and pin); log changed fields; commit."""
    before = location_snapshot(loc)
    try:
        _apply_location(loc, data)
    except EditError:
        session.rollback()
        raise
    changes = diff(before, location_snapshot(loc))
    if changes:
        add_audit(session, actor, "location", loc.id, "update", changes)
        _touch_location(session, loc)
        session.commit()
        _sync_search()
    return loc


def delete_location(session: Session, actor: User, loc: Location) -> None:
    """Delete a location no service uses any more (the audit trail keeps its last state)."""
    if loc.service_at_locations:
        raise EditError("Deze locatie wordt nog gebruikt door een dienst. Haal hem daar eerst weg.")
    add_audit(session, actor, "location", loc.id, "delete", diff(location_snapshot(loc), {}))
    record_change(session, "location", loc.id)
    session.delete(loc)
    session.commit()
    _sync_search()


# --- reading ---------------------------------------------------------------------------------


def entity_history(session: Session, entity_type: str, entity_id: str) -> list[AuditEntry]:
    """Return the audit entries of one entry, newest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        )
    )
