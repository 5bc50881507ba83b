"""hsds_extra: what an HSDS file said that Wegwijzer does not use itself, written back on export

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = (
    "organizations",
    "services",
    "locations",
    "addresses",
    "accessibility",
    "service_at_location",
    "phones",
    "contacts",
    "schedules",
    "service_areas",
    "languages",
    "cost_options",
    "attributes",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("hsds_extra", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("hsds_extra")
