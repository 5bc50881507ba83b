"""Create, edit and delete locations, placed on the map at write time from the gazetteer."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from ...domain.places import gazetteer
from ...models import Accessibility, Address, Location, Organization, User
from ..audit import add_audit, diff
from ..changes import record_change
from .base import EditError, unit_of_work
from .inputs import LocationInput
from .snapshots import location_snapshot


def geocode_location(data: LocationInput) -> tuple[float, float, str | None]:
    """Return (lat, lon, gm_code): the editor's pin, else the gazetteer's postcode or place."""
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
    with unit_of_work(session, loc, location_snapshot):
        _apply_location(loc, data)
        session.add(loc)
        session.flush()
        add_audit(session, actor, "location", loc.id, "create", diff({}, location_snapshot(loc)))
        _touch_location(session, loc)
    return loc


def update_location(session: Session, actor: User, loc: Location, data: LocationInput) -> Location:
    """Save a location edit (address and pin); log changed fields; commit.

    EditConflict when someone else changed or deleted the location at the same moment.
    """
    with unit_of_work(session, loc, location_snapshot):
        before = location_snapshot(loc)
        _apply_location(loc, data)
        changes = diff(before, location_snapshot(loc))
        if changes:
            add_audit(session, actor, "location", loc.id, "update", changes)
            _touch_location(session, loc)
    return loc


def delete_location(session: Session, actor: User, loc: Location) -> None:
    """Delete a location no service uses any more (the audit trail keeps its last state)."""
    if loc.service_at_locations:
        raise EditError("Deze locatie wordt nog gebruikt door een dienst. Haal hem daar eerst weg.")
    with unit_of_work(session, loc, location_snapshot):
        add_audit(session, actor, "location", loc.id, "delete", diff(location_snapshot(loc), {}))
        record_change(session, "location", loc.id)
        session.delete(loc)
