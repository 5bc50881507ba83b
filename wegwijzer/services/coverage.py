"""Coverage (dekking): which help residents of a municipality can get, and where it is missing.

Definitions, used by every count in this module (the database is the truth, not the index):

* A service *counts* when the public can see it (``Service.is_public``, the rule every public
  page uses): published, not deleted, and its organisation published and not deleted.
  Concept, ter-beoordeling, archived and deleted services never count.
* A counting service is *available* to residents of municipality M when its service area
  contains M or is national ("landelijk"):

  - **lokaal**: the service area is exactly M (one municipality, no national area);
  - **regionaal**: the area contains M and at least one other municipality (no national area);
  - **landelijk**: the area includes "landelijk" (whatever municipalities it also lists).

* A cell (for example phase x theme) counts the services that carry both terms.
  A service with two phases and two themes counts in four cells.
* **Gap** (geen aanbod): a cell with 0 local and 0 regional services. National help may
  still exist; it is shown, but it does not fill a gap.
* **Overlap**: a cell where at least ``overlap_threshold`` *distinct organisations* offer
  local or regional services. National helplines are everywhere, so they never make overlap.
* **Stale** (verouderd): a counting service whose ``last_verified_at`` is empty or older than
  ``stale_months`` months.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, literal, select, true, union
from sqlalchemy.orm import Session, aliased

from ..models import (
    Attribute,
    Location,
    Municipality,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    utcnow,
)
from .taxonomy import TaxonomyInfo, TermInfo, list_taxonomies

LOCAL, REGIONAL, NATIONAL = "lokaal", "regionaal", "landelijk"
SCOPES = (LOCAL, REGIONAL, NATIONAL)

#: Rows of every matrix.
ROW_FACET = "fase"
#: Columns of the matrices shown on the coverage page, in page order.
COLUMN_FACETS = ("thema", "doelgroep", "toegang", "rol", "activiteit")
#: Facets whose terms may filter a drill-down cell.
CELL_FACETS = (ROW_FACET, *COLUMN_FACETS)


class UnknownMunicipality(ValueError):
    """A gm_code that is not in the municipalities table."""


@dataclass(frozen=True)
class Counts:
    """Services in one cell by scope, plus distinct local/regional organisations."""

    local: int = 0
    regional: int = 0
    national: int = 0
    organisations: int = 0

    @property
    def nearby(self) -> int:
        """Return the local plus regional services: the ones that fill a gap."""
        return self.local + self.regional

    @property
    def total(self) -> int:
        return self.local + self.regional + self.national

    @property
    def is_gap(self) -> bool:
        return self.nearby == 0

    def is_overlap(self, threshold: int) -> bool:
        """Return True when at least ``threshold`` organisations offer this locally/regionally."""
        return self.organisations >= threshold

    def cell_text(self) -> str:
        """Return the machine format ``local/regional/national``, e.g. ``2/1/3``."""
        return f"{self.local}/{self.regional}/{self.national}"


EMPTY = Counts()


@dataclass
class Matrix:
    """Counts for rows (phases) x columns (terms of one facet) in one municipality."""

    gm_code: str
    row_facet: str
    col_facet: str
    rows: tuple[TermInfo, ...]
    cols: tuple[TermInfo, ...]
    overlap_threshold: int
    cells: dict[tuple[str, str], Counts] = field(default_factory=dict)

    def cell(self, row: str, col: str) -> Counts:
        return self.cells.get((row, col), EMPTY)

    @property
    def size(self) -> int:
        return len(self.rows) * len(self.cols)

    @property
    def gaps(self) -> int:
        return sum(1 for r in self.rows for c in self.cols if self.cell(r.code, c.code).is_gap)

    @property
    def covered(self) -> int:
        """Return the number of cells with at least one local or regional service."""
        return self.size - self.gaps

    @property
    def overlaps(self) -> int:
        return sum(
            1
            for r in self.rows
            for c in self.cols
            if self.cell(r.code, c.code).is_overlap(self.overlap_threshold)
        )


@dataclass(frozen=True)
class Point:
    """A location of a local or regional service, for the map."""

    lat: float
    lon: float
    label: str


@dataclass
class MunicipalityCoverage:
    """Everything the coverage page shows for one municipality."""

    gm_code: str
    name: str
    totals: Counts
    #: ``{col_facet: Matrix}`` with phases as rows.
    matrices: dict[str, Matrix]
    #: ``{facet: {code: Counts}}`` regardless of phase (e.g. any walk-in point at all).
    facet_totals: dict[str, dict[str, Counts]]
    points: list[Point]

    def facet_total(self, facet: str, code: str) -> Counts:
        return self.facet_totals.get(facet, {}).get(code, EMPTY)


@dataclass(frozen=True)
class OrganisationFreshness:
    organization_id: str
    name: str
    entries: int
    stale: int
    oldest_verified_at: datetime | None


@dataclass
class Freshness:
    stale_months: int
    cutoff: datetime
    entries: int
    stale: int
    organisations: list[OrganisationFreshness]


@dataclass
class RegionCoverage:
    """Coverage of the municipalities a beheerder picked (one or several)."""

    municipalities: list[MunicipalityCoverage]
    taxonomies: dict[str, TaxonomyInfo]
    overlap_threshold: int
    freshness: Freshness


@dataclass(frozen=True)
class CellEntry:
    """One service in a drill-down list."""

    service_id: str
    service_name: str
    organization_id: str
    organization_name: str
    scope: str
    last_verified_at: datetime | None


# --- building blocks ---------------------------------------------------------------------------


def _is_national(service_id: Any) -> Any:
    area = aliased(ServiceArea)
    return exists().where(area.service_id == service_id, area.extent_type == "landelijk")


def _nearby_select(gm_codes: Sequence[str]) -> Select:
    """Select (gm_code, service_id, organization_id, n_gm) for non-national counting services.

    ``n_gm`` is the number of distinct municipalities in the service area: 1 means local.
    A duplicated area row gives a duplicate row.
    """
    other = aliased(ServiceArea)
    n_gm = (
        select(func.count(func.distinct(other.gm_code)))
        .where(
            other.service_id == ServiceArea.service_id,
            other.extent_type == "gemeente",
            other.gm_code.is_not(None),
        )
        .scalar_subquery()
    )
    return (
        select(
            ServiceArea.gm_code.label("gm_code"),
            Service.id.label("service_id"),
            Service.organization_id.label("organization_id"),
            n_gm.label("n_gm"),
        )
        .select_from(ServiceArea)
        .join(Service, Service.id == ServiceArea.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(
            ServiceArea.extent_type == "gemeente",
            ServiceArea.gm_code.in_(list(gm_codes)),
            ~_is_national(Service.id),
            Service.is_public,
        )
    )


def _national_select() -> Select:
    """Select distinct (service_id, organization_id) of counting national services."""
    return (
        select(Service.id.label("service_id"), Service.organization_id.label("organization_id"))
        .select_from(ServiceArea)
        .join(Service, Service.id == ServiceArea.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(ServiceArea.extent_type == "landelijk", Service.is_public)
        .distinct()
    )


def _available(gm_codes: Sequence[str]) -> Any:
    """Return a CTE of (gm_code, service_id, organization_id, scope) for the municipalities.

    National services get one row per municipality.
    """
    near = _nearby_select(gm_codes).subquery("near")
    nearby = select(
        near.c.gm_code,
        near.c.service_id,
        near.c.organization_id,
        case((near.c.n_gm == 1, literal(LOCAL)), else_=literal(REGIONAL)).label("scope"),
    ).distinct()
    munis = (
        select(Municipality.gm_code.label("gm_code"))
        .where(Municipality.gm_code.in_(list(gm_codes)))
        .subquery("munis")
    )
    nat = _national_select().subquery("nat")
    national = (
        select(
            munis.c.gm_code,
            nat.c.service_id,
            nat.c.organization_id,
            literal(NATIONAL).label("scope"),
        )
        .select_from(munis)
        .join(nat, true())
    )
    return nearby.union_all(national).cte("available")


def _service_terms(facets: Iterable[str], name: str) -> Any:
    """Return a subquery of (service_id, facet, code) for terms in ``facets``."""
    return (
        select(
            Attribute.link_id.label("service_id"),
            Taxonomy.facet.label("facet"),
            TaxonomyTerm.code.label("code"),
        )
        .join(TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id)
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where(Attribute.link_entity == "service", Taxonomy.facet.in_(list(facets)))
        .subquery(name)
    )


def stale_cutoff(now: datetime, months: int) -> datetime:
    """Return ``now`` minus ``months`` calendar months (day clamped to the month's end)."""
    index = now.year * 12 + (now.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    days_in_month = [31, 29 if _is_leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return now.replace(year=year, month=month, day=min(now.day, days_in_month[month - 1]))


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def municipality_names(session: Session, gm_codes: Iterable[str]) -> dict[str, str]:
    """Return ``{gm_code: name}`` for the known codes among ``gm_codes``."""
    codes = list(gm_codes)
    rows = session.execute(
        select(Municipality.gm_code, Municipality.name).where(Municipality.gm_code.in_(codes))
    )
    return {gm: name for gm, name in rows}


def _check_municipalities(session: Session, gm_codes: Sequence[str]) -> dict[str, str]:
    names = municipality_names(session, gm_codes)
    unknown = [gm for gm in gm_codes if gm not in names]
    if unknown:
        raise UnknownMunicipality(f"Onbekende gemeentecode: {', '.join(unknown)}.")
    return names


#: Ids per IN list: below SQLite's limit of 32,766 parameters, with room for the rest.
_CHUNK = 5000


@dataclass
class _Directory:
    """The counting services of a region, read with a few set-based queries."""

    #: Distinct (gm_code, service_id, organization_id, scope) for local and regional services.
    nearby: list[tuple[str, str, str, str]]
    #: service_id -> organization_id of national services: available everywhere.
    national: dict[str, str]
    #: service_id -> (organization name, last_verified_at) for every service above.
    info: dict[str, tuple[str, datetime | None]]
    #: service_id -> term ids, for the terms asked for.
    terms: dict[str, list[str]]


def _load_directory(
    session: Session, gm_codes: Sequence[str], term_ids: Collection[str]
) -> _Directory:
    """Read the region's counting services, their organisations and their term links."""
    # Core execution: the ORM's per-row bookkeeping doubles the time for ~100k term links.
    conn = session.connection()
    near_q = _nearby_select(gm_codes).add_columns(Organization.name, Service.last_verified_at)
    nearby = []
    seen: set[tuple[str, str]] = set()
    info: dict[str, tuple[str, datetime | None]] = {}
    for gm, sid, org, n_gm, org_name, verified in conn.execute(near_q).all():
        if (gm, sid) not in seen:  # a duplicated area row must not count twice
            seen.add((gm, sid))
            nearby.append((gm, sid, org, LOCAL if n_gm == 1 else REGIONAL))
            info[sid] = (org_name, verified)
    national = {}
    for sid, org, org_name, verified in conn.execute(
        _national_select().add_columns(Organization.name, Service.last_verified_at)
    ).all():
        national[sid] = org
        info[sid] = (org_name, verified)
    terms = _term_links(conn, gm_codes, term_ids, info) if term_ids else {}
    return _Directory(nearby=nearby, national=national, info=info, terms=terms)


def _term_links(
    conn: Any, gm_codes: Sequence[str], term_ids: Collection[str], keep: Container[str]
) -> dict[str, list[str]]:
    """Return ``{service_id: [term ids]}`` for the services in ``keep`` and ``term_ids``."""
    # Every service with an area in the region or a national area: a cheap superset of
    # ``keep`` (the counting conditions were applied already), filtered below.
    ids = union(
        select(ServiceArea.service_id).where(
            ServiceArea.extent_type == "gemeente", ServiceArea.gm_code.in_(list(gm_codes))
        ),
        select(ServiceArea.service_id).where(ServiceArea.extent_type == "landelijk"),
    ).subquery("ids")
    # One row per service with its term ids joined: fetching ten times fewer rows is faster
    # than a row per link, and than IN lists of the ids already read (measured on SQLite).
    rows = conn.execute(
        select(ids.c.service_id, func.aggregate_strings(Attribute.taxonomy_term_id, ","))
        .select_from(ids)
        # Outer join: look up each service's links by index instead of scanning all links.
        .join(
            Attribute,
            and_(Attribute.link_id == ids.c.service_id, Attribute.link_entity == "service"),
            isouter=True,
        )
        .where(Attribute.taxonomy_term_id.in_(list(term_ids)))
        .group_by(ids.c.service_id)
    ).all()
    return {sid: joined.split(",") for sid, joined in rows if sid in keep}


def _service_ids(gm_codes: Sequence[str]) -> Any:
    """Return a subquery of the distinct ids of every service available in ``gm_codes``."""
    near = _nearby_select(gm_codes).subquery("near")
    nat = _national_select().subquery("nat")
    return union(select(near.c.service_id), select(nat.c.service_id)).subquery("ids")


class _BitCounter:
    """Count, per bit position, how many added masks have that bit set.

    A bit-sliced adder: plane j holds bit j of every position's count, so adding a mask is a
    few big-integer operations instead of one Python step per cell.
    """

    def __init__(self) -> None:
        self.planes: list[int] = []
        self.added = 0

    def add(self, mask: int) -> None:
        self.added += 1
        carry = mask
        for j, plane in enumerate(self.planes):
            if not carry:
                return
            self.planes[j] = plane ^ carry
            carry &= plane
        if carry:
            self.planes.append(carry)

    def counts(self, size: int) -> list[int]:
        out = [0] * size
        for j, plane in enumerate(self.planes):
            weight = 1 << j
            # bin() gives the most significant bit first; reverse to index by position.
            for position, digit in enumerate(bin(plane)[:1:-1]):
                if digit == "1":
                    out[position] += weight
        return out


# --- the coverage page -------------------------------------------------------------------------


def compute_coverage(
    session: Session,
    gm_codes: Sequence[str],
    *,
    overlap_threshold: int,
    stale_months: int,
    col_facets: Sequence[str] = COLUMN_FACETS,
    now: datetime | None = None,
    with_points: bool = True,
) -> RegionCoverage:
    """Count the coverage of ``gm_codes`` from one read of the region, not a query per cell.

    Each service becomes a bit mask of its cells (phase x term) and of its terms; per
    municipality and scope the masks are summed position-wise (see ``_BitCounter``), and per
    organisation they are OR-ed first, so an organisation counts once per cell.
    """
    gm_codes = list(dict.fromkeys(gm_codes))
    names = _check_municipalities(session, gm_codes)
    taxonomies = {t.facet: t for t in list_taxonomies(session)}
    rows = taxonomies[ROW_FACET].terms
    facets = [f for f in col_facets if f in taxonomies]
    cols = [(facet, t) for facet in facets for t in taxonomies[facet].terms]
    n_cols = len(cols)
    n_cells = len(rows) * n_cols
    # Bit layout: cell (row i, column k) is bit i * n_cols + k; term k alone is n_cells + k.
    phase_index = {t.id: i for i, t in enumerate(rows)}
    col_bit = {t.id: 1 << k for k, (_facet, t) in enumerate(cols)}
    data = _load_directory(session, gm_codes, [*phase_index, *col_bit])

    masks: dict[str, int] = {}
    for sid, term_ids in data.terms.items():
        col_mask = 0
        for term in term_ids:
            col_mask |= col_bit.get(term, 0)
        mask = col_mask << n_cells
        for term in term_ids:
            if term in phase_index:
                mask |= col_mask << (phase_index[term] * n_cols)
        masks[sid] = mask

    counters: dict[tuple[str, str], _BitCounter] = defaultdict(_BitCounter)
    org_masks: dict[tuple[str, str], int] = defaultdict(int)
    for gm, sid, org, scope in data.nearby:
        mask = masks.get(sid, 0)
        counters[(gm, scope)].add(mask)
        org_masks[(gm, org)] |= mask
    org_counters: dict[str, _BitCounter] = defaultdict(_BitCounter)
    for (gm, _org), mask in org_masks.items():
        org_counters[gm].add(mask)
    national = _BitCounter()
    for sid in data.national:
        national.add(masks.get(sid, 0))

    size = n_cells + n_cols
    national_counts = national.counts(size)
    points = _points(session, gm_codes) if with_points else {}
    result: list[MunicipalityCoverage] = []
    for gm in gm_codes:
        local = counters[(gm, LOCAL)].counts(size)
        regional = counters[(gm, REGIONAL)].counts(size)
        orgs = org_counters[gm].counts(size)

        matrices = {
            facet: Matrix(gm, ROW_FACET, facet, rows, taxonomies[facet].terms, overlap_threshold)
            for facet in facets
        }
        facet_totals: dict[str, dict[str, Counts]] = {facet: {} for facet in facets}
        for k, (facet, term) in enumerate(cols):
            for i, row in enumerate(rows):
                counts = _counts_at(i * n_cols + k, local, regional, national_counts, orgs)
                if counts != EMPTY:
                    matrices[facet].cells[(row.code, term.code)] = counts
            facet_totals[facet][term.code] = _counts_at(
                n_cells + k, local, regional, national_counts, orgs
            )
        result.append(
            MunicipalityCoverage(
                gm_code=gm,
                name=names[gm],
                totals=Counts(
                    local=counters[(gm, LOCAL)].added,
                    regional=counters[(gm, REGIONAL)].added,
                    national=national.added,
                    organisations=org_counters[gm].added,
                ),
                matrices=matrices,
                facet_totals=facet_totals,
                points=points.get(gm, []),
            )
        )
    return RegionCoverage(
        municipalities=result,
        taxonomies=taxonomies,
        overlap_threshold=overlap_threshold,
        freshness=_freshness(data, stale_months, now),
    )


def _counts_at(
    bit: int, local: list[int], regional: list[int], national: list[int], orgs: list[int]
) -> Counts:
    return Counts(local[bit], regional[bit], national[bit], orgs[bit])


def _points(session: Session, gm_codes: Sequence[str]) -> dict[str, list[Point]]:
    """Return the located local/regional services per municipality, one point per location."""
    near = _nearby_select(gm_codes).subquery("near")
    rows = session.connection().execute(
        select(
            near.c.gm_code,
            Location.id,
            Location.latitude,
            Location.longitude,
            Organization.name,
            Service.name,
        )
        .join(ServiceAtLocation, ServiceAtLocation.service_id == near.c.service_id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(Service, Service.id == near.c.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(Location.latitude.is_not(None), Location.longitude.is_not(None))
        .distinct()
        .order_by(near.c.gm_code, Location.id, Organization.name, Service.name)
    )
    labels: dict[tuple[str, str], tuple[float, float, list[str]]] = {}
    for gm, loc_id, lat, lon, org_name, svc_name in rows:
        entry = labels.setdefault((gm, loc_id), (lat, lon, []))
        entry[2].append(f"{org_name}: {svc_name}")
    points: dict[str, list[Point]] = defaultdict(list)
    for (gm, _loc), (lat, lon, names) in labels.items():
        points[gm].append(Point(lat=lat, lon=lon, label="; ".join(names)))
    return points


def compute_freshness(
    session: Session, gm_codes: Sequence[str], *, stale_months: int, now: datetime | None = None
) -> Freshness:
    """Count, per organisation, the available services not verified for ``stale_months``."""
    _check_municipalities(session, gm_codes)
    return _freshness(_load_directory(session, gm_codes, []), stale_months, now)


def _freshness(data: _Directory, stale_months: int, now: datetime | None) -> Freshness:
    cutoff = stale_cutoff(now or utcnow(), stale_months)
    org_of = {sid: org for _gm, sid, org, _scope in data.nearby} | data.national
    per_org: dict[str, list] = {}
    for sid, org in org_of.items():
        name, verified = data.info[sid]
        entry = per_org.setdefault(org, [name, 0, 0, None, False])
        entry[1] += 1
        if verified is None:
            entry[2] += 1
            entry[4] = True  # never verified is older than any date
        else:
            if verified < cutoff:
                entry[2] += 1
            if entry[3] is None or verified < entry[3]:
                entry[3] = verified
    orgs = [
        OrganisationFreshness(
            organization_id=org_id,
            name=name,
            entries=entries,
            stale=stale,
            oldest_verified_at=None if never else oldest,
        )
        for org_id, (name, entries, stale, oldest, never) in per_org.items()
    ]
    orgs.sort(key=lambda o: (-o.stale, o.name.casefold()))
    return Freshness(
        stale_months=stale_months,
        cutoff=cutoff,
        entries=sum(o.entries for o in orgs),
        stale=sum(o.stale for o in orgs),
        organisations=orgs,
    )


# --- drill-down --------------------------------------------------------------------------------


def list_cell(session: Session, gm_code: str, terms: dict[str, str]) -> list[CellEntry]:
    """List the services available in ``gm_code`` that carry every ``{facet: code}`` term."""
    _check_municipalities(session, [gm_code])
    avail = _available([gm_code])
    conditions = []
    for facet, code in terms.items():
        conditions.append(
            exists(
                select(Attribute.id)
                .join(TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id)
                .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
                .where(
                    Attribute.link_entity == "service",
                    Attribute.link_id == avail.c.service_id,
                    Taxonomy.facet == facet,
                    TaxonomyTerm.code == code,
                )
            )
        )
    rows = session.execute(
        select(
            Service.id,
            Service.name,
            Organization.id,
            Organization.name,
            avail.c.scope,
            Service.last_verified_at,
        )
        .join(Service, Service.id == avail.c.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(and_(*conditions) if conditions else true())
    )
    order = {s: i for i, s in enumerate(SCOPES)}
    entries = [CellEntry(*row) for row in rows]
    entries.sort(
        key=lambda e: (order[e.scope], e.organization_name.casefold(), e.service_name.casefold())
    )
    return entries


# --- inventarisatie (handreiking stap 2) ------------------------------------------------------

INVENTORY_FACETS = ("organisatietype", "fase", "thema", "doelgroep")


@dataclass
class InventoryRow:
    """One organisation with services available in the chosen municipalities."""

    organization_id: str
    name: str
    scopes: list[str] = field(default_factory=list)
    gm_codes: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    #: ``{facet: [codes]}`` over the organisation and its counted services.
    codes: dict[str, list[str]] = field(default_factory=dict)
    funding: list[str] = field(default_factory=list)
    agreements: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    oldest_verified_at: datetime | None = None
    never_verified: int = 0
    stale: int = 0

    @property
    def entries(self) -> int:
        return len(self.services)


@dataclass
class Inventory:
    gm_codes: list[str]
    names: dict[str, str]
    taxonomies: dict[str, TaxonomyInfo]
    stale_months: int
    cutoff: datetime
    rows: list[InventoryRow]

    def label(self, facet: str, code: str, lang: str = "nl") -> str:
        """Return the label of a term, or its code when the term is gone."""
        tax = self.taxonomies.get(facet)
        term = tax.term(code) if tax else None
        return term.label(lang) if term else code

    def by_type(self) -> list[tuple[str | None, list[InventoryRow]]]:
        """Group the rows by their first organisation type, in taxonomy order; None last."""
        tax = self.taxonomies.get("organisatietype")
        order = [t.code for t in tax.terms] if tax else []
        groups: dict[str | None, list[InventoryRow]] = defaultdict(list)
        for row in self.rows:
            types = row.codes.get("organisatietype") or [None]
            groups[types[0]].append(row)
        keys = sorted(groups, key=lambda c: (c is None, order.index(c) if c in order else 999))
        return [(key, groups[key]) for key in keys]


def compute_inventory(
    session: Session, gm_codes: Sequence[str], *, stale_months: int, now: datetime | None = None
) -> Inventory:
    """List per organisation what it offers residents of ``gm_codes``, with internal fields."""
    gm_codes = list(dict.fromkeys(gm_codes))
    names = _check_municipalities(session, gm_codes)
    taxonomies = {t.facet: t for t in list_taxonomies(session)}
    cutoff = stale_cutoff(now or utcnow(), stale_months)
    term_keys = {
        t.id: (facet, t.code)
        for facet in INVENTORY_FACETS
        if facet in taxonomies
        for t in taxonomies[facet].terms
    }
    data = _load_directory(session, gm_codes, term_keys)
    rows: dict[str, InventoryRow] = {}
    scopes: dict[str, set[str]] = defaultdict(set)
    gms: dict[str, set[str]] = defaultdict(set)
    org_of: dict[str, str] = {}
    for gm, sid, org_id, scope in data.nearby:
        scopes[org_id].add(scope)
        gms[org_id].add(gm)
        org_of[sid] = org_id
    for sid, org_id in data.national.items():
        scopes[org_id].add(NATIONAL)
        org_of[sid] = org_id
    codes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for sid, term_ids in data.terms.items():
        for term in term_ids:
            facet, code = term_keys[term]
            codes[org_of[sid]][facet].add(code)
    ids = _service_ids(gm_codes)
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in session.connection().execute(
        select(
            Organization.id,
            Organization.name,
            Organization.funding_source,
            Organization.collaboration_agreement,
            Organization.coordinator,
            Service.id,
            Service.name,
            Service.funding_source,
            Service.collaboration_agreement,
            Service.coordinator,
            Service.last_verified_at,
        )
        .select_from(ids)
        .join(Service, Service.id == ids.c.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .order_by(Organization.name, Service.name)
    ):
        (org_id, org_name, o_fund, o_agree, o_coord, _sid, s_name, s_fund, s_agree, s_coord,
         verified) = row  # fmt: skip
        inv = rows.get(org_id)
        if inv is None:
            inv = rows[org_id] = InventoryRow(organization_id=org_id, name=org_name)
        inv.services.append(s_name)
        for key, value in (
            ("funding", o_fund), ("funding", s_fund), ("agreements", o_agree),
            ("agreements", s_agree), ("coordinators", o_coord), ("coordinators", s_coord),
        ):  # fmt: skip
            if value and value.strip():
                values[org_id][key].add(value.strip())
        if verified is None:
            inv.never_verified += 1
            inv.stale += 1
        else:
            if verified < cutoff:
                inv.stale += 1
            if inv.oldest_verified_at is None or verified < inv.oldest_verified_at:
                inv.oldest_verified_at = verified
    # The organisation type may also be set on the organisation itself (HSDS attribute).
    org_ids = list(rows)
    for start in range(0, len(org_ids), _CHUNK):
        for org_id, facet, code in session.connection().execute(
            select(Attribute.link_id, Taxonomy.facet, TaxonomyTerm.code)
            .join(TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id)
            .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
            .where(
                Attribute.link_entity == "organization",
                Attribute.link_id.in_(org_ids[start : start + _CHUNK]),
                Taxonomy.facet.in_(INVENTORY_FACETS),
            )
        ):
            codes[org_id][facet].add(code)
    order = {
        facet: {t.code: i for i, t in enumerate(tax.terms)} for facet, tax in taxonomies.items()
    }
    gm_order = {gm: i for i, gm in enumerate(gm_codes)}
    for org_id, inv in rows.items():
        inv.scopes = [s for s in SCOPES if s in scopes[org_id]]
        inv.gm_codes = sorted(gms[org_id], key=gm_order.__getitem__)
        inv.codes = {
            facet: sorted(codes[org_id][facet], key=lambda c, f=facet: order[f].get(c, 999))
            for facet in INVENTORY_FACETS
        }
        inv.funding = sorted(values[org_id]["funding"])
        inv.agreements = sorted(values[org_id]["agreements"])
        inv.coordinators = sorted(values[org_id]["coordinators"])
    return Inventory(
        gm_codes=gm_codes,
        names=names,
        taxonomies=taxonomies,
        stale_months=stale_months,
        cutoff=cutoff,
        rows=sorted(rows.values(), key=lambda r: (r.name.casefold(), r.organization_id)),
    )


def municipality_boundaries(gm_codes: Iterable[str]) -> list[dict]:
    """Return the gazetteer's GeoJSON features of ``gm_codes`` (shared objects: do not mutate)."""
    from ..domain.places import gazetteer

    wanted = set(gm_codes)
    features = gazetteer().boundaries_geojson().get("features", [])
    return [f for f in features if f.get("properties", {}).get("gm_code") in wanted]


# --- the matrix for scripts (``wegwijzer coverage``) -----------------------------------------


def find_municipality(session: Session, text: str) -> str:
    """Return the gm_code for a code (``GM0193``, ``gm0193``) or a name (``Zwolle``)."""
    wanted = text.strip()
    code = session.scalar(
        select(Municipality.gm_code).where(Municipality.gm_code == wanted.upper())
    )
    if code is None:
        code = session.scalar(
            select(Municipality.gm_code).where(func.lower(Municipality.name) == wanted.lower())
        )
    if code is None:
        raise UnknownMunicipality(f"Onbekende gemeente: '{wanted}'. Gebruik een code als GM0193.")
    return code


def matrix_grid(matrix: Matrix) -> tuple[list[str], list[list[str]]]:
    """Return a header (``fase``, term codes) and per phase a row of ``L/R/N`` cells."""
    header = [matrix.row_facet, *(c.code for c in matrix.cols)]
    rows = [
        [r.code, *(matrix.cell(r.code, c.code).cell_text() for c in matrix.cols)]
        for r in matrix.rows
    ]
    return header, rows
