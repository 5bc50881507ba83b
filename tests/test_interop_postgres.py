"""The importer and exports on PostgreSQL, which enforces lengths, types and constraints."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from tests.foreign_package import foreign_services
from tests.interop_support import DEMO, as_bytes, directory, service_obj, table_counts
from tests.test_interop_lossless import DUTCH_POINT, EXAMPLES, normalised
from wegwijzer.extensions import db
from wegwijzer.interop import export_hsds_json, import_file
from wegwijzer.interop.export import service_json
from wegwijzer.models import Service

pytestmark = pytest.mark.postgres


def test_demo_import_reimport_and_round_trip_on_postgres(pg_app: Flask) -> None:
    report = import_file(DEMO, "hsds", dry_run=False, actor="pg")
    assert report.ok and report.written and report.problems == []
    before = table_counts(db.session)
    original = directory(db.session)
    exported = export_hsds_json(db.session, internal=True)
    again = import_file(as_bytes(exported), "hsds", dry_run=False, actor="pg")
    assert again.ok and again.counts["service"].unchanged == len(exported)
    assert table_counts(db.session) == before
    assert directory(db.session) == original


def test_refused_file_writes_nothing_on_postgres(pg_app: Flask) -> None:
    import_file(DEMO, "hsds", dry_run=False, actor="pg")
    before = table_counts(db.session)
    bad = [service_obj(1), service_obj(2, name="x" * 256)]
    report = import_file(as_bytes(bad), "hsds", dry_run=False, actor="pg")
    assert not report.ok and not report.written
    assert table_counts(db.session) == before


def test_lossless_example_and_foreign_ids_on_postgres(pg_app: Flask) -> None:
    """The kept HSDS fields (JSON columns) and source ids work on PostgreSQL as on SQLite."""
    source = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    source["service_at_locations"][0]["location"].update(DUTCH_POINT)
    foreign = foreign_services(40)
    report = import_file(as_bytes([source, *foreign]), "hsds", dry_run=False, actor="pg")
    assert report.ok, report.errors[:3]
    svc = db.session.get(Service, source["id"])
    assert svc is not None
    assert normalised(service_json(svc, internal=True)) == normalised(source)
    exported = export_hsds_json(db.session, internal=True)
    again = import_file(as_bytes(exported), "hsds", dry_run=False, actor="pg")
    assert again.ok and again.counts["service"].unchanged == 41
    assert again.counts["service"].updated == 0
