"""Read the public directory: services, organisations and municipal debt-help contacts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain import hours
from ..models import (
    Address,
    Contact,
    CostOption,
    Location,
    Municipality,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    tel_uri,
)
from .cards import MapPoint
from .jsonld import service_jsonld

_LOCATIONS = selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location)

#: Eager loads for everything the service page shows (result cards: ``services.cards``).
_SERVICE_LOADS = (
    joinedload(Service.organization),
    selectinload(Service.phones),
    selectinload(Service.schedules),
    selectinload(Service.service_areas),
    _LOCATIONS.selectinload(Location.addresses),
    selectinload(Service.languages),
    selectinload(Service.cost_options),
    selectinload(Service.attributes),
    selectinload(Service.contacts).selectinload(Contact.phones),
    _LOCATIONS.selectinload(Location.accessibility),
)


#: Built once: building this statement with its loader options costs more than running it.
_PUBLIC_SERVICE = (
    select(Service)
    .where(or_(Service.slug == bindparam("key"), Service.id == bindparam("key")), Service.is_public)
    .options(*_SERVICE_LOADS)
)


def get_public_service(session: Session, key: str) -> Service | None:
    """Return the public service with slug or id ``key``, or None."""
    return session.scalars(_PUBLIC_SERVICE, {"key": key}).first()


def get_public_organization(session: Session, key: str) -> Organization | None:
    """Return the public organisation with slug or id ``key``, or None."""
    return session.scalars(
        select(Organization).where(
            or_(Organization.slug == key, Organization.id == key), Organization.is_public
        )
    ).first()


def organization_service_ids(session: Session, org: Organization) -> list[str]:
    """Return the ids of the public services of ``org``, by name."""
    return list(
        session.scalars(
            select(Service.id)
            .where(Service.organization_id == org.id, Service.is_public)
            .order_by(Service.name)
        )
    )


def public_phones(phones: Iterable[Phone]) -> list[Phone]:
    """Return the phones anyone may see, in their set order."""
    return [p for p in phones if p.is_public]


@dataclass(frozen=True)
class DebtHelp:
    """A municipality's own debt-help service, as shown to residents."""

    gm_code: str
    municipality: str
    service_name: str
    service_slug: str
    phone: str | None
    tel_uri: str | None


def _debt_help_rows(
    session: Session, chosen: Select[Any], params: dict[str, Any] | None = None
) -> list[DebtHelp]:
    """Build :class:`DebtHelp` from rows (gm_code, municipality, id, name, slug) of
    ``chosen`` (public services only) with each service's first public phone."""
    rows = session.execute(chosen, params or {}).all()
    if not rows:
        return []
    first_phone: dict[str, str] = {}
    for service_id, number in session.execute(_PUBLIC_PHONES, {"ids": list({r.id for r in rows})}):
        first_phone.setdefault(service_id, number)
    return [
        DebtHelp(
            gm_code=r.gm_code,
            municipality=r.municipality,
            service_name=r.name,
            service_slug=r.slug,
            phone=first_phone.get(r.id),
            tel_uri=tel_uri(first_phone[r.id]) if r.id in first_phone else None,
        )
        for r in rows
    ]


# Built once: building a statement costs more than running it on every page.
_DEBT_HELP_COLUMNS = (
    Municipality.gm_code,
    Municipality.name.label("municipality"),
    Service.id,
    Service.name,
    Service.slug,
)
_ONE_DEBT_HELP = (
    select(*_DEBT_HELP_COLUMNS)
    .join(Service, Service.id == bindparam("service"))
    .where(Municipality.gm_code == bindparam("gm"), Service.is_public)
)
_DEBT_HELP_LIST = (
    select(*_DEBT_HELP_COLUMNS)
    .join(Service, Municipality.debt_help_service_id == Service.id)
    .where(Service.is_public)
    .order_by(Municipality.name, Municipality.gm_code)
)
_PUBLIC_PHONES = (
    select(Phone.service_id, Phone.number)
    .where(Phone.service_id.in_(bindparam("ids", expanding=True)), Phone.is_public)
    .order_by(Phone.position)
)


def debt_help_for(session: Session, gm_code: str | None) -> DebtHelp | None:
    """Return the contact of municipality ``gm_code``'s own debt help (one rule:
    ``Municipality.debt_help_id``), if it has one."""
    if not gm_code:
        return None
    service_id = Municipality.debt_help_id(session, gm_code)
    if service_id is None:
        return None
    found = _debt_help_rows(session, _ONE_DEBT_HELP, {"gm": gm_code, "service": service_id})
    return found[0] if found else None


#: The public pages list the municipalities' debt help only when there are this few.
DEBT_HELP_LIST_MAX = 6


def debt_help_list(session: Session, limit: int | None = None) -> list[DebtHelp]:
    """Return the debt help of every municipality that has set its own, by municipality name.

    (The first branch of ``Municipality.debt_help_id``: the setting, when that service is
    public; a municipality without a setting is left out of this overview.) With ``limit``,
    at most that many: enough to tell whether a short list fits on a page.
    """
    query = _DEBT_HELP_LIST if limit is None else _DEBT_HELP_LIST.limit(limit)
    return _debt_help_rows(session, query)


def short_debt_help_list(session: Session) -> list[DebtHelp]:
    """Return the municipalities' debt help for a public page: all of them when there are
    at most :data:`DEBT_HELP_LIST_MAX`, else none (the page then asks for the place)."""
    found = debt_help_list(session, limit=DEBT_HELP_LIST_MAX + 1)
    return found if len(found) <= DEBT_HELP_LIST_MAX else []


# --- the service page ---------------------------------------------------------------------


def _physical_locations(svc: Service) -> list[Location]:
    return [
        sal.location
        for sal in svc.service_at_locations
        if sal.location is not None and sal.location.location_type != "virtual"
    ]


def _labels(svc: Service, facet: str, lang: str) -> list[str]:
    return [t.label(lang) for t in svc.terms if t.taxonomy.facet == facet]


@dataclass(frozen=True)
class PlaceInfo:
    """A place where the service can be visited."""

    name: str | None
    address: Address | None
    transportation: str | None
    accessibility: list[str]
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class ContactInfo:
    """A contact person; ``is_public`` False means only logged-in helpers see it."""

    name: str | None
    title: str | None
    email: str | None
    phones: list[Phone]
    is_public: bool


@dataclass
class ServicePage:
    """Everything the service page shows, already filtered for the visitor."""

    service: Service
    organization: Organization
    themes: list[str]
    phases: list[str]
    groups: list[str]
    access: list[str]
    areas: list[str]
    places: list[PlaceInfo]
    phones: list[Phone]
    contacts: list[ContactInfo]
    languages: list[str]
    costs: list[str]
    is_free: bool
    points: list[MapPoint]
    show_private: bool
    has_private_contact: bool
    hours: list[str]
    open_now: bool
    walk_in_today: hours.WalkInToday
    jsonld: dict[str, Any] = field(default_factory=dict)

    @property
    def has_referral_info(self) -> bool:
        svc = self.service
        return bool(
            svc.referral_route
            or svc.handover_needs
            or svc.warm_handover is not None
            or any(not c.is_public for c in self.contacts)
        )


def _place(loc: Location) -> PlaceInfo:
    return PlaceInfo(
        name=loc.name,
        address=loc.address,
        transportation=loc.transportation,
        accessibility=[
            " ".join(p for p in (a.description, a.details) if p) for a in loc.accessibility
        ],
        lat=loc.latitude,
        lon=loc.longitude,
    )


def _cost_text(option: CostOption) -> str:
    parts = [option.option or ""]
    if option.amount is not None and option.amount > 0:
        parts.append(f"€ {option.amount:.2f}".replace(".", ","))
    if option.amount_description:
        parts.append(option.amount_description)
    return " – ".join(p for p in parts if p)


def service_page(
    session: Session, svc: Service, lang: str, helper: bool, url: str = ""
) -> ServicePage:
    """Build the service page; non-public contacts and phones only when ``helper``.

    ``url`` is the page's own absolute address, for the schema.org description.
    """
    names = dict(
        session.execute(
            select(Municipality.gm_code, Municipality.name).where(
                Municipality.gm_code.in_(svc.gm_codes)
            )
        ).all()
    )
    contacts = [
        ContactInfo(
            name=c.name,
            title=c.title,
            email=c.email,
            phones=[p for p in c.phones if helper or (p.is_public and c.is_public)],
            is_public=c.is_public,
        )
        for c in svc.contacts
        if helper or c.is_public
    ]
    places = [_place(loc) for loc in _physical_locations(svc)]
    points = [
        MapPoint(p.lat, p.lon, p.name or svc.name, svc.slug)
        for p in places
        if p.lat is not None and p.lon is not None
    ]
    now = hours.now()
    page = ServicePage(
        service=svc,
        organization=svc.organization,
        themes=_labels(svc, "thema", lang),
        phases=_labels(svc, "fase", lang),
        groups=_labels(svc, "doelgroep", lang),
        access=_labels(svc, "toegang", lang),
        areas=[names.get(gm, gm) for gm in svc.gm_codes],
        places=places,
        phones=[p for p in svc.phones if helper or p.is_public],
        contacts=contacts,
        languages=[lang_.name or lang_.code or "" for lang_ in svc.languages],
        costs=[t for t in (_cost_text(o) for o in svc.cost_options) if t],
        is_free=bool(svc.cost_options) and all(o.is_free for o in svc.cost_options),
        points=points,
        show_private=helper,
        has_private_contact=any(
            not c.is_public or not all(p.is_public for p in c.phones) for c in svc.contacts
        )
        or not all(p.is_public for p in svc.phones),
        hours=hours.format_hours(svc.schedules, lang),
        open_now=hours.is_open_at(svc.schedules, now),
        walk_in_today=hours.walk_in_status(svc.schedules, now),
    )
    page.jsonld = service_jsonld(page, url)
    return page
