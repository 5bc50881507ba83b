"""Figures for the yearly talk ("< 5" outside the municipality, CSV, A4), retention, the CLI."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from wegwijzer.cli import main
from wegwijzer.extensions import db
from wegwijzer.models import (
    AuditEntry,
    Referral,
    ReferralMonthlyCount,
    ReferralStatusChange,
)
from wegwijzer.services.referrals.figures import figures, figures_csv
from wegwijzer.services.referrals.records import StatusUpdate, set_status
from wegwijzer.services.referrals.retention import months_before, purge_closed

from .referrals_support import HELPER, ZWOLLE_ADMIN, World, build_world, logged_in, refer

YEAR = 2025
TODAY = date(2026, 3, 1)


@pytest.fixture
def world(app: Flask, make_organization, make_service) -> World:
    return build_world(make_organization, make_service)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def _plan(world: World, referral: Referral, days: int) -> None:
    admin = world.user(ZWOLLE_ADMIN)
    when = referral.referred_on + timedelta(days=days)
    set_status(
        db.session,
        admin,
        referral,
        StatusUpdate("gesprek-gepland", conversation_on=when),
        now=_at(referral.referred_on),
    )


def _close(world: World, referral: Referral, status: str, on: date, reason: str | None = None):  # type: ignore[no-untyped-def]
    admin = world.user(ZWOLLE_ADMIN)
    if status in ("afgerond", "gestopt"):
        _plan(world, referral, 3)
        set_status(db.session, admin, referral, StatusUpdate("gestart"), now=_at(on))
    set_status(db.session, admin, referral, StatusUpdate(status, reason=reason), now=_at(on))


def _year(world: World) -> None:
    """March: 3 referrals; May: 5 with their first talk after 1, 2, 3, 10 and 40 days."""
    for day in (3, 4, 5):
        refer(world, today=date(YEAR, 3, day))
    for offset, days in enumerate((1, 2, 3, 10, 40)):
        referral = refer(world, today=date(YEAR, 5, 5 + offset))
        _plan(world, referral, days)
    stopped = refer(world, today=date(YEAR, 5, 20))
    _close(world, stopped, "niet-gestart", date(YEAR, 7, 1), reason="niet-bereikbaar")


def test_figures_per_month_with_term_and_median(app: Flask, world: World) -> None:
    _year(world)
    result = figures(db.session, YEAR, TODAY, gm_code="GM0193", shared=False)
    by_month = {row.period.month: row for row in result.totals}
    assert set(by_month) == {3, 5}
    march, may = by_month[3], by_month[5]
    assert march.n("gemaakt") == 3 and march.n("ontvangen") == 0
    # March: terms have passed without a talk: 0 of 3 within the term.
    assert result.pct(march) == "0%"
    assert may.n("gemaakt") == 6 and may.n("gesprek-gepland") == 5
    # 4 of 5 talks within four weeks; the unreachable one closed after its term: 4 of 6.
    assert result.pct(may) == "67%"
    assert result.median(may) == "3"
    assert may.not_started["niet-bereikbaar"] == 1
    quarters = figures(db.session, YEAR, TODAY, gm_code="GM0193", period="kwartaal", shared=False)
    assert [(r.period.month, r.n("gemaakt")) for r in quarters.totals] == [(1, 3), (4, 6)]


def test_small_counts_are_masked_when_shared(app: Flask, world: World) -> None:
    _year(world)
    shared = figures(db.session, YEAR, TODAY, gm_code="GM0193", shared=True)
    march = shared.totals[0]
    assert shared.cell(march.n("gemaakt")) == "< 5"
    assert shared.pct(march) == "–" and shared.bar(march) == 0
    may = shared.totals[1]
    assert shared.cell(may.n("gemaakt")) == "6"
    assert shared.cell(may.n("gestart")) == "0"
    rows = list(csv.reader(io.StringIO(figures_csv(shared)), delimiter=";"))
    assert rows[0][:3] == ["periode", "groep", "overdrachten"]
    assert rows[1][:3] == [f"{YEAR}-03", "totaal", "< 5"]
    assert rows[2][:5] == [f"{YEAR}-05", "totaal", "6", "6", "5"]
    assert "1" not in rows[2][8:13] and "< 5" in rows[2][8:13]  # one "niet bereikbaar"


def test_figures_page_exact_inside_the_municipality_masked_outside(
    app: Flask, world: World
) -> None:
    _year(world)
    admin = logged_in(app, ZWOLLE_ADMIN)
    page = admin.get(f"/beheer/overdrachten/cijfers?jaar={YEAR}").get_data(as_text=True)
    march = f'<th scope="row">{YEAR}-03</th><td>Totaal</td><td>'
    assert f"{march}3</td>" in page and "&lt; 5" not in page
    assert "<svg" in page and "<table" in page
    shared = admin.get(f"/beheer/overdrachten/cijfers?jaar={YEAR}&delen=1").get_data(as_text=True)
    assert f"{march}&lt; 5</td>" in shared
    # A volunteer organisation is outside the municipality: always masked.
    helper = logged_in(app, HELPER)
    theirs = helper.get(f"/beheer/overdrachten/cijfers?jaar={YEAR}").get_data(as_text=True)
    assert "Geldmaatjes Zwolle" in theirs and f"{march}&lt; 5</td>" in theirs
    download = helper.get(f"/beheer/overdrachten/cijfers?jaar={YEAR}&csv=1")
    assert download.mimetype == "text/csv"
    assert "< 5" in download.get_data(as_text=True)
    printed = admin.get(f"/beheer/overdrachten/cijfers?jaar={YEAR}&afdrukken=1&per=verwijzer")
    assert printed.status_code == 200 and "print-page" in printed.get_data(as_text=True)
    assert "Geldmaatjes Zwolle" in printed.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "field"),
    [("jaar=twintig", "jaar"), ("periode=week", "periode"), ("per=persoon", "per")],
)
def test_bad_figure_parameters_name_the_field(app: Flask, world: World, query, field) -> None:  # type: ignore[no-untyped-def]
    admin = logged_in(app, ZWOLLE_ADMIN)
    resp = admin.get(f"/beheer/overdrachten/cijfers?{query}")
    assert resp.status_code == 400
    assert field in resp.get_data(as_text=True)
    foreign = admin.get("/beheer/overdrachten/cijfers?gemeente=GM0166")
    assert foreign.status_code == 403


def test_retention_deletes_the_history_and_keeps_the_counts(app: Flask, world: World) -> None:
    _year(world)
    old = refer(world, today=date(YEAR, 5, 21))
    _close(world, old, "afgerond", date(YEAR, 6, 1))
    before = figures_csv(figures(db.session, YEAR, TODAY, gm_code="GM0193", shared=False))
    ids = set(db.session.scalars(select(Referral.id)))
    now = datetime(2027, 1, 15, tzinfo=UTC)  # 18 months after June and July 2025
    assert months_before(now, 18) == datetime(2025, 7, 15, tzinfo=UTC)
    deleted = purge_closed(db.session, 18, now=now)
    assert deleted == 2  # closed on 1 June and 1 July; the rest is still open
    left = set(db.session.scalars(select(Referral.id)))
    assert len(left) == len(ids) - 2
    gone = ids - left
    assert not db.session.scalars(
        select(ReferralStatusChange).where(ReferralStatusChange.referral_id.in_(gone))
    ).all()
    assert not db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "referral", AuditEntry.entity_id.in_([str(i) for i in gone])
        )
    ).all()
    assert db.session.scalar(select(func.count()).select_from(ReferralMonthlyCount)) > 0
    after = figures_csv(figures(db.session, YEAR, TODAY, gm_code="GM0193", shared=False))
    assert after == before
    # Running it again changes nothing.
    assert purge_closed(db.session, 18, now=now) == 0
    assert figures_csv(figures(db.session, YEAR, TODAY, gm_code="GM0193", shared=False)) == before


def test_retention_keeps_what_closed_recently(app: Flask, world: World) -> None:
    recent = refer(world, today=date(YEAR, 5, 1))
    _close(world, recent, "niet-gestart", date(YEAR, 9, 1), reason="zelf-afgezien")
    assert purge_closed(db.session, 18, now=datetime(2027, 2, 28, tzinfo=UTC)) == 0
    assert purge_closed(db.session, 18, now=datetime(2027, 3, 2, tzinfo=UTC)) == 1


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def env(app: Flask) -> dict[str, str]:
    return {
        "WEGWIJZER_SECRET_KEY": "cli-test-secret-key-0123456789abcdef",
        "WEGWIJZER_DATABASE_URL": app.config["DATABASE_URL"],
        "WEGWIJZER_INDEX_DIR": app.config["INDEX_DIR"],
    }


def test_cli_report_and_retention(
    app: Flask, world: World, runner: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    _year(world)
    instance = ["--instance", app.instance_path]
    args = ["referrals", "report", "--municipality", "Zwolle", "--year", str(YEAR)]
    result = runner.invoke(main, [*args, "--csv", *instance], env=env)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output), delimiter=";"))
    assert rows[1][:3] == [f"{YEAR}-03", "totaal", "3"]
    shared = runner.invoke(main, [*args, "--csv", "--shared", *instance], env=env)
    assert "< 5" in shared.output
    text = runner.invoke(main, [*args, "--by", "verwijzer", *instance], env=env)
    assert text.exit_code == 0 and "Geldmaatjes Zwolle" in text.output
    unknown = runner.invoke(
        main, ["referrals", "report", "--municipality", "Atlantis", *instance], env=env
    )
    assert unknown.exit_code != 0 and "Onbekende gemeente" in unknown.output
    kept = runner.invoke(main, ["referrals", "retention", *instance], env=env)
    assert kept.exit_code == 0 and "0 overdracht(en) gewist" in kept.output
    wiped = runner.invoke(main, ["referrals", "retention", "--months", "1", *instance], env=env)
    assert wiped.exit_code == 0 and "1 overdracht(en) gewist" in wiped.output
    no_mail = runner.invoke(main, ["referrals", "signals", *instance], env=env)
    assert no_mail.exit_code != 0 and "MAIL_SERVER" in no_mail.output
