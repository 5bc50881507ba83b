"""Export the directory as HSDS 3.0 JSON: public by default, with internal data on request."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, selectinload

from ..models import (
    Attribute,
    Contact,
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from .extra import exported_id, with_extra
from .schema import INTERNAL_FIELDS
from .values import encode_uri

TOOI_GEMEENTE_URI = "https://identifier.overheid.nl/tooi/id/gemeente/{code}"
DIRECT_CONTACT = "direct-contact"


def service_load_options() -> tuple[Any, ...]:
    """Return the loader options that read everything ``service_json`` writes, in a few
    queries (for the export and the API alike)."""
    return (
        selectinload(Service.organization).selectinload(Organization.phones),
        selectinload(Service.organization)
        .selectinload(Organization.contacts)
        .selectinload(Contact.phones),
        selectinload(Service.phones),
        selectinload(Service.contacts).selectinload(Contact.phones),
        selectinload(Service.schedules),
        selectinload(Service.service_areas),
        selectinload(Service.languages),
        selectinload(Service.cost_options),
        selectinload(Service.service_at_locations)
        .selectinload(ServiceAtLocation.location)
        .selectinload(Location.addresses),
        selectinload(Service.service_at_locations)
        .selectinload(ServiceAtLocation.location)
        .selectinload(Location.accessibility),
        # A location's organisation: its exported id may be the file's own.
        selectinload(Service.service_at_locations)
        .selectinload(ServiceAtLocation.location)
        .selectinload(Location.organization),
        selectinload(Service.attributes)
        .selectinload(Attribute.taxonomy_term)
        .selectinload(TaxonomyTerm.taxonomy),
    )


def export_services(session: Session, *, internal: bool = False) -> list[Service]:
    """Return the services an export holds: the public ones, or all that are not deleted."""
    stmt = select(Service).options(*service_load_options()).order_by(Service.name, Service.id)
    if internal:
        # Concepts and archived services too, but nothing deleted.
        stmt = stmt.join(Service.organization).where(
            Service.deleted_at.is_(None), Organization.deleted_at.is_(None)
        )
    else:
        stmt = stmt.where(Service.is_public)
    return list(session.scalars(stmt))


def export_hsds_json(session: Session, *, internal: bool = False) -> list[dict[str, Any]]:
    """Return HSDS 3.0 service objects (with ``x_wegwijzer``) for every exported service.

    The public export (default) holds published services only, without non-public phones
    and contacts and without municipality-only fields; ``internal=True`` (beheerders) holds
    every service that is not deleted, with everything.
    """
    return [
        service_json(svc, internal=internal) for svc in export_services(session, internal=internal)
    ]


def service_json(svc: Service, *, internal: bool) -> dict[str, Any]:
    """Return one service as an HSDS 3.0 object, with the HSDS fields its file had that
    Wegwijzer does not use itself (``hsds_extra``) written back."""
    sid = exported_id(svc.id, svc.hsds_extra)
    ext: dict[str, Any] = {
        "publication_status": svc.publication_status,
        "last_verified_at": _iso(svc.last_verified_at),
        "referral_route": svc.referral_route,
        "handover_needs": list(svc.handover_needs or []),
        "warm_handover": svc.warm_handover,
        "keywords": split_keywords(svc.keywords),
    }
    if internal:
        ext["internal"] = {key: getattr(svc, key) for key in INTERNAL_FIELDS}
    data = {
        "id": svc.id,
        "organization_id": exported_id(svc.organization_id, svc.organization.hsds_extra),
        "name": svc.name,
        "alternate_name": svc.alternate_name,
        "description": svc.description or "",
        "url": encode_uri(svc.url),
        "email": svc.email,
        "status": svc.status or "active",
        "interpretation_services": svc.interpretation_services,
        "application_process": svc.application_process,
        "fees_description": svc.fees_description,
        "wait_time": svc.wait_time,
        "eligibility_description": svc.eligibility_description,
        "minimum_age": svc.minimum_age,
        "maximum_age": svc.maximum_age,
        "alert": svc.alert,
        "last_modified": _iso(svc.updated_at),
        "organization": organization_json(svc.organization, internal=internal),
        "phones": _phones(svc.phones, internal),
        "contacts": _contacts(svc.contacts, internal),
        "schedules": [_schedule(s) for s in _by_id(svc.schedules)],
        "service_areas": [_area(a, sid) for a in _by_id(svc.service_areas)],
        "service_at_locations": [
            service_at_location_json(sal, sid)
            for sal in sorted(svc.service_at_locations, key=lambda s: s.location_id)
        ],
        "languages": [
            _with(
                lang,
                {"id": lang.id, "name": lang.name, "code": lang.code, "note": lang.note},
            )
            for lang in _by_id(svc.languages)
        ],
        "cost_options": [
            _with(
                c,
                {
                    "id": c.id,
                    "option": c.option,
                    "amount": c.amount,
                    "currency": c.currency,
                    "amount_description": c.amount_description,
                    "valid_from": _iso(c.valid_from),
                    "valid_to": _iso(c.valid_to),
                },
            )
            for c in _by_id(svc.cost_options)
        ],
        "attributes": [
            _attribute(a, sid)
            for a in sorted(
                svc.attributes,
                key=lambda a: (a.taxonomy_term.taxonomy.position, a.taxonomy_term.position),
            )
        ],
        # Extension values stay even when empty, so a re-import can clear them.
        "x_wegwijzer": ext,
    }
    out = with_extra(_clean(data, keep=_LISTS), svc.hsds_extra)
    for attr in out["attributes"]:
        term = attr.get("taxonomy_term")
        missing = [k for k in ("name", "description") if isinstance(term, dict) and not term.get(k)]
        if missing:
            # A kept term of another taxonomy may lack what HSDS requires of a term: filled
            # in, and noted so an import leaves it out again.
            term["name"] = term.get("name") or term.get("code") or "-"
            term["description"] = term.get("description") or term["name"]
            term["x_wegwijzer"] = {**(term.get("x_wegwijzer") or {}), "filled": missing}
    return out


_LISTS = (
    "phones",
    "contacts",
    "schedules",
    "service_areas",
    "service_at_locations",
    "languages",
    "cost_options",
    "attributes",
)


def organization_json(org: Organization, *, internal: bool) -> dict[str, Any]:
    """Return an organisation as an HSDS 3.0 object."""
    ext: dict[str, Any] = {
        "publication_status": org.publication_status,
        "last_verified_at": _iso(org.last_verified_at),
    }
    if internal:
        ext["internal"] = {key: getattr(org, key) for key in INTERNAL_FIELDS}
    data = _clean(
        {
            "id": org.id,
            "name": org.name,
            "alternate_name": org.alternate_name,
            "description": org.description or "",
            "email": org.email,
            "website": encode_uri(org.website),
            "phones": _phones(org.phones, internal),
            "contacts": _contacts(org.contacts, internal),
            "x_wegwijzer": ext,
        },
        keep=("phones", "contacts"),
    )
    return with_extra(data, org.hsds_extra)


def location_json(loc: Location) -> dict[str, Any]:
    """Return a location with its addresses and accessibility as an HSDS 3.0 object."""
    org_id = loc.organization_id
    # Loaded with the export's options; elsewhere (the API) not fetched one by one: the
    # organisation's exported id differs from its own only for a file's odd UUID.
    org = None if "organization" in inspect(loc).unloaded else loc.organization
    if org_id is not None and org is not None:
        org_id = exported_id(org_id, org.hsds_extra)
    data = _clean(
        {
            "id": loc.id,
            "location_type": loc.location_type or "physical",
            "organization_id": org_id,
            "name": loc.name,
            "description": loc.description,
            "transportation": loc.transportation,
            "latitude": loc.latitude,
            "longitude": loc.longitude,
            "addresses": [
                _with(
                    a,
                    {
                        "id": a.id,
                        "attention": a.attention,
                        "address_1": a.address_1 or "",
                        "address_2": a.address_2,
                        "city": a.city or "",
                        "region": a.region,
                        "state_province": a.state_province or "",
                        "postal_code": a.postal_code or "",
                        "country": a.country or "NL",
                        "address_type": a.address_type or "physical",
                    },
                )
                for a in _by_id(loc.addresses)
            ],
            "accessibility": [
                _with(
                    a,
                    {
                        "id": a.id,
                        "description": a.description,
                        "details": a.details,
                        "url": encode_uri(a.url),
                    },
                )
                for a in _by_id(loc.accessibility)
            ],
        },
        keep=("addresses", "accessibility"),
    )
    return with_extra(data, loc.hsds_extra)


def service_at_location_json(
    sal: ServiceAtLocation, service_id: str | None = None
) -> dict[str, Any]:
    """Return a service-at-location link with its location as an HSDS 3.0 object;
    ``service_id``: the service's exported id (default: its id in Wegwijzer)."""
    location = location_json(sal.location)
    sid = service_id or sal.service_id
    return _with(
        sal,
        {
            "id": sal.id,
            "service_id": sid,
            "location_id": location["id"],
            "description": sal.description,
            "location": location,
        },
    )


def _with(row: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Return a child row as HSDS (empty values left out) with its kept fields."""
    return with_extra(_clean(data), row.hsds_extra)


def _phones(phones: list[Phone], internal: bool) -> list[dict[str, Any]]:
    rows = sorted(phones, key=lambda p: (p.position, p.id))
    return [
        _with(
            p,
            {
                "id": p.id,
                "number": p.number,
                "extension": p.extension,
                "type": p.type,
                "description": p.description,
                "x_wegwijzer": {"is_public": bool(p.is_public)},
            },
        )
        for p in rows
        if internal or p.is_public
    ]


def _contacts(contacts: list[Contact], internal: bool) -> list[dict[str, Any]]:
    out = []
    for c in _by_id(contacts):
        if not (internal or c.is_public):
            continue
        data = _clean(
            {
                "id": c.id,
                "name": c.name,
                "title": c.title,
                "department": c.department,
                "email": c.email,
                "phones": _phones(c.phones, internal),
                "x_wegwijzer": {"is_public": bool(c.is_public)},
            },
            keep=("phones",),
        )
        out.append(with_extra(data, c.hsds_extra))
    return out


def _schedule(s: Any) -> dict[str, Any]:
    data = {
        "id": s.id,
        "freq": s.freq,
        "byday": s.byday,
        "opens_at": s.opens_at,
        "closes_at": s.closes_at,
        "valid_from": _iso(s.valid_from),
        "valid_to": _iso(s.valid_to),
        "attending_type": s.attending_type,
        "description": s.description,
        "notes": s.notes,
    }
    if s.is_closed:
        data["x_wegwijzer"] = {"is_closed": True}
    return _with(s, data)


def _area(a: Any, service_id: str) -> dict[str, Any]:
    if a.extent_type == "landelijk":
        return _with(
            a,
            {
                "id": a.id,
                "name": a.name or "Nederland",
                "extent_type": "landelijk",
                "description": a.description,
            },
        )
    return _with(
        a,
        {
            "id": a.id,
            "name": a.name,
            "description": a.description,
            "extent": a.gm_code,
            "extent_type": "cbs_gemeentecode",
            "uri": TOOI_GEMEENTE_URI.format(code=(a.gm_code or "").lower()),
        },
    )


def _attribute(a: Attribute, service_id: str) -> dict[str, Any]:
    term = a.taxonomy_term
    return _with(
        a,
        {
            "id": a.id,
            "link_id": service_id,
            "link_entity": "service",
            "link_type": a.link_type,
            "taxonomy_term_id": term.id,
            "value": a.value,
            "taxonomy_term": taxonomy_term_json(term),
        },
    )


def taxonomy_term_json(term: TaxonomyTerm) -> dict[str, Any]:
    """Return a taxonomy term (Dutch labels) with its taxonomy as an HSDS 3.0 object."""
    tax = term.taxonomy
    return _clean(
        {
            "id": term.id,
            "code": term.code,
            "name": term.name,
            "description": term.description or "",
            "parent_id": term.parent_id,
            "taxonomy": tax.name,
            "taxonomy_id": tax.id,
            "language": "nl",
            "taxonomy_detail": taxonomy_json(tax),
        }
    )


def taxonomy_json(tax: Taxonomy) -> dict[str, Any]:
    """Return a taxonomy as an HSDS 3.0 object."""
    return _clean(
        {
            "id": tax.id,
            "name": tax.name,
            "description": tax.description or tax.label_nl,
            "uri": encode_uri(tax.uri),
            "version": tax.version,
        }
    )


def split_keywords(text: str | None) -> list[str]:
    """Return the keywords stored in ``Service.keywords``."""
    return [k.strip() for k in (text or "").split(";") if k.strip()]


def _by_id(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda x: x.id)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _clean(data: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """Drop empty values (HSDS types are not nullable); keep the listed keys even when empty."""
    return {k: v for k, v in data.items() if k in keep or (v is not None and v != [] and v != {})}
