"""`wegwijzer backup` and `wegwijzer restore`: a backup restored into an empty instance exports
exactly what the original exports (SQLite via its online backup API, PostgreSQL via pg_dump and
pg_restore), brings the instance's config.py along, and rebuilds the search index."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from wegwijzer import create_app
from wegwijzer.cli import main
from wegwijzer.devtools.generate import generate_services
from wegwijzer.domain.places import gazetteer
from wegwijzer.extensions import Database, db
from wegwijzer.infra.database import upgrade_database
from wegwijzer.models import Service
from wegwijzer.search import ensure_index
from wegwijzer.services.municipalities import load_municipalities
from wegwijzer.services.taxonomy import load_taxonomies

from .ops_support import ROOT, SECRET, own_pg_database

CONFIG = "STALE_MONTHS = 5\n"


def _env(url: str | None = None) -> dict[str, str]:
    env = {"WEGWIJZER_SECRET_KEY": SECRET}
    if url:
        env["WEGWIJZER_DATABASE_URL"] = url
    return env


def _cli(runner: CliRunner, env: dict[str, str], *args: str) -> str:
    out = runner.invoke(main, list(args), env=env, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return out.output


def _export(runner: CliRunner, env: dict[str, str], instance: Path, target: Path) -> object:
    _cli(runner, env, "export", str(target), "--internal", "--instance", str(instance))
    return json.loads(target.read_text(encoding="utf-8"))


def test_sqlite_backup_restores_into_an_empty_instance(
    app: Flask, make_service: Callable[..., Service], runner: CliRunner, tmp_path: Path
) -> None:
    make_service("Schuldhulp Zwolle", description="Hulp bij schulden.")
    make_service(
        "Budgetcoach Kampen", description="Budget.", gm_codes=["GM0166"], lat=52.5, lon=5.9
    )
    make_service("Concept Dalfsen", publication_status="concept", private_contact={"name": "X"})
    ensure_index(app)
    source = tmp_path / "instance-a"
    source.mkdir()
    (source / "config.py").write_text(CONFIG, encoding="utf-8")
    env_a = _env(app.config["DATABASE_URL"])
    before = _export(runner, env_a, source, tmp_path / "a.json")
    assert len(before) == 3  # type: ignore[arg-type]

    backup = tmp_path / "backup-1"
    out = _cli(runner, env_a, "backup", str(backup), "--instance", str(source))
    assert "Reservekopie gemaakt" in out and "3 diensten" in out
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"] == "sqlite" and manifest["instance_files"] == ["config.py"]
    assert (backup / "instance" / "config.py").read_text() == CONFIG
    assert oct((backup / "wegwijzer.sqlite3").stat().st_mode & 0o777) == "0o600"
    # A second backup into the same place is refused: nothing is overwritten.
    refused = runner.invoke(main, ["backup", str(backup), "--instance", str(source)], env=env_a)
    assert refused.exit_code == 1 and "bestaat al" in refused.output

    target = tmp_path / "instance-b"  # empty: its own default SQLite file
    env_b = _env()
    out = _cli(runner, env_b, "restore", str(backup), "--instance", str(target))
    assert "3 diensten" in out and "zoekindex met 2 diensten" in out
    assert (target / "config.py").read_text() == CONFIG
    after = _export(runner, env_b, target, tmp_path / "b.json")
    assert after == before
    found = _cli(runner, env_b, "search", "schulden", "--instance", str(target))
    assert "Schuldhulp Zwolle" in found
    # Restoring over data needs --force.
    again = runner.invoke(main, ["restore", str(backup), "--instance", str(target)], env=env_b)
    assert again.exit_code == 1 and "bevat al gegevens" in again.output
    _cli(runner, env_b, "restore", str(backup), "--force", "--instance", str(target))
    assert _export(runner, env_b, target, tmp_path / "c.json") == before


def test_backup_of_a_served_instance_is_taken_while_it_writes(
    app: Flask, runner: CliRunner, tmp_path: Path
) -> None:
    """The online backup API copies one consistent state while another process writes."""
    import subprocess
    import sys
    import textwrap

    generate_services(db.session, gazetteer(), 50, seed=2)
    db.remove()
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys, time
                from wegwijzer import create_app
                from wegwijzer.extensions import db
                from wegwijzer.devtools.generate import generate_services
                from wegwijzer.domain.places import gazetteer
                app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32,
                                  "DATABASE_URL": sys.argv[1], "INDEX_DIR": sys.argv[2]},
                                 instance_path=sys.argv[3])
                with app.app_context():
                    print("writing", flush=True)
                    for seed in range(10, 30):
                        generate_services(db.session, gazetteer(), 20, seed=seed)
                """
            ),
            app.config["DATABASE_URL"],
            str(tmp_path / "w-index"),
            str(tmp_path / "w-instance"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        env = _env(app.config["DATABASE_URL"])
        _cli(runner, env, "backup", str(tmp_path / "b"), "--instance", str(tmp_path / "a"))
    finally:
        writer.wait(timeout=120)
        if writer.stdout is not None:
            writer.stdout.close()
    assert writer.returncode == 0
    import sqlite3

    conn = sqlite3.connect(tmp_path / "b" / "wegwijzer.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        services = conn.execute("SELECT count(*) FROM services").fetchone()[0]
    finally:
        conn.close()
    # Whole batches only (each generate call is one transaction).
    assert services >= 50 and (services - 50) % 20 == 0


def test_postgresql_backup_restores_into_an_empty_database(
    runner: CliRunner, tmp_path: Path
) -> None:
    assert os.path.exists("/usr/bin/pg_dump") or __import__("shutil").which("pg_dump")
    with own_pg_database() as (url_a, _admin), own_pg_database() as (url_b, _admin_b):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": SECRET,
                "DATABASE_URL": url_a,
                "INDEX_DIR": str(tmp_path / "index-a"),
            },
            instance_path=str(tmp_path / "instance-a"),
        )
        with app.app_context():
            upgrade_database(app)
            load_taxonomies(db.session, ROOT / "data" / "taxonomy.json")
            load_municipalities(db.session, gazetteer())
            generate_services(db.session, gazetteer(), 40, seed=9)
            db.remove()
        Database.engine(app).dispose()
        source = tmp_path / "instance-a"
        (source / "config.py").write_text(CONFIG, encoding="utf-8")
        before = _export(runner, _env(url_a), source, tmp_path / "a.json")
        assert len(before) == 40  # type: ignore[arg-type]
        backup = tmp_path / "pg-backup"
        out = _cli(runner, _env(url_a), "backup", str(backup), "--instance", str(source))
        assert "postgresql, 40 diensten" in out
        assert (backup / "wegwijzer.pgdump").stat().st_size > 0
        target = tmp_path / "instance-b"
        out = _cli(runner, _env(url_b), "restore", str(backup), "--instance", str(target))
        assert "40 diensten" in out
        assert _export(runner, _env(url_b), target, tmp_path / "b.json") == before
        # A SQLite instance cannot take a PostgreSQL backup: say so, change nothing.
        wrong = runner.invoke(
            main, ["restore", str(backup), "--instance", str(tmp_path / "c")], env=_env()
        )
        assert wrong.exit_code == 1 and "postgresql-database" in wrong.output
