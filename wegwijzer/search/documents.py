"""Read services from the database and turn them into index documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from .analysis import Analyzer, surface, words
from .schema import FACETS, FLAG_HOURS, FLAG_WALK_IN, NATIONAL
from .synonyms import language_term

_TAXONOMY_FACET = {v: k for k, v in FACETS.items()}


def category(taxonomy: str, code: str) -> str:
    """Return the ``cat`` field value of a taxonomy term."""
    return f"{taxonomy}:{code}"


_BATCH = 1000


@dataclass
class ServiceText:
    """The searchable text and facts of one service, independent of Whoosh."""

    id: str
    name: list[str] = field(default_factory=list)
    org: list[str] = field(default_factory=list)
    kw: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=dict)
    area: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    language_terms: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def all_text(self) -> Iterator[str]:
        """Yield the texts whose words the spelling corrector may suggest."""
        yield from self.name
        yield from self.org
        yield from self.kw
        yield from self.body


def published_ids(session: Session) -> list[str]:
    """Return the ids of every service the public may find (``Service.is_public``)."""
    return list(session.scalars(select(Service.id).where(Service.is_public).order_by(Service.id)))


def load_texts(session: Session, ids: Iterable[str]) -> Iterator[ServiceText]:
    """Yield the index text of each public service among ``ids`` (others are skipped).

    Plain column queries, a handful per batch: building ORM objects for every service,
    schedule and location was most of the time of a rebuild.
    """
    ids = list(ids)
    terms = {
        row.id: row
        for row in session.execute(
            select(
                TaxonomyTerm.id,
                TaxonomyTerm.code,
                TaxonomyTerm.name,
                TaxonomyTerm.keywords,
                Taxonomy.name.label("taxonomy"),
            ).join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        )
    }
    for start in range(0, len(ids), _BATCH):
        yield from _load_batch(session, ids[start : start + _BATCH], terms)


def _load_batch(session: Session, ids: list[str], terms: dict[str, Any]) -> Iterator[ServiceText]:
    services = session.execute(
        select(
            Service.id,
            Service.name,
            Service.alternate_name,
            Service.description,
            Service.application_process,
            Service.eligibility_description,
            Service.fees_description,
            Service.keywords,
            Service.organization_id,
            Organization.name.label("org_name"),
            Organization.alternate_name.label("org_alt"),
        )
        .join(Organization, Organization.id == Service.organization_id)
        .where(Service.id.in_(ids), Service.is_public)
    ).all()
    if not services:
        return
    found = [s.id for s in services]
    attrs: dict[str, list[Any]] = {}
    for link_id, term_id in session.execute(
        select(Attribute.link_id, Attribute.taxonomy_term_id).where(
            Attribute.link_entity == "service", Attribute.link_id.in_(found)
        )
    ):
        if term_id in terms:
            attrs.setdefault(link_id, []).append(terms[term_id])
    areas: dict[str, list[Any]] = {}
    for row in session.execute(
        select(ServiceArea.service_id, ServiceArea.extent_type, ServiceArea.gm_code).where(
            ServiceArea.service_id.in_(found)
        )
    ):
        areas.setdefault(row.service_id, []).append(row)
    hours: dict[str, list[list[Any]]] = {}
    for row in session.execute(
        select(Schedule.service_id, *(getattr(Schedule, k) for k in HOURS_KEYS))
        .where(Schedule.service_id.in_(found))
        .order_by(Schedule.service_id, Schedule.id)
    ):
        h = list(row[1:])
        h[4] = h[4].isoformat() if h[4] else None
        h[5] = h[5].isoformat() if h[5] else None
        h[7] = bool(h[7])
        hours.setdefault(row.service_id, []).append(h)
    langs: dict[str, list[tuple[str, str]]] = {}
    for sid, name, code in session.execute(
        select(Language.service_id, Language.name, Language.code).where(
            Language.service_id.in_(found)
        )
    ):
        langs.setdefault(sid, []).append((name or "", code or ""))
    places: dict[str, list[Any]] = {}
    for row in session.execute(
        select(
            ServiceAtLocation.service_id,
            Location.latitude,
            Location.longitude,
            Location.name,
            Address.city,
        )
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .outerjoin(Address, Address.location_id == Location.id)
        .where(ServiceAtLocation.service_id.in_(found))
        .order_by(ServiceAtLocation.service_id, Location.id)
    ):
        places.setdefault(row.service_id, []).append(row)
    for svc in services:
        yield _service_text(
            svc,
            attrs.get(svc.id, []),
            areas.get(svc.id, []),
            hours.get(svc.id, []),
            langs.get(svc.id, []),
            places.get(svc.id, []),
        )


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


def _service_text(
    svc: Any,
    terms: list[Any],
    areas: list[Any],
    hours: list[list[Any]],
    languages: list[tuple[str, str]],
    places: list[Any],
) -> ServiceText:
    doc = ServiceText(id=svc.id)
    doc.name = [svc.name, svc.alternate_name or ""]
    doc.org = [svc.org_name, svc.org_alt or ""]
    facets: dict[str, list[str]] = {k: [] for k in FACETS}
    for term in terms:
        facet = _TAXONOMY_FACET.get(term.taxonomy)
        if facet:
            facets[facet].append(term.code)
        doc.categories.append(category(term.taxonomy, term.code))
    # Taxonomy words are matched at query time (see categories.py); only free keywords here.
    doc.kw.append((svc.keywords or "").replace(";", " "))
    # The languages' codes: synonyms.txt's "taal tr: Turks, Turkish" lines find them.
    doc.language_terms = sorted({language_term(c) for _, c in languages if c.strip().isalpha()})
    doc.facets = {k: sorted(set(v)) for k, v in facets.items()}
    geo: list[list[float]] = []
    cities: list[str] = []
    seen: set[tuple[float, float]] = set()
    for p in places:
        if p.latitude is not None and p.longitude is not None:
            point = (round(p.latitude, 6), round(p.longitude, 6))
            if point not in seen:
                seen.add(point)
                geo.append(list(point))
        cities.extend([p.name or "", p.city or ""])
    doc.body = [
        svc.description or "",
        svc.application_process or "",
        svc.eligibility_description or "",
        svc.fees_description or "",
        " ".join(name for name, _ in languages),
        " ".join(dict.fromkeys(cities)),
    ]
    national = any(a.extent_type == "landelijk" for a in areas)
    gm_codes = sorted({a.gm_code for a in areas if a.gm_code})
    doc.area = ([NATIONAL] if national else []) + gm_codes
    if hours:
        doc.flags.append(FLAG_HOURS)
    if "inloop" in doc.facets["toegang"] or any(h[6] == "inloop" for h in hours):
        doc.flags.append(FLAG_WALK_IN)
    doc.data = {
        "n": svc.name,
        "o": svc.org_name,
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
    found: list[str] = []
    for name in ("name", "org", "kw", "body"):
        # The words of the joined texts are the words of each text: none spans the space.
        ws = words(" ".join(getattr(doc, name)))
        fields[name] = analyzer.index_text(ws)
        found.extend(ws)
    fields["kw"] = " ".join([fields["kw"], *doc.language_terms]).strip()
    for facet, codes in doc.facets.items():
        fields[facet] = " ".join(codes)
    fields["area"] = " ".join(doc.area)
    fields["flags"] = " ".join(doc.flags)
    fields["cat"] = " ".join(sorted(set(doc.categories)))
    # The spelling corrector's vocabulary travels in the stored record, not as postings:
    # a keyword field of every word cost a third of the build time. (All of ``all_text``.)
    fields["data"] = {**doc.data, "w": " ".join(sorted(surface(found)))}
    return fields
