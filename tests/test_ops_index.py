"""Faults around the index and long commands, with real processes: `kill -9` during
`wegwijzer reindex` (the old index still opens and catches up from the change log), a
read-only or full index directory (search serves the last good state, edits save, /readyz
shows the lag, one clear log line, and it catches up once writable), SIGTERM during
`wegwijzer import` (all or nothing). A writer killed during an index update is in
test_search_lifecycle.py."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from wegwijzer.devtools.generate import generate_services
from wegwijzer.domain.places import gazetteer
from wegwijzer.extensions import Database, db
from wegwijzer.models import Service
from wegwijzer.search import ensure_index, search
from wegwijzer.search.store import current_generation, open_generation

from .interop_support import as_bytes, service_obj
from .manage_support import make_user
from .ops_support import ROOT, WEGWIJZER, cli_env, run_cli
from .test_search_faults import _save_description

WORD = "zonnepanelenadvies"


def _popen(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*WEGWIJZER, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_line(stream: object, text: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        line = stream.readline()  # type: ignore[attr-defined]
        if not line:
            break
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never appeared: {seen[-2000:]}")


def _close(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def test_kill_9_during_reindex_leaves_an_index_that_opens_and_catches_up(
    app: Flask, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    root = Path(app.config["INDEX_DIR"])
    svc = make_service("Schuldhulp Zwolle", description="Hulp bij schulden.")
    generate_services(db.session, gazetteer(), 1200, seed=11)
    assert ensure_index(app) == 1201
    live = current_generation(root)
    db.remove()
    env = cli_env(tmp_path / "cli", app.config["DATABASE_URL"], WEGWIJZER_INDEX_DIR=str(root))
    proc = _popen(env, "reindex")
    try:
        _wait_for_line(proc.stderr, "Indexeren")
        # While the new generation is being written, a beheerder saves an edit.
        edited = db.session.get(Service, svc.id)
        assert edited is not None
        edited.description = f"Advies over {WORD}."
        from wegwijzer.services.changes import record_change

        record_change(db.session, "service", svc.id)
        db.session.commit()
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        _close(proc)
    assert proc.returncode == -signal.SIGKILL
    # The pointer still names the last good generation; the half-built one is never used.
    assert current_generation(root) == live
    open_generation(live)  # type: ignore[arg-type]
    assert ensure_index(app) == 1201
    assert current_generation(root) == live
    assert [h.name for h in search(WORD).results] == ["Schuldhulp Zwolle"]
    # The rebuild lock died with the process: the next rebuild need not wait for it.
    with open(root / ".rebuild.lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[None]:
    """Make ``path`` and everything in it unwritable, also for root (immutable flag)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-R", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-R", "-i", str(path)], check=True)
        return
    modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")]}
    for p in modes:
        p.chmod(modes[p] & ~0o222)
    try:
        yield
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


def test_read_only_index_serves_the_last_good_state_and_catches_up(
    app: Flask, make_service: Callable[..., Service], caplog: pytest.LogCaptureFixture
) -> None:
    root = Path(app.config["INDEX_DIR"])
    svc = make_service("Schuldhulp Zwolle", description="Hulp bij schulden.", gm_codes=["GM0193"])
    make_service("Budgetcoach Zwolle", description="Hulp bij schulden en budget.")
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    client = app.test_client()
    assert client.get("/api/v1/search?q=schulden").get_json()["total"] == 2
    ready = client.get("/readyz").get_json()
    assert ready["index"]["writable"] is True and ready["lag"] == {"changes": 0, "seconds": 0.0}
    gen = current_generation(root)
    caplog.set_level(logging.WARNING)
    with _read_only(root):
        # The edit is saved in the database although the index cannot take it.
        assert _save_description(app, svc, f"Advies over {WORD} en schulden.") == 302
        db.session.expire_all()
        assert WORD in db.session.get(Service, svc.id).description  # type: ignore[union-attr]
        for _ in range(3):
            resp = client.get("/api/v1/search?q=schulden")
            assert resp.status_code == 200 and resp.get_json()["total"] == 2
        assert client.get(f"/api/v1/search?q={WORD}").get_json()["total"] == 0
        assert client.get("/zoeken?q=schulden").status_code == 200
        time.sleep(1.1)
        resp = client.get("/readyz")
        assert resp.status_code == 200 and "Set-Cookie" not in resp.headers
        ready = resp.get_json()
        assert ready["status"] == "ready" and ready["index"]["generation"] == gen.name  # type: ignore[union-attr]
        assert ready["index"]["writable"] is False
        assert ready["index"]["write_problem"].startswith(("Operation not permitted", "Permission"))
        assert ready["lag"]["changes"] == 1 and ready["lag"]["seconds"] >= 1.0
    problems = [r.getMessage() for r in caplog.records if "niet schrijfbaar" in r.getMessage()]
    assert len(problems) == 1, problems  # one clear line, not one per search
    assert "Zoeken gebruikt de laatste goede versie" in problems[0]
    assert str(root) in problems[0]
    # Writable again: the next search applies the saved edit, no rebuild needed.
    assert client.get(f"/api/v1/search?q={WORD}").get_json()["total"] == 1
    assert current_generation(root) == gen
    ready = client.get("/readyz").get_json()
    assert ready["index"]["writable"] is True and ready["lag"]["changes"] == 0


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return list(conn.iterdump())
    finally:
        conn.close()


def test_sigterm_during_import_rolls_back_everything(
    app: Flask, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    make_service("Schuldhulp Zwolle", description="Hulp bij schulden.")
    ensure_index(app)
    db.remove()
    Database.engine(app).dispose()
    database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    before = _dump(database)
    big = tmp_path / "groot.json"
    big.write_bytes(as_bytes([service_obj(n) for n in range(1, 1201)]))
    env = cli_env(
        tmp_path / "cli", app.config["DATABASE_URL"], WEGWIJZER_INDEX_DIR=app.config["INDEX_DIR"]
    )
    proc = _popen(env, "import", str(big))
    try:
        _wait_for_line(proc.stderr, "Diensten verwerken")
        time.sleep(0.3)
        assert proc.poll() is None, "the import ended before it could be stopped"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        _close(proc)
    assert proc.returncode == 1, (out, err)
    assert "Afgebroken" in err and "niets half" in err
    assert _dump(database) == before
    # Not locked, nothing left behind: an import now completes.
    small = tmp_path / "klein.json"
    small.write_bytes(as_bytes([service_obj(n) for n in range(1, 6)]))
    done = run_cli(env, "import", str(small))
    assert done.returncode == 0, done.stderr
    after = _dump(database)
    assert sum(1 for line in after if line.startswith('INSERT INTO "services"')) == 6
    shutil.rmtree(tmp_path / "cli", ignore_errors=True)


@contextlib.contextmanager
def _small_filesystem(path: Path, size_kb: int) -> Iterator[None]:
    """Mount an empty tmpfs of ``size_kb`` at ``path`` (needs root, as in CI)."""
    if os.geteuid() != 0:
        pytest.skip("a full index directory needs root to mount a small tmpfs")
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size_kb}k"
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=True)
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def _fill(path: Path) -> Path:
    """Write one file until the filesystem says it is full; return that file."""
    filler = path / "filler.bin"
    with contextlib.suppress(OSError), open(filler, "wb", buffering=0) as fh:
        while True:
            fh.write(b"\0" * 4096)
    return filler


def test_full_index_directory_serves_the_last_good_state_and_catches_up(
    app: Flask, make_service: Callable[..., Service], caplog: pytest.LogCaptureFixture
) -> None:
    root = Path(app.config["INDEX_DIR"])
    with _small_filesystem(root, 4096):
        svc = make_service(
            "Schuldhulp Zwolle", description="Hulp bij schulden.", gm_codes=["GM0193"]
        )
        make_service("Budgetcoach Zwolle", description="Hulp bij schulden en budget.")
        make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
        client = app.test_client()
        assert client.get("/api/v1/search?q=schulden").get_json()["total"] == 2
        gen = current_generation(root)
        caplog.set_level(logging.WARNING)
        filler = _fill(root)
        # The edit is saved in the database although the full index cannot take it.
        assert _save_description(app, svc, f"Advies over {WORD} en schulden.") == 302
        db.session.expire_all()
        assert WORD in db.session.get(Service, svc.id).description  # type: ignore[union-attr]
        for _ in range(3):
            resp = client.get("/zoeken?q=schulden")
            assert resp.status_code == 200 and "Budgetcoach Zwolle" in resp.get_data(as_text=True)
        assert client.get(f"/api/v1/search?q={WORD}").get_json()["total"] == 0
        time.sleep(1.1)
        ready = client.get("/readyz").get_json()
        assert ready["status"] == "ready" and ready["index"]["generation"] == gen.name  # type: ignore[union-attr]
        assert ready["index"]["writable"] is False
        assert "No space left on device" in ready["index"]["write_problem"]
        assert ready["lag"]["changes"] == 1 and ready["lag"]["seconds"] >= 1.0
        problems = [r.getMessage() for r in caplog.records if "niet schrijfbaar" in r.getMessage()]
        assert len(problems) == 1, problems
        assert str(root) in problems[0]
        # Space again: the next search applies the saved edit, no rebuild needed.
        filler.unlink()
        assert client.get(f"/api/v1/search?q={WORD}").get_json()["total"] == 1
        assert current_generation(root) == gen
        ready = client.get("/readyz").get_json()
        assert ready["index"]["writable"] is True and ready["lag"]["changes"] == 0
        Database.engine(app).dispose()
