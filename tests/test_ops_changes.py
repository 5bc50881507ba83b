"""Pruning the search change log: rows every live index applied and older than the retention go;
an index that was away longer than the retention notices the gap and rebuilds itself instead of
missing the pruned changes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select, update

from wegwijzer import create_app
from wegwijzer.cli import main
from wegwijzer.extensions import Database, db
from wegwijzer.models import ChangeLog, Service, Setting
from wegwijzer.search import engine as engine_module
from wegwijzer.search import ensure_index, positions, search, sync_index
from wegwijzer.search.positions import PREFIX, index_id, read_positions
from wegwijzer.search.store import current_generation, read_applied
from wegwijzer.services.changes import prune_changes

WEEK = timedelta(days=7)


@pytest.fixture(autouse=True)
def _report_every_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(positions, "REPORT_INTERVAL", 0.0)
    monkeypatch.setattr(engine_module, "CHECK_INTERVAL", 0.0)


def _other_app(app: Flask, index_dir: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "INDEX_DIR": str(index_dir),
        },
        instance_path=str(index_dir.parent / f"instance-{index_dir.name}"),
    )


@pytest.fixture
def other(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """A second process's app (another host) with its own index directory."""
    other = _other_app(app, tmp_path / "other-index")
    yield other
    Database.engine(other).dispose()


def _age(days: int, index_root: Path | None = None) -> None:
    """Make every change-log row (or one index's position) ``days`` old."""
    then = datetime.now(UTC) - timedelta(days=days)
    if index_root is None:
        db.session.execute(update(ChangeLog).values(at=then))
    else:
        key = PREFIX + index_id(index_root)
        row = db.session.get(Setting, key)
        assert row is not None, "the index never recorded its position"
        data = json.loads(row.value)
        row.value = json.dumps({**data, "at": then.isoformat()})
    db.session.commit()


def _names(query: str) -> list[str]:
    return sorted(h.name for h in search(query).results)


def test_index_away_longer_than_the_retention_rebuilds_instead_of_missing_changes(
    app: Flask, other: Flask, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    make_service("Schuldhulp Zwolle", description="Hulp bij schulden.")
    ensure_index(app)
    with other.app_context():
        assert ensure_index(other) == 1
    other_root = tmp_path / "other-index"
    stale_gen = current_generation(other_root)
    assert stale_gen is not None
    # The other host goes down; here a service is added and later edited.
    Database.engine(other).dispose()
    svc = make_service("Maatjesproject Zwolle", description="Een vrijwilliger helpt.")
    svc.description = "Een maatje helpt met de post."
    from wegwijzer.services.changes import record_change

    record_change(db.session, "service", svc.id)
    db.session.commit()
    sync_index()
    assert _names("maatje") == ["Maatjesproject Zwolle"]
    # Ten days later: the rows are past the retention, the other host has not been seen.
    _age(10)
    _age(10, other_root)
    before = db.session.scalar(select(func.count()).select_from(ChangeLog))
    result = prune_changes(db.session, WEEK)
    assert result.deleted == before and result.live_indexes == 1
    assert result.forgotten_indexes == 1
    # Catching up from the log alone is impossible now: the rows are gone.
    left = db.session.execute(select(ChangeLog.entity_type, ChangeLog.entity_id)).all()
    assert left == [(ChangeLog.PRUNED, str(result.up_to))]
    assert read_applied(stale_gen).seq < result.up_to
    # Changes after the prune are numbered above everything before (SQLite would otherwise
    # reuse the deleted numbers), so the live index applies them.
    make_service("Thuisadministratie Zwolle", description="Papieren ordenen.")
    sync_index()
    assert _names("papieren") == ["Thuisadministratie Zwolle"]
    # The other host comes back: it notices the gap and rebuilds.
    with other.app_context():
        assert ensure_index(other) == 3
        assert current_generation(other_root) not in (None, stale_gen)
        assert _names("maatje") == ["Maatjesproject Zwolle"]
        assert _names("papieren") == ["Thuisadministratie Zwolle"]
    # This host was live and had applied everything: no rebuild, still current.
    assert _names("maatje") == ["Maatjesproject Zwolle"]


def test_running_process_that_missed_pruned_rows_rebuilds_in_the_background(
    app: Flask, other: Flask, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    ensure_index(app)
    with other.app_context():
        ensure_index(other)
        assert search("").total == 0
    # The other process stays up but idle (no searches, so no sync) for longer than the
    # retention: its position is old, its rows get pruned.
    make_service("Formulierenhulp Kampen", description="Hulp bij formulieren.")
    sync_index()  # this process stays current
    _age(10)
    _age(10, tmp_path / "other-index")
    assert prune_changes(db.session, WEEK).deleted == 1
    with other.app_context():
        engine = other.extensions["wegwijzer.search"]
        # Its next search notices the marker and builds a new index beside the old one.
        first = search("formulieren").total
        assert engine.wait_for_repair(60)
        assert first in (0, 1)
        assert _names("formulieren") == ["Formulierenhulp Kampen"]


def test_rows_a_live_index_has_not_applied_are_kept(
    app: Flask, other: Flask, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    make_service("Budgetcoach Dalfsen", description="Budget op orde.")
    ensure_index(app)
    with other.app_context():
        ensure_index(other)
    behind = read_applied(current_generation(tmp_path / "other-index")).seq  # type: ignore[arg-type]
    make_service("Energiecoach Dalfsen", description="Energierekening omlaag.")
    sync_index()
    _age(10)  # old rows, but the other index (seen recently) has not applied the last one
    result = prune_changes(db.session, WEEK)
    assert result.up_to == behind and result.live_indexes == 2
    remaining = db.session.scalars(select(ChangeLog.seq).where(ChangeLog.seq > behind)).all()
    assert remaining, "the row the live index still needs was pruned"
    with other.app_context():
        gen = current_generation(tmp_path / "other-index")
        assert _names("energierekening") == ["Energiecoach Dalfsen"]
        assert current_generation(tmp_path / "other-index") == gen  # caught up, no rebuild
    # Now both applied the old row, so it goes; a young row stays, whatever was applied.
    young = make_service("Thuisadministratie Dalfsen", description="Papieren ordenen.")
    sync_index()
    with other.app_context():
        assert _names("papieren") == ["Thuisadministratie Dalfsen"]
    assert prune_changes(db.session, WEEK).deleted == 1
    kept = db.session.scalars(select(ChangeLog.entity_id).where(ChangeLog.entity_type == "service"))
    assert list(kept) == [young.id]


def test_prune_command_and_reindex_prune_with_the_configured_retention(
    app: Flask, make_service: Callable[..., Service], runner: CliRunner, tmp_path: Path
) -> None:
    make_service("Schuldhulp Zwolle", description="Hulp bij schulden.")
    ensure_index(app)
    env = {
        "WEGWIJZER_DATABASE_URL": app.config["DATABASE_URL"],
        "WEGWIJZER_INDEX_DIR": app.config["INDEX_DIR"],
        "WEGWIJZER_SECRET_KEY": "test-secret-key-not-for-production",
    }
    instance = str(tmp_path / "cli-instance")
    out = runner.invoke(main, ["prune-changes", "--instance", instance], env=env)
    assert out.exit_code == 0, out.output
    assert "0 regel(s) weg" in out.output  # rows of today stay
    _age(3)
    env["WEGWIJZER_CHANGE_LOG_RETENTION_DAYS"] = "2"
    out = runner.invoke(main, ["reindex", "--instance", instance], env=env)
    assert out.exit_code == 0, out.output
    assert "Wijzigingenlog opgeschoond:" in out.output and "regel(s) weg, 1 over" in out.output
    assert [p.index_id for p in read_positions(db.session)] == [
        index_id(Path(app.config["INDEX_DIR"]))
    ]
    assert _names("schulden") == ["Schuldhulp Zwolle"]


def test_pruning_on_postgresql(pg_app: Flask, tmp_path: Path) -> None:
    from wegwijzer.devtools.generate import generate_services
    from wegwijzer.domain.places import gazetteer

    generate_services(db.session, gazetteer(), 20, seed=5)
    assert ensure_index(pg_app) == 20
    away = _other_app(pg_app, tmp_path / "away-index")
    with away.app_context():
        assert ensure_index(away) == 20
    Database.engine(away).dispose()
    generate_services(db.session, gazetteer(), 10, seed=6)
    assert sync_index() == 10
    _age(10)
    _age(10, tmp_path / "away-index")
    result = prune_changes(db.session, WEEK)
    assert result.deleted > 0 and result.live_indexes == 1 and result.forgotten_indexes == 1
    # New rows still get numbers above the marker.
    generate_services(db.session, gazetteer(), 1, seed=7)
    assert db.session.scalar(select(func.max(ChangeLog.seq))) > result.up_to
    back = _other_app(pg_app, tmp_path / "away-index")
    with back.app_context():
        assert ensure_index(back) == 31
        assert search("").total == 31
    Database.engine(back).dispose()
