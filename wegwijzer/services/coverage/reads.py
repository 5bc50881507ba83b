"""The counting services of a region, read with a few set-based queries (no query per cell)."""

from __future__ import annotations

from collections.abc import Collection, Container, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ...models import Attribute, Organization, Service
from .areas import LOCAL, REGIONAL, area_ids, national_select, nearby_select

#: Ids per IN list: below SQLite's limit of 32,766 parameters, with room for the rest.
CHUNK = 5000


@dataclass
class Directory:
    """The counting services of a region."""

    #: Distinct (gm_code, service_id, organization_id, scope) for local and regional services.
    nearby: list[tuple[str, str, str, str]]
    #: service_id -> organization_id of national services: available everywhere.
    national: dict[str, str]
    #: service_id -> (organization name, last_verified_at) for every service above.
    info: dict[str, tuple[str, datetime | None]]
    #: service_id -> term ids, for the terms asked for.
    terms: dict[str, list[str]]

    def organisation_of(self) -> dict[str, str]:
        """Return ``{service_id: organization_id}`` of every service, nearby or national."""
        return {sid: org for _gm, sid, org, _scope in self.nearby} | self.national


def load_directory(
    session: Session, gm_codes: Sequence[str], term_ids: Collection[str]
) -> Directory:
    """Read the region's counting services, their organisations and their term links."""
    # Core execution: the ORM's per-row bookkeeping doubles the time for ~100k term links.
    conn = session.connection()
    near_q = nearby_select(gm_codes).add_columns(Organization.name, Service.last_verified_at)
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
        national_select().add_columns(Organization.name, Service.last_verified_at)
    ).all():
        national[sid] = org
        info[sid] = (org_name, verified)
    terms = _term_links(conn, gm_codes, term_ids, info) if term_ids else {}
    return Directory(nearby=nearby, national=national, info=info, terms=terms)


def _term_links(
    conn: Any, gm_codes: Sequence[str], term_ids: Collection[str], keep: Container[str]
) -> dict[str, list[str]]:
    """Return ``{service_id: [term ids]}`` for the services in ``keep`` and ``term_ids``."""
    # Every service with an area in the region or a national area: a cheap superset of
    # ``keep`` (the counting conditions were applied already), filtered below.
    ids = area_ids(gm_codes)
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
