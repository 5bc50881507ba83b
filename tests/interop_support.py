"""Helpers for the import/export tests: sample services, a second app, directory snapshots."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wegwijzer import create_app
from wegwijzer.extensions import Database, db
from wegwijzer.models import (
    AuditEntry,
    ChangeLog,
    Contact,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
)

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "services.json"
SCHEMA = (
    Path(__file__).resolve().parent.parent
    / "data"
    / "hsds"
    / "schema"
    / "compiled_service_with_definitions.json"
)
ORG_ID = "0b9d7c6e-1f2a-4b3c-8d4e-5f6a7b8c9d01"
LOC_ID = "0b9d7c6e-1f2a-4b3c-8d4e-5f6a7b8c9d02"


def demo_services() -> list[dict[str, Any]]:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def service_obj(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """Return a small, valid HSDS service with an organisation and a location in Zwolle."""
    data: dict[str, Any] = {
        "id": f"5e1d0000-0000-4000-8000-{n:012d}",
        "name": f"Geldhulp {n}",
        "description": "Hulp bij brieven en rekeningen.",
        "status": "active",
        "organization": {
            "id": ORG_ID,
            "name": "Stichting Testhulp",
            "description": "Vrijwilligers helpen met geldzaken.",
        },
        "phones": [{"id": f"5e1d0000-0000-4000-8001-{n:012d}", "number": "038-0000999"}],
        "schedules": [
            {
                "id": f"5e1d0000-0000-4000-8002-{n:012d}",
                "freq": "WEEKLY",
                "byday": "MO,WE",
                "opens_at": "09:00",
                "closes_at": "12:00",
                "attending_type": "inloop",
            }
        ],
        "service_areas": [{"extent_type": "cbs_gemeentecode", "extent": "GM0193"}],
        "service_at_locations": [
            {
                "location": {
                    "id": LOC_ID,
                    "location_type": "physical",
                    "name": "Buurthuis",
                    "latitude": 52.5125,
                    "longitude": 6.0944,
                    "addresses": [
                        {
                            "address_1": "Voorbeeldstraat 1",
                            "city": "Zwolle",
                            "state_province": "Overijssel",
                            "postal_code": "8011 AB",
                            "country": "NL",
                            "address_type": "physical",
                        }
                    ],
                }
            }
        ],
        "attributes": [
            {"taxonomy_term": {"taxonomy": "wegwijzer-thema", "code": "schulden"}},
            {"taxonomy_term": {"taxonomy_detail": {"name": "wegwijzer-fase"}, "code": "nazorg"}},
        ],
        "x_wegwijzer": {"publication_status": "gepubliceerd", "last_verified_at": "2026-10-01"},
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def as_bytes(services: Any) -> bytes:
    return json.dumps(services, ensure_ascii=False).encode("utf-8")


def deep(value: Any) -> Any:
    return copy.deepcopy(value)


@contextmanager
def second_app(template_db: Path, tmp: Path) -> Iterator[Flask]:
    """Yield another app on a fresh copy of the template database (for round trips)."""
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(template_db, tmp / "wegwijzer.sqlite3")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "DATABASE_URL": f"sqlite:///{tmp / 'wegwijzer.sqlite3'}",
            "INDEX_DIR": str(tmp / "index"),
        },
        instance_path=str(tmp / "instance"),
    )
    try:
        with app.app_context():
            yield app
            db.remove()
    finally:
        Database.engine(app).dispose()


def table_counts(session: Session) -> dict[str, int]:
    """Count rows in the tables an import writes, to prove nothing was written."""
    models = (Organization, Service, Location, Phone, Contact, Schedule, AuditEntry)
    counts = {
        m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in models
    }
    counts["change_log"] = session.scalar(select(func.count()).select_from(ChangeLog)) or 0
    return counts


def directory(session: Session) -> dict[str, Any]:
    """Return what a round trip must keep: ids, names, phones, hours, places, terms, areas."""
    out: dict[str, Any] = {}
    for svc in session.scalars(select(Service).order_by(Service.id)):
        out[svc.id] = {
            "name": svc.name,
            "organization": (svc.organization_id, svc.organization.name),
            "status": svc.publication_status,
            "phones": sorted((p.id, p.number, p.is_public) for p in svc.phones),
            "contacts": sorted(
                (c.id, c.name, c.is_public, tuple(p.number for p in c.phones)) for c in svc.contacts
            ),
            "schedules": sorted(
                (s.id, s.byday or "", s.opens_at or "", s.closes_at or "", s.attending_type or "")
                for s in svc.schedules
            ),
            "locations": sorted(
                (
                    sal.location.id,
                    sal.location.name,
                    sal.location.latitude,
                    sal.location.longitude,
                    sal.location.gm_code,
                    sal.location.address.one_line() if sal.location.address else "",
                )
                for sal in svc.service_at_locations
            ),
            "terms": sorted((t.taxonomy.name, t.code) for t in svc.terms),
            "areas": sorted((a.extent_type, a.gm_code or "") for a in svc.service_areas),
            "referral": (svc.referral_route, tuple(svc.handover_needs or ()), svc.warm_handover),
            "internal": (svc.funding_source, svc.coordinator, svc.internal_notes),
            "keywords": svc.keywords,
        }
    return out
