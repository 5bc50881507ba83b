"""Bad input never writes anything and never crashes: clear Dutch messages, fuzzed parsers."""

from __future__ import annotations

import contextlib
import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.interop_support import as_bytes, demo_services, service_obj, table_counts
from wegwijzer.extensions import db
from wegwijzer.interop import import_file
from wegwijzer.interop.flat_csv import parse_flat_csv
from wegwijzer.interop.hsds_csv import parse_datapackage
from wegwijzer.interop.hsds_json import parse_hsds_json
from wegwijzer.interop.reading import read_zip
from wegwijzer.interop.report import ImportFailed, ImportReport


def _check(data: Any, fmt: str | None = "hsds", **kw: Any) -> ImportReport:
    """Import ``data`` for real; assert it was refused and nothing was written."""
    before = table_counts(db.session)
    report = import_file(data, fmt, dry_run=False, actor="test", **kw)
    assert not report.ok and not report.written
    assert report.errors
    for problem in report.errors:
        assert problem.message_nl.strip()
        assert "Traceback" not in problem.message_nl
    db.session.expire_all()
    assert table_counts(db.session) == before
    return report


def _one(report: ImportReport, row: int | None, field: str, words: str) -> None:
    matches = [p for p in report.errors if p.row == row and p.field == field]
    assert matches, [(p.row, p.field, p.message_nl) for p in report.errors]
    assert words.lower() in matches[0].message_nl.lower(), matches[0].message_nl


def test_truncated_json(app: Flask) -> None:
    data = as_bytes([service_obj()])[:-40]
    report = _check(data)
    assert "Geen geldige JSON" in report.errors[0].message_nl
    assert "regel 1" in report.errors[0].message_nl


def test_not_json_at_all(app: Flask) -> None:
    report = _check(b"{this is not json", "hsds")
    assert "Geen geldige JSON" in report.errors[0].message_nl


def test_deep_nesting(app: Flask) -> None:
    report = _check(b"[" * 200_000 + b"]" * 200_000)
    assert "diep genest" in report.errors[0].message_nl
    nested: Any = "x"
    for _ in range(500):
        nested = {"a": nested}
    report = _check(as_bytes([service_obj(description=nested)]))
    _one(report, 1, "description", "Verwacht tekst")


def test_unknown_encoding_and_binary(app: Flask) -> None:
    report = _check(bytes(range(256)) * 20, None)
    assert "geen tekstbestand" in report.errors[0].message_nl


def test_file_over_the_size_limit_is_refused(app: Flask, tmp_path: Path) -> None:
    big = tmp_path / "groot.json"
    big.write_bytes(as_bytes([service_obj(n) for n in range(1, 200)]))
    report = _check(big, max_bytes=1000)
    assert "te groot" in report.errors[0].message_nl and "MB" in report.errors[0].message_nl
    app.config["MAX_IMPORT_BYTES"] = 500
    report = _check(big.read_bytes())
    assert "te groot" in report.errors[0].message_nl


def test_zip_bomb_is_refused() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("services.csv", b"a" * 5_000_000)
    with pytest.raises(ImportFailed, match="te groot"):
        read_zip(buffer.getvalue(), max_bytes=100_000)


def test_wrong_types(app: Flask) -> None:
    svc = service_obj(name=42, phones="038-1", minimum_age="oud", schedules=[7])
    report = _check(as_bytes([svc]))
    _one(report, 1, "name", "Verwacht tekst")
    _one(report, 1, "phones", "Verwacht een lijst")
    _one(report, 1, "minimum_age", "geheel getal")
    _one(report, 1, "schedules[0]", "Verwacht een object")
    report = _check(as_bytes({"services": []}))
    assert "lijst met diensten" in report.errors[0].message_nl
    report = _check(as_bytes([service_obj(), "tekst"]))
    assert report.errors[0].row == 2


def test_duplicate_ids(app: Flask) -> None:
    report = _check(as_bytes([service_obj(1), service_obj(2), service_obj(1)]))
    _one(report, 3, "id", "rij 1")


def test_service_without_organisation(app: Flask) -> None:
    report = _check(as_bytes([service_obj(1), service_obj(2, organization=None)]))
    _one(report, 2, "organization", "geen organisatie")
    svc = service_obj(3, organization=None)
    svc["organization_id"] = "0b9d7c6e-1f2a-4b3c-8d4e-000000000000"
    report = _check(as_bytes([svc]))
    _one(report, 1, "organization_id", "niet in het bestand")


def test_coordinates_outside_the_netherlands(app: Flask) -> None:
    svc = service_obj()
    location = svc["service_at_locations"][0]["location"]
    location["latitude"], location["longitude"] = 6.09, 52.51  # swapped
    report = _check(as_bytes([svc]))
    _one(report, 1, "service_at_locations[0].location.latitude", "buiten Nederland")


def test_unknown_municipality_names(app: Flask) -> None:
    svc = service_obj(
        service_areas=[{"name": "Zwole"}, {"extent_type": "cbs_gemeentecode", "extent": "GM9999"}]
    )
    report = _check(as_bytes([svc]))
    _one(report, 1, "service_areas[0].name", "Bedoelt u: Zwolle")
    _one(report, 1, "service_areas[1].extent", "GM9999")


def test_invalid_enum_values(app: Flask) -> None:
    svc = service_obj(status="open")
    svc["x_wegwijzer"]["publication_status"] = "live"
    svc["schedules"][0].update(opens_at="25:00", byday="MAANDAGMIDDAG")
    svc["attributes"].append({"taxonomy_term": {"taxonomy": "wegwijzer-thema", "code": "zwemmen"}})
    svc["service_at_locations"][0]["location"]["location_type"] = "hoofdkantoor"
    report = _check(as_bytes([svc]))
    _one(report, 1, "status", "kies uit: active, inactive")
    _one(report, 1, "x_wegwijzer.publication_status", "gepubliceerd")
    _one(report, 1, "schedules[0].opens_at", "09:00")
    _one(report, 1, "schedules[0].byday", "MO,WE")
    _one(report, 1, "attributes[2].taxonomy_term.code", "schulden")
    _one(report, 1, "service_at_locations[0].location.location_type", "physical")


def test_bad_email_url_and_dates(app: Flask) -> None:
    svc = service_obj(email="geen mail", url="javascript:alert(1)")
    svc["x_wegwijzer"]["last_verified_at"] = "gisteren"
    report = _check(as_bytes([svc]))
    _one(report, 1, "email", "e-mailadres")
    _one(report, 1, "url", "webadres")
    _one(report, 1, "x_wegwijzer.last_verified_at", "datum")


def test_too_long_text_is_refused_before_the_database_sees_it(app: Flask) -> None:
    report = _check(as_bytes([service_obj(name="x" * 300)]))
    _one(report, 1, "name", "hoogstens 255")


def test_one_bad_row_blocks_the_whole_file(app: Flask) -> None:
    good = [service_obj(n) for n in range(1, 10)]
    bad = service_obj(10, status="kapot")
    report = _check(as_bytes([*good, bad]))
    assert report.counts["service"].created == 10  # what would have happened
    assert "Niet geïmporteerd" in report.summary_nl()


def test_empty_inputs(app: Flask) -> None:
    assert "geen diensten" in _check(b"[]").errors[0].message_nl
    assert "leeg" in _check(b"", "csv").errors[0].message_nl
    report = _check(b"naam;omschrijving\nx;y\n", "csv")
    assert "'organisatie' en 'naam' zijn verplicht" in report.errors[0].message_nl


def test_missing_file_and_wrong_format_for_input(app: Flask, tmp_path: Path) -> None:
    assert "bestaat niet" in _check(tmp_path / "weg.json").errors[0].message_nl
    (tmp_path / "map").mkdir()
    assert "map" in _check(tmp_path / "map", "hsds").errors[0].message_nl
    assert "zip" in _check(b"id,name\n", "hsds-csv").errors[0].message_nl


# -- fuzzing: only ImportFailed may leave a parser; import_file never raises -------------------

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_parsers_with_bytes(data: bytes) -> None:
    for parse in (parse_hsds_json, parse_flat_csv):
        with contextlib.suppress(ImportFailed):
            parse(data)
    with contextlib.suppress(ImportFailed):
        parse_datapackage({"services.csv": data, "phones.csv": data[::-1]})


@FUZZ
@given(st.text(max_size=500, alphabet=st.characters(codec="utf-8")))
def test_fuzz_csv_parser_with_text(text: str) -> None:
    for body in (text, "organisatie;naam;gemeenten;openingstijden;thema\n" + text):
        with contextlib.suppress(ImportFailed):
            parse_flat_csv(body.encode("utf-8"))


SERVICE_KEYS = list(service_obj().keys()) + ["organization_id", "contacts", "languages"]


@FUZZ
@given(
    st.lists(st.dictionaries(st.sampled_from(SERVICE_KEYS), json_values, max_size=6), max_size=3)
)
def test_fuzz_import_with_hsds_shaped_junk(app: Flask, services: list[dict[str, Any]]) -> None:
    report = import_file(as_bytes(services), "hsds", dry_run=True, actor="fuzz")
    assert isinstance(report, ImportReport)


def _mutate(value: Any, rng: random.Random) -> Any:
    """Replace one random value somewhere inside ``value`` by something of another type."""
    junk = [None, 7, -1.5, True, "", "x" * 300, [], {}, ["a"], {"id": 3}, "GM0000", "25:61"]
    if isinstance(value, dict) and value and rng.random() < 0.8:
        key = rng.choice(list(value))
        value[key] = _mutate(value[key], rng)
        return value
    if isinstance(value, list) and value and rng.random() < 0.8:
        i = rng.randrange(len(value))
        value[i] = _mutate(value[i], rng)
        return value
    return rng.choice(junk)


@FUZZ
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=6))
def test_fuzz_import_with_mutated_demo_services(app: Flask, seed: int, mutations: int) -> None:
    rng = random.Random(seed)
    services = copy.deepcopy(rng.sample(demo_services(), 3))
    for _ in range(mutations):
        _mutate(services, rng)
    report = import_file(json.dumps(services).encode(), "hsds", dry_run=True, actor="fuzz")
    assert isinstance(report, ImportReport)
