"""Helpers for the operations tests: a served site in its own process, own PostgreSQL databases."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from .conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parent.parent
WEGWIJZER = [sys.executable, "-m", "wegwijzer.cli"]
SECRET = "ops-test-secret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str]


def get(url: str, timeout: float = 30) -> Reply:
    """GET ``url`` without following redirects; any status is an answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return Reply(resp.status, resp.read().decode(), dict(resp.headers))
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.read().decode(), dict(err.headers))


def cli_env(instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEGWIJZER_")}
    env.update(
        WEGWIJZER_INSTANCE=str(instance),
        WEGWIJZER_DATABASE_URL=database_url,
        WEGWIJZER_SECRET_KEY=SECRET,
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def run_cli(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WEGWIJZER, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


@contextlib.contextmanager
def served(env: dict[str, str], log: Path, workers: int = 1) -> Iterator[str]:
    """Run ``wegwijzer serve`` until the block ends; yield its base URL."""
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [*WEGWIJZER, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            with contextlib.suppress(OSError):
                if get(f"{base}/healthz", timeout=5).status == 200:
                    break
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def wait_for(check: Any, timeout: float = 60, pause: float = 0.2) -> Any:
    """Call ``check`` until it returns something truthy; return that (or the last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(pause)


@contextlib.contextmanager
def own_pg_database() -> Iterator[tuple[str, Any]]:
    """Create a PostgreSQL database ``ops_<random>``; yield its URL and an admin engine."""
    name = f"ops_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}", admin
    finally:
        with admin.connect() as conn:
            for candidate in (name, f"{name}_away"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{candidate}" WITH (FORCE)'))
        admin.dispose()
