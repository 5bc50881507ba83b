"""The index follows the database: edits, deletes, other processes, rebuilds, crashes, locks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from wegwijzer import create_app
from wegwijzer.devtools.generate import generate_services
from wegwijzer.domain.places import gazetteer
from wegwijzer.extensions import Database, db
from wegwijzer.models import Service
from wegwijzer.search import engine as engine_module
from wegwijzer.search import ensure_index, rebuild_index, search, sync_index
from wegwijzer.search.store import current_generation, open_generation
from wegwijzer.services.changes import record_change

ROOT = Path(__file__).resolve().parent.parent


def _names(query: str, **kw: Any) -> list[str]:
    return [h.name for h in search(query, per_page=100, **kw).results]


def _engine(app: Flask) -> Any:
    return app.extensions["wegwijzer.search"]


def test_published_edit_is_searchable_at_once(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    svc = make_service("Geldhulp Oost", description="Wij helpen met de budgetplanning.")
    sync_index()
    assert _names("budgetplanning") == ["Geldhulp Oost"]
    svc.description = "Wij helpen met kwijtschelding aanvragen."
    svc.name = "Kwijtscheldingshulp Oost"
    record_change(db.session, "service", svc.id)
    db.session.commit()
    # No explicit sync: the commit hook marks the index stale for this process.
    assert _names("kwijtschelding") == ["Kwijtscheldingshulp Oost"]
    assert _names("budgetplanning") == []


def test_delete_unpublish_and_organisation_delete_disappear_at_once(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    a = make_service("Formulierenhulp Noord", description="formulieren")
    b = make_service("Formulierenhulp Zuid", description="formulieren")
    c = make_service("Formulierenhulp West", description="formulieren")
    d = make_service("Formulierenhulp Oost", description="formulieren")
    sync_index()
    assert len(_names("formulieren")) == 4
    a.deleted_at = datetime.now(UTC)
    record_change(db.session, "service", a.id)
    db.session.commit()
    sync_index()
    assert "Formulierenhulp Noord" not in _names("formulieren")
    b.publication_status = "gearchiveerd"
    record_change(db.session, "service", b.id)
    db.session.commit()
    sync_index()
    assert "Formulierenhulp Zuid" not in _names("formulieren")
    c.organization.deleted_at = datetime.now(UTC)
    record_change(db.session, "organization", c.organization_id)
    db.session.commit()
    sync_index()
    assert _names("formulieren") == ["Formulierenhulp Oost"]
    assert search("formulieren").total == 1
    # Publishing again brings it back.
    b.publication_status = "gepubliceerd"
    record_change(db.session, "service", b.id)
    db.session.commit()
    sync_index()
    assert sorted(_names("formulieren")) == ["Formulierenhulp Oost", "Formulierenhulp Zuid"]
    assert d.id in {h.service_id for h in search("formulieren").results}


def test_concept_is_indexed_only_when_published(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    svc = make_service("Inloop Geld", description="inloopspreekuur", publication_status="concept")
    sync_index()
    assert _names("inloopspreekuur") == []
    svc.publication_status = "ter-beoordeling"
    record_change(db.session, "service", svc.id)
    db.session.commit()
    assert _names("inloopspreekuur") == []
    svc.publication_status = "gepubliceerd"
    record_change(db.session, "service", svc.id)
    db.session.commit()
    assert _names("inloopspreekuur") == ["Inloop Geld"]


def test_bulk_changes_are_one_index_pass(app: Flask) -> None:
    ensure_index(app)
    ix = _engine(app).live().ix
    before = ix.latest_generation()
    generate_services(db.session, gazetteer(), 150, seed=3)
    assert sync_index() == 150
    assert ix.latest_generation() == before + 1
    assert search("").total == 150


def _second_app(app: Flask, index_dir: Path, **extra: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "INDEX_DIR": str(index_dir),
            **extra,
        },
        instance_path=str(index_dir.parent / f"instance-{index_dir.name}"),
    )


@pytest.fixture
def no_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check the change log before every search instead of at most once a second."""
    monkeypatch.setattr(engine_module, "CHECK_INTERVAL", 0.0)


def test_second_app_instance_catches_up_without_explicit_sync(
    app: Flask, make_service: Callable[..., Service], tmp_path: Path, no_throttle: None
) -> None:
    other = _second_app(app, tmp_path / "other-index")
    with other.app_context():
        assert ensure_index(other) == 0
    make_service("Maatjesproject Zwolle", description="Een maatje helpt u.")
    with other.app_context():
        assert [h.name for h in search("maatje").results] == ["Maatjesproject Zwolle"]
    Database.engine(other).dispose()


SCRIPT = textwrap.dedent(
    """
    import json, sys
    from wegwijzer import create_app
    from wegwijzer.search import ensure_index, search
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32,
                      "DATABASE_URL": sys.argv[1], "INDEX_DIR": sys.argv[2]},
                     instance_path=sys.argv[3])
    with app.app_context():
        ensure_index(app)
        print(json.dumps([h.name for h in search(sys.argv[4], per_page=100).results]))
    """
)


def _run_other_process(app: Flask, tmp_path: Path, query: str) -> list[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            app.config["DATABASE_URL"],
            str(tmp_path / "process-index"),
            str(tmp_path / "process-instance"),
            query,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_other_process_sharing_the_database_sees_changes(
    app: Flask, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    budget = {"thema": ["budget"]}
    svc = make_service("Energiecoach Kampen", description="Advies over zonnepanelen.", terms=budget)
    assert _run_other_process(app, tmp_path, "zonnepanelen") == ["Energiecoach Kampen"]
    # Edit here; the other process keeps its own index directory and catches up.
    svc.description = "Hulp bij een huurachterstand."
    record_change(db.session, "service", svc.id)
    make_service("Zonnestroom Zwolle", description="Gratis advies over zonnepanelen.", terms=budget)
    assert _run_other_process(app, tmp_path, "zonnepanelen") == ["Zonnestroom Zwolle"]
    assert _run_other_process(app, tmp_path, "huurachterstand") == ["Energiecoach Kampen"]


def test_reindex_swaps_while_searches_keep_working(
    app: Flask, make_service: Callable[..., Service], tmp_path: Path, no_throttle: None
) -> None:
    for i in range(20):
        make_service(f"Budgetcoach {i}", description="budget en rondkomen")
    sync_index()
    old = current_generation(Path(app.config["INDEX_DIR"]))
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()
    reader = _second_app(app, Path(app.config["INDEX_DIR"]))

    def keep_searching() -> None:
        with reader.app_context():
            while not stop.is_set():
                try:
                    totals.append(search("budget").total)
                except BaseException as exc:  # noqa: BLE001 - the test reports any failure
                    errors.append(exc)
                    return

    thread = threading.Thread(target=keep_searching)
    thread.start()
    try:
        for _ in range(3):
            assert rebuild_index(app) == 20
    finally:
        stop.set()
        thread.join()
    Database.engine(reader).dispose()
    assert not errors
    assert totals and set(totals) == {20}
    new = current_generation(Path(app.config["INDEX_DIR"]))
    assert new is not None and new != old
    assert search("budget").total == 20


def test_missing_corrupt_or_outdated_index_is_rebuilt(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    make_service("Schuldhulp Dalfsen", description="schulden", gm_codes=["GM0148"])
    root = Path(app.config["INDEX_DIR"])
    assert ensure_index(app) == 1
    gen = current_generation(root)
    assert gen is not None
    # Corrupt: garbage in the table of contents.
    for toc in gen.glob("*.toc"):
        toc.write_bytes(b"not an index")
    assert ensure_index(app) == 1
    repaired = current_generation(root)
    assert repaired is not None and repaired != gen
    assert _names("schulden") == ["Schuldhulp Dalfsen"]
    # Outdated: built with another index version.
    meta = json.loads((repaired / "meta.json").read_text())
    (repaired / "meta.json").write_text(json.dumps({**meta, "schema": -1}))
    assert ensure_index(app) == 1
    assert current_generation(root) not in (gen, repaired)
    # Missing: the pointer is gone.
    (root / "current").unlink()
    assert ensure_index(app) == 1
    assert _names("schulden") == ["Schuldhulp Dalfsen"]


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from wegwijzer import create_app
    from wegwijzer.search import sync_index
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32,
                      "DATABASE_URL": sys.argv[1], "INDEX_DIR": sys.argv[2]},
                     instance_path=sys.argv[3])
    with app.app_context():
        print("syncing", flush=True)
        sync_index()
        print("done", flush=True)
    """
)


def test_writer_killed_with_sigkill_leaves_an_index_that_opens(app: Flask, tmp_path: Path) -> None:
    root = Path(app.config["INDEX_DIR"])
    ensure_index(app)
    generate_services(db.session, gazetteer(), 1500, seed=5)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILL_SCRIPT,
            app.config["DATABASE_URL"],
            str(root),
            str(tmp_path / "killed-instance"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "syncing"
    threading.Event().wait(0.8)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    gen = current_generation(root)
    assert gen is not None
    open_generation(gen)  # opens: the last committed state
    assert ensure_index(app) == 1500
    assert search("").total == 1500


LOCK_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from whoosh import index
    ix = index.open_dir(sys.argv[1])
    writer = ix.writer()
    print("locked", flush=True)
    time.sleep(60)
    """
)


def test_busy_writer_lock_delays_but_never_loses_an_update(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    app.extensions["wegwijzer.search"].lock_timeout = 0.2
    make_service("Thuisadministratie Oost", description="papieren ordenen")
    sync_index()
    gen = current_generation(Path(app.config["INDEX_DIR"]))
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_SCRIPT, str(gen)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        make_service("Thuisadministratie West", description="papieren ordenen")
        assert sync_index() == 0  # the lock is taken: nothing applied yet
        assert _names("papieren") == ["Thuisadministratie Oost"]
    finally:
        holder.kill()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    # The lock died with its process; the next search applies the pending change.
    assert sorted(_names("papieren")) == ["Thuisadministratie Oost", "Thuisadministratie West"]


@pytest.fixture(autouse=True)
def _close_readers(app: Flask) -> Iterator[None]:
    yield
    engine = app.extensions.get("wegwijzer.search")
    reader = getattr(getattr(engine, "_local", None), "reader", None)
    if reader is not None:
        reader.close()


def test_concurrent_searches_in_threads(
    app: Flask, make_service: Callable[..., Service], no_throttle: None
) -> None:
    for i in range(30):
        make_service(f"Schuldhulp {i}", description="schulden en rekeningen", lat=52.5, lon=6.1)
    sync_index()
    errors: list[BaseException] = []
    totals: set[int] = set()

    def worker() -> None:
        with app.app_context():
            try:
                for n in range(25):
                    result = search("schulden" if n % 2 else "rekeningen", near="Zwolle")
                    totals.add(result.total)
                    assert len(result.results) == 20
            except BaseException as exc:  # noqa: BLE001 - the test reports any failure
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    make_service("Schuldhulp extra", description="schulden", lat=52.5, lon=6.1)
    sync_index()
    for t in threads:
        t.join()
    assert not errors
    assert totals <= {30, 31}
    assert search("schulden").total == 31


def test_forked_worker_reads_through_its_own_files(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    """gunicorn forks after warming the index; files inherited across fork share their read
    position with the parent, so a worker must open its own reader before searching."""
    make_service("Schuldhulp Zwolle", description="Hulp bij schulden.")
    sync_index()
    assert _names("schulden") == ["Schuldhulp Zwolle"]
    inherited = _engine(app)._local.reader
    pid = os.fork()
    if pid == 0:  # the worker
        ok = False
        try:
            Database.engine(app).dispose(close=False)
            ok = _names("schulden") == ["Schuldhulp Zwolle"]
            ok = ok and _engine(app)._local.reader is not inherited
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert _engine(app)._local.reader is inherited
    assert _names("schulden") == ["Schuldhulp Zwolle"]


def test_a_process_that_only_searches_never_imports_folium(tmp_path: Path) -> None:
    """folium compiles some eighty templates on import (about half a second of cold start):
    a process loads it only when it draws a map."""
    code = (
        "import sys\n"
        "from wegwijzer import create_app\n"
        "from wegwijzer.search import ensure_index, search\n"
        "app = create_app({'TESTING': True, 'SECRET_KEY': 'x' * 32,"
        f" 'DATABASE_URL': 'sqlite:///{tmp_path}/w.sqlite3', 'INDEX_DIR': '{tmp_path}/index'}},"
        f" instance_path='{tmp_path}/instance')\n"
        "with app.test_request_context('/'):\n"
        "    from wegwijzer.infra.database import upgrade_database\n"
        "    upgrade_database(app)\n"
        "    ensure_index(app)\n"
        "    search('schulden')\n"
        "    print('folium' in sys.modules)\n"
        "    from wegwijzer.maps import load_folium\n"
        "    load_folium()\n"
        "    print('folium' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]
