"""Per-segment arrays shared by every process: written with the index, memory-mapped,
kept right after edits (an overlay) and after a reindex, and enough for a fresh process."""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import event, select

from wegwijzer import create_app
from wegwijzer.devtools.generate import generate_services
from wegwijzer.domain.places import gazetteer
from wegwijzer.extensions import Database, db
from wegwijzer.models import Service
from wegwijzer.search import ensure_index, rebuild_index, search, segarrays
from wegwijzer.search.store import current_generation
from wegwijzer.search.view import SegmentCache
from wegwijzer.services.changes import record_change

SERVICES = 300


@pytest.fixture
def shared(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """An index of 300 generated services whose segment gets a shared arrays file."""
    # The real threshold is 1,000 documents; 300 keeps the test quick with the same code.
    monkeypatch.setattr(segarrays, "PERSIST_MIN", 100)
    generate_services(db.session, gazetteer(), SERVICES, seed=5)
    rebuild_index(app)
    return app


def _view(app: Flask) -> Any:
    view = app.extensions["wegwijzer.search"].view()[0]
    view.warm()
    return view


def _mapped(arr: np.ndarray) -> bool:
    base = arr.base
    while isinstance(base, np.ndarray):
        base = base.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)


def _arrays_files(app: Flask) -> list[Path]:
    gen = current_generation(Path(app.config["INDEX_DIR"]))
    assert gen is not None
    return sorted(gen.glob("arrays-*.bin"))


def _edit(svc: Service, **fields: Any) -> None:
    for key, value in fields.items():
        setattr(svc, key, value)
    record_change(db.session, "service", svc.id)
    db.session.commit()


def test_reindex_writes_the_arrays_and_searches_read_them_mapped(shared: Flask) -> None:
    [path] = _arrays_files(shared)
    view = _view(shared)
    [(sub, cache, _offset)] = view.parts
    assert path.name == segarrays.file_name(cache.segment_id)
    assert cache.shared
    # Read-only views of the mapped file: no process can write into the shared pages.
    for arr in (view.lat, view.lon, view.sortkeys, cache.field_lengths(sub, "body")):
        assert not arr.flags.writeable
        assert _mapped(arr)
    # The file holds exactly what the records say.
    derived = SegmentCache(cache.segment_id, cache.size, {}).derive(sub)
    mapped = cache.arrays(sub)
    assert mapped.keys() == derived.keys()
    for name, values in derived.items():
        np.testing.assert_array_equal(mapped[name], values, err_msg=name)
    # Searches answer from them: names, places, facets.
    found = search("schulden", near="Zwolle")
    assert found.total > 0 and any(h.distance_km is not None for h in found.results)
    assert sum(search("").facets["thema"].values()) >= SERVICES


def test_an_edit_is_a_private_overlay_on_the_shared_arrays(shared: Flask) -> None:
    [path] = _arrays_files(shared)
    before = os.stat(path)
    services = db.session.scalars(select(Service).order_by(Service.name)).all()
    first, gone = services[10], services[20]
    _edit(first, name="0000 Zonnepaneelhulp", description="Advies over zonnepaneelhulp.")
    _edit(gone, deleted_at=datetime.now(UTC))
    assert [h.name for h in search("zonnepaneelhulp").results] == ["0000 Zonnepaneelhulp"]
    everything = search("", per_page=100)
    assert everything.total == SERVICES - 1
    # Sorted by name: the renamed service comes first, the deleted one is nowhere.
    assert everything.results[0].name == "0000 Zonnepaneelhulp"
    names = {h.name for p in range(1, everything.pages + 1) for h in search("", page=p).results}
    assert gone.name not in names and len(names) <= SERVICES - 1
    view = _view(shared)
    assert [cache.shared for _, cache, _ in view.parts] == [True, False]
    assert view.lat.shape == (view.size,)
    # The shared file was not touched: other workers keep mapping the same pages.
    after = os.stat(path)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    assert _arrays_files(shared) == [path]


def test_reindex_swaps_to_the_new_generations_arrays(shared: Flask) -> None:
    [old] = _arrays_files(shared)
    svc = db.session.scalars(select(Service).order_by(Service.name)).first()
    assert svc is not None
    _edit(svc, name="Zonnebloemhulp Oost", description="Hulp van de zonnebloemhulp.")
    rebuild_index(shared)
    [new] = _arrays_files(shared)
    assert new.parent != old.parent
    view = _view(shared)
    [(_sub, cache, _offset)] = view.parts
    assert cache.shared and cache.directory == new.parent
    assert [h.name for h in search("zonnebloemhulp").results] == ["Zonnebloemhulp Oost"]


@pytest.fixture
def fresh(shared: Flask, tmp_path: Path) -> Iterator[tuple[Flask, list[str]]]:
    """A second app on the same database and index directory, counting its SQL."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "DATABASE_URL": shared.config["DATABASE_URL"],
            "INDEX_DIR": shared.config["INDEX_DIR"],
        },
        instance_path=str(tmp_path / "instance-fresh"),
    )
    statements: list[str] = []
    event.listen(
        Database.engine(other),
        "before_cursor_execute",
        lambda _c, _cur, sql, *_a: statements.append(sql),
    )
    yield other, statements
    Database.engine(other).dispose()


def test_a_fresh_process_answers_from_the_shared_arrays(
    fresh: tuple[Flask, list[str]], shared: Flask
) -> None:
    other, statements = fresh
    expected = [h.service_id for h in search("schulden", near="Kampen").results]
    with other.app_context():
        assert ensure_index(other) == SERVICES
        got = [h.service_id for h in search("schulden", near="Kampen").results]
        view = _view(other)
        [(_sub, cache, _offset)] = view.parts
    assert got == expected
    assert cache.shared
    # Only the records of the shown hits were read from the index (not one per service), and
    # nothing of the services from the database: the change-log position and the taxonomy
    # words, a few queries.
    assert len(cache._records) <= 20
    assert not [s for s in statements if " services" in s]
    assert len(statements) < 20, statements


def test_a_damaged_arrays_file_is_not_mapped_the_process_derives_its_own(
    fresh: tuple[Flask, list[str]], shared: Flask
) -> None:
    other, _statements = fresh
    [path] = _arrays_files(shared)
    expected = [h.service_id for h in search("budget", near="Zwolle").results]
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)
    with other.app_context():
        ensure_index(other)
        got = [h.service_id for h in search("budget", near="Zwolle").results]
        [(_sub, cache, _offset)] = _view(other).parts
    assert got == expected
    assert not cache.shared
