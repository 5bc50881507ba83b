"""The app factory, configuration layering and refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wegwijzer import ConfigError, create_app


def test_defaults_put_state_in_the_instance_directory(tmp_path: Path) -> None:
    app = create_app({"TESTING": True}, instance_path=str(tmp_path / "inst"))
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'wegwijzer.sqlite3'}"
    assert app.config["INDEX_DIR"] == str(tmp_path / "inst" / "index")
    assert (tmp_path / "inst").is_dir()
    assert app.config["STALE_MONTHS"] == 6


def test_config_layers_instance_file_then_env_then_test_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "config.py").write_text("STALE_MONTHS = 3\nOVERLAP_THRESHOLD = 5\nPER_PAGE = 7\n")
    monkeypatch.setenv("WEGWIJZER_OVERLAP_THRESHOLD", "4")
    monkeypatch.setenv("WEGWIJZER_PER_PAGE", "9")
    app = create_app({"TESTING": True, "PER_PAGE": 11}, instance_path=str(inst))
    assert app.config["STALE_MONTHS"] == 3  # instance/config.py
    assert app.config["OVERLAP_THRESHOLD"] == 4  # env beats the instance file
    assert app.config["PER_PAGE"] == 11  # test_config beats everything


def test_instance_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJZER_INSTANCE", str(tmp_path / "from-env"))
    app = create_app({"TESTING": True})
    assert app.instance_path == str(tmp_path / "from-env")


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="WEGWIJZER_SECRET_KEY"):
        create_app(instance_path=str(tmp_path / "inst"))


def test_demo_runs_without_secret_key(tmp_path: Path) -> None:
    app = create_app({"DEMO": True}, instance_path=str(tmp_path / "inst"))
    assert len(app.config["SECRET_KEY"]) >= 32


def test_instance_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(ConfigError, match="geen map"):
        create_app({"TESTING": True}, instance_path=str(target))


def test_every_response_carries_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in csp
    assert "style-src 'self'" in csp
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'"):
        assert part in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_anonymous_visitors_get_no_cookie(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_behind_a_proxy_the_visitor_address_comes_from_x_forwarded_for(tmp_path: Path) -> None:
    from flask import request

    seen: list[str | None] = []
    for count in (0, 1):
        app = create_app(
            {"TESTING": True, "PROXY_COUNT": count}, instance_path=str(tmp_path / str(count))
        )
        app.add_url_rule("/ip", "ip", lambda: seen.append(request.remote_addr) or "")
        app.test_client().get(
            "/ip",
            headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
    assert seen == ["10.0.0.1", "203.0.113.7"]


def test_templates_have_no_inline_styles_the_policy_would_block() -> None:
    """No style="" attribute and no <style> block without the nonce in any template."""
    root = Path(__file__).resolve().parent.parent / "wegwijzer" / "templates"
    problems = []
    for template in sorted(root.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<[a-zA-Z][^>]*\sstyle\s*=", text):
            problems.append(f"{template.relative_to(root)}: {match.group(0)[:60]}")
        for match in re.finditer(r"<style\b[^>]*>", text):
            if "csp_nonce()" not in match.group(0):
                problems.append(f"{template.relative_to(root)}: {match.group(0)}")
    assert problems == []
