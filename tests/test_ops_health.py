"""/healthz and /readyz answer JSON without cookies, personal data or anything of the request;
with WEGWIJZER_LOG_FORMAT=json every log line of `wegwijzer serve` is one JSON object, without
query strings or IP addresses."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from wegwijzer import ConfigError, create_app
from wegwijzer.extensions import Database, db
from wegwijzer.models import Service
from wegwijzer.search import ensure_index

from .ops_support import cli_env, get, served


def test_health_endpoints_say_only_what_a_load_balancer_needs(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    client = app.test_client()
    resp = client.get("/healthz?who=jan@example.nl")
    assert resp.status_code == 200 and resp.get_json() == {"status": "alive"}
    assert resp.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in resp.headers
    # Before the index exists the process is alive but not ready.
    assert client.get("/readyz").status_code == 503
    make_service("Schuldhulp Zwolle", description="Hulp bij schulden.")
    assert ensure_index(app) == 1
    resp = client.get("/readyz?q=jan@example.nl")
    assert resp.status_code == 200 and "Set-Cookie" not in resp.headers
    body = resp.get_json()
    assert body["status"] == "ready"
    assert body["database"] == {"reachable": True, "kind": "sqlite"}
    index = body["index"]
    assert index["generation"].startswith("gen-") and index["services"] == 1
    assert index["serving"] is True and index["writable"] is True
    assert body["lag"] == {"changes": 0, "seconds": 0.0}
    text = resp.get_data(as_text=True)
    assert "jan@example.nl" not in text and app.instance_path not in text
    assert app.config["INDEX_DIR"] not in text
    # A change another process committed shows as lag until this one applies it; /readyz
    # itself applies it (without waiting), so a quiet process does not look behind.
    make_service("Budgetcoach Zwolle", description="Budget.")
    body = client.get("/readyz").get_json()
    assert body["lag"]["changes"] == 0 and body["index"]["applied_change"] >= 2


def test_unknown_log_format_is_a_clear_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LOG_FORMAT kent 'xml' niet; kies text of json"):
        create_app({"TESTING": True, "LOG_FORMAT": "xml"}, instance_path=str(tmp_path / "i"))


def test_json_logs_of_a_served_site_hold_no_query_strings_or_addresses(
    app: Flask, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    make_service("Schuldhulp Zwolle", description="Hulp bij schulden.")
    ensure_index(app)
    db.remove()
    Database.engine(app).dispose()
    home = tmp_path / "dbmount"
    home.mkdir()
    shutil.move(tmp_path / "wegwijzer.sqlite3", home / "wegwijzer.sqlite3")
    env = cli_env(
        tmp_path / "served",
        f"sqlite:///{home / 'wegwijzer.sqlite3'}",
        WEGWIJZER_INDEX_DIR=app.config["INDEX_DIR"],
        WEGWIJZER_LOG_FORMAT="json",
    )
    log = tmp_path / "serve.log"
    with served(env, log) as base:
        assert get(f"{base}/zoeken?q=geheimwoord+schulden").status == 200
        assert get(f"{base}/api/v1/search?q=geheimwoord&near=8011").status == 200
        assert get(f"{base}/bestaat-niet?token=geheimwoord").status == 404
        home.rename(tmp_path / "away")
        assert get(f"{base}/hulp/iets").status == 503
        (tmp_path / "away").rename(home)
    lines = [ln for ln in log.read_text().splitlines() if ln.strip()]
    records = []
    for line in lines:
        if line.startswith("Wegwijzer draait op"):  # the command's own message on stdout
            continue
        records.append(json.loads(line))  # every log line is one JSON object
    access = [r for r in records if r["logger"] == "access"]
    assert {(r["method"], r["path"], r["status"]) for r in access} >= {
        ("GET", "/zoeken", 200),
        ("GET", "/api/v1/search", 200),
        ("GET", "/bestaat-niet", 404),
        ("GET", "/hulp/iets", 503),
    }
    assert all(
        set(r) == {"time", "level", "logger", "method", "path", "status", "bytes", "ms"}
        for r in access
    )
    errors = [r for r in records if r["logger"] == "wegwijzer.web.errors"]
    assert errors and errors[0]["level"] == "error"
    assert errors[0]["message"].startswith("Database niet bereikbaar")
    assert any(r["logger"] == "gunicorn.error" for r in records)
    text = log.read_text()
    assert "geheimwoord" not in text and "8011" not in text
    # No visitor address (the server names only its own listening address at start).
    assert not any("127.0.0.1" in json.dumps(r) for r in access + errors)
