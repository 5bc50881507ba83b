"""Import and export: HSDS JSON, idempotent upserts, audit, search, schema-valid exports."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.interop_support import (
    DEMO,
    LOC_ID,
    ORG_ID,
    SCHEMA,
    as_bytes,
    demo_services,
    directory,
    second_app,
    service_obj,
    table_counts,
)
from wegwijzer.extensions import db
from wegwijzer.interop import export_hsds_json, import_file, load_municipality_settings
from wegwijzer.interop.report import ImportFailed
from wegwijzer.models import (
    AuditEntry,
    ChangeLog,
    Location,
    Municipality,
    Organization,
    Service,
)
from wegwijzer.search import search


def _import(source: object, fmt: str | None = "hsds", **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("dry_run", False)
    kw.setdefault("actor", "test")
    return import_file(source, fmt, **kw)  # type: ignore[arg-type]


def test_demo_set_imports_with_no_problems(app: Flask) -> None:
    report = _import(DEMO)
    assert report.ok and report.written
    assert report.problems == []
    assert report.counts["service"].created == len(demo_services())
    # Organisations and locations shared by several services are stored once.
    assert report.counts["organization"].created == db.session.scalar(
        select(func.count()).select_from(Organization)
    )
    assert db.session.scalar(select(func.count()).select_from(Location)) < sum(
        len(s.get("service_at_locations", [])) for s in demo_services()
    )
    svc = db.session.get(Service, "fc6dd080-f3cd-5a3e-899a-3b73ad073963")
    assert svc is not None and svc.name == "Schuldhulpverlening Zwolle"
    assert svc.is_public and svc.gm_codes == ["GM0193"]
    assert "schulden" in svc.codes("wegwijzer-thema")
    assert [p.number for p in svc.phones] == ["038-0000100"]
    assert {(s.byday, s.opens_at, s.attending_type) for s in svc.schedules} >= {
        ("MO", "09:00", "inloop")
    }
    location = svc.service_at_locations[0].location
    assert (location.latitude, location.longitude, location.gm_code) == (52.49892, 6.1016, "GM0193")
    contact = svc.contacts[0]
    assert (contact.name, contact.is_public, contact.phones[0].number) == (
        "Anja Mulder (voorbeeld)",
        False,
        "038-0000500",
    )
    assert svc.funding_source == "eigen-middelen" and svc.warm_handover is True
    national = [s for s in db.session.scalars(select(Service)) if s.is_national]
    assert national
    # One index pass after the commit: the imported services are searchable at once.
    found = search("schuldhulpverlening zwolle")
    assert svc.id in [hit.service_id for hit in found.results]


def test_reimport_touches_nothing(app: Flask) -> None:
    _import(DEMO)
    versions = {s.id: s.version for s in db.session.scalars(select(Service))}
    before = table_counts(db.session)
    report = _import(DEMO)
    assert report.ok and report.problems == []
    assert report.counts["service"].unchanged == len(versions)
    assert report.counts["service"].created == report.counts["service"].updated == 0
    assert report.counts["organization"].updated == report.counts["location"].updated == 0
    db.session.expire_all()
    assert table_counts(db.session) == before  # no audit entries, no change-log rows
    assert {s.id: s.version for s in db.session.scalars(select(Service))} == versions


def test_changed_service_is_updated_with_audit_and_change_log(app: Flask) -> None:
    services = demo_services()
    _import(as_bytes(services))
    target = services[0]
    old_version = db.session.get(Service, target["id"]).version
    log_before = db.session.scalar(select(func.max(ChangeLog.seq)))
    target["phones"][0]["number"] = "038-1234567"
    target["name"] = "Schuldhulp Zwolle (nieuw)"
    report = _import(as_bytes(services), actor="Beheerder Zwolle")
    assert report.counts["service"].updated == 1
    assert report.counts["service"].unchanged == len(services) - 1
    assert report.changed_service_ids == [target["id"]]
    db.session.expire_all()
    svc = db.session.get(Service, target["id"])
    assert svc.version == old_version + 1
    assert svc.phones[0].number == "038-1234567"
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_id == target["id"])
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.action == "update" and entry.actor == "Beheerder Zwolle"
    assert entry.changes["name"] == ["Schuldhulpverlening Zwolle", "Schuldhulp Zwolle (nieuw)"]
    assert "phones" in entry.changes
    logged = db.session.scalars(select(ChangeLog.entity_id).where(ChangeLog.seq > log_before))
    assert list(logged) == [target["id"]]


def test_dry_run_reports_but_writes_nothing(app: Flask) -> None:
    before = table_counts(db.session)
    report = _import(DEMO, dry_run=True)
    assert report.ok and not report.written and report.dry_run
    assert report.counts["service"].created == len(demo_services())
    assert "Proefimport" in report.summary_nl()
    assert table_counts(db.session) == before


def test_paged_list_with_shared_organisation_and_location(app: Flask) -> None:
    first, second = service_obj(1), service_obj(2)
    second["organization_id"] = ORG_ID
    del second["organization"]
    second["service_at_locations"] = [{"location_id": LOC_ID}]
    page = {"total_items": 2, "page_number": 1, "contents": [first, second]}
    report = _import(as_bytes(page))
    assert report.ok, report.problems
    assert report.counts["organization"].created == 1
    assert report.counts["location"].created == 1
    assert report.counts["service"].created == 2
    svc = db.session.get(Service, second["id"])
    assert svc.organization.name == "Stichting Testhulp"
    assert svc.service_at_locations[0].location.name == "Buurthuis"
    assert sorted(svc.codes("wegwijzer-fase")) == ["nazorg"]


def test_unknown_taxonomy_is_kept_as_keywords_and_reported(app: Flask) -> None:
    svc = service_obj()
    svc["attributes"].append(
        {"taxonomy_term": {"taxonomy": "open-eligibility", "code": "x1", "name": "kwijtschelding"}}
    )
    report = _import(as_bytes([svc]))
    assert report.ok
    assert any("open-eligibility" in p.message_nl and not p.is_error for p in report.problems)
    stored = db.session.get(Service, svc["id"])
    assert stored.keywords == "kwijtschelding"
    assert sorted(stored.codes("wegwijzer-thema")) == ["schulden"]
    exported = export_hsds_json(db.session)[0]
    assert exported["x_wegwijzer"]["keywords"] == ["kwijtschelding"]


@pytest.mark.parametrize(
    ("area", "gm_code"),
    [
        ({"extent_type": "cbs_gemeentecode", "extent": "GM0166"}, "GM0166"),
        ({"uri": "https://identifier.overheid.nl/tooi/id/gemeente/gm0148"}, "GM0148"),
        ({"name": "Kampen"}, "GM0166"),
        ({"name": "GM0193"}, "GM0193"),
        ({"name": "landelijk"}, None),
        ({"extent_type": "landelijk", "name": "Nederland"}, None),
    ],
)
def test_service_area_forms(app: Flask, area: dict[str, str], gm_code: str | None) -> None:
    report = _import(as_bytes([service_obj(service_areas=[area])]))
    assert report.ok, report.problems
    svc = db.session.scalar(select(Service))
    if gm_code is None:
        assert svc.is_national and svc.gm_codes == []
    else:
        assert svc.gm_codes == [gm_code] and not svc.is_national


def test_place_name_as_service_area_is_its_municipality_with_a_warning(app: Flask) -> None:
    report = _import(as_bytes([service_obj(service_areas=[{"name": "IJsselmuiden"}])]))
    assert report.ok
    assert db.session.scalar(select(Service)).gm_codes == ["GM0166"]
    warning = report.warnings[0]
    assert warning.row == 1 and warning.field == "service_areas[0].name"
    assert "Kampen" in warning.message_nl


def test_location_without_coordinates_is_geocoded_from_postcode_or_city(app: Flask) -> None:
    by_postcode = service_obj(1)
    loc = by_postcode["service_at_locations"][0]["location"]
    del loc["latitude"], loc["longitude"]
    loc["addresses"][0]["postal_code"] = "8261AB"  # Kampen
    by_city = service_obj(2)
    loc2 = by_city["service_at_locations"][0]["location"]
    loc2["id"] = "0b9d7c6e-1f2a-4b3c-8d4e-5f6a7b8c9d99"
    del loc2["latitude"], loc2["longitude"]
    loc2["addresses"][0].update(postal_code="", city="Dalfsen")
    report = _import(as_bytes([by_postcode, by_city]))
    assert report.ok, report.problems
    first = db.session.get(Location, LOC_ID)
    assert first.gm_code == "GM0166" and 52.4 < first.latitude < 52.7
    assert first.addresses[0].postal_code == "8261 AB"
    second = db.session.get(Location, loc2["id"])
    assert second.gm_code == "GM0148" and second.longitude is not None


def test_export_validates_against_the_hsds_schema(app: Flask) -> None:
    _import(DEMO)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
    for internal in (False, True):
        data = export_hsds_json(db.session, internal=internal)
        assert data
        errors = [e.message for item in data for e in validator.iter_errors(item)]
        assert errors == []
    # The check has teeth: a service without a name or with a bad id does not validate.
    broken = dict(data[0])
    del broken["name"]
    broken["id"] = "not-a-uuid"
    assert len(list(validator.iter_errors(broken))) == 2


def test_public_export_holds_only_published_public_data(app: Flask) -> None:
    _import(DEMO)
    concept = db.session.scalars(select(Service)).first()
    concept.publication_status = "concept"
    db.session.commit()
    public = export_hsds_json(db.session)
    internal = export_hsds_json(db.session, internal=True)
    assert concept.id not in {s["id"] for s in public}
    assert concept.id in {s["id"] for s in internal}
    text = json.dumps(public, ensure_ascii=False)
    for secret in ("Anja Mulder", "038-0000500", "internal", "Wettelijke taak", "eigen-middelen"):
        assert secret not in text
    assert all(s["x_wegwijzer"]["publication_status"] == "gepubliceerd" for s in public)
    internal_text = json.dumps(internal, ensure_ascii=False)
    assert "Anja Mulder" in internal_text and "Wettelijke taak" in internal_text


def test_public_export_reimported_keeps_private_data(app: Flask) -> None:
    _import(DEMO)
    before = directory(db.session)
    public = export_hsds_json(db.session)
    report = _import(as_bytes(public))
    assert report.ok and report.counts["service"].updated == 0
    db.session.expire_all()
    assert directory(db.session) == before


def test_json_round_trip_gives_the_same_directory(
    app: Flask, template_db: Path, tmp_path: Path
) -> None:
    _import(DEMO)
    original = directory(db.session)
    exported = export_hsds_json(db.session, internal=True)
    with second_app(template_db, tmp_path / "second"):
        report = _import(as_bytes(exported))
        assert report.ok and report.problems == []
        assert directory(db.session) == original
        again = export_hsds_json(db.session, internal=True)

    def strip(items: list[dict]) -> list[dict]:  # type: ignore[type-arg]
        return [{k: v for k, v in s.items() if k != "last_modified"} for s in items]

    assert strip(again) == strip(exported)


def test_load_municipality_settings(app: Flask, tmp_path: Path) -> None:
    _import(DEMO)
    count = load_municipality_settings(db.session, DEMO.parent / "municipalities.json")
    assert count == 3
    zwolle = db.session.get(Municipality, "GM0193")
    assert zwolle.debt_help_service_id == "fc6dd080-f3cd-5a3e-899a-3b73ad073963"
    assert zwolle.volunteer_contact_phone == "038-0000538"
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"GM0193": {"debt_help_service_id": "nope"}}), encoding="utf-8")
    with pytest.raises(ImportFailed, match="bestaat niet"):
        load_municipality_settings(db.session, bad)
    assert db.session.get(Municipality, "GM0193").debt_help_service_id is not None


def test_repeated_child_ids_and_a_listed_direct_contact_import_once(app: Flask) -> None:
    svc = service_obj()
    phone = svc["phones"][0]
    svc["phones"].append({**phone, "number": "038-0000998"})  # same id twice
    contact_id = "5e1d0000-0000-4000-8009-000000000001"
    svc["contacts"] = [{"id": contact_id, "name": "Piet", "phones": [phone]}]
    svc["x_wegwijzer"]["direct_contact"] = {"name": "Anna", "phone": "038-1", "is_public": False}
    report = _import(as_bytes([svc]))
    assert report.ok and report.written, report.problems
    stored = db.session.get(Service, svc["id"])
    assert sorted(p.number for p in stored.phones) == ["038-0000998", "038-0000999"]
    assert sorted(c.name for c in stored.contacts) == ["Anna", "Piet"]
    again = _import(as_bytes([svc]))
    assert again.counts["service"].unchanged == 1
    exported = export_hsds_json(db.session, internal=True)
    svc2 = dict(svc)
    svc2["contacts"] = exported[0]["contacts"]  # the export lists the direct contact too
    assert _import(as_bytes([svc2])).counts["service"].unchanged == 1
