"""A referral from helper to service and back: the web pages, statuses, feedback, signals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import AuditEntry, Referral, ReferralStatusChange

from .referrals_support import (
    CODE_IN_PAGE,
    HELPER,
    RECEIVER,
    ZWOLLE_ADMIN,
    World,
    build_world,
    logged_in,
    post_form,
    refer,
)


@pytest.fixture
def world(app: Flask, make_organization, make_service) -> World:
    return build_world(make_organization, make_service)


def test_helper_refers_and_sees_the_feedback(app: Flask, world: World) -> None:
    helper = logged_in(app, HELPER)
    page = helper.get(f"/hulp/{world.debt_help.slug}")
    html = page.get_data(as_text=True)
    assert "Overdracht met terugkoppeling maken" in html
    url = f"/beheer/overdrachten/nieuw/{world.debt_help.slug}"
    form = helper.get(url).get_data(as_text=True)
    assert "Waarom vraagt Wegwijzer geen naam of adres?" in form
    assert "<textarea" not in form and 'type="text"' not in form
    resp = post_form(
        helper,
        url,
        {
            "organisatie": world.geldmaatjes.id,
            "gemeente": "GM0193",
            "urgentie": "huisuitzetting",
            "voorbereid": ["0", "2"],
            "toestemming": "ja",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    created = helper.get(resp.headers["Location"]).get_data(as_text=True)
    code = CODE_IN_PAGE.search(created).group(1)
    assert "De overdracht is gemaakt" in created
    referral = db.session.scalar(select(Referral))
    assert referral.code == code.replace("-", "")
    assert referral.prepared_items == 0b101 and referral.checklist_size == 3
    assert referral.term_ends_on > referral.referred_on

    # The municipality's beheerder receives it: the municipality's own debt help.
    admin = logged_in(app, ZWOLLE_ADMIN)
    inbox = admin.get(f"/beheer/overdrachten/inbox/{world.debt_help.id}").get_data(as_text=True)
    assert code in inbox and "Geldmaatjes Zwolle" in inbox
    detail = f"/beheer/overdrachten/{code}"
    resp = post_form(admin, f"{detail}/status", {"status": "ontvangen"}, form_url=detail)
    assert resp.status_code == 302
    planned = (referral.referred_on + timedelta(days=2)).isoformat()
    resp = post_form(
        admin, f"{detail}/status", {"status": "gesprek-gepland", "gesprek_op": planned}, detail
    )
    assert resp.status_code == 302

    page = helper.get(detail).get_data(as_text=True)
    assert "Eerste gesprek gepland" in page
    assert "Ontvangen" in page
    steps = db.session.scalars(select(ReferralStatusChange.status)).all()
    assert steps == ["nieuw", "ontvangen", "gesprek-gepland"]
    audit = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "referral")
    ).all()
    assert audit == ["create", "status", "status"]


def test_without_consent_the_helper_sees_only_that_it_was_sent(app: Flask, world: World) -> None:
    referral = refer(world, consent=False)
    code = referral.code
    receiver = logged_in(app, ZWOLLE_ADMIN)
    detail = f"/beheer/overdrachten/{code}"
    post_form(
        receiver, f"{detail}/status", {"status": "niet-gestart", "reden": "zelf-afgezien"}, detail
    )
    helper = logged_in(app, HELPER)
    page = helper.get(detail).get_data(as_text=True)
    assert "geen toestemming" in page
    assert "Zelf afgezien" not in page and "Niet gestart" not in page
    listing = helper.get("/beheer/overdrachten/").get_data(as_text=True)
    assert "Zelf afgezien" not in listing


def test_not_started_is_flagged_to_the_helper_at_once(app: Flask, world: World) -> None:
    referral = refer(world, to=world.budget)
    receiver = logged_in(app, RECEIVER)
    detail = f"/beheer/overdrachten/{referral.code}"
    resp = post_form(
        receiver, f"{detail}/status", {"status": "niet-gestart", "reden": "niet-bereikbaar"}, detail
    )
    assert resp.status_code == 302
    helper = logged_in(app, HELPER)
    listing = helper.get("/beheer/overdrachten/").get_data(as_text=True)
    assert "Niet bereikbaar" in listing and 'class="signaal"' in listing


def test_untouched_referral_past_the_term_is_flagged_on_both_sides(
    app: Flask, world: World
) -> None:
    referral = refer(world, urgency="afsluiting", today=date.today() - timedelta(days=10))
    helper = logged_in(app, HELPER)
    text = "Termijn voorbij: nog geen eerste gesprek gepland"
    assert text in helper.get("/beheer/overdrachten/").get_data(as_text=True)
    admin = logged_in(app, ZWOLLE_ADMIN)
    assert text in admin.get(f"/beheer/overdrachten/inbox/{world.debt_help.id}").get_data(
        as_text=True
    )
    assert text in admin.get(f"/beheer/overdrachten/{referral.code}").get_data(as_text=True)


def test_status_form_refuses_bad_steps_with_a_message(app: Flask, world: World) -> None:
    referral = refer(world)
    admin = logged_in(app, ZWOLLE_ADMIN)
    detail = f"/beheer/overdrachten/{referral.code}"
    no_date = post_form(admin, f"{detail}/status", {"status": "gesprek-gepland"}, detail)
    assert no_date.status_code == 400
    assert "Vul de datum van het eerste gesprek in." in no_date.get_data(as_text=True)
    no_reason = post_form(admin, f"{detail}/status", {"status": "niet-gestart"}, detail)
    assert "Kies waarom het traject niet gestart is." in no_reason.get_data(as_text=True)
    skip = post_form(admin, f"{detail}/status", {"status": "afgerond"}, detail)
    assert skip.status_code == 400
    assert "Deze stap kan nu niet" in skip.get_data(as_text=True)
    db.session.refresh(referral)
    assert referral.status == "nieuw"
