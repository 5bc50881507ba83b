"""Infrastructure: the database schema (Alembic) and outgoing mail."""
