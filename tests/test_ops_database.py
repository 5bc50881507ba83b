"""The database goes away while the site serves: a calm 503 page (nl, en), a JSON error for the
API, /readyz says so, /healthz stays alive; when the database is back the site recovers by
itself, without a restart. SQLite: the file's directory is moved away (a lost mount);
PostgreSQL: connections are refused and cut, or the database is renamed."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from wegwijzer import create_app
from wegwijzer.devtools.generate import generate_services
from wegwijzer.domain.places import gazetteer
from wegwijzer.extensions import Database, db
from wegwijzer.infra.database import upgrade_database
from wegwijzer.models import Service
from wegwijzer.search import ensure_index
from wegwijzer.services.municipalities import load_municipalities
from wegwijzer.services.taxonomy import load_taxonomies

from .manage_support import login, make_user
from .ops_support import ROOT, cli_env, get, own_pg_database, run_cli, served, wait_for

NL_TITLE = "De Wegwijzer is even niet bereikbaar"
EN_TITLE = "Wegwijzer is not available for a moment"


def _assert_down(client_get: Callable[[str], tuple[int, str, dict[str, str]]], key: str) -> None:
    # Search checks the database at most once a second; until then it may answer from the index.
    time.sleep(1.1)
    for path in (f"/hulp/{key}", "/", "/zoeken?q=schulden"):
        status, body, headers = client_get(path)
        assert status == 503, (path, status, body[:300])
        assert NL_TITLE in body and "Het ligt niet aan u" in body
        assert headers.get("Retry-After") == "30"
        assert "Set-Cookie" not in headers
    status, body, _ = client_get("/zoeken?q=schulden&lang=en")
    assert status == 503 and EN_TITLE in body and "It is not your fault" in body
    status, body, headers = client_get("/api/v1/search?q=schulden")
    assert status == 503 and headers.get("Retry-After") == "30"
    assert json.loads(body) == {
        "error": "De gegevens zijn even niet bereikbaar. Probeer het over een minuut opnieuw."
    }
    status, body, _ = client_get("/api/v1/search?q=schulden&lang=en")
    assert json.loads(body)["error"].startswith("The data cannot be reached")
    status, body, headers = client_get("/readyz")
    assert status == 503 and "Set-Cookie" not in headers
    ready = json.loads(body)
    assert ready["status"] == "unavailable" and ready["database"]["reachable"] is False
    assert ready["index"]["generation"], ready  # the index itself is fine
    status, body, _ = client_get("/healthz")
    assert status == 200 and json.loads(body) == {"status": "alive"}


def test_sqlite_file_gone_gives_503_and_the_site_recovers_by_itself(
    app: Flask, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    svc = make_service("Schuldhulp Zwolle", description="Hulp bij schulden.")
    ensure_index(app)
    db.remove()
    Database.engine(app).dispose()
    home = tmp_path / "dbmount"
    home.mkdir()
    shutil.move(tmp_path / "wegwijzer.sqlite3", home / "wegwijzer.sqlite3")
    url = f"sqlite:///{home / 'wegwijzer.sqlite3'}"
    env = cli_env(tmp_path / "served-instance", url, WEGWIJZER_INDEX_DIR=str(tmp_path / "index"))
    log = tmp_path / "serve.log"
    with served(env, log) as base:

        def fetch(path: str) -> tuple[int, str, dict[str, str]]:
            reply = get(base + path)
            return reply.status, reply.body, reply.headers

        assert fetch("/api/v1/search?q=schulden")[0] == 200
        assert json.loads(fetch("/readyz")[1])["status"] == "ready"
        home.rename(tmp_path / "dbmount-away")
        _assert_down(fetch, svc.slug)
        # The command line says it in one line, no traceback.
        cli = run_cli(env, "search", "schulden")
        assert cli.returncode == 1 and "Traceback" not in cli.stderr
        assert cli.stderr.strip() == "Fout: Database niet bereikbaar: unable to open database file"
        # Nothing was created in its place: no empty database hides the outage.
        assert not home.exists()
        (tmp_path / "dbmount-away").rename(home)
        recovered = wait_for(lambda: fetch("/api/v1/search?q=schulden")[0] == 200, timeout=30)
        assert recovered
        assert json.loads(fetch("/api/v1/search?q=schulden")[1])["total"] == 1
        assert fetch("/zoeken?q=schulden")[0] == 200
        assert json.loads(fetch("/readyz")[1])["status"] == "ready"
    text_log = log.read_text()
    assert "Database niet bereikbaar: OperationalError: unable to open database file" in text_log
    # One line per ten seconds, not one per request; and never a search term.
    assert text_log.count("Database niet bereikbaar") <= 2
    assert "schulden" not in text_log


@pytest.mark.parametrize("outage", ["refused", "renamed"])
def test_postgresql_gone_gives_503_and_the_site_recovers_by_itself(
    tmp_path: Path, outage: str
) -> None:
    with own_pg_database() as (url, admin):
        name = url.rsplit("/", 1)[1]
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x" * 32,
                "DATABASE_URL": url,
                "INDEX_DIR": str(tmp_path / "index"),
                "SESSION_COOKIE_SECURE": False,
            },
            instance_path=str(tmp_path / "instance"),
        )
        with app.app_context():
            upgrade_database(app)
            load_taxonomies(db.session, ROOT / "data" / "taxonomy.json")
            load_municipalities(db.session, gazetteer())
            generate_services(db.session, gazetteer(), 30, seed=7)
            make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
            assert ensure_index(app) == 30
            key = db.session.scalars(text("SELECT slug FROM services LIMIT 1")).one()
            db.remove()
        client = app.test_client()

        def fetch(path: str) -> tuple[int, str, dict[str, str]]:
            resp = client.get(path)
            return resp.status_code, resp.get_data(as_text=True), dict(resp.headers)

        assert json.loads(fetch("/api/v1/search")[1])["total"] == 30
        editor = app.test_client()
        assert login(editor, "beheer@zwolle.nl").status_code == 302
        assert editor.get("/beheer/").status_code == 200
        with admin.connect() as conn:
            if outage == "refused":
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            if outage == "renamed":
                conn.execute(text(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"'))
        _assert_down(fetch, key)
        # A logged-in beheerder gets the same calm page, not an error about the error.
        down = editor.get("/beheer/")
        assert down.status_code == 503 and NL_TITLE in down.get_data(as_text=True)
        with admin.connect() as conn:
            if outage == "refused":
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            else:
                conn.execute(text(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"'))
        status, body, _ = fetch("/api/v1/search")
        assert status == 200 and json.loads(body)["total"] == 30
        assert fetch(f"/hulp/{key}")[0] == 200
        assert json.loads(fetch("/readyz")[1])["status"] == "ready"
        assert editor.get("/beheer/").status_code == 200  # still logged in
        Database.engine(app).dispose()
