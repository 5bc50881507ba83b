"""``wegwijzer search``, ``reindex`` and ``generate`` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from wegwijzer import create_app
from wegwijzer.extensions import Database, db
from wegwijzer.models import Location, Municipality, Schedule, Service, ServiceArea

ENV = {"WEGWIJZER_SECRET_KEY": "cli-test-secret-key-0123456789abcdef"}


def run(runner: CliRunner, *args: str) -> str:
    from wegwijzer.cli import main

    result = runner.invoke(main, list(args), env=ENV)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def generated(runner: CliRunner, instance_dir: Path) -> Path:
    run(runner, "init", "--instance", str(instance_dir))
    out = run(runner, "generate", "--count", "400", "--seed", "4", "--instance", str(instance_dir))
    assert "Toegevoegd: 400 diensten" in out
    assert "zoekindex met 400 diensten" in out
    return instance_dir


def test_generate_makes_realistic_published_services(generated: Path) -> None:
    app = create_app(
        dict(ENV, SECRET_KEY=ENV["WEGWIJZER_SECRET_KEY"]), instance_path=str(generated)
    )
    with app.app_context():
        s = db.session
        assert s.scalar(select(func.count()).select_from(Service)) == 400
        assert (
            s.scalar(
                select(func.count())
                .select_from(Service)
                .where(Service.publication_status != "gepubliceerd")
            )
            == 0
        )
        national = s.scalar(
            select(func.count())
            .select_from(ServiceArea)
            .where(ServiceArea.extent_type == "landelijk")
        )
        assert 0 < national < 80
        municipalities = s.scalar(select(func.count(func.distinct(ServiceArea.gm_code))))
        assert municipalities > 100
        assert s.scalar(select(func.count()).select_from(Location)) > 250
        assert s.scalar(select(func.count()).select_from(Schedule)) > 100
        assert (
            s.scalar(
                select(func.count())
                .select_from(Municipality)
                .where(Municipality.debt_help_service_id.is_not(None))
            )
            > 100
        )
        descriptions = s.scalars(select(Service.description)).all()
        assert len(set(descriptions)) > 390
        assert all(len(d.split()) >= 30 for d in descriptions[:50])
    Database.engine(app).dispose()


def test_search_command_prints_results(runner: CliRunner, generated: Path) -> None:
    out = run(runner, "search", "schuldhulp", "--near", "8011", "--instance", str(generated))
    assert "resultaten bij 8011 Zwolle" in out
    assert "1. " in out
    out = run(runner, "search", "deurwaarder", "--near", "Zwolle", "--instance", str(generated))
    assert "Dringend" in out
    assert "[eerst: schuldhulp gemeente]" in out.splitlines()[2]
    out = run(runner, "search", "budgetcoahc", "--instance", str(generated))
    assert "Bedoelde u: budgetcoach?" in out
    assert "Geen goede match" not in out
    out = run(runner, "search", "xyzzyplof", "--instance", str(generated))
    assert "Geen goede match" in out


def test_search_command_json_and_filters(runner: CliRunner, generated: Path) -> None:
    out = run(
        runner,
        "search",
        "",
        "--thema",
        "schulden",
        "--toegang",
        "inloop",
        "--json",
        "--per-page",
        "100",
        "--instance",
        str(generated),
    )
    data = json.loads(out)
    assert data["total"] > 0
    assert all("schulden" in r["themes"] for r in data["results"])
    assert set(data["facets"]["toegang"]) >= {"inloop"}


def test_search_command_unknown_place_is_one_line(runner: CliRunner, generated: Path) -> None:
    from wegwijzer.cli import main

    result = runner.invoke(
        main, ["search", "schulden", "--near", "Zwolel", "--instance", str(generated)], env=ENV
    )
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Fout: Plaats of postcode 'Zwolel' niet gevonden. Bedoelt u: ")
    assert "Zwolle" in lines[0]


def test_reindex_rebuilds_and_swaps(runner: CliRunner, generated: Path) -> None:
    index = generated / "index"
    before = (index / "current").read_text()
    out = run(runner, "reindex", "--instance", str(generated))
    assert "Zoekindex opnieuw gebouwd: 400 diensten" in out
    assert (index / "current").read_text() != before
    out = run(runner, "search", "", "--json", "--instance", str(generated))
    assert json.loads(out)["total"] == 400


def test_generate_is_repeatable(runner: CliRunner, tmp_path: Path) -> None:
    names = []
    for n in (1, 2):
        instance = tmp_path / f"inst{n}"
        instance.mkdir()
        run(runner, "init", "--instance", str(instance))
        run(runner, "generate", "--count", "30", "--seed", "9", "--instance", str(instance))
        out = run(runner, "search", "", "--json", "--per-page", "100", "--instance", str(instance))
        names.append(sorted(r["name"] for r in json.loads(out)["results"]))
    assert names[0] == names[1]


def test_generate_needs_taxonomy(runner: CliRunner, instance_dir: Path) -> None:
    from wegwijzer.cli import main

    result = runner.invoke(
        main, ["generate", "--count", "5", "--instance", str(instance_dir)], env=ENV
    )
    assert result.exit_code != 0
    assert "wegwijzer init" in result.output
