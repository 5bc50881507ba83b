"""Read services from the database and turn them into index documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import (
    Attribute,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .analysis import Analyzer, surface_words
from .schema import FACETS, FLAG_HOURS, FLAG_WALK_IN, NATIONAL

_TAXONOMY_FACET = {v: k for k, v in FACETS.items()}
_BATCH = 500


@dataclass
class ServiceText:
    """The searchable text and facts of one service, independent of Whoosh."""

    id: str
    name: list[str] = field(default_factory=list)
    org: list[str] = field(default_factory=list)
    kw: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=dict)
    area: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def all_text(self) -> Iterator[str]:
        yield from self.name
        yield from self.org
        yield from self.kw
        yield from self.body


def _options() -> list[Any]:
    return [
        selectinload(Service.organization),
        selectinload(Service.attributes).joinedload(Attribute.taxonomy_term),
        selectinload(Service.service_areas),
        selectinload(Service.schedules),
        selectinload(Service.languages),
        selectinload(Service.service_at_locations)
        .selectinload(ServiceAtLocation.location)
        .selectinload(Location.addresses),
    ]


def is_indexable(svc: Service) -> bool:
    """Return True for services the public may find: published, organisation not deleted."""
    org = svc.organization
    return svc.is_published and org is not None and org.deleted_at is None


def iter_published(session: Session) -> Iterator[Service]:
    """Yield every indexable service, in batches, with everything the index needs loaded."""
    ids = session.scalars(
        select(Service.id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(
            Service.publication_status == "gepubliceerd",
            Service.deleted_at.is_(None),
            Organization.deleted_at.is_(None),
        )
        .order_by(Service.id)
    ).all()
    for start in range(0, len(ids), _BATCH):
        yield from load_services(session, ids[start : start + _BATCH])
        session.expunge_all()


def load_services(session: Session, ids: Iterable[str]) -> list[Service]:
    """Load the services with these ids (any status) with everything the index needs."""
    ids = list(ids)
    if not ids:
        return []
    return list(session.scalars(select(Service).where(Service.id.in_(ids)).options(*_options())))


def affected_service_ids(session: Session, entity_type: str, ids: set[str]) -> set[str]:
    """Return the services whose index entry depends on changed entities of one type."""
    if not ids:
        return set()
    if entity_type == "service":
        return set(ids)
    if entity_type == "organization":
        stmt = select(Service.id).where(Service.organization_id.in_(ids))
    elif entity_type == "location":
        stmt = select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id.in_(ids))
    elif entity_type in ("taxonomy_term", "term"):
        stmt = select(Attribute.link_id).where(
            Attribute.link_entity == "service", Attribute.taxonomy_term_id.in_(ids)
        )
    elif entity_type == "taxonomy":
        stmt = select(Attribute.link_id).where(
            Attribute.link_entity == "service",
            Attribute.taxonomy_term_id.in_(
                select(TaxonomyTerm.id).where(
                    or_(TaxonomyTerm.taxonomy_id.in_(ids), TaxonomyTerm.id.in_(ids))
                )
            ),
        )
    else:
        return set()
    return set(session.scalars(stmt))


def _hours(svc: Service) -> list[list[Any]]:
    return [
        [
            s.freq,
            s.byday,
            s.opens_at,
            s.closes_at,
            s.valid_from.isoformat() if s.valid_from else None,
            s.valid_to.isoformat() if s.valid_to else None,
            s.attending_type,
            bool(s.is_closed),
        ]
        for s in svc.schedules
    ]


HOURS_KEYS = (
    "freq",
    "byday",
    "opens_at",
    "closes_at",
    "valid_from",
    "valid_to",
    "attending_type",
    "is_closed",
)


def service_text(svc: Service) -> ServiceText:
    """Collect what the index needs from one service (and its organisation, terms, places)."""
    org = svc.organization
    doc = ServiceText(id=svc.id)
    doc.name = [svc.name, svc.alternate_name or ""]
    doc.org = [org.name, org.alternate_name or ""] if org else []
    facets: dict[str, list[str]] = {k: [] for k in FACETS}
    for term in svc.terms:
        facet = _TAXONOMY_FACET.get(term.taxonomy.name)
        if facet:
            facets[facet].append(term.code)
        doc.kw.extend([term.name, term.keywords or ""])
    doc.kw.append((svc.keywords or "").replace(";", " "))
    doc.facets = {k: sorted(set(v)) for k, v in facets.items()}
    cities: list[str] = []
    geo: list[list[float]] = []
    for sal in svc.service_at_locations:
        loc = sal.location
        if loc is None:
            continue
        if loc.latitude is not None and loc.longitude is not None:
            geo.append([round(loc.latitude, 6), round(loc.longitude, 6)])
        cities.append(loc.name or "")
        cities.extend(a.city for a in loc.addresses if a.city)
    doc.body = [
        svc.description or "",
        svc.application_process or "",
        svc.eligibility_description or "",
        svc.fees_description or "",
        " ".join(lang.name or "" for lang in svc.languages),
        " ".join(cities),
    ]
    national = svc.is_national
    gm_codes = svc.gm_codes
    doc.area = ([NATIONAL] if national else []) + gm_codes
    hours = _hours(svc)
    if hours:
        doc.flags.append(FLAG_HOURS)
    if "inloop" in doc.facets["toegang"] or any(h[6] == "inloop" for h in hours):
        doc.flags.append(FLAG_WALK_IN)
    doc.data = {
        "n": svc.name,
        "o": org.name if org else "",
        "oid": svc.organization_id,
        "d": svc.description or svc.application_process or "",
        "gm": gm_codes,
        "nat": national,
        "th": doc.facets["thema"],
        "geo": geo,
        "h": hours,
    }
    return doc


def whoosh_fields(doc: ServiceText, analyzer: Analyzer) -> dict[str, Any]:
    """Return the field values for ``writer.update_document``."""
    fields: dict[str, Any] = {"id": doc.id, "data": doc.data}
    for name in ("name", "org", "kw", "body"):
        fields[name] = " ".join(analyzer.index_terms(" ".join(getattr(doc, name))))
    for facet, codes in doc.facets.items():
        fields[facet] = " ".join(codes)
    fields["area"] = " ".join(doc.area)
    fields["flags"] = " ".join(doc.flags)
    spell: set[str] = set()
    for text in doc.all_text():
        spell |= surface_words(text)
    fields["spell"] = " ".join(sorted(spell))
    return fields
