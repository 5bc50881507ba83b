"""taxonomy hints: the expert term beside a plain-language label ("Fase" beside "Waar staat u nu?")

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("taxonomies", "taxonomy_terms")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in ("hint_nl", "hint_en"):
                batch.add_column(
                    sa.Column(column, sa.String(length=255), nullable=False, server_default="")
                )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("hint_en")
            batch.drop_column("hint_nl")
