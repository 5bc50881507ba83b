"""The inventarisatie (handreiking stap 2): per organisation what it offers the residents of
the chosen municipalities, with the municipality-only fields."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Attribute, Organization, Service, Taxonomy, TaxonomyTerm, utcnow
from ..taxonomy import TaxonomyInfo, list_taxonomies
from .areas import NATIONAL, SCOPES, available_ids, check_municipalities
from .freshness import Checks, stale_cutoff
from .matrices import ORGANISATION_FACET, ROW_FACET
from .reads import CHUNK, Directory, load_directory

#: The facets the inventarisatie lists, over an organisation and its counted services.
INVENTORY_FACETS = (ORGANISATION_FACET, ROW_FACET, "thema", "doelgroep")


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

    def labels(self, row: InventoryRow, facet: str, lang: str = "nl") -> list[str]:
        """Return the labels of a row's terms in one facet, in taxonomy order."""
        return [self.label(facet, code, lang) for code in row.codes[facet]]

    def by_type(self) -> list[tuple[str | None, list[InventoryRow]]]:
        """Group the rows by their first organisation type, in taxonomy order; None last."""
        tax = self.taxonomies.get(ORGANISATION_FACET)
        order = [t.code for t in tax.terms] if tax else []
        groups: dict[str | None, list[InventoryRow]] = defaultdict(list)
        for row in self.rows:
            types = row.codes.get(ORGANISATION_FACET) or [None]
            groups[types[0]].append(row)
        keys = sorted(groups, key=lambda c: (c is None, order.index(c) if c in order else 999))
        return [(key, groups[key]) for key in keys]


def compute_inventory(
    session: Session, gm_codes: Sequence[str], *, stale_months: int, now: datetime | None = None
) -> Inventory:
    """List per organisation what it offers residents of ``gm_codes``, with internal fields."""
    gm_codes = list(dict.fromkeys(gm_codes))
    names = check_municipalities(session, gm_codes)
    taxonomies = {t.facet: t for t in list_taxonomies(session)}
    cutoff = stale_cutoff(now or utcnow(), stale_months)
    term_keys = {
        t.id: (facet, t.code)
        for facet in INVENTORY_FACETS
        if facet in taxonomies
        for t in taxonomies[facet].terms
    }
    data = load_directory(session, gm_codes, term_keys)
    rows = _organisation_rows(session, gm_codes, cutoff)
    codes = _codes(session, data, term_keys, list(rows))
    scopes: dict[str, set[str]] = defaultdict(set)
    gms: dict[str, set[str]] = defaultdict(set)
    for gm, _sid, org_id, scope in data.nearby:
        scopes[org_id].add(scope)
        gms[org_id].add(gm)
    for org_id in data.national.values():
        scopes[org_id].add(NATIONAL)
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
    return Inventory(
        gm_codes=gm_codes,
        names=names,
        taxonomies=taxonomies,
        stale_months=stale_months,
        cutoff=cutoff,
        rows=sorted(rows.values(), key=lambda r: (r.name.casefold(), r.organization_id)),
    )


def _organisation_rows(
    session: Session, gm_codes: Sequence[str], cutoff: datetime
) -> dict[str, InventoryRow]:
    """Return a row per organisation with its services, internal fields and checks."""
    ids = available_ids(gm_codes)
    rows: dict[str, InventoryRow] = {}
    checks: dict[str, Checks] = {}
    # Row field -> the organisation's and the services' values, stripped, without blanks.
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in session.connection().execute(
        select(
            Organization.id,
            Organization.name,
            Service.name,
            Service.last_verified_at,
            Organization.funding_source,
            Service.funding_source,
            Organization.collaboration_agreement,
            Service.collaboration_agreement,
            Organization.coordinator,
            Service.coordinator,
        )
        .select_from(ids)
        .join(Service, Service.id == ids.c.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .order_by(Organization.name, Service.name)
    ):
        org_id, org_name, service_name, verified, *internal = row
        inv = rows.get(org_id)
        if inv is None:
            inv = rows[org_id] = InventoryRow(organization_id=org_id, name=org_name)
            checks[org_id] = Checks(cutoff)
        inv.services.append(service_name)
        checks[org_id].add(verified)
        for key, value in zip(("funding", "funding", "agreements", "agreements",
                               "coordinators", "coordinators"), internal, strict=True):  # fmt: skip
            if value and value.strip():
                values[org_id][key].add(value.strip())
    for org_id, inv in rows.items():
        done = checks[org_id]
        inv.oldest_verified_at, inv.never_verified, inv.stale = done.oldest, done.never, done.stale
        inv.funding = sorted(values[org_id]["funding"])
        inv.agreements = sorted(values[org_id]["agreements"])
        inv.coordinators = sorted(values[org_id]["coordinators"])
    return rows


def _codes(
    session: Session, data: Directory, term_keys: dict[str, tuple[str, str]], org_ids: list[str]
) -> dict[str, dict[str, set[str]]]:
    """Return ``{organization_id: {facet: codes}}`` over the services and the organisations."""
    codes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    org_of = data.organisation_of()
    for sid, term_ids in data.terms.items():
        for term in term_ids:
            facet, code = term_keys[term]
            codes[org_of[sid]][facet].add(code)
    # The organisation type may also be set on the organisation itself (HSDS attribute).
    for start in range(0, len(org_ids), CHUNK):
        for org_id, facet, code in session.connection().execute(
            select(Attribute.link_id, Taxonomy.facet, TaxonomyTerm.code)
            .join(TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id)
            .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
            .where(
                Attribute.link_entity == "organization",
                Attribute.link_id.in_(org_ids[start : start + CHUNK]),
                Taxonomy.facet.in_(INVENTORY_FACETS),
            )
        ):
            codes[org_id][facet].add(code)
    return codes
