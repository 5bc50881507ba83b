"""Hammer one app with the public search mix from several threads; exit 1 on any 5xx.

Run by ``tests/test_search_stress.py`` in a subprocess, so that a crash of the interpreter
(SIGSEGV, SIGBUS) fails that test instead of killing pytest::

    python tests/search_stress.py DATABASE_URL INDEX_DIR INSTANCE_DIR SECONDS THREADS

The threads fetch results pages, map views, the JSON API and service pages, each request in
its own application context as under gunicorn. Meanwhile one more thread edits a service and
syncs the index every few tenths of a second, so every search thread keeps replacing its
index reader while the others read theirs. Prints one JSON line: requests per status and the
first failures.
"""

from __future__ import annotations

import contextvars
import faulthandler
import json
import random
import sys
import threading
import time
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


def main(argv: list[str]) -> int:
    faulthandler.enable()
    url, index_dir, instance, seconds, threads = argv
    from sqlalchemy import select

    from wegwijzer import create_app
    from wegwijzer.extensions import db
    from wegwijzer.models import Service
    from wegwijzer.search import sync_index
    from wegwijzer.services.changes import record_change

    app = create_app(
        {
            "SECRET_KEY": "stress-test-secret-key-0123456789abcdef",
            "DATABASE_URL": url,
            "INDEX_DIR": index_dir,
            "SESSION_COOKIE_SECURE": False,
        },
        instance_path=instance,
    )
    with app.app_context():
        ids = list(db.session.scalars(select(Service.id).order_by(Service.id)))
        slugs = list(db.session.scalars(select(Service.slug).order_by(Service.id).limit(40)))
    urls = PAGES + [f"/hulp/{slug}" for slug in slugs]
    stop = time.monotonic() + float(seconds)
    statuses: dict[str, int] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def note(status: str, what: str | None = None) -> None:
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            if what is not None and len(failures) < 10:
                failures.append(what)

    def search_worker(seed: int) -> None:
        client = app.test_client()
        rnd = random.Random(seed)
        while time.monotonic() < stop:
            path = rnd.choice(urls)
            try:
                # A fresh context per request: its own application context, as in production.
                resp = contextvars.Context().run(client.get, path)
            except Exception as exc:  # noqa: BLE001 - counted and reported, like a 500
                note("exception", f"{path}: {type(exc).__name__}: {exc}")
                continue
            status = str(resp.status_code)
            if resp.status_code >= 500:
                note(status, f"{path}: {status} {resp.get_data(as_text=True)[:200]!r}")
            else:
                note(status)

    def edit_worker() -> None:
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
                note("edit-exception", f"edit: {type(exc).__name__}: {exc}")
            time.sleep(0.3)

    workers = [threading.Thread(target=search_worker, args=(i,)) for i in range(int(threads))]
    workers.append(threading.Thread(target=edit_worker))
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    summary: dict[str, Any] = {"statuses": statuses, "failures": failures}
    print(json.dumps(summary), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
