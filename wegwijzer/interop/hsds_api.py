"""What the HSDS 3.0 API serves: public services, organisations, service-at-location links,
taxonomies and terms, filtered and paged, written by the export's serialisation.

Only public data: services that pass ``Service.is_public`` (the one rule), organisations that
pass ``Organization.is_public``, and of those only their public phones and contacts (the
export's public form). The web layer reads and checks the request; this module answers it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session, selectinload

from ..domain.facets import SEARCH_FACETS
from ..domain.geo.distance import distance_km
from ..models import (
    Attribute,
    ChangeLog,
    Contact,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from ..search import make_query, search, search_ids
from .export import (
    location_json,
    organization_json,
    service_at_location_json,
    service_json,
    service_load_options,
    taxonomy_json,
    taxonomy_term_json,
)
from .loading import batches, load_by_id

#: Extension objects stay in the one-to-one (list) form of an object.
_KEEP = ("x_wegwijzer",)
_KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Near:
    """A postcode area's centroid and municipality; ``meters`` limits the distance."""

    gm_code: str
    lat: float
    lon: float
    meters: float | None = None


@dataclass(frozen=True)
class ServiceFilter:
    """The filters of ``/services`` and ``/service_at_locations`` (all optional, AND)."""

    search: str = ""
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None


def page_of(items: list[dict[str, Any]], total: int, paging: Paging) -> dict[str, Any]:
    """Return the HSDS page wrapper around one page of ``items`` out of ``total``."""
    pages = math.ceil(total / paging.per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": paging.page,
        "size": len(items),
        "first_page": paging.page == 1,
        "last_page": paging.page >= pages,
        "empty": not items,
        "contents": items,
    }


def one_to_one(data: dict[str, Any]) -> dict[str, Any]:
    """Return an HSDS object without its lists and nested objects (the list form)."""
    return {k: v for k, v in data.items() if k in _KEEP or not isinstance(v, list | dict)}


def search_service_ids(text: str) -> list[str]:
    """Return the ids of every public service the site's search finds for ``text``, best
    first."""
    return search_ids(make_query(text))


def changed_at(session: Session) -> datetime | None:
    """Return when public data last changed: the newest change-log entry or edit."""
    stamps = [
        session.scalar(select(ChangeLog.at).order_by(ChangeLog.seq.desc()).limit(1)),
        *(
            session.scalar(select(func.max(m.updated_at)))
            for m in (Service, Organization, Location)
        ),
    ]
    known = [s for s in stamps if s is not None]
    return max(known) if known else None


# -- services -------------------------------------------------------------------------------


def _service_conditions(flt: ServiceFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Service.is_public]
    if flt.taxonomy_term_id is not None:
        conditions.append(
            Service.attributes.any(Attribute.taxonomy_term_id == flt.taxonomy_term_id)
        )
    if flt.taxonomy_id is not None:
        conditions.append(
            Service.attributes.any(
                Attribute.taxonomy_term.has(TaxonomyTerm.taxonomy_id == flt.taxonomy_id)
            )
        )
    if flt.organization_id is not None:
        conditions.append(Service.organization_id == flt.organization_id)
    if flt.modified_after is not None:
        when = flt.modified_after
        # What the service shows includes its organisation and locations.
        conditions.append(
            or_(
                Service.updated_at >= when,
                Service.organization.has(Organization.updated_at >= when),
                Service.service_at_locations.any(
                    ServiceAtLocation.location.has(Location.updated_at >= when)
                ),
            )
        )
    return conditions


def _ranked(
    session: Session, stmt: Select[Any], ranked: Sequence[str], key: Callable[[Any], str]
) -> list[Any]:
    """Return the rows of ``stmt`` whose ``key`` is in ``ranked``, in that order."""
    rank = {sid: n for n, sid in enumerate(ranked)}
    rows: list[Any] = []
    for chunk in batches(ranked):
        rows.extend(session.execute(stmt.where(Service.id.in_(chunk))).all())
    return sorted(rows, key=lambda row: (rank[key(row)], str(row[0])))


def _load_services(session: Session, ids: Iterable[str]) -> dict[str, Service]:
    return load_by_id(session, Service, ids, *service_load_options())


def services_page(
    session: Session, flt: ServiceFilter, paging: Paging, *, full: bool
) -> dict[str, Any]:
    """Return one page of public services (one-to-one fields, or ``full`` objects)."""
    stmt = select(Service.id).where(*_service_conditions(flt))
    direct = _search_page(session, flt, paging) if flt.search else None
    if direct is not None:
        page_ids, total = direct
        # The index may lag a moment behind a change: the database decides what is public.
        page_ids = _public_ids(session, stmt, page_ids)
    elif flt.search:
        ids = [row[0] for row in _ranked(session, stmt, search_service_ids(flt.search), _first)]
        total = len(ids)
        page_ids = ids[paging.offset : paging.offset + paging.per_page]
    else:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        page_ids = list(
            session.scalars(
                stmt.order_by(Service.name, Service.id).offset(paging.offset).limit(paging.per_page)
            )
        )
    loaded = _load_services(session, page_ids)
    items = [_service_item(loaded[sid], full) for sid in page_ids if sid in loaded]
    return page_of(items, total, paging)


def _search_page(
    session: Session, flt: ServiceFilter, paging: Paging
) -> tuple[list[str], int] | None:
    """Return one page of the search and its total when every filter is one of the search's
    own (a term or taxonomy of a search filter); None when the database must filter."""
    if flt.organization_id is not None or flt.modified_after is not None:
        return None
    filters: dict[str, list[str]] = {}
    if flt.taxonomy_term_id is not None:
        term = session.get(TaxonomyTerm, flt.taxonomy_term_id)
        if term is None or (flt.taxonomy_id is not None and term.taxonomy_id != flt.taxonomy_id):
            return [], 0
        filters[term.taxonomy.facet] = [term.code]
    elif flt.taxonomy_id is not None:
        tax = session.get(Taxonomy, flt.taxonomy_id)
        if tax is None or not tax.terms:
            return [], 0
        filters[tax.facet] = [t.code for t in tax.terms]
    if any(facet not in SEARCH_FACETS for facet in filters):
        return None
    result = search(make_query(flt.search, filters, page=paging.page, per_page=paging.per_page))
    return [hit.service_id for hit in result.results], result.total


def _public_ids(session: Session, stmt: Select[Any], ids: list[str]) -> list[str]:
    """Return those of ``ids`` that ``stmt`` (public services) holds, in their order."""
    found = set(session.scalars(stmt.where(Service.id.in_(ids)))) if ids else set()
    return [sid for sid in ids if sid in found]


def _first(row: Any) -> str:
    return str(row[0])


def _service_item(svc: Service, full: bool) -> dict[str, Any]:
    data = service_json(svc, internal=False)
    return data if full else one_to_one(data)


def service_by_id(session: Session, service_id: str) -> dict[str, Any] | None:
    """Return the fully nested public service with this id, or None."""
    svc = session.scalar(
        select(Service)
        .where(Service.id == service_id, Service.is_public)
        .options(*service_load_options())
    )
    return service_json(svc, internal=False) if svc is not None else None


# -- service at location --------------------------------------------------------------------


def _covers(gm_code: str) -> ColumnElement[bool]:
    """Services whose area holds ``gm_code``, national ones, and those without an area."""
    return or_(
        Service.service_areas.any(
            or_(ServiceArea.gm_code == gm_code, ServiceArea.extent_type == "landelijk")
        ),
        not_(Service.service_areas.any()),
    )


def _within(near: Near) -> ColumnElement[bool]:
    """A box around the point that holds every location within ``near.meters``."""
    km = (near.meters or 0) / 1000
    dlat = km / _KM_PER_DEGREE
    dlon = km / (_KM_PER_DEGREE * max(math.cos(math.radians(near.lat)), 0.01))
    return and_(
        Location.latitude.between(near.lat - dlat, near.lat + dlat),
        Location.longitude.between(near.lon - dlon, near.lon + dlon),
    )


def service_at_locations_page(
    session: Session,
    flt: ServiceFilter,
    paging: Paging,
    *,
    near: Near | None = None,
    full: bool,
) -> dict[str, Any]:
    """Return one page of the public services' locations.

    With ``near`` only services covering that municipality remain (when they say where they
    work); with ``near.meters`` only locations within that distance, nearest first.
    """
    stmt = (
        select(
            ServiceAtLocation.id,
            Service.id,
            Service.name,
            Location.latitude,
            Location.longitude,
        )
        .join(Service, ServiceAtLocation.service_id == Service.id)
        .join(Location, ServiceAtLocation.location_id == Location.id)
        .where(*_service_conditions(flt))
    )
    if near is not None:
        stmt = stmt.where(_covers(near.gm_code))
        if near.meters is not None:
            stmt = stmt.where(_within(near))
    if flt.search:
        rows = _ranked(session, stmt, search_service_ids(flt.search), _second)
    else:
        rows = list(session.execute(stmt.order_by(Service.name, Service.id, Location.id)).all())
    if near is not None and near.meters is not None:
        rows = _by_distance(rows, near)
    total = len(rows)
    ids = [row[0] for row in rows[paging.offset : paging.offset + paging.per_page]]
    loaded = _load_links(session, ids)
    items = [_link_item(loaded[i], full) for i in ids if i in loaded]
    return page_of(items, total, paging)


def _second(row: Any) -> str:
    return str(row[1])


def _by_distance(rows: list[Any], near: Near) -> list[Any]:
    limit = (near.meters or 0) / 1000
    measured = [
        (distance_km(near.lat, near.lon, row[3], row[4]), n, row)
        for n, row in enumerate(rows)
        if row[3] is not None and row[4] is not None
    ]
    return [row for km, _n, row in sorted(measured) if km <= limit]


def _load_links(session: Session, ids: Iterable[str]) -> dict[str, ServiceAtLocation]:
    links = load_by_id(
        session,
        ServiceAtLocation,
        ids,
        selectinload(ServiceAtLocation.location).selectinload(Location.addresses),
        selectinload(ServiceAtLocation.location).selectinload(Location.accessibility),
    )
    # The services in the identity map, so ``link.service`` needs no query of its own.
    _load_services(session, {link.service_id for link in links.values()})
    return links


def _link_item(link: ServiceAtLocation, full: bool) -> dict[str, Any]:
    data = service_at_location_json(link)
    if full:
        data["service"] = service_json(link.service, internal=False)
    return data


def service_at_location_by_id(session: Session, link_id: str) -> dict[str, Any] | None:
    """Return a public service's location link with the location and the service, or None."""
    found = session.scalar(
        select(ServiceAtLocation.id)
        .join(Service, ServiceAtLocation.service_id == Service.id)
        .where(ServiceAtLocation.id == link_id, Service.is_public)
    )
    if found is None:
        return None
    return _link_item(_load_links(session, [found])[found], True)


# -- organisations --------------------------------------------------------------------------


def _load_organizations(session: Session, ids: Iterable[str]) -> dict[str, Organization]:
    return load_by_id(
        session,
        Organization,
        ids,
        selectinload(Organization.phones),
        selectinload(Organization.contacts).selectinload(Contact.phones),
    )


def organizations_page(
    session: Session, text: str, paging: Paging, *, full: bool, full_service: bool
) -> dict[str, Any]:
    """Return one page of public organisations; ``search`` finds them through their services."""
    stmt = select(Organization.id).where(Organization.is_public)
    if text:
        ranked: dict[str, None] = {}
        service_ids = search_service_ids(text)
        owners = dict(
            (row[0], row[1])
            for chunk in batches(service_ids)
            for row in session.execute(
                select(Service.id, Service.organization_id).where(Service.id.in_(chunk))
            )
        )
        for sid in service_ids:
            if sid in owners:
                ranked.setdefault(owners[sid], None)
        public = {
            oid
            for chunk in batches(ranked)
            for oid in session.scalars(stmt.where(Organization.id.in_(chunk)))
        }
        ids = [oid for oid in ranked if oid in public]
        total = len(ids)
        page_ids = ids[paging.offset : paging.offset + paging.per_page]
    else:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        page_ids = list(
            session.scalars(
                stmt.order_by(Organization.name, Organization.id)
                .offset(paging.offset)
                .limit(paging.per_page)
            )
        )
    loaded = _load_organizations(session, page_ids)
    orgs = [loaded[oid] for oid in page_ids if oid in loaded]
    if not full:
        return page_of(
            [one_to_one(organization_json(o, internal=False)) for o in orgs], total, paging
        )
    return page_of(_full_organizations(session, orgs, full_service), total, paging)


def _full_organizations(
    session: Session, orgs: list[Organization], full_service: bool
) -> list[dict[str, Any]]:
    """Return the organisations with their public services and those services' locations."""
    services: dict[str, list[Service]] = {o.id: [] for o in orgs}
    for chunk in batches(services):
        for svc in session.scalars(
            select(Service)
            .where(Service.organization_id.in_(chunk), Service.is_public)
            .options(*service_load_options())
            .order_by(Service.name, Service.id)
        ):
            services[svc.organization_id].append(svc)
    out = []
    for org in orgs:
        data = organization_json(org, internal=False)
        own = services[org.id]
        locations = {
            link.location.id: link.location
            for svc in own
            for link in svc.service_at_locations
            if link.location.organization_id == org.id
        }
        data["locations"] = [location_json(locations[k]) for k in sorted(locations)]
        data["services"] = [
            _without_organization(service_json(svc, internal=False))
            if full_service
            else one_to_one(service_json(svc, internal=False))
            for svc in own
        ]
        out.append(data)
    return out


def _without_organization(data: dict[str, Any]) -> dict[str, Any]:
    data.pop("organization", None)
    return data


def organization_by_id(
    session: Session, organization_id: str, *, full_service: bool
) -> dict[str, Any] | None:
    """Return the public organisation with its services (ids and one-to-one fields, or full)."""
    org = _load_organizations(
        session,
        session.scalars(
            select(Organization.id).where(
                Organization.id == organization_id, Organization.is_public
            )
        ),
    ).get(organization_id)
    if org is None:
        return None
    return _full_organizations(session, [org], full_service)[0]


# -- taxonomies -----------------------------------------------------------------------------


def _matches(text: str, *values: str | None) -> bool:
    needle = text.casefold()
    return any(needle in (v or "").casefold() for v in values)


def taxonomies_page(session: Session, text: str, paging: Paging) -> dict[str, Any]:
    """Return one page of the taxonomies; ``search`` looks in names, labels and descriptions."""
    found = [
        t
        for t in session.scalars(select(Taxonomy).order_by(Taxonomy.position, Taxonomy.name))
        if not text
        or _matches(text, t.name, t.label_nl, t.label_en, t.description, t.description_en)
    ]
    part = found[paging.offset : paging.offset + paging.per_page]
    return page_of([taxonomy_json(t) for t in part], len(found), paging)


def taxonomy_by_id(session: Session, taxonomy_id: str) -> dict[str, Any] | None:
    tax = session.get(Taxonomy, taxonomy_id)
    return taxonomy_json(tax) if tax is not None else None


def taxonomy_terms_page(
    session: Session,
    text: str,
    paging: Paging,
    *,
    taxonomy_id: str | None = None,
    parent_id: str | None = None,
    top_only: bool = False,
) -> dict[str, Any]:
    """Return one page of taxonomy terms, in the order of the taxonomies and their terms."""
    stmt = (
        select(TaxonomyTerm)
        .join(Taxonomy, TaxonomyTerm.taxonomy_id == Taxonomy.id)
        .order_by(Taxonomy.position, Taxonomy.name, TaxonomyTerm.position, TaxonomyTerm.code)
    )
    if taxonomy_id is not None:
        stmt = stmt.where(TaxonomyTerm.taxonomy_id == taxonomy_id)
    if parent_id is not None:
        stmt = stmt.where(TaxonomyTerm.parent_id == parent_id)
    if top_only:
        stmt = stmt.where(TaxonomyTerm.parent_id.is_(None))
    found = [
        t
        for t in session.scalars(stmt)
        if not text
        or _matches(text, t.code, t.name, t.name_en, t.description, t.description_en, t.keywords)
    ]
    part = found[paging.offset : paging.offset + paging.per_page]
    return page_of([taxonomy_term_json(t) for t in part], len(found), paging)


def taxonomy_term_by_id(session: Session, term_id: str) -> dict[str, Any] | None:
    term = session.get(TaxonomyTerm, term_id)
    return taxonomy_term_json(term) if term is not None else None
