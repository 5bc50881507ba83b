"""Referrals on PostgreSQL: the same statuses, conflicts, figures, retention and column rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from wegwijzer.extensions import Database, db
from wegwijzer.models import Referral
from wegwijzer.services.referrals import ReferralError
from wegwijzer.services.referrals.figures import figures, figures_csv
from wegwijzer.services.referrals.records import StatusUpdate, set_status
from wegwijzer.services.referrals.retention import purge_closed

from .referrals_support import ZWOLLE_ADMIN, World, build_world, refer
from .test_referrals_privacy import (
    test_every_column_of_the_referral_tables_is_a_number_a_date_an_id_or_a_fixed_choice as columns,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_app: Flask) -> Flask:
    return pg_app


@pytest.fixture
def world(app: Flask, make_organization, make_service) -> World:
    return build_world(make_organization, make_service)


def test_columns_hold_no_free_text_on_postgres(app: Flask) -> None:
    assert db.session.get_bind().dialect.name == "postgresql"
    columns(app)


def test_statuses_figures_and_retention_on_postgres(app: Flask, world: World) -> None:
    admin = world.user(ZWOLLE_ADMIN)
    referral = refer(world, today=date(2025, 3, 3))
    when = datetime(2025, 3, 4, 9, tzinfo=UTC)
    set_status(
        db.session,
        admin,
        referral,
        StatusUpdate("gesprek-gepland", conversation_on=date(2025, 3, 5)),
        now=when,
    )
    with Database.engine(app).begin() as other:
        other.execute(
            Referral.__table__.update()
            .where(Referral.__table__.c.id == referral.id)
            .values(status="gestart")
        )
    with pytest.raises(ReferralError):
        set_status(db.session, admin, referral, StatusUpdate("niet-gestart", reason="past-niet"))
    db.session.refresh(referral)
    set_status(db.session, admin, referral, StatusUpdate("afgerond"), now=when + timedelta(days=30))
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE referrals SET status = 'Jan Jansen'"))
    db.session.rollback()
    before = figures_csv(
        figures(db.session, 2025, date(2026, 1, 1), gm_code="GM0193", shared=False)
    )
    assert "2025-03;totaal;1;1;1;100%;2;1" in before
    assert purge_closed(db.session, 18, now=datetime(2027, 1, 1, tzinfo=UTC)) == 1
    after = figures_csv(figures(db.session, 2025, date(2026, 1, 1), gm_code="GM0193", shared=False))
    assert after == before
