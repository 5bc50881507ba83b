"""A built wheel carries everything: init, demo data, search and English pages work from it.

The wheel is installed into a fresh virtual environment outside the checkout and run from a
directory that is not the checkout, so nothing can be read from ``data/`` or
``translations/`` in the source tree by accident.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """Build the wheel, install it in a new venv; yield (venv bin dir, clean environment)."""
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEGWIJZER_", "PYTHON"))}
    env["HOME"] = os.environ.get("HOME", str(base))
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(base / "dist"),
            str(ROOT),
        ],
        cwd=base,
        env=env,
    )
    (wheel,) = (base / "dist").glob("wegwijzer-*.whl")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=base, env=env)
    _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], cwd=base, env=env)
    yield venv / "bin", env


def test_wheel_contains_the_data_and_catalogues(installed: tuple[Path, dict[str, str]]) -> None:
    """The files the app reads at run time are inside the wheel, not only in the checkout."""
    (wheel,) = (installed[0].parent.parent / "dist").glob("wegwijzer-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for needed in [
        "wegwijzer/data/taxonomy.json",
        "wegwijzer/data/route.json",
        "wegwijzer/data/synonyms.txt",
        "wegwijzer/data/signals.json",
        "wegwijzer/data/common-passwords.txt",
        "wegwijzer/data/gazetteer/places_nl.csv",
        "wegwijzer/data/gazetteer/municipalities_nl.geojson",
        "wegwijzer/data/demo/services.json",
        "wegwijzer/data/hsds/schema/service.json",
        "wegwijzer/translations/en/LC_MESSAGES/messages.mo",
        "wegwijzer/translations/nl/LC_MESSAGES/messages.mo",
        "wegwijzer/migrations/env.py",
        "wegwijzer/templates/base.html",
    ]:
        assert needed in names, f"{needed} is missing from the wheel"
    assert any(n.startswith("wegwijzer/static/vendor/leaflet-") for n in names)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_init_search_and_demo_work_from_the_installed_wheel(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = installed
    wegwijzer = str(bin_dir / "wegwijzer")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**env, "WEGWIJZER_SECRET_KEY": "wheel-test-secret-key-0123456789abcdef"}
    instance = str(tmp_path / "instance")

    out = _run([wegwijzer, "init", "--instance", instance], cwd=work, env=env)
    assert "Fout" not in out

    port = _free_port()
    log = (tmp_path / "demo.log").open("wb")
    demo = subprocess.Popen(
        [wegwijzer, "demo", "--instance", instance, "--port", str(port)],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        english = _get(f"http://127.0.0.1:{port}/zoeken?q=schulden&lang=en", deadline)
        assert 'lang="en"' in english
        assert "results" in english.lower()
        dutch = _get(f"http://127.0.0.1:{port}/zoeken?q=schulden", deadline)
        assert 'lang="nl"' in dutch
    finally:
        demo.terminate()
        demo.wait(timeout=30)
        log.close()

    found = json.loads(
        _run(
            [wegwijzer, "search", "schulden", "--near", "Zwolle", "--json", "--instance", instance],
            cwd=work,
            env=env,
        )
    )
    assert found["total"] > 0
