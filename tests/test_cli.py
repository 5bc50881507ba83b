"""The ``wegwijzer`` command line, run through click's runner and as a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from wegwijzer.cli import main

ENV = {"WEGWIJZER_SECRET_KEY": "cli-test-secret-key-0123456789abcdef"}


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ALL_COMMANDS:
        assert f"  {command[0]} " in result.output, command


ALL_COMMANDS = [
    ["init"],
    ["demo"],
    ["serve"],
    ["db", "upgrade"],
    ["import"],
    ["export"],
    ["reindex"],
    ["search"],
    ["generate"],
    ["create-user"],
    ["stale"],
    ["coverage"],
    ["route", "check"],
]


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_each_command_explains_itself(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    if command != ["route", "check"]:  # checks a file, needs no instance
        assert "--instance" in result.output
    assert len(result.output.splitlines()) > 3


def test_init_creates_database_taxonomy_municipalities_and_index(
    runner: CliRunner, instance_dir: Path
) -> None:
    result = runner.invoke(main, ["init", "--instance", str(instance_dir)], env=ENV)
    assert result.exit_code == 0, result.output
    assert "7 taxonomieën" in result.output
    assert "342 gemeenten" in result.output
    assert (instance_dir / "wegwijzer.sqlite3").exists()
    assert (instance_dir / "index").is_dir()
    again = runner.invoke(main, ["init", "--instance", str(instance_dir)], env=ENV)
    assert again.exit_code == 0
    assert "0 nieuwe termen" in again.output


def test_db_upgrade_reports_the_revision(runner: CliRunner, instance_dir: Path) -> None:
    result = runner.invoke(main, ["db", "upgrade", "--instance", str(instance_dir)], env=ENV)
    assert result.exit_code == 0, result.output
    assert "leeg →" in result.output


def test_instance_from_environment_variable(runner: CliRunner, instance_dir: Path) -> None:
    env = {**ENV, "WEGWIJZER_INSTANCE": str(instance_dir)}
    result = runner.invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert (instance_dir / "wegwijzer.sqlite3").exists()


def test_a_file_as_instance_gives_one_clear_line(runner: CliRunner, tmp_path: Path) -> None:
    bogus = tmp_path / "bestand.txt"
    bogus.write_text("x")
    result = runner.invoke(main, ["init", "--instance", str(bogus)], env=ENV)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.output.strip().startswith("Fout:") or "Error" in result.output


def test_an_unreachable_database_gives_one_clear_line(
    runner: CliRunner, instance_dir: Path
) -> None:
    env = {**ENV, "WEGWIJZER_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    result = runner.invoke(main, ["init", "--instance", str(instance_dir)], env=env)
    assert result.exit_code == 1
    assert result.output.startswith("Fout: Database niet bereikbaar")
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_missing_secret_key_gives_one_clear_line(
    runner: CliRunner, instance_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WEGWIJZER_SECRET_KEY", raising=False)
    result = runner.invoke(main, ["init", "--instance", str(instance_dir)])
    assert result.exit_code == 1
    assert "WEGWIJZER_SECRET_KEY ontbreekt" in result.output
    assert len(result.output.strip().splitlines()) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_a_production_server_that_does_not_log_search_terms(
    instance_dir: Path,
) -> None:
    port = _free_port()
    env = {**os.environ, **ENV, "WEGWIJZER_INSTANCE": str(instance_dir)}
    cmd = [sys.executable, "-m", "wegwijzer.cli", "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/?q=deurwaarder+geheim", timeout=2
                ) as response:
                    body = response.read().decode()
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()[0]
        assert "<html" in body
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    assert "gunicorn" in output.lower() or "Wegwijzer draait" in output
    assert "GET /" in output  # the access log is on …
    assert "deurwaarder" not in output  # … but never with the query string
    assert "127.0.0.1 -" not in output  # … nor the visitor's address


def test_demo_loads_the_fictional_directory_and_makes_it_searchable(
    runner: CliRunner, instance_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WEGWIJZER_SECRET_KEY", raising=False)
    result = runner.invoke(main, ["demo", "--no-serve", "--instance", str(instance_dir)])
    assert result.exit_code == 0, result.output
    assert "79 diensten (79 nieuw" in result.output
    # The demo instance got its own secret key, so every other command works on it.
    assert "SECRET_KEY" in (instance_dir / "config.py").read_text()
    found = runner.invoke(
        main, ["search", "huurachterstand", "--near", "Kampen", "--instance", str(instance_dir)]
    )
    assert found.exit_code == 0, found.output
    assert "Kampen" in found.output
    again = runner.invoke(main, ["demo", "--no-serve", "--instance", str(instance_dir)])
    assert again.exit_code == 0, again.output
    assert "79 ongewijzigd" in again.output

    from wegwijzer import create_app

    app = create_app(instance_path=str(instance_dir))
    page = app.test_client().get("/").get_data(as_text=True)
    assert "voorbeeldgegevens" in page.lower()


def _listening_socket() -> socket.socket:
    """A socket that holds a free port on 127.0.0.1, as another program would."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


@pytest.mark.parametrize("command", [["serve"], ["demo"]])
def test_a_taken_port_gives_one_line_and_exit_1(
    runner: CliRunner, instance_dir: Path, command: list[str]
) -> None:
    with _listening_socket() as taken:
        port = taken.getsockname()[1]
        result = runner.invoke(
            main, [*command, "--port", str(port), "--instance", str(instance_dir)], env=ENV
        )
    assert result.exit_code == 1
    assert result.output == f"Fout: Poort {port} is al in gebruik; kies een andere met --port\n"
    # The demo stops before it spends time loading anything.
    assert not (instance_dir / "wegwijzer.sqlite3").exists()


def test_init_on_an_empty_directory_does_not_report_an_empty_index_as_a_count(
    runner: CliRunner, instance_dir: Path
) -> None:
    result = runner.invoke(main, ["init", "--instance", str(instance_dir)], env=ENV)
    assert result.exit_code == 0, result.output
    assert "0 diensten" not in result.output
    assert "zoekindex klaar, nog zonder gepubliceerde diensten" in result.output


def test_create_user_links_to_the_configured_site_and_explains_municipalities(
    runner: CliRunner, instance_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WEGWIJZER_SECRET_KEY", raising=False)
    monkeypatch.delenv("WEGWIJZER_BASE_URL", raising=False)
    where = ["--instance", str(instance_dir)]
    demo = runner.invoke(main, ["demo", "--no-serve", *where])
    assert demo.exit_code == 0, demo.output
    # The demo loads its services after init: no "zoekindex met 0 diensten" on the way.
    assert "met 0 diensten" not in demo.output
    assert "zoekindex met" in demo.output.splitlines()[-1]

    # As in the README: without --municipality a beheerder cannot be made; the one line
    # says how, and which municipalities have services.
    missing = runner.invoke(main, ["create-user", "a@zwolle.nl", "--role", "beheerder", *where])
    assert missing.exit_code == 1
    assert len(missing.output.strip().splitlines()) == 1
    assert "--municipality GM0193" in missing.output
    assert "GM0193 (Zwolle)" in missing.output and "GM0166 (Kampen)" in missing.output

    unknown = runner.invoke(
        main, ["create-user", "a@zwolle.nl", "--role", "beheerder", "--municipality", "Xx", *where]
    )
    assert unknown.exit_code == 1
    assert "Onbekende gemeente: 'Xx'" in unknown.output

    # A name works as well as a code; the demo's link points at the demo's port.
    made = runner.invoke(
        main,
        ["create-user", "a@zwolle.nl", "--role", "beheerder", "--municipality", "Zwolle", *where],
    )
    assert made.exit_code == 0, made.output
    assert "http://127.0.0.1:5000/beheer/wachtwoord/" in made.output

    env = {"WEGWIJZER_BASE_URL": "https://wegwijzer.zwolle.nl/"}
    configured = runner.invoke(
        main, ["create-user", "b@zwolle.nl", "--role", "verwijzer", *where], env=env
    )
    assert "\nhttps://wegwijzer.zwolle.nl/beheer/wachtwoord/" in configured.output
    given = runner.invoke(
        main,
        ["create-user", "c@zwolle.nl", "--role", "verwijzer", "--base-url", "http://x:81", *where],
        env=env,
    )
    assert "\nhttp://x:81/beheer/wachtwoord/" in given.output
