"""HSDS tabular packages and the flat spreadsheet: encodings, delimiters, round trips, safety."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from tests.interop_support import DEMO, as_bytes, directory, second_app, service_obj, table_counts
from wegwijzer.cli import main
from wegwijzer.extensions import db
from wegwijzer.interop import export_flat_csv, export_hsds_csv, export_hsds_json, import_file
from wegwijzer.interop.flat_csv import HEADERS, PUBLIC_HEADERS, parse_opening_hours
from wegwijzer.models import Service

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"


def _import(source: object, fmt: str | None = None, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("dry_run", False)
    kw.setdefault("actor", "test")
    return import_file(source, fmt, **kw)  # type: ignore[arg-type]


def _flat(internal: bool = False) -> str:
    buffer = io.StringIO()
    export_flat_csv(db.session, buffer, internal=internal)
    return buffer.getvalue()


# -- HSDS tabular data package --------------------------------------------------------------


def test_datapackage_round_trip_directory_and_zip(
    app: Flask, template_db: Path, tmp_path: Path
) -> None:
    _import(DEMO, "hsds")
    original = directory(db.session)
    json_export = export_hsds_json(db.session, internal=True)
    export_hsds_csv(db.session, tmp_path / "pakket", internal=True)
    export_hsds_csv(db.session, tmp_path / "pakket.zip", internal=True)
    names = {p.name for p in (tmp_path / "pakket").iterdir()}
    assert {"datapackage.json", "services.csv", "organizations.csv", "schedules.csv"} <= names
    with zipfile.ZipFile(tmp_path / "pakket.zip") as archive:
        assert "services.csv" in archive.namelist()
    for n, source in enumerate((tmp_path / "pakket", tmp_path / "pakket.zip")):
        with second_app(template_db, tmp_path / f"app{n}"):
            report = _import(source)
            assert report.format == "hsds-csv"
            assert report.ok and report.problems == [], report.problems
            assert directory(db.session) == original
            again = export_hsds_json(db.session, internal=True)
        assert [{k: v for k, v in s.items() if k != "last_modified"} for s in again] == [
            {k: v for k, v in s.items() if k != "last_modified"} for s in json_export
        ]


def test_datapackage_reimport_is_unchanged(app: Flask, tmp_path: Path) -> None:
    _import(DEMO, "hsds")
    export_hsds_csv(db.session, tmp_path / "p", internal=True)
    before = table_counts(db.session)
    report = _import(tmp_path / "p")
    assert report.ok and report.counts["service"].updated == 0
    assert report.counts["service"].unchanged == len(directory(db.session))
    assert table_counts(db.session) == before


def test_datapackage_public_export_has_no_private_columns(app: Flask, tmp_path: Path) -> None:
    _import(DEMO, "hsds")
    export_hsds_csv(db.session, tmp_path / "p")
    services = (tmp_path / "p" / "services.csv").read_text(encoding="utf-8")
    assert "internal_notes" not in services and "Wettelijke taak" not in services
    phones = (tmp_path / "p" / "phones.csv").read_text(encoding="utf-8")
    assert "038-0000500" not in phones  # the non-public direct line


def test_datapackage_without_services_table_is_refused(app: Flask, tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "organizations.csv").write_text("id,name\n1,x\n", encoding="utf-8")
    report = _import(tmp_path / "p")
    assert not report.ok and "services.csv" in report.errors[0].message_nl


# -- flat spreadsheet -------------------------------------------------------------------------


def test_template_documents_every_column() -> None:
    template = (TEMPLATES / "wegwijzer-diensten.csv").read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(template), delimiter=";"))
    assert tuple(header) == PUBLIC_HEADERS
    doc = (TEMPLATES / "wegwijzer-diensten.md").read_text(encoding="utf-8")
    for column in HEADERS:
        assert f"`{column}`" in doc


def test_template_example_rows_import_cleanly(app: Flask) -> None:
    report = _import(TEMPLATES / "wegwijzer-diensten.csv")
    assert report.format == "csv"
    assert report.ok, report.problems
    assert report.errors == [] and report.warnings == []
    assert report.counts["service"].created == 2
    svc = db.session.scalar(select(Service).where(Service.name == "Inloopspreekuur geldzaken"))
    assert svc.organization.name == "Stichting Voorbeeldhulp"
    assert svc.gm_codes == ["GM0166", "GM0193"]
    assert svc.codes("wegwijzer-thema") == ["brieven-formulieren", "schulden"]
    assert {(s.byday, s.opens_at, s.closes_at, s.attending_type) for s in svc.schedules} == {
        ("MO", "09:00", "12:00", "inloop"),
        ("WE", "13:00", "16:00", "op-afspraak"),
    }
    location = svc.service_at_locations[0].location
    assert location.gm_code == "GM0193" and location.latitude is not None
    assert svc.url == "https://www.voorbeeldhulp.example.org"
    assert svc.warm_handover is True and svc.handover_needs == [
        "Toestemming van de inwoner",
        "Overzicht van brieven",
    ]


ROWS = [
    ["organisatie", "naam", "telefoon", "postcode", "plaats", "gemeenten", "thema"]
    + ["openingstijden"],
    ["Stichting Één", "Hulp bij geldzaken", "038-0000111", "8011 AB", "Zwolle", "Zwolle"]
    + ["schulden", "ma-vr 9:00-12:00"],
    ["Stichting Één", "Thuisadministratie", "", "", "Kampen", "GM0166, Dalfsen"]
    + ["thuisadministratie; budget", "di 13.00 - 15.30 telefonisch"],
]


def _csv_bytes(delimiter: str, encoding: str, newline: str = "\r\n", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(ROWS)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


@pytest.mark.parametrize(
    ("data", "latin"),
    [
        (_csv_bytes(";", "utf-8", bom=True), False),
        (_csv_bytes(",", "utf-8", newline="\n"), False),
        (_csv_bytes(";", "cp1252"), True),
        (_csv_bytes("\t", "utf-16"), False),
        (b"sep=;\r\n" + _csv_bytes(";", "utf-8"), False),
    ],
    ids=["semicolon-bom", "comma-lf", "excel-cp1252-crlf", "excel-unicode-text", "excel-sep-line"],
)
def test_flat_csv_dialects_and_encodings(app: Flask, data: bytes, latin: bool) -> None:
    report = _import(data, "csv")
    assert report.ok, report.problems
    assert report.counts["service"].created == 2 and report.counts["organization"].created == 1
    assert any("Windows-1252" in p.message_nl for p in report.warnings) == latin
    services = {s.name: s for s in db.session.scalars(select(Service))}
    assert services["Hulp bij geldzaken"].organization.name == "Stichting Één"
    first = services["Hulp bij geldzaken"]
    assert first.schedules[0].byday == "MO,TU,WE,TH,FR"
    second = services["Thuisadministratie"]
    assert second.gm_codes == ["GM0148", "GM0166"]
    assert (second.schedules[0].opens_at, second.schedules[0].closes_at) == ("13:00", "15:30")
    assert second.schedules[0].attending_type == "telefonisch"
    assert second.service_at_locations[0].location.gm_code == "GM0166"
    assert second.publication_status == "concept"
    assert any("concept" in p.message_nl for p in report.warnings)


def test_flat_round_trip_and_reimport_of_hsds_data_changes_nothing(
    app: Flask, template_db: Path, tmp_path: Path
) -> None:
    _import(DEMO, "hsds")
    original = directory(db.session)
    text = _flat(internal=True)
    before = table_counts(db.session)
    report = _import(text.encode("utf-8"), "csv")
    assert report.ok, report.problems
    assert report.counts["service"].updated == 0, [p for p in report.problems]
    assert table_counts(db.session) == before
    db.session.expire_all()
    assert directory(db.session) == original
    with second_app(template_db, tmp_path / "other"):
        report = _import(text.encode("utf-8"), "csv")
        assert report.ok, report.problems
        assert _flat(internal=True) == text


def test_flat_reimport_keeps_the_time_of_last_verification(app: Flask) -> None:
    from datetime import UTC, datetime

    _import(as_bytes([service_obj()]), "hsds")
    svc = db.session.scalar(select(Service))
    svc.last_verified_at = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    db.session.commit()
    report = _import(_flat().encode(), "csv")
    assert report.counts["service"].unchanged == 1
    changed = _flat().replace("2026-11-20", "2026-11-21")
    assert _import(changed.encode(), "csv").counts["service"].updated == 1
    db.session.expire_all()
    assert db.session.get(Service, svc.id).last_verified_at == datetime(2026, 11, 21, tzinfo=UTC)


def test_flat_import_only_changes_the_columns_it_has(app: Flask) -> None:
    _import(as_bytes([service_obj()]), "hsds")
    svc = db.session.scalar(select(Service))
    data = f"id;organisatie;naam;thema\n{svc.id};Stichting Testhulp;Geldhulp 1;budget\n"
    report = _import(data.encode(), "csv")
    assert report.ok, report.problems
    assert report.counts["service"].updated == 1
    db.session.expire_all()
    svc = db.session.get(Service, svc.id)
    assert svc.codes("wegwijzer-thema") == ["budget"]
    assert svc.codes("wegwijzer-fase") == ["nazorg"]  # no fase column: kept
    assert [p.number for p in svc.phones] == ["038-0000999"]
    assert svc.description == "Hulp bij brieven en rekeningen."
    assert svc.organization.description == "Vrijwilligers helpen met geldzaken."


def test_flat_csv_problems_name_row_and_column(app: Flask) -> None:
    data = (
        "organisatie;naam;gemeenten;thema;openingstijden;e-mail;publicatiestatus\n"
        "Org;Goed;Zwolle;schulden;ma 9-12;a@b.nl;gepubliceerd\n"
        "Org;Fout;Atlantis;zwemmen;maandag ochtend;geen-mail;live\n"
    )
    before = table_counts(db.session)
    report = _import(data.encode(), "csv")
    assert not report.ok
    found = {(p.row, p.field) for p in report.errors}
    assert {
        (3, "gemeenten"),
        (3, "thema"),
        (3, "openingstijden"),
        (3, "e-mail"),
        (3, "publicatiestatus"),
    } <= found
    assert not any(p.row == 2 for p in report.errors)
    assert table_counts(db.session) == before


def test_opening_hours_notation() -> None:
    schedules, errors = parse_opening_hours(
        "ma t/m vr 8:30-17:00 telefonisch; za 10.00-12.00; gesloten 2026-12-24 t/m 2026-12-26"
    )
    assert errors == []
    assert schedules[0]["byday"] == "MO,TU,WE,TH,FR" and schedules[0]["opens_at"] == "8:30"
    assert schedules[1] == {
        "freq": "WEEKLY",
        "byday": "SA",
        "opens_at": "10:00",
        "closes_at": "12:00",
    }
    assert schedules[2]["x_wegwijzer"] == {"is_closed": True}
    _, errors = parse_opening_hours("soms open")
    assert errors and "soms open" in errors[0]


def test_formula_cells_are_neutralised_and_restored(app: Flask, tmp_path: Path) -> None:
    evil = service_obj(name='=HYPERLINK("http://x","klik")')
    evil["phones"][0]["number"] = "+31 38 000 0999"
    evil["description"] = "@SUM(A1)"
    _import(as_bytes([evil]), "hsds")
    flat = _flat()
    rows = list(csv.reader(io.StringIO(flat), delimiter=";"))
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells["naam"].startswith("'=")
    assert cells["telefoon"].startswith("'+")
    assert cells["omschrijving"].startswith("'@")
    export_hsds_csv(db.session, tmp_path / "p")
    services_csv = (tmp_path / "p" / "services.csv").read_text(encoding="utf-8")
    assert ",'=HYPERLINK" in services_csv.replace("\"'=", ",'=")
    assert not any(
        cell.startswith(("=", "+", "-", "@"))
        for row in csv.reader(io.StringIO(services_csv))
        for cell in row
    )
    before = directory(db.session)
    assert _import(flat.encode(), "csv").counts["service"].updated == 0
    assert _import(tmp_path / "p").counts["service"].updated == 0
    assert directory(db.session) == before


# -- command line -----------------------------------------------------------------------------

ENV = {"WEGWIJZER_SECRET_KEY": "cli-test-secret-key-0123456789abcdef"}


def test_cli_import_dry_run_report_then_import_and_export(
    runner: CliRunner, instance_dir: Path, tmp_path: Path
) -> None:
    inst = ["--instance", str(instance_dir)]
    assert runner.invoke(main, ["init", *inst], env=ENV).exit_code == 0
    bad = tmp_path / "fout.csv"
    bad.write_text("organisatie;naam;gemeenten\nOrg;Dienst;Atlantis\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(bad), "--dry-run", *inst], env=ENV)
    assert result.exit_code == 1
    assert "FOUT: rij 2, veld gemeenten: Onbekende gemeente 'Atlantis'" in result.output
    assert "Traceback" not in result.output

    result = runner.invoke(main, ["import", str(DEMO), "--dry-run", *inst], env=ENV)
    assert result.exit_code == 0, result.output
    assert "Proefimport" in result.output
    result = runner.invoke(main, ["import", str(DEMO), *inst], env=ENV)
    assert result.exit_code == 0, result.output
    assert "Geïmporteerd" in result.output and "79 nieuw" in result.output

    for name in ("kaart.json", "kaart.csv", "kaart.zip", "kaartmap"):
        result = runner.invoke(main, ["export", str(tmp_path / name), *inst], env=ENV)
        assert result.exit_code == 0, result.output
        assert "diensten geëxporteerd" in result.output
    assert (tmp_path / "kaart.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "kaartmap" / "datapackage.json").exists()
    result = runner.invoke(main, ["export", str(tmp_path / "x.json"), "--internal", *inst], env=ENV)
    assert "interne gegevens" in result.output
    again = runner.invoke(main, ["import", str(tmp_path / "x.json"), *inst], env=ENV)
    assert again.exit_code == 0 and "0 nieuw, 0 gewijzigd, 79 ongewijzigd" in again.output


def test_foreign_hsds_example_package_gets_problems_per_file_and_line(app: Flask) -> None:
    example = Path(__file__).resolve().parent.parent / "data" / "hsds" / "examples" / "csv"
    before = table_counts(db.session)
    report = _import(example, "hsds-csv")
    assert not report.ok
    places = {(p.file, p.row, p.field) for p in report.errors}
    assert ("locations.csv", 2, "latitude") in places  # latitude 100
    # A geojson area is kept (and exported again), with a warning: not used for searching.
    assert any(
        p.file == "service_areas.csv" and p.field == "extent_type" for p in report.warnings
    )
    assert any(p.file == "schedules.csv" and p.field == "attending_type" for p in report.warnings)
    assert table_counts(db.session) == before
