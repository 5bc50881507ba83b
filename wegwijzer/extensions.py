"""Unbound extension singletons, bound to an app in ``create_app``."""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
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


#: Seconds to wait for a PostgreSQL server before a request gets "try again later" (503).
PG_CONNECT_TIMEOUT = 5


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    Error messages never carry the values of a statement (``hide_parameters``): they may be
    a resident's words or an e-mail address, and errors end up in the log.
    """
    kwargs: dict[str, Any] = {"future": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        if "connect_timeout" not in url:
            kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        if engine.url.database and engine.url.database != ":memory:":
            _follow_sqlite_file(engine, Path(engine.url.database))

    return engine


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _follow_sqlite_file(engine: Engine, path: Path) -> None:
    """Notice a SQLite file that went away or was replaced (a restore) before each use.

    An open connection keeps reading the file it opened, even after the file was moved away
    or replaced. Each checkout (one ``stat``) compares the file at the path with the one
    the connection opened: gone means the database is unreachable (a 503, not a new empty
    database); another file means a fresh connection to it.
    """
    opened: dict[str, bool] = {"once": False}

    @event.listens_for(engine, "do_connect")
    def _no_new_empty_file(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> None:
        # SQLite creates a missing file; after the first connection that would hide an
        # unreachable database behind an empty one.
        if opened["once"] and _file_id(path) is None:
            cargs[:] = [f"file:{urllib.parse.quote(str(path))}?mode=rw"]
            cparams["uri"] = True

    @event.listens_for(engine, "connect")
    def _remember(_dbapi_conn: Any, record: Any) -> None:
        opened["once"] = True
        record.info["wegwijzer.file"] = _file_id(path)

    @event.listens_for(engine, "checkout")
    def _check(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        now = _file_id(path)
        if now is None:
            raise OperationalError(
                "SQLite file check", None, sqlite3.OperationalError("unable to open database file")
            )
        if now != record.info.get("wegwijzer.file"):
            raise DisconnectionError("the SQLite file was replaced")


db = Database()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
