"""Search on PostgreSQL: indexing, the change log and a second instance sharing the database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from wegwijzer import create_app
from wegwijzer.devtools.generate import generate_services
from wegwijzer.domain.places import gazetteer
from wegwijzer.extensions import Database, db
from wegwijzer.models import Service
from wegwijzer.search import engine as engine_module
from wegwijzer.search import ensure_index, search, sync_index
from wegwijzer.services.changes import record_change

pytestmark = pytest.mark.postgres


def test_index_follows_postgres(
    pg_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "CHECK_INTERVAL", 0.0)
    generate_services(db.session, gazetteer(), 300, seed=2)
    assert ensure_index(pg_app) == 300
    result = search("deurwaarder", near="Zwolle")
    assert result.urgent and result.total > 0
    assert search("").total == 300

    other = create_app(
        {**pg_app.config, "INDEX_DIR": str(tmp_path / "other-index")},
        instance_path=str(tmp_path / "other"),
    )
    with other.app_context():
        assert ensure_index(other) == 300

    svc = db.session.scalars(select(Service).order_by(Service.id)).first()
    svc.description = "Uniek woord: zonnepanelenadvies."
    record_change(db.session, "service", svc.id)
    db.session.commit()
    sync_index()
    assert [h.service_id for h in search("zonnepanelenadvies").results] == [svc.id]
    with other.app_context():
        assert [h.service_id for h in search("zonnepanelenadvies").results] == [svc.id]

    svc.deleted_at = datetime.now(UTC)
    record_change(db.session, "service", svc.id)
    db.session.commit()
    assert search("zonnepanelenadvies").total == 0
    with other.app_context():
        assert search("zonnepanelenadvies").total == 0
        assert search("").total == 299
    Database.engine(other).dispose()
