"""Plain, comparable pictures of an entry: for the audit trail and the conflict page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from ...models import Location, Organization, Schedule, Service, TaxonomyTerm
from .inputs import ServiceInput

SERVICE_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "status",
    "alert",
    "url",
    "email",
    "application_process",
    "eligibility_description",
    "fees_description",
    "wait_time",
    "minimum_age",
    "maximum_age",
    "referral_route",
    "handover_needs",
    "warm_handover",
    "funding_source",
    "collaboration_agreement",
    "coordinator",
    "internal_notes",
)
ORGANIZATION_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "email",
    "website",
    "funding_source",
    "collaboration_agreement",
    "coordinator",
    "internal_notes",
)


def _phone_text(number: str, description: str | None, is_public: bool) -> str:
    shown = f"{number} – {description}" if description else number
    return shown if is_public else f"{shown} (niet openbaar)"


def _contact_text(parts: Iterable[str | None], is_public: bool) -> str:
    text = " / ".join(x for x in parts if x)
    return f"{text} (openbaar)" if is_public else text


def _weekly_text(days: str, opens_at: str | None, closes_at: str | None, kind: str | None) -> str:
    return f"{days} {opens_at}-{closes_at} {kind or ''}".strip()


def _exception_text(s: Schedule) -> str:
    span = f"{s.valid_from}" + (
        f" t/m {s.valid_to}" if s.valid_to and s.valid_to != s.valid_from else ""
    )
    what = "gesloten" if s.is_closed else f"{s.opens_at}-{s.closes_at}"
    return f"{span} {what} {s.description or ''}".strip()


def service_snapshot(svc: Service) -> dict[str, Any]:
    """Return the editable state of a service as plain, comparable values."""
    snap: dict[str, Any] = {f: getattr(svc, f) for f in SERVICE_FIELDS}
    snap["handover_needs"] = list(svc.handover_needs or [])
    snap["organization_id"] = svc.organization_id
    snap["phones"] = [_phone_text(p.number, p.description, p.is_public) for p in svc.phones]
    snap["contacts"] = [
        _contact_text((c.name, c.title, c.email, *(p.number for p in c.phones)), c.is_public)
        for c in svc.contacts
    ]
    snap["service_areas"] = ["landelijk"] if svc.is_national else svc.gm_codes
    snap["terms"] = sorted(f"{t.taxonomy.name}/{t.code}" for t in svc.terms)
    snap["weekly"] = sorted(
        _weekly_text(s.byday, s.opens_at, s.closes_at, s.attending_type)
        for s in svc.schedules
        if s.valid_from is None
    )
    snap["exceptions"] = sorted(_exception_text(s) for s in svc.schedules if s.valid_from)
    snap["locations"] = sorted(sal.location_id for sal in svc.service_at_locations)
    snap["languages"] = sorted(x.name or "" for x in svc.languages)
    snap["is_free"] = any(c.is_free for c in svc.cost_options)
    return snap


def input_snapshot(session: Session, data: ServiceInput) -> dict[str, Any]:
    """Return what a service would look like with ``data`` applied (nothing is written)."""
    snap = dict(data.fields)
    snap["handover_needs"] = list(data.fields.get("handover_needs") or [])
    snap["organization_id"] = data.organization_id
    snap["phones"] = [_phone_text(p.number, p.description, p.is_public) for p in data.phones]
    snap["contacts"] = [
        _contact_text((c.name, c.title, c.email, c.phone), c.is_public) for c in data.contacts
    ]
    snap["service_areas"] = ["landelijk"] if data.is_national else sorted(set(data.gm_codes))
    terms = [session.get(TaxonomyTerm, t) for t in data.term_ids]
    snap["terms"] = sorted(f"{t.taxonomy.name}/{t.code}" for t in terms if t)
    snap["weekly"] = sorted(
        _weekly_text(",".join(w.days), w.opens_at, w.closes_at, w.attending_type)
        for w in data.weekly
    )
    snap["exceptions"] = sorted(
        _exception_text(
            Schedule(
                valid_from=e.valid_from,
                valid_to=e.valid_to or e.valid_from,
                is_closed=e.is_closed,
                opens_at=e.opens_at or None,
                closes_at=e.closes_at or None,
                description=e.description or None,
            )
        )
        for e in data.exceptions
    )
    snap["locations"] = sorted(set(data.location_ids))
    snap["languages"] = sorted(data.languages)
    snap["is_free"] = data.is_free
    return snap


def organization_snapshot(org: Organization) -> dict[str, Any]:
    """Return the editable state of an organisation as plain values."""
    return {f: getattr(org, f) for f in ORGANIZATION_FIELDS}


def location_snapshot(loc: Location) -> dict[str, Any]:
    """Return the editable state of a location as plain values."""
    addr = loc.address
    access = loc.accessibility[0] if loc.accessibility else None
    return {
        "name": loc.name,
        "address_1": addr.address_1 if addr else None,
        "postal_code": addr.postal_code if addr else None,
        "city": addr.city if addr else None,
        "description": loc.description,
        "transportation": loc.transportation,
        "wheelchair": access.description if access else None,
        "accessibility_details": access.details if access else None,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "gm_code": loc.gm_code,
    }
