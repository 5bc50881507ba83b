"""Search: the only package that imports whoosh.

Public API, used by the web pages, the JSON API, the guided route and the CLI::

    from wegwijzer.search import search, sync_index, ensure_index, rebuild_index

The database is the truth; the index is derived. Every write that affects search records a
row in the change log (``record_change``) in the same transaction; ``sync_index()`` applies
the rows this index has not applied yet, and every search first checks (at most once a
second) whether other processes added rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from .results import Hit, SearchResult

__all__ = [
    "Hit",
    "SearchResult",
    "ensure_index",
    "init_search",
    "rebuild_index",
    "search",
    "sync_index",
]

_EXTENSION = "wegwijzer.search"


def init_search(app: Flask) -> None:
    """Attach the search engine to the app; the index is opened or built on first use."""
    from .engine import SearchEngine

    engine = SearchEngine(app)
    app.extensions[_EXTENSION] = engine
    _watch_commits(app, engine)


def _engine(app: Flask | None = None) -> Any:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get(_EXTENSION)
    if engine is None:
        init_search(app)
        engine = app.extensions[_EXTENSION]
    return engine


def _watch_commits(app: Flask, engine: Any) -> None:
    """Mark the index stale when a session of this app commits change-log rows.

    ``sync_index()`` after a commit applies changes at once; this catches writers that
    forget it, so this process still shows its own change on the next search.
    """
    from ..models import ChangeLog

    maker = app.extensions["wegwijzer.sessionmaker"]

    def after_flush(session: Session, _context: Any) -> None:
        if any(isinstance(o, ChangeLog) for o in session.new):
            session.info["wegwijzer_search_dirty"] = True

    def after_commit(session: Session) -> None:
        if session.info.pop("wegwijzer_search_dirty", False):
            engine.mark_dirty()

    # Listening on the app's sessionmaker (not the Session class) keeps apps apart.
    event.listen(maker, "after_flush", after_flush)
    event.listen(maker, "after_commit", after_commit)


def ensure_index(app: Flask) -> int:
    """Make sure the index exists, is intact and current; return the number of services."""
    return _engine(app).ensure()


def rebuild_index(app: Flask | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Build a fresh index beside the live one and swap to it; return the number of services."""
    return _engine(app).rebuild(progress=progress)


def sync_index(app: Flask | None = None) -> int:
    """Apply committed changes to this process's index now; return how many services changed."""
    return _engine(app).sync()


def search(
    query: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    near: str | None = None,
    page: int = 1,
    per_page: int = 20,
    lang: str = "nl",
    radius_km: float | None = None,
    open_now: bool = False,
    walk_in: bool = False,
    *,
    now: datetime | None = None,
) -> SearchResult:
    """Search published services.

    ``filters`` = ``{"thema": ["schulden"], "fase": [...], "doelgroep", "toegang",
    "organisatietype"}``: AND across taxonomies, OR within one. ``near`` is a postcode or
    place; without it a place named in the query ("hulp bij formulieren in Kampen") is used.
    With a place, only services covering that municipality and national services remain,
    sorted by relevance with distance breaking near-ties. ``now`` is for tests ("open now").
    """
    from ..extensions import db
    from ..services.places import gazetteer
    from .searching import run_search

    return run_search(
        _engine(),
        query=query,
        filters=filters,
        near=near,
        page=page,
        per_page=per_page,
        lang=lang,
        radius_km=radius_km,
        open_now=open_now,
        walk_in=walk_in,
        now=now,
        gazetteer=gazetteer(),
        debt_help_id=lambda gm: _debt_help_id(db.session, gm),
    )


def _debt_help_id(session: Session, gm_code: str) -> str | None:
    from ..models import Municipality

    row = session.get(Municipality, gm_code)
    return row.debt_help_service_id if row is not None else None
