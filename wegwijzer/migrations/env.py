"""Alembic environment: uses the app's engine and the models' metadata."""

from __future__ import annotations

from alembic import context

from wegwijzer.models import Base

config = context.config
connection = config.attributes.get("connection")


def run() -> None:
    if connection is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as conn:
            _migrate(conn)
            conn.commit()
    else:
        _migrate(connection)


def _migrate(conn: object) -> None:
    context.configure(
        connection=conn,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite needs batch mode for ALTER TABLE.
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
