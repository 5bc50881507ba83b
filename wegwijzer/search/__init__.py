"""Search: the only package that imports whoosh.

Public API, used by the web pages, the JSON API, the guided route and the CLI::

    from wegwijzer.search import search, sync_index, ensure_index, rebuild_index

``search()`` raises :class:`SearchUnavailable` while a missing or damaged index is being
rebuilt in the background (the web layer answers 503); ``sync_index()`` never fails because
of the index.

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

from ..domain.places import gazetteer
from ..extensions import db
from ..models import ChangeLog, Municipality
from .engine import SearchEngine
from .request import SearchParameterError, SearchQuery, make_query, parse_search_query
from .results import Hit, SearchResult, SearchUnavailable
from .searching import run_search

__all__ = [
    "Hit",
    "SearchParameterError",
    "SearchQuery",
    "SearchResult",
    "SearchUnavailable",
    "ensure_index",
    "index_status",
    "init_search",
    "make_query",
    "parse_search_query",
    "rebuild_index",
    "search",
    "search_ids",
    "sync_index",
]

_EXTENSION = "wegwijzer.search"


def init_search(app: Flask) -> None:
    """Attach the search engine to the app; the index is opened or built on first use."""
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


def index_status(app: Flask | None = None, catch_up: bool = True) -> dict[str, Any]:
    """Return the index generation, its change-log position and any problem (for /readyz).

    ``catch_up`` first applies waiting changes without blocking (needs the database).
    """
    from .health import index_status as status

    return status(_engine(app), catch_up=catch_up)


def sync_index(app: Flask | None = None) -> int:
    """Apply committed changes to this process's index now; return how many services changed."""
    return _engine(app).sync()


def search(
    query: SearchQuery | str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    *,
    now: datetime | None = None,
    **values: Any,
) -> SearchResult:
    """Search published services.

    ``query`` is a :class:`SearchQuery` (what pages, API, CLI and route build) or, for short,
    the words with the other fields as keywords (``near=`` for the place): ``search("huur",
    near="Zwolle")``. Filters: ``{"thema": ["schulden"], "fase": [...], ...}``, AND across
    taxonomies, OR within one. Without a place, a place named in the words ("hulp bij
    formulieren in Kampen") is used. With a place, only services covering that municipality
    and national services remain, sorted by relevance with distance breaking near-ties.
    ``now`` is for tests ("open now").
    """
    return _run(query, filters, now, values, ids_only=False)


def search_ids(
    query: SearchQuery | str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    *,
    now: datetime | None = None,
    **values: Any,
) -> list[str]:
    """Return the ids of every service ``search()`` finds, in the same order, without building
    hits, snippets or facet counts (for callers that filter or page the matches themselves).
    Takes the same arguments as ``search()``; ``page`` and ``per_page`` play no part.
    """
    return _run(query, filters, now, values, ids_only=True).ids


def _run(
    query: SearchQuery | str,
    filters: Mapping[str, Sequence[str]] | None,
    now: datetime | None,
    values: dict[str, Any],
    *,
    ids_only: bool,
) -> SearchResult:
    if not isinstance(query, SearchQuery):
        if "near" in values:
            values["place"] = values.pop("near") or ""
        query = make_query(query, filters, **values)
    elif filters or values:
        raise TypeError("give either a SearchQuery or words with keywords, not both")
    engine = _engine()
    try:
        return run_search(
            engine,
            query=query.text,
            filters={k: list(v) for k, v in query.filters.items()},
            near=query.place or None,
            page=query.page,
            per_page=query.per_page,
            radius_km=query.radius_km,
            open_now=query.open_now,
            walk_in=query.walk_in,
            groups=query.groups,
            now=now,
            gazetteer=gazetteer(),
            debt_help_id=lambda gm: Municipality.debt_help_id(db.session, gm),
            ids_only=ids_only,
        )
    except Exception as exc:
        # A file of the index went missing or bad while this search read it: say "try again
        # shortly" while a new index is built, instead of a 500. Other errors stay errors.
        if engine.search_failed(exc):
            raise SearchUnavailable(str(exc)) from exc
        raise
