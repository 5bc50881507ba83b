"""Import options: --skip-invalid (take the valid services, list the others with their reasons),
--publish (a trusted import; inactive and defunct services never published), and a report
with one line per cause."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from tests.interop_support import as_bytes, service_obj, table_counts
from wegwijzer.cli import main
from wegwijzer.extensions import db
from wegwijzer.interop import import_file
from wegwijzer.interop.report import rejected_csv
from wegwijzer.models import Service

ENV = {"WEGWIJZER_SECRET_KEY": "cli-test-secret-key-0123456789abcdef"}


def _abroad(n: int) -> dict[str, object]:
    """A service whose only location lies in Paris."""
    svc = service_obj(n)
    loc = svc["service_at_locations"][0]["location"]  # type: ignore[index]
    loc.update(id=f"5e1d0000-0000-4000-9000-{n:012d}", latitude=48.8566, longitude=2.3522)
    loc["addresses"] = []
    return svc


def _mixed() -> bytes:
    return as_bytes([service_obj(1), _abroad(2), service_obj(3, status="open")])


def _names() -> set[str]:
    return set(db.session.scalars(select(Service.name)))


def test_default_is_all_or_nothing(app: Flask) -> None:
    before = table_counts(db.session)
    report = import_file(_mixed(), "hsds", dry_run=False, actor="t")
    assert not report.ok and not report.written
    assert {p.row for p in report.errors} == {2, 3}
    assert table_counts(db.session) == before


def test_skip_invalid_imports_the_valid_services_and_lists_the_rest(app: Flask) -> None:
    report = import_file(_mixed(), "hsds", dry_run=False, actor="t", skip_invalid=True)
    assert report.ok and report.written
    assert "Geldhulp 1" in _names()
    assert not {"Geldhulp 2", "Geldhulp 3"} & _names()
    assert [(r.row, r.id, r.name) for r in report.rejected] == [
        (2, "5e1d0000-0000-4000-8000-000000000002", "Geldhulp 2"),
        (3, "5e1d0000-0000-4000-8000-000000000003", "Geldhulp 3"),
    ]
    # The location abroad is a problem of that service only.
    assert any("buiten Nederland" in p.message_nl for p in report.rejected[0].reasons)
    assert any("kies uit" in p.message_nl for p in report.rejected[1].reasons)
    assert "2 dienst(en) met fouten overgeslagen" in report.summary_nl()


def test_skip_invalid_leaves_out_what_depends_on_a_left_out_service(app: Flask) -> None:
    # Service 2 names the organisation only by id; the organisation comes with service 1,
    # which has an error: both go.
    first = service_obj(1, status="open")
    second = service_obj(2, organization=None, organization_id=first["organization"]["id"])
    third = service_obj(3)
    third["organization"] = {**third["organization"], "id": "0b9d7c6e-1f2a-4b3c-8d4e-000000000333"}
    report = import_file(
        as_bytes([first, second, third]), "hsds", dry_run=False, actor="t", skip_invalid=True
    )
    assert report.ok, [str(p) for p in report.errors]
    assert [r.row for r in report.rejected] == [1, 2]
    assert _names() == {"Geldhulp 3"}


def test_skip_invalid_with_nothing_valid_writes_nothing(app: Flask) -> None:
    before = table_counts(db.session)
    report = import_file(
        as_bytes([_abroad(2)]), "hsds", dry_run=False, actor="t", skip_invalid=True
    )
    assert not report.ok
    assert table_counts(db.session) == before


def test_publish_publishes_but_never_inactive_or_defunct(app: Flask) -> None:
    services = [service_obj(1), service_obj(2, status="defunct"), service_obj(3)]
    for svc in services:
        del svc["x_wegwijzer"]
    report = import_file(as_bytes(services), "hsds", dry_run=False, actor="t", publish=True)
    assert report.ok, [str(p) for p in report.errors]
    status = dict(db.session.execute(select(Service.name, Service.publication_status)).all())
    assert status == {
        "Geldhulp 1": "gepubliceerd",
        "Geldhulp 2": "gearchiveerd",
        "Geldhulp 3": "gepubliceerd",
    }
    assert report.published == 2
    assert any("inactive of defunct" in p.message_nl for p in report.warnings)


def test_without_publish_new_services_are_concepts_and_a_defunct_one_is_not_published(
    app: Flask,
) -> None:
    plain = service_obj(1)
    del plain["x_wegwijzer"]
    # The file says "gepubliceerd", but the service is defunct.
    stopped = service_obj(2, status="inactive")
    report = import_file(as_bytes([plain, stopped]), "hsds", dry_run=False, actor="t")
    assert report.ok
    status = dict(db.session.execute(select(Service.name, Service.publication_status)).all())
    assert status == {"Geldhulp 1": "concept", "Geldhulp 2": "gearchiveerd"}


def test_one_line_per_cause_with_the_rows(app: Flask) -> None:
    missing = "org-bestaat-niet"
    services = [
        service_obj(n, organization=None, organization_id=missing) for n in range(1, 8)
    ]
    report = import_file(as_bytes(services), "hsds", dry_run=True, actor="t")
    groups = [g for g in report.grouped() if g.is_error]
    assert len(groups) == 1
    assert groups[0].rows == [1, 2, 3, 4, 5, 6, 7]
    assert groups[0].rows_text() == "1-7"
    assert missing in groups[0].message_nl
    assert "rijen 1-7 (7 rijen)" in groups[0].line_nl()


def test_cli_skip_invalid_writes_the_rejected_file_and_publish(
    runner: CliRunner, instance_dir: Path, tmp_path: Path
) -> None:
    inst = ["--instance", str(instance_dir)]
    assert runner.invoke(main, ["init", *inst], env=ENV).exit_code == 0
    source = tmp_path / "aanlevering.json"
    source.write_bytes(_mixed())
    result = runner.invoke(main, ["import", str(source), *inst], env=ENV)
    assert result.exit_code == 1, result.output
    assert "Gevonden: HSDS 3.0 (JSON)" in result.output
    target = tmp_path / "afgewezen.csv"
    result = runner.invoke(
        main,
        ["import", str(source), "--skip-invalid", "--publish", "--rejected", str(target), *inst],
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    assert f"de redenen staan in {target}" in result.output
    assert "overgeslagen: rij 2" in result.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["bestand", "rij", "id", "naam", "redenen"]
    assert [r[1:4] for r in rows[1:]] == [
        ["2", "5e1d0000-0000-4000-8000-000000000002", "Geldhulp 2"],
        ["3", "5e1d0000-0000-4000-8000-000000000003", "Geldhulp 3"],
    ]
    assert "buiten Nederland" in rows[1][4]
    assert "1 dienst(en) gepubliceerd" in result.output


def test_skip_invalid_hands_spreadsheet_rows_back_as_they_were(app: Flask) -> None:
    body = (
        b"organisatie;naam;gemeenten;eigen kolom\n"
        b"Stichting A;Goede dienst;Zwolle;x\n"
        b"Stichting A;Foute dienst;Atlantis;bewaar mij\n"
    )
    report = import_file(body, "csv", dry_run=False, actor="t", skip_invalid=True)
    assert report.ok and report.written
    assert _names() == {"Goede dienst"}
    [item] = report.rejected
    assert (item.row, item.id, item.name) == (3, "", "Foute dienst")
    rows = list(csv.reader(io.StringIO(rejected_csv(report))))
    assert rows[0] == ["organisatie", "naam", "gemeenten", "eigen kolom", "redenen"]
    assert rows[1][:4] == ["Stichting A", "Foute dienst", "Atlantis", "bewaar mij"]
    assert "Atlantis" in rows[1][4]
