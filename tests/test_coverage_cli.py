"""``wegwijzer coverage``: the matrix for scripts and spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from wegwijzer.cli import main
from wegwijzer.models import PublicationStatus


@pytest.fixture
def instance(app: Flask, tmp_path: Path) -> list[str]:
    """Point the command at the test app's database."""
    return ["--instance", app.instance_path]


@pytest.fixture
def env(app: Flask) -> dict[str, str]:
    return {
        "WEGWIJZER_SECRET_KEY": "cli-test-secret-key-0123456789abcdef",
        "WEGWIJZER_DATABASE_URL": app.config["DATABASE_URL"],
        "WEGWIJZER_INDEX_DIR": app.config["INDEX_DIR"],
    }


def run(runner: CliRunner, env: dict[str, str], instance: list[str], *args: str):
    return runner.invoke(main, ["coverage", *args, *instance], env=env)


def test_csv_matrix_rows_phases_columns_terms(
    runner: CliRunner, env: dict[str, str], instance: list[str], make_service: Callable
) -> None:
    make_service("Lokaal", terms={"fase": ["nazorg"], "thema": ["budget"]}, gm_codes=["GM0193"])
    make_service(
        "Regio",
        terms={"fase": ["nazorg"], "thema": ["budget", "schulden"]},
        gm_codes=["GM0193", "GM0166"],
    )
    make_service("Landelijk", terms={"fase": ["nazorg"], "thema": ["budget"]}, national=True)
    make_service(
        "Concept",
        terms={"fase": ["nazorg"], "thema": ["budget"]},
        publication_status=PublicationStatus.CONCEPT,
    )
    result = run(runner, env, instance, "--municipality", "GM0193", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0][:3] == ["fase", "brieven-formulieren", "thuisadministratie"]
    assert len(rows[0]) == 11
    assert [r[0] for r in rows[1:]] == [
        "voor-aanmelding",
        "tijdens-traject",
        "begeleiding",
        "nazorg",
    ]
    nazorg = dict(zip(rows[0], rows[4], strict=True))
    assert nazorg["budget"] == "1/1/1"
    assert nazorg["schulden"] == "0/1/0"
    assert nazorg["maatje"] == "0/0/0"


def test_by_target_group_and_name_lookup(
    runner: CliRunner, env: dict[str, str], instance: list[str], make_service: Callable
) -> None:
    make_service(
        "Jong", terms={"fase": ["voor-aanmelding"], "doelgroep": ["jongeren"]}, gm_codes=["GM0166"]
    )
    result = run(runner, env, instance, "--municipality", "kampen", "--by", "doelgroep", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0][0] == "fase" and "jongeren" in rows[0]
    assert dict(zip(rows[0], rows[1], strict=True))["jongeren"] == "1/0/0"


def test_text_output_explains_the_cells(
    runner: CliRunner, env: dict[str, str], instance: list[str]
) -> None:
    result = run(runner, env, instance, "--municipality", "GM0193", "--by", "toegang")
    assert result.exit_code == 0, result.output
    assert "Dekking van Zwolle (GM0193): fase x toegang." in result.output
    assert "lokaal/regionaal/landelijk" in result.output
    assert "inloop" in result.output and "0/0/0" in result.output
    assert "Geen lokaal of regionaal aanbod: 20 van 20 vakjes." in result.output


def test_unknown_municipality_is_one_clear_line(
    runner: CliRunner, env: dict[str, str], instance: list[str]
) -> None:
    result = run(runner, env, instance, "--municipality", "GM9999")
    assert result.exit_code != 0
    assert "Onbekende gemeente: 'GM9999'" in result.output
    assert "Traceback" not in result.output


def test_bad_column_choice_is_refused(
    runner: CliRunner, env: dict[str, str], instance: list[str]
) -> None:
    result = run(runner, env, instance, "--municipality", "GM0193", "--by", "fase")
    assert result.exit_code == 2
    assert "fase" in result.output
