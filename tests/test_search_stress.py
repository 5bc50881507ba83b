"""Concurrent searches against the served site, on SQLite and on PostgreSQL.

Each round runs ``tests/search_stress.py`` in its own process: it starts ``wegwijzer serve``
(gunicorn, 2 worker processes) and 8 client threads fetch results pages, map views, the JSON
API and service pages for 10 seconds, while it edits services and syncs the shared index so
the workers replace their readers as they serve. A worker that dies (SIGSEGV, SIGBUS), is
replaced, or answers a 5xx fails the test.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from wegwijzer.devtools.generate import generate_services
from wegwijzer.domain.places import gazetteer
from wegwijzer.extensions import Database, db
from wegwijzer.search import ensure_index

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("search_stress.py")
ROUNDS = 3
SECONDS = 10
CLIENTS = 8
WORKERS = 2
SERVICES = 400


def _stress(app: Flask, tmp_path: Path) -> None:
    generate_services(db.session, gazetteer(), SERVICES, seed=11)
    assert ensure_index(app) == SERVICES
    db.remove()
    Database.engine(app).dispose()
    for n in range(1, ROUNDS + 1):
        proc = subprocess.run(
            [
                sys.executable,
                str(SCRIPT),
                app.config["DATABASE_URL"],
                app.config["INDEX_DIR"],
                str(tmp_path / f"stress-{n}"),
                str(SECONDS),
                str(CLIENTS),
                str(WORKERS),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=SECONDS * 10 + 120,
        )
        how = (
            f"killed by {signal.Signals(-proc.returncode).name}"
            if proc.returncode < 0
            else f"exit {proc.returncode}"
        )
        assert proc.returncode == 0, (
            f"round {n}: {how}\n{proc.stdout[-3000:]}\n{proc.stderr[:12000]}"
        )
        summary = json.loads(proc.stdout.strip().splitlines()[-1])
        statuses = summary["statuses"]
        assert not summary["failures"], summary
        assert statuses.get("200", 0) >= 20 and statuses.get("edit", 0) >= 2, statuses


def test_served_site_under_concurrent_searches_on_sqlite(app: Flask, tmp_path: Path) -> None:
    _stress(app, tmp_path)


@pytest.mark.postgres
def test_served_site_under_concurrent_searches_on_postgres(pg_app: Flask, tmp_path: Path) -> None:
    _stress(pg_app, tmp_path)
