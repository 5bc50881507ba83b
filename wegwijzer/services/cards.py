"""Result cards: what a list of services shows, read with a few plain queries.

A results page shows twenty services (and a map view the same twenty as markers). Reading
them as ORM objects with every collection (organisation, phones, opening hours, areas,
places, addresses) built some 170 objects per page and took about a third of the page's
time. A card needs only a few columns of each, so they are read as plain rows, one query per
kind, and put together here. The service page still reads the whole ``Service``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..domain import hours
from ..domain.geo import distance_km
from ..models import (
    Address,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    address_line,
    tel_uri,
)


def summary_of(text: str, limit: int = 160) -> str:
    """Return the first sentence of ``text``, cut at a word boundary within ``limit``."""
    text = " ".join((text or "").split())
    end = next((i + 1 for i, ch in enumerate(text) if ch in ".!?" and i > 20), len(text))
    first = text[:end]
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


@dataclass(frozen=True)
class MapPoint:
    """One marker: a service at a location."""

    lat: float
    lon: float
    name: str
    key: str


@dataclass(frozen=True)
class CardOrganization:
    id: str
    name: str
    slug: str


@dataclass(frozen=True)
class CardPhone:
    """A public phone number of a service."""

    number: str
    description: str | None

    @property
    def tel_uri(self) -> str:
        return tel_uri(self.number)


@dataclass(frozen=True)
class CardAddress:
    address_1: str | None
    postal_code: str | None
    city: str | None

    def one_line(self) -> str:
        return address_line(self.address_1, self.postal_code, self.city)


@dataclass(frozen=True)
class CardLocation:
    """A place where the service can be visited (never a virtual location)."""

    id: str
    name: str | None
    latitude: float | None
    longitude: float | None
    address: CardAddress | None


@dataclass
class CardService:
    """The part of a public service a card shows; the same attribute names as ``Service``."""

    id: str
    slug: str
    name: str
    description: str
    email: str | None
    url: str | None
    organization: CardOrganization
    #: Public phones only, in their set order.
    phones: list[CardPhone] = field(default_factory=list)
    #: Rows with the columns ``domain.hours`` reads.
    schedules: list[Any] = field(default_factory=list)
    #: (extent_type, gm_code) per service area.
    areas: list[tuple[str, str | None]] = field(default_factory=list)
    locations: list[CardLocation] = field(default_factory=list)

    @property
    def is_national(self) -> bool:
        return any(extent == "landelijk" for extent, _gm in self.areas)

    @property
    def gm_codes(self) -> list[str]:
        return sorted({gm for _extent, gm in self.areas if gm})


@dataclass
class ResultCard:
    """What a result list shows for one service."""

    service: CardService
    summary: Markup
    distance_km: float | None
    is_national: bool
    phone: CardPhone | None
    location: CardLocation | None
    open_now: bool = False
    walk_in_today: hours.WalkInToday = field(default_factory=hours.WalkInToday)
    hours: list[str] = field(default_factory=list)

    @property
    def address(self) -> CardAddress | None:
        return self.location.address if self.location is not None else None

    @property
    def point(self) -> MapPoint | None:
        loc = self.location
        if loc is None or loc.latitude is None or loc.longitude is None:
            return None
        return MapPoint(loc.latitude, loc.longitude, self.service.name, self.service.slug)


def _ids() -> Any:
    return bindparam("ids", expanding=True)


# The statements are built once: building a statement costs more than running it here.
_SERVICES = (
    select(
        Service.id,
        Service.slug,
        Service.name,
        Service.description,
        Service.email,
        Service.url,
        Organization.id.label("org_id"),
        Organization.name.label("org_name"),
        Organization.slug.label("org_slug"),
    )
    .join(Organization, Service.organization_id == Organization.id)
    .where(Service.id.in_(_ids()), Service.is_public)
)
_PHONES = (
    select(Phone.service_id, Phone.number, Phone.description)
    .where(Phone.service_id.in_(_ids()), Phone.is_public)
    .order_by(Phone.position)
)
#: The columns ``domain.hours`` reads.
_SCHEDULES = select(
    Schedule.service_id,
    Schedule.freq,
    Schedule.byday,
    Schedule.opens_at,
    Schedule.closes_at,
    Schedule.valid_from,
    Schedule.valid_to,
    Schedule.attending_type,
    Schedule.description,
    Schedule.is_closed,
).where(Schedule.service_id.in_(_ids()))
_AREAS = select(ServiceArea.service_id, ServiceArea.extent_type, ServiceArea.gm_code).where(
    ServiceArea.service_id.in_(_ids())
)
_PLACES = (
    select(
        ServiceAtLocation.service_id,
        Location.id,
        Location.name,
        Location.latitude,
        Location.longitude,
    )
    .join(Location, ServiceAtLocation.location_id == Location.id)
    .where(ServiceAtLocation.service_id.in_(_ids()), Location.location_type != "virtual")
)
_ADDRESSES = select(
    Address.location_id,
    Address.address_1,
    Address.postal_code,
    Address.city,
    Address.address_type,
).where(Address.location_id.in_(_ids()))


def load_card_services(session: Session, ids: Sequence[str]) -> list[CardService]:
    """Read the public services ``ids`` for cards, in the order of ``ids`` (others dropped)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found: dict[str, CardService] = {}
    for row in session.execute(_SERVICES, {"ids": wanted}):
        found[row.id] = CardService(
            id=row.id,
            slug=row.slug,
            name=row.name,
            description=row.description or "",
            email=row.email,
            url=row.url,
            organization=CardOrganization(row.org_id, row.org_name, row.org_slug),
        )
    if not found:
        return []
    keys = {"ids": list(found)}
    for row in session.execute(_PHONES, keys):
        found[row.service_id].phones.append(CardPhone(row.number, row.description))
    for row in session.execute(_SCHEDULES, keys):
        found[row.service_id].schedules.append(row)
    for row in session.execute(_AREAS, keys):
        found[row.service_id].areas.append((row.extent_type, row.gm_code))
    _add_locations(session, found, keys)
    return [found[i] for i in wanted if i in found]


def _add_locations(session: Session, found: dict[str, CardService], keys: dict[str, Any]) -> None:
    links = session.execute(_PLACES, keys).all()
    if not links:
        return
    addresses: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(_ADDRESSES, {"ids": list({link.id for link in links})}):
        addresses[row.location_id].append(row)
    for link in links:
        found[link.service_id].locations.append(
            CardLocation(
                id=link.id,
                name=link.name,
                latitude=link.latitude,
                longitude=link.longitude,
                address=_address(addresses.get(link.id, ())),
            )
        )


def _address(rows: Iterable[Any]) -> CardAddress | None:
    """The location's physical address, else its first (as ``Location.address``)."""
    rows = list(rows)
    physical = [r for r in rows if r.address_type == "physical"]
    row = (physical or rows or [None])[0]
    return CardAddress(row.address_1, row.postal_code, row.city) if row is not None else None


def _nearest(locations: list[CardLocation], near: Any) -> CardLocation | None:
    if not locations:
        return None
    located = [loc for loc in locations if loc.latitude is not None and loc.longitude is not None]
    if near is None or not located:
        return (located or locations)[0]
    return min(
        located,
        key=lambda loc: distance_km(near.lat, near.lon, loc.latitude, loc.longitude),
    )


def result_cards(
    session: Session, hits: Sequence[Any] | None, near: Any, lang: str = "nl"
) -> list[ResultCard]:
    """Build result cards from search hits, in their order (hits no longer public dropped)."""
    hit_list = list(hits or [])
    services = load_card_services(session, [h.service_id for h in hit_list])
    by_id = {s.id: s for s in services}
    return [_card(by_id[h.service_id], h, near, lang) for h in hit_list if h.service_id in by_id]


def cards_for(session: Session, ids: Sequence[str], lang: str = "nl") -> list[ResultCard]:
    """Build result cards for the public services ``ids``, in that order."""
    return [_card(s, None, None, lang) for s in load_card_services(session, ids)]


def _card(svc: CardService, hit: Any, near: Any, lang: str) -> ResultCard:
    now = hours.now()
    snippet = getattr(hit, "snippet", None)
    rules = hours.compile_rules(svc.schedules)
    return ResultCard(
        service=svc,
        summary=Markup(snippet) if snippet else Markup.escape(summary_of(svc.description)),
        distance_km=getattr(hit, "distance_km", None),
        is_national=svc.is_national,
        phone=svc.phones[0] if svc.phones else None,
        location=_nearest(svc.locations, near),
        open_now=hours.is_open_rules(rules, now),
        walk_in_today=hours.walk_in_status_rules(rules, now),
        hours=hours.format_rules(rules, lang),
    )
