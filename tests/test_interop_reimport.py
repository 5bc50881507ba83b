"""Ids and idempotence: a foreign directory of 500 services keeps its own ids, and importing
it again, or importing Wegwijzer's export of it, changes nothing, in all three formats."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.foreign_package import as_datapackage, as_flat_csv, foreign_services
from tests.interop_support import as_bytes
from wegwijzer.extensions import db
from wegwijzer.interop import export_flat_csv, export_hsds_csv, export_hsds_json, import_file
from wegwijzer.interop.report import ImportReport
from wegwijzer.models import Organization, Phone, Schedule, Service, stable_id


def _import(source: Any, fmt: str) -> ImportReport:
    report = import_file(source, fmt, dry_run=False, actor="test")
    assert report.ok, [(p.file, p.row, p.field, p.message_nl) for p in report.errors[:5]]
    return report


def _unchanged(report: ImportReport, services: int = 500) -> None:
    counts = {kind: (c.created, c.updated) for kind, c in report.counts.items()}
    assert counts == {"organization": (0, 0), "service": (0, 0), "location": (0, 0)}
    assert report.counts["service"].unchanged == services
    assert report.changed_service_ids == []


def _source(fmt: str, tmp_path: Path) -> Any:
    services = foreign_services()
    if fmt == "hsds":
        return as_bytes(services)
    if fmt == "csv":
        return as_flat_csv(services)
    package = tmp_path / "pakket"
    package.mkdir()
    for name, content in as_datapackage(services).items():
        (package / name).write_bytes(content)
    return package


def _schedules() -> list[tuple[str | None, str | None, str | None]]:
    rows = db.session.execute(select(Schedule.freq, Schedule.byday, Schedule.opens_at))
    return sorted((tuple(r) for r in rows), key=repr)


@pytest.mark.parametrize("fmt", ["hsds", "hsds-csv", "csv"])
def test_an_unchanged_foreign_file_imported_again_changes_nothing(
    app: Flask, tmp_path: Path, fmt: str
) -> None:
    source = _source(fmt, tmp_path)
    first = _import(source, fmt)
    assert first.counts["service"].created == 500
    schedules = _schedules()
    # Weekly and (data package, JSON) monthly rules keep their freq.
    assert {s[0] for s in schedules} == ({"WEEKLY"} if fmt == "csv" else {"WEEKLY", "MONTHLY"})
    _unchanged(_import(source, fmt))
    assert _schedules() == schedules


@pytest.mark.parametrize("fmt", ["hsds", "hsds-csv"])
def test_the_file_s_own_ids_are_kept(app: Flask, tmp_path: Path, fmt: str) -> None:
    _import(_source(fmt, tmp_path), fmt)
    # Ids that are not UUIDs get a stable UUID in Wegwijzer; the file's id is kept with it.
    svc = db.session.get(Service, stable_id("import", "service", "svc-0007"))
    assert svc is not None and svc.hsds_extra is not None
    assert svc.hsds_extra["id"] == "svc-0007"
    assert svc.organization.hsds_extra["id"] == "org-008"
    # A data package's funding.csv row is kept with its organisation, as JSON nests it.
    assert svc.organization.hsds_extra["funding"] == [
        {"id": "fund-008", "source": "Gemeentelijke subsidie"}
    ]
    assert {p.hsds_extra["id"] for p in svc.phones} == {"tel-0007"}
    assert {s.hsds_extra["id"] for s in svc.schedules} == {"sch-0007-1"}
    assert svc.service_at_locations[0].location.hsds_extra["id"] == "loc-0008"
    exported = next(s for s in export_hsds_json(db.session, internal=True) if s["id"] == svc.id)
    assert exported["x_wegwijzer"]["source_id"] == "svc-0007"
    assert exported["organization"]["x_wegwijzer"]["source_id"] == "org-008"
    assert exported["phones"][0]["x_wegwijzer"]["source_id"] == "tel-0007"
    no_id = db.session.scalar(
        select(func.count()).select_from(Phone).where(Phone.hsds_extra.is_(None))
    )
    assert no_id == 0


def _export(fmt: str, tmp_path: Path) -> Any:
    if fmt == "hsds":
        return as_bytes(export_hsds_json(db.session, internal=True))
    if fmt == "hsds-csv":
        export_hsds_csv(db.session, tmp_path / "export", internal=True)
        return tmp_path / "export"
    text = io.StringIO()
    export_flat_csv(db.session, text, internal=True)
    return text.getvalue().encode("utf-8")


@pytest.mark.parametrize("fmt", ["hsds", "hsds-csv", "csv"])
def test_reimporting_the_export_of_a_foreign_file_changes_nothing(
    app: Flask, tmp_path: Path, fmt: str
) -> None:
    """JSON has everything a foreign file can hold; each export of it reads back unchanged."""
    _import(as_bytes(foreign_services()), "hsds")
    schedules = _schedules()
    extras = dict(db.session.execute(select(Organization.id, Organization.hsds_extra)).all())
    _unchanged(_import(_export(fmt, tmp_path), fmt))
    assert _schedules() == schedules
    db.session.expire_all()
    assert dict(db.session.execute(select(Organization.id, Organization.hsds_extra)).all()) == (
        extras
    )
