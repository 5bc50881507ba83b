"""Settle ids before writing: take over ids of equal existing rows, avoid foreign ids."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Attribute, Contact, Location, Service, stable_id
from .loading import batches, load_by_id
from .records import Bundle, Row
from .schema import CHILDREN, ChildSpec


def settle_ids(session: Session, bundle: Bundle) -> None:
    """Adopt existing children for spreadsheet rows, then re-id children owned elsewhere."""
    adopt_addresses(session, bundle)
    adopt_children(session, bundle)
    settle_child_ids(session, bundle)


def adopt_addresses(session: Session, bundle: Bundle) -> None:
    """Give a spreadsheet address the id and other fields of the location's address."""
    records = [r for r in bundle.locations.values() if r.adopt]
    existing: dict[str, Location] = load_by_id(
        session, Location, [r.id for r in records], selectinload(Location.addresses)
    )
    spec = CHILDREN["location"]["addresses"]
    for record in records:
        loc = existing.get(record.id)
        rows = record.children.get("addresses", [])
        if loc is None or loc.address is None or not rows:
            continue
        rows[0].id = loc.address.id
        for f in spec.fields:
            if f not in ("address_1", "postal_code", "city"):
                rows[0].fields[f] = getattr(loc.address, f)
        # Other addresses (e.g. postal) of the location stay.
        rows.extend(
            Row(a.id, {f: getattr(a, f) for f in spec.fields})
            for a in loc.addresses
            if a.id != rows[0].id
        )


def adopt_children(session: Session, bundle: Bundle) -> None:
    """Match spreadsheet children to existing ones, so a re-import changes nothing."""
    records = [r for r in bundle.services.values() if r.adopt]
    if not records:
        return
    existing: dict[str, Service] = load_by_id(
        session,
        Service,
        [r.id for r in records],
        selectinload(Service.phones),
        selectinload(Service.contacts).selectinload(Contact.phones),
        selectinload(Service.schedules),
        selectinload(Service.service_areas),
        selectinload(Service.languages),
        selectinload(Service.attributes).selectinload(Attribute.taxonomy_term),
    )
    specs = CHILDREN["service"]
    for record in records:
        svc = existing.get(record.id)
        if svc is None:
            continue
        verified = record.fields.get("last_verified_at")
        if (
            verified is not None
            and svc.last_verified_at is not None
            and verified.date() == svc.last_verified_at.date()
        ):
            # A spreadsheet holds the date only; the same day keeps the exact time.
            record.fields["last_verified_at"] = svc.last_verified_at
        for name, (keys, carried) in ADOPT.items():
            if name in record.children:
                _adopt(specs[name], list(getattr(svc, name)), record.children[name], keys, carried)
        attrs = record.children.get("attributes")
        if attrs is not None:
            have = {row.fields["taxonomy_term_id"] for row in attrs}
            spec = specs["attributes"]
            for attr in svc.attributes:
                tax = attr.taxonomy_term.taxonomy.name
                if tax not in record.covered_taxonomies and attr.taxonomy_term_id not in have:
                    attrs.append(Row(attr.id, {f: getattr(attr, f) for f in spec.fields}))


def settle_child_ids(session: Session, bundle: Bundle) -> None:
    """Give a child a derived id when the file's id belongs to another parent in the DB."""
    wanted: dict[tuple[type[Any], str], dict[str, tuple[str, Row]]] = {}

    def collect(spec: ChildSpec, parent_id: str, rows: list[Row]) -> None:
        for row in rows:
            wanted.setdefault((spec.model, spec.fk), {})[row.id] = (parent_id, row)
            for name, sub in spec.children.items():
                collect(sub, row.id, row.children.get(name, []))

    for kind, records in (
        ("organization", bundle.organizations),
        ("location", bundle.locations),
        ("service", bundle.services),
    ):
        for record in records.values():
            for name, spec in CHILDREN[kind].items():
                collect(spec, record.id, record.children.get(name, []))
    for (model, fk), rows in wanted.items():
        for chunk in batches(rows):
            stmt = select(model.__table__.c.id, model.__table__.c[fk]).where(
                model.__table__.c.id.in_(chunk)
            )
            for child_id, owner in session.execute(stmt):
                parent_id, row = rows[child_id]
                if owner != parent_id:
                    row.id = stable_id(model.__tablename__, parent_id, child_id)


#: Per child list: the fields that identify a row, and the fields a spreadsheet carries.
ADOPT: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "phones": (("number",), frozenset({"number", "is_public", "position"})),
    "contacts": (("name",), frozenset({"name", "email", "is_public"})),
    "schedules": (
        ("byday", "opens_at", "closes_at", "attending_type", "is_closed", "valid_from", "valid_to"),
        frozenset(
            {
                "byday",
                "opens_at",
                "closes_at",
                "attending_type",
                "is_closed",
                "valid_from",
                "valid_to",
            }
        ),
    ),
    "service_areas": (("extent_type", "gm_code"), frozenset({"name", "extent_type", "gm_code"})),
    "languages": (("name",), frozenset({"name"})),
    # A spreadsheet names the location only; the link's own id and fields stay.
    "service_at_locations": (("location_id",), frozenset({"location_id"})),
    "attributes": (("taxonomy_term_id",), frozenset({"taxonomy_term_id", "link_entity"})),
}


def _adopt(
    spec: ChildSpec,
    pool: list[Any],
    rows: list[Row],
    keys: tuple[str, ...],
    carried: frozenset[str],
) -> None:
    """Give each row the id (and the fields the file lacks) of an equal existing child."""
    for row in rows:
        want = tuple(row.fields.get(k) for k in keys)
        match = next((o for o in pool if tuple(getattr(o, k) for k in keys) == want), None)
        if match is None:
            continue
        pool.remove(match)
        row.id = match.id
        for f in spec.fields:
            if f not in carried or row.fields.get(f) is None:
                row.fields[f] = getattr(match, f)
        for name, sub in spec.children.items():
            if name in row.children:
                _adopt(
                    sub,
                    list(getattr(match, name)),
                    row.children[name],
                    ("number",),
                    ADOPT["phones"][1],
                )
