"""Create and upgrade the database schema with Alembic."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..extensions import Database
from ..resources import MIGRATIONS_DIR

MIGRATIONS = MIGRATIONS_DIR


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the message says which URL."""


def alembic_config(app: Flask) -> Config:
    """Return an Alembic config pointing at our migrations and the app's database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", app.config["DATABASE_URL"].replace("%", "%%"))
    return cfg


def upgrade_database(app: Flask, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (default: the newest)."""
    cfg = alembic_config(app)
    engine = Database.engine(app)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise DatabaseUnavailable(_describe(app, exc)) from exc


def database_revision(app: Flask) -> str | None:
    """Return the schema revision the database is at, or None when empty."""
    try:
        with Database.engine(app).connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise DatabaseUnavailable(_describe(app, exc)) from exc


def head_revision(app: Flask) -> str | None:
    """Return the newest schema revision shipped with this version."""
    return ScriptDirectory.from_config(alembic_config(app)).get_current_head()


def _describe(app: Flask, exc: OperationalError) -> str:
    url = Database.engine(app).url.render_as_string(hide_password=True)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return f"Database niet bereikbaar ({url}): {reason}"


#: After this many rows written at once, refresh PostgreSQL's planner statistics.
BULK_ROWS = 1000


def refresh_statistics(session: Session, rows: int) -> None:
    """Run ANALYZE on PostgreSQL after a bulk write, so the next queries get good plans.

    Autovacuum would do it within about a minute; until then the coverage page measured
    ~5 s instead of ~0.2 s for 20,000 new services. SQLite needs nothing here.
    """
    if rows < BULK_ROWS or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("ANALYZE"))
    session.commit()
