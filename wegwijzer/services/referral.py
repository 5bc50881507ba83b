"""Referral guidance for helpers: the municipal debt help, handover sheets, volunteer contacts.

Read-only. Non-public contact details (``is_public=False``) are returned only when the caller
says the viewer is a logged-in helper, so a template cannot show what it was never given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain.geo import distance_km
from ..domain.hours import WalkInToday, format_hours, walk_in_status
from ..models import (
    Address,
    Contact,
    Location,
    Municipality,
    Phone,
    Service,
    ServiceAtLocation,
    tel_uri,
)
from .cards import summary_of

#: Eager loads for a service on the route pages: organisation, phones, hours, address.
#: Many-to-one links are joined; each collection costs one extra query.
SERVICE_CARD = (
    joinedload(Service.organization),
    selectinload(Service.phones),
    selectinload(Service.schedules),
    selectinload(Service.service_areas),
    selectinload(Service.service_at_locations)
    .joinedload(ServiceAtLocation.location)
    .selectinload(Location.addresses),
)
#: The handover sheet also shows contact persons and their direct numbers.
SERVICE_SHEET = (
    *SERVICE_CARD,
    selectinload(Service.attributes),
    selectinload(Service.contacts).selectinload(Contact.phones),
)


def public_service(session: Session, key: str, display: bool = True) -> Service | None:
    """Return the public service (``Service.is_public``) with id or slug ``key``, or None."""
    query = select(Service).where(or_(Service.id == key, Service.slug == key), Service.is_public)
    return session.scalar(query.options(*SERVICE_SHEET) if display else query)


def load_services(session: Session, ids: list[str], display: bool = True) -> list[Service]:
    """Return the public services with ``ids``, in the order of ``ids``.

    ``display=False`` loads only the taxonomy terms, which is all that ranking needs.
    """
    if not ids:
        return []
    options = SERVICE_CARD if display else (selectinload(Service.attributes),)
    rows = session.scalars(
        select(Service).where(Service.id.in_(ids), Service.is_public).options(*options)
    )
    by_id = {s.id: s for s in rows}
    return [by_id[i] for i in ids if i in by_id]


def find_debt_help(session: Session, gm_code: str, display: bool = True) -> Service | None:
    """Return the municipality's own debt help for ``gm_code`` (``Municipality.debt_help_id``).

    ``display=False`` skips loading phones, hours and addresses.
    """
    service_id = Municipality.debt_help_id(session, gm_code)
    return public_service(session, service_id, display) if service_id else None


def public_phones(service: Service) -> list[Phone]:
    """Return the phones anyone may see."""
    return [p for p in service.phones if p.is_public]


def service_location(service: Service) -> Location | None:
    """Return the service's first location with coordinates or an address."""
    for link in service.service_at_locations:
        loc = link.location
        if loc is not None and (loc.addresses or loc.latitude is not None):
            return loc
    return None


def distance_to(service: Service, lat: float, lon: float) -> float | None:
    """Return the distance in km from a point to the service's nearest location."""
    points = [
        (link.location.latitude, link.location.longitude)
        for link in service.service_at_locations
        if link.location is not None and link.location.latitude is not None
    ]
    distances = [distance_km(lat, lon, plat, plon) for plat, plon in points if plon is not None]
    return min(distances) if distances else None


@dataclass
class DirectContact:
    """A contact person with their direct phone numbers (non-public ones only for helpers)."""

    name: str | None
    title: str | None
    email: str | None
    phones: list[Phone] = field(default_factory=list)
    is_public: bool = True


def visible_contacts(service: Service, helper: bool) -> list[DirectContact]:
    """Return the service's contact persons the viewer may see."""
    contacts = []
    for contact in service.contacts:
        if not contact.is_public and not helper:
            continue
        phones = [p for p in contact.phones if p.is_public or helper]
        contacts.append(
            DirectContact(
                name=contact.name,
                title=contact.title,
                email=contact.email,
                phones=phones,
                is_public=contact.is_public,
            )
        )
    return contacts


@dataclass
class SignalsContact:
    """A municipality's fixed contact for helpers: for talking over signals (never public).

    Helpers see two contacts, each for one purpose: a service's contact person *for referring*
    someone to that service, and this one *for talking over signals* (is this a case for the
    municipality's debt help, and how urgent?).
    """

    municipality: str
    name: str | None
    phone: str | None
    email: str | None
    hours: str | None

    @property
    def tel_uri(self) -> str:
        return tel_uri(self.phone)


def signals_contact(municipality: Municipality | None, helper: bool) -> SignalsContact | None:
    """Return the municipality's contact for talking over signals: helpers only, when set."""
    if not helper or municipality is None:
        return None
    m = municipality
    if not (m.volunteer_contact_name or m.volunteer_contact_phone or m.volunteer_contact_email):
        return None
    return SignalsContact(
        municipality=m.name,
        name=m.volunteer_contact_name,
        phone=m.volunteer_contact_phone,
        email=m.volunteer_contact_email,
        hours=m.volunteer_contact_hours,
    )


def signals_contact_of(session: Session, service: Service, helper: bool) -> SignalsContact | None:
    """Return the signals contact of the municipality whose own debt help ``service`` is."""
    if not helper:
        return None
    for gm_code in service.gm_codes:
        debt_help = find_debt_help(session, gm_code, display=False)
        if debt_help is not None and debt_help.id == service.id:
            return signals_contact(session.get(Municipality, gm_code), helper)
    return None


@dataclass
class HandoverSheet:
    """Everything the printable handover sheet shows for one service."""

    service: Service
    phones: list[Phone]
    contacts: list[DirectContact]
    location: Location | None
    checklist: list[str]
    shows_private: bool
    signals: SignalsContact | None = None


def handover_sheet(session: Session, key: str, helper: bool) -> HandoverSheet | None:
    """Return the handover sheet of a public service (id or slug), or None."""
    service = public_service(session, key)
    if service is None:
        return None
    phones = [p for p in service.phones if p.is_public or helper]
    checklist = [item.strip() for item in (service.handover_needs or []) if str(item).strip()]
    return HandoverSheet(
        service=service,
        phones=phones,
        contacts=visible_contacts(service, helper),
        location=service_location(service),
        checklist=checklist,
        shows_private=helper,
        signals=signals_contact_of(session, service, helper),
    )


@dataclass
class VolunteerDesk:
    """A municipality's debt help and, for helpers only, its two contacts (one per purpose)."""

    municipality: Municipality
    debt_help: Service | None
    #: For talking over signals: the municipality's fixed contact for helpers.
    signals: SignalsContact | None = None
    #: For referring someone: the debt help's contact persons the viewer may see.
    referral_contacts: list[DirectContact] = field(default_factory=list)


def volunteer_desk(session: Session, gm_code: str, helper: bool) -> VolunteerDesk | None:
    """Return the volunteer desk of ``gm_code``; non-public contacts only for helpers."""
    municipality = session.get(Municipality, gm_code)
    if municipality is None:
        return None
    debt_help = find_debt_help(session, gm_code)
    return VolunteerDesk(
        municipality=municipality,
        debt_help=debt_help,
        signals=signals_contact(municipality, helper),
        referral_contacts=[c for c in visible_contacts(debt_help, helper) if not c.is_public]
        if debt_help is not None
        else [],
    )


@dataclass
class ServiceInfo:
    """What the route shows for one service: phones, address and walk-in times."""

    summary: str
    phones: list[Phone]
    address: Address | None
    walk_in_today: WalkInToday
    walk_in: list[str]


def service_info(service: Service, lang: str = "nl", when: datetime | None = None) -> ServiceInfo:
    """Return the public contact facts of ``service`` for the route pages."""
    walk_in = [s for s in service.schedules if s.attending_type == "inloop" or s.is_closed]
    location = service_location(service)
    return ServiceInfo(
        summary=summary_of(service.description),
        phones=public_phones(service),
        address=location.address if location is not None else None,
        walk_in_today=walk_in_status(service.schedules, when),
        walk_in=format_hours(walk_in, lang) if any(not s.is_closed for s in walk_in) else [],
    )
