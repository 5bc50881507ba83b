"""Unbound extension singletons, bound to an app in ``create_app``."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker


class Database:
    """Own one engine per app and a session per application context."""

    def init_app(self, app: Flask) -> None:
        url = app.config["DATABASE_URL"]
        engine = make_engine(url)
        app.extensions["wegwijzer.engine"] = engine
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions["wegwijzer.sessionmaker"] = factory
        app.extensions["wegwijzer.sessions"] = scoped_session(factory, scopefunc=_scope)

        @app.teardown_appcontext
        def _remove_session(exc: BaseException | None) -> None:
            app.extensions["wegwijzer.sessions"].remove()

    @staticmethod
    def _registry() -> scoped_session[Session]:
        try:
            return current_app.extensions["wegwijzer.sessions"]
        except (RuntimeError, KeyError):
            raise RuntimeError(
                "No database session here: use it inside an app created by create_app()."
            ) from None

    @property
    def session(self) -> Session:
        return self._registry()()

    def remove(self) -> None:
        """Close this application context's session."""
        self._registry().remove()

    @staticmethod
    def engine(app: Flask) -> Engine:
        return app.extensions["wegwijzer.engine"]


def _scope() -> int:
    # One session per application context, like Flask-SQLAlchemy.
    try:
        return id(g._get_current_object())
    except RuntimeError:
        return 0


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


db = Database()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
