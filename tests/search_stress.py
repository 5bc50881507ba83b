"""Serve one instance with ``wegwijzer serve`` and load it from many client threads.

Run by ``tests/test_search_stress.py``::

    python tests/search_stress.py DATABASE_URL INDEX_DIR INSTANCE_DIR SECONDS CLIENTS [WORKERS]

The clients fetch results pages, map views, the JSON API and service pages, a new
connection per request. Meanwhile this process edits a service and syncs the shared index
every few tenths of a second, as a beheerder's save in another worker would, so every
worker keeps replacing its index readers while it serves. Afterwards the server's log is
read: a worker that died (``Worker … was sent SIGSEGV!``) or was replaced counts as a
failure, like any 5xx or a dropped connection. Prints one JSON line; exits 1 on a failure.
"""

from __future__ import annotations

import faulthandler
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PAGES = [
    "/zoeken?q=schulden",
    "/zoeken?q=huur&plaats=Zwolle",
    "/zoeken?q=ik+kan+mijn+rekeningen+niet+meer+betalen",
    "/zoeken?q=formulieren+in+Kampen",
    "/zoeken?q=schuldhulpverleenig",
    "/zoeken?q=budget&lang=en",
    "/zoeken?q=schulden&weergave=kaart",
    "/zoeken?thema=schulden&plaats=Zwolle&weergave=kaart",
    "/zoeken?q=energie&pagina=2",
    "/api/v1/search?q=deurwaarder&near=Utrecht",
    "/api/v1/search?q=budget&open_now=1",
    "/api/v1/search?thema=schulden&per_page=50",
    "/api/v1/search?q=toeslagen&walk_in=1&lang=en",
]
SECRET = "stress-test-secret-key-0123456789abcdef"
#: Lines gunicorn's arbiter logs when a worker died or had to be replaced.
WORKER_TROUBLE = re.compile(r"was sent SIG(?!TERM)\w+|exited with code|WORKER TIMEOUT")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _start_server(url: str, index_dir: str, instance: str, workers: int) -> Any:
    port = _free_port()
    env = dict(
        os.environ,
        WEGWIJZER_SECRET_KEY=SECRET,
        WEGWIJZER_DATABASE_URL=url,
        WEGWIJZER_INDEX_DIR=index_dir,
        # A worker that crashes writes the Python stack of every thread to the log.
        PYTHONFAULTHANDLER="1",
    )
    Path(instance).mkdir(parents=True, exist_ok=True)
    log = open(Path(instance) / "server.log", "w+b")  # noqa: SIM115 - closed in main()
    command = ["serve", "--port", str(port), "--workers", str(workers), "--instance", instance]
    server = subprocess.Popen(
        [sys.executable, "-m", "wegwijzer.cli", *command],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=instance,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if _get(port, "/api/v1/search?q=schulden")[0] == 200:
                return server, port, log
        except OSError:
            time.sleep(0.3)
    server.kill()
    log.seek(0)
    raise SystemExit(f"server did not start:\n{log.read().decode(errors='replace')[-3000:]}")


def main(argv: list[str]) -> int:
    faulthandler.enable()
    url, index_dir, instance, seconds, clients = argv[:5]
    workers = int(argv[5]) if len(argv) > 5 else 2
    from sqlalchemy import select

    from wegwijzer import create_app
    from wegwijzer.extensions import db
    from wegwijzer.models import Service
    from wegwijzer.search import sync_index
    from wegwijzer.services.changes import record_change

    app = create_app(
        {"SECRET_KEY": SECRET, "DATABASE_URL": url, "INDEX_DIR": index_dir},
        instance_path=str(Path(instance) / "editor"),
    )
    with app.app_context():
        ids = list(db.session.scalars(select(Service.id).order_by(Service.id)))
        slugs = list(db.session.scalars(select(Service.slug).order_by(Service.id).limit(40)))
    paths = PAGES + [f"/hulp/{slug}" for slug in slugs]
    server, port, log = _start_server(url, index_dir, instance, workers)
    stop = time.monotonic() + float(seconds)
    statuses: dict[str, int] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def note(status: str, what: str | None = None) -> None:
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            if what is not None and len(failures) < 10:
                failures.append(what)

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        while time.monotonic() < stop:
            path = rnd.choice(paths)
            try:
                status, body = _get(port, path)
            except OSError as exc:  # a worker that dies drops its connection
                note("dropped", f"{path}: {type(exc).__name__}: {exc}")
                continue
            if status >= 500:
                note(str(status), f"{path}: {status} {body[:200]!r}")
            else:
                note(str(status))

    def editor() -> None:
        rnd = random.Random(0)
        n = 0
        while time.monotonic() < stop:
            n += 1
            try:
                with app.app_context():
                    svc = db.session.get(Service, rnd.choice(ids))
                    assert svc is not None
                    svc.keywords = f"stresswoord{n}"
                    record_change(db.session, "service", svc.id)
                    db.session.commit()
                    sync_index()
                note("edit")
            except Exception as exc:  # noqa: BLE001 - counted and reported
                note("edit-error", f"edit: {type(exc).__name__}: {exc}")
            time.sleep(0.3)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(int(clients))]
    threads.append(threading.Thread(target=editor))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    log.seek(0)
    server_log = log.read().decode(errors="replace")
    log.close()
    trouble = [line for line in server_log.splitlines() if WORKER_TROUBLE.search(line)]
    failures += trouble[:10]
    crash = server_log.find("Fatal Python error")
    summary = {"statuses": statuses, "failures": failures}
    if crash >= 0:
        summary["crash"] = server_log[crash : crash + 6000]
    print(json.dumps(summary), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
