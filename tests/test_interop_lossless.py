"""Lossless HSDS: every field of the official examples survives an import and an export.

The comparison is strict: after the normalisations listed in NORMALISATIONS (the same list
as in the README), the exported document equals the imported one, and the only fields the
export adds are the ones listed in ADDED.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask import Flask

from tests.interop_support import as_bytes, second_app
from wegwijzer.extensions import db
from wegwijzer.interop import export_hsds_csv, export_hsds_json, import_file
from wegwijzer.interop.export import service_json
from wegwijzer.models import Organization, Service

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "hsds" / "examples"

#: What an import and export change on purpose (also listed in the README).
NORMALISATIONS = (
    "texts are trimmed (a trailing space is dropped)",
    "opens_at and closes_at are written as HH:MM (10:00:00 becomes 10:00)",
    "a currency code is written in capitals (gbp becomes GBP)",
    "last_modified is the moment the entry last changed in Wegwijzer",
    "lists are compared by id: Wegwijzer writes its own items sorted, then the kept ones",
    "data package only: an attribute's link_entity is 'service' (what its link_id points at)",
)
#: Fields an export adds to the file's objects (paths with [] for any list item), besides
#: Wegwijzer's own ``x_wegwijzer`` on any object.
ADDED = {
    "organization_id",
    "service_at_locations[].service_id",
    "service_at_locations[].location_id",
    "service_at_locations[].location.organization_id",
}
#: A location must lie in the Netherlands; the example's point (100, 101) is on no map.
DUTCH_POINT = {"latitude": 52.5125, "longitude": 6.0944}


def leaves(value: Any) -> int:
    """Count the values (strings, numbers, booleans) in a JSON document."""
    if isinstance(value, dict):
        return sum(leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(leaves(v) for v in value)
    return 0 if value is None else 1


def normalised(value: Any, path: str = "") -> Any:
    """Apply NORMALISATIONS to a document, and leave out the fields in ADDED."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            if _generic(sub) in ADDED or key in ("last_modified", "x_wegwijzer"):
                continue
            if key in ("opens_at", "closes_at") and isinstance(item, str):
                item = re.sub(r"^(\d\d:\d\d):\d\d$", r"\1", item)
            elif key == "currency" and isinstance(item, str):
                item = item.upper()
            out[key] = normalised(item, sub)
        return out
    if isinstance(value, list):
        items = [normalised(v, f"{path}[]") for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, str):
        return value.strip()
    return value


def _generic(path: str) -> str:
    return re.sub(r"\[\d*\]", "[]", path)


def test_service_full_keeps_every_value_through_import_and_export(app: Flask) -> None:
    source = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    source["service_at_locations"][0]["location"].update(DUTCH_POINT)
    assert leaves(source) == 349
    report = import_file(as_bytes([source]), "hsds", dry_run=False, actor="test")
    assert report.ok, [(p.field, p.message_nl) for p in report.errors]
    # Wegwijzer says what it cannot use, and keeps it all the same.
    assert any(p.field == "service_areas[0].extent_type" for p in report.warnings)

    svc = db.session.get(Service, source["id"])
    assert svc is not None
    exported = service_json(svc, internal=True)
    assert leaves(normalised(exported)) == leaves(normalised(source)) == 349 - 1  # last_modified
    assert normalised(exported) == normalised(source)

    # Stored: the fields Wegwijzer does not use itself, per object.
    assert svc.hsds_extra is not None
    assert svc.hsds_extra["accreditations"].startswith("All of our practitioners")
    assert svc.hsds_extra["program"]["name"] == "Community Mental Health Support"
    assert svc.schedules[0].hsds_extra["wkst"] == "TU"
    assert svc.schedules[0].freq == "WEEKLY"
    assert svc.phones[0].hsds_extra["languages"][0]["code"] == "ur"
    org = db.session.get(Organization, source["organization"]["id"])
    assert org is not None and org.hsds_extra is not None
    assert org.hsds_extra["legal_status"] == "Limited Company"
    assert org.hsds_extra["organization_identifiers"]

    # An unchanged re-import of the export changes nothing.
    again = import_file(as_bytes([exported]), "hsds", dry_run=False, actor="test")
    assert again.ok
    assert again.counts["service"].unchanged == 1 and again.counts["service"].updated == 0
    assert again.counts["organization"].updated == 0 and again.counts["location"].updated == 0


def test_hsds_31_fields_are_kept(app: Flask) -> None:
    """HSDS 3.1 adds e.g. capacities and additional_urls: kept and written back."""
    source = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    source["service_at_locations"][0]["location"].update(DUTCH_POINT)
    source["capacities"] = [
        {
            "id": "0f5e9d41-5b1e-4f8a-9a2e-7c3d1b2a4e01",
            "available": 4,
            "maximum": 10,
            "unit": {"id": "0f5e9d41-5b1e-4f8a-9a2e-7c3d1b2a4e02", "name": "plaatsen"},
            "updated": "2026-11-01T09:00:00Z",
        }
    ]
    source["additional_urls"] = [
        {"id": "0f5e9d41-5b1e-4f8a-9a2e-7c3d1b2a4e03", "url": "https://example.nl/extra"}
    ]
    source["organization"]["additional_urls"] = [
        {"id": "0f5e9d41-5b1e-4f8a-9a2e-7c3d1b2a4e04", "url": "https://example.nl/org"}
    ]
    source["schedules"][0]["attending_type"] = "inloop"
    report = import_file(as_bytes([source]), "hsds", dry_run=False, actor="test")
    assert report.ok
    exported = export_hsds_json(db.session, internal=True)
    assert len(exported) == 1
    assert exported[0]["capacities"] == source["capacities"]
    assert exported[0]["additional_urls"] == source["additional_urls"]
    org_urls = exported[0]["organization"]["additional_urls"]
    assert org_urls == source["organization"]["additional_urls"]



def test_service_full_keeps_every_value_through_a_data_package(
    app: Flask, template_db: Path, tmp_path: Path
) -> None:
    """Exported as a data package and imported elsewhere, the example is still whole."""
    source = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    source["service_at_locations"][0]["location"].update(DUTCH_POINT)
    assert import_file(as_bytes([source]), "hsds", dry_run=False, actor="test").ok
    export_hsds_csv(db.session, tmp_path / "pakket", internal=True)
    # Kept lists that HSDS has a table for are in that table, linked to their parent.
    for table, rows in (("funding", 2), ("organization_identifiers", 1), ("required_documents", 1)):
        lines = (tmp_path / "pakket" / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1 + rows, table
    fields = (tmp_path / "pakket" / "x_wegwijzer_fields.csv").read_text(encoding="utf-8")
    assert ",funding," not in fields and ",program," in fields
    with second_app(template_db, tmp_path / "elders"):
        report = import_file(tmp_path / "pakket", "hsds-csv", dry_run=False, actor="test")
        assert report.ok, [(p.file, p.field, p.message_nl) for p in report.errors]
        svc = db.session.get(Service, source["id"])
        assert svc is not None
        # In a data package link_entity says what link_id points at: the service.
        del source["attributes"][0]["link_entity"]
        assert normalised(service_json(svc, internal=True)) == normalised(source)
