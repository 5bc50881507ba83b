"""The services behind one cell of a coverage table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select, true
from sqlalchemy.orm import Session

from ...models import Attribute, Organization, Service, Taxonomy, TaxonomyTerm
from .areas import SCOPES, available, check_municipalities


@dataclass(frozen=True)
class CellEntry:
    """One service in a drill-down list."""

    service_id: str
    service_name: str
    organization_id: str
    organization_name: str
    scope: str
    last_verified_at: datetime | None


def list_cell(session: Session, gm_code: str, terms: dict[str, str]) -> list[CellEntry]:
    """List the services available in ``gm_code`` that carry every ``{facet: code}`` term."""
    check_municipalities(session, [gm_code])
    avail = available([gm_code])
    conditions = [
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
        for facet, code in terms.items()
    ]
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
