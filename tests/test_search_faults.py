"""A missing or damaged index while the app serves: results or a calm 503, never a 500 or a
crash; a new index is built in the background and search works again without a restart;
a beheerder's save is never refused because of the index."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from wegwijzer.devtools.generate import generate_services
from wegwijzer.domain.places import gazetteer
from wegwijzer.extensions import Database, db
from wegwijzer.models import Service
from wegwijzer.search import ensure_index
from wegwijzer.search.store import current_generation, rebuild_lock

from .manage_support import login, make_user, new_client
from .test_manage_editing import _form_values

ROOT = Path(__file__).resolve().parent.parent
WORD = "zonnepanelenadvies"


def _get_in_new_thread(app: Flask, path: str) -> Any:
    """GET ``path`` from a thread that has no index reader yet (as a fresh worker thread)."""
    out: list[Any] = []

    def get() -> None:
        try:
            out.append(app.test_client().get(path))
        except Exception as exc:  # noqa: BLE001 - under TESTING a 500 arrives as the exception
            out.append(exc)

    thread = threading.Thread(target=get)
    thread.start()
    thread.join(60)
    assert out and not isinstance(out[0], Exception), f"GET {path}: {out!r} (a 500)"
    return out[0]


def _total(client: Any, query: str) -> tuple[int, int]:
    resp = client.get(f"/api/v1/search?q={query}")
    total = resp.get_json()["total"] if resp.status_code == 200 else -1
    return resp.status_code, total


def _wait_for_results(client: Any, query: str, statuses: list[int], timeout: float = 60) -> int:
    """Search until ``query`` finds something (a new index has been built); return the total."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, total = _total(client, query)
        statuses.append(status)
        if total > 0:
            return total
        time.sleep(0.1)
    return 0


def _save_description(app: Flask, svc: Service, description: str) -> int:
    admin = new_client(app)
    assert login(admin, "beheer@zwolle.nl").status_code == 302
    url = f"/beheer/diensten/{svc.id}"
    data = _form_values(admin, url)
    data["description"] = description
    return admin.post(url, data=data).status_code


@pytest.fixture
def served(app: Flask, make_service: Callable[..., Service]) -> Service:
    """A published Zwolle service, its beheerder, and an app that has answered a search."""
    svc = make_service("Schuldhulp Zwolle", description="Hulp bij schulden.", gm_codes=["GM0193"])
    make_service("Budgetcoach Zwolle", description="Hulp bij schulden en budget.")
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    assert _total(app.test_client(), "schulden") == (200, 2)
    return svc


def test_deleted_index_keeps_answering_and_is_rebuilt(app: Flask, served: Service) -> None:
    root = Path(app.config["INDEX_DIR"])
    old = current_generation(root)
    client = app.test_client()
    shutil.rmtree(root)

    statuses = [client.get("/zoeken?q=schulden").status_code]
    statuses += [_get_in_new_thread(app, "/zoeken?q=schulden").status_code]
    statuses += [_get_in_new_thread(app, "/api/v1/search?q=budget").status_code]
    assert _save_description(app, served, f"Advies over {WORD} en schulden.") == 302

    assert _wait_for_results(client, WORD, statuses) == 1
    assert set(statuses) <= {200, 503}, statuses
    new = current_generation(root)
    assert new is not None and new != old
    assert _total(client, "schulden") == (200, 2)


def test_while_another_process_rebuilds_searches_get_a_calm_503(
    app: Flask, served: Service
) -> None:
    root = Path(app.config["INDEX_DIR"])
    client = app.test_client()
    shutil.rmtree(root)
    # Holding the rebuild lock plays another process building the new index: this one waits.
    with rebuild_lock(root):
        page = _get_in_new_thread(app, "/zoeken?q=schulden")
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "30"
        assert "Zoeken lukt even niet" in page.get_data(as_text=True)
        english = _get_in_new_thread(app, "/zoeken?q=schulden&lang=en")
        assert english.status_code == 503
        assert "Search is not available for a moment" in english.get_data(as_text=True)
        api = _get_in_new_thread(app, "/api/v1/search?q=schulden")
        assert api.status_code == 503 and api.headers["Retry-After"] == "30"
        assert "Zoeken lukt even niet" in api.get_json()["error"]
        # A thread that still has the old index open keeps answering from it.
        assert _total(client, "schulden") == (200, 2)
        # The save commits; the new index picks it up from the change log.
        assert _save_description(app, served, f"Advies over {WORD} en schulden.") == 302
        assert _total(client, WORD) == (200, 0)
    statuses: list[int] = []
    assert _wait_for_results(client, WORD, statuses) == 1
    assert set(statuses) <= {200, 503}, statuses


DAMAGE_SCRIPT = textwrap.dedent(
    """
    import faulthandler, json, os, sys, time
    from pathlib import Path
    faulthandler.enable()
    from wegwijzer import create_app
    from wegwijzer.search.store import current_generation

    url, index_dir, instance, mode, expected = sys.argv[1:6]
    app = create_app({"SECRET_KEY": "damage-test-secret-key-0123456789", "DATABASE_URL": url,
                      "INDEX_DIR": index_dir, "SESSION_COOKIE_SECURE": False},
                     instance_path=instance)
    client = app.test_client()
    def total(query):
        resp = client.get("/api/v1/search?q=" + query)
        statuses.add(resp.status_code)
        return resp.get_json()["total"] if resp.status_code == 200 else -1
    statuses = set()
    assert total("") == int(expected)
    root = Path(index_dir)
    damaged = current_generation(root)
    seg = max(damaged.glob("*.seg"), key=lambda p: p.stat().st_size)
    size = seg.stat().st_size
    if mode == "truncate":
        os.truncate(seg, size // 3)
    else:
        fd = os.open(seg, os.O_WRONLY)
        os.pwrite(fd, bytes(size // 2), size // 4)
        os.close(fd)
    words = ["budget", "huur", "energie", "formulieren", "deurwaarder", "maatje", "toeslagen"]
    recovered = False
    deadline = time.monotonic() + 90
    while not recovered and time.monotonic() < deadline:
        for word in words:
            total(word)
        statuses.add(client.get("/zoeken?q=schulden&weergave=kaart").status_code)
        rebuilt = current_generation(root) not in (None, damaged)
        recovered = rebuilt and total("") == int(expected)
        time.sleep(0.1)
    print(json.dumps({"statuses": sorted(statuses), "recovered": recovered}))
    """
)


@pytest.mark.parametrize("mode", ["truncate", "overwrite"])
def test_damaged_segment_file_never_crashes_and_is_rebuilt(
    app: Flask, tmp_path: Path, mode: str
) -> None:
    generate_services(db.session, gazetteer(), 300, seed=4)
    assert ensure_index(app) == 300
    db.remove()
    Database.engine(app).dispose()
    # In its own process: with memory-mapped segment files a damaged file kills the process.
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            DAMAGE_SCRIPT,
            app.config["DATABASE_URL"],
            app.config["INDEX_DIR"],
            str(tmp_path / "damage-instance"),
            mode,
            "300",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr[:8000]}"
    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(outcome["statuses"]) <= {200, 503}, outcome
    assert outcome["recovered"], outcome
