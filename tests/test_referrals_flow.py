"""A referral from helper to service and back: the web pages, statuses, feedback, signals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from wegwijzer.extensions import Database, db
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


def test_a_service_accepts_referrals_only_when_its_organisation_says_so(
    app: Flask, world: World
) -> None:
    helper = logged_in(app, HELPER)
    kampen = f"/beheer/overdrachten/nieuw/{world.kampen_service.slug}"
    assert helper.get(kampen).status_code == 404
    assert "Overdracht met terugkoppeling maken" not in helper.get(
        f"/hulp/{world.kampen_service.slug}"
    ).get_data(as_text=True)
    editor = logged_in(app, "redacteur@kamperhulp.nl")
    settings = editor.get("/beheer/overdrachten/ontvangen").get_data(as_text=True)
    assert "Kamper dienst" in settings and "Budgetcoach Zwolle" not in settings
    prefix = world.kampen_service.id[:8]
    resp = post_form(
        editor,
        f"/beheer/overdrachten/ontvangen/{world.kampen_service.id}",
        {f"{prefix}-neemt_aan": "y"},
        form_url="/beheer/overdrachten/ontvangen",
    )
    assert resp.status_code == 302
    assert helper.get(kampen).status_code == 200
    audit = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity_id == world.kampen_service.id)
    )
    assert audit is not None and audit.changes == {"overdrachten": [False, True]}
    # Someone else's service cannot be switched on.
    foreign = post_form(
        editor,
        f"/beheer/overdrachten/ontvangen/{world.budget.id}",
        {},
        form_url="/beheer/overdrachten/ontvangen",
    )
    assert foreign.status_code == 403


def test_a_concurrent_status_change_is_refused_not_overwritten(app: Flask, world: World) -> None:
    from wegwijzer.services.referrals import ReferralError
    from wegwijzer.services.referrals.records import StatusUpdate, set_status

    referral = refer(world)
    admin = world.user(ZWOLLE_ADMIN)
    # Someone else set "ontvangen" after this page was loaded.
    with Database.engine(app).begin() as other:
        other.execute(
            Referral.__table__.update()
            .where(Referral.__table__.c.id == referral.id)
            .values(status="ontvangen")
        )
    assert referral.status == "nieuw"  # what this request loaded
    with pytest.raises(ReferralError, match="Iemand anders"):
        set_status(db.session, admin, referral, StatusUpdate("niet-gestart", reason="past-niet"))
    db.session.refresh(referral)
    assert referral.status == "ontvangen" and referral.not_started_reason is None


def test_mail_without_personal_data(app: Flask, world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from wegwijzer.services.referrals import notify

    sent: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        notify, "send_mail", lambda to, subject, body: sent.append((to, subject, body))
    )
    app.config["MAIL_SERVER"] = "smtp.example.invalid"
    helper = logged_in(app, HELPER)
    url = f"/beheer/overdrachten/nieuw/{world.budget.slug}"
    resp = post_form(
        helper,
        url,
        {
            "organisatie": world.geldmaatjes.id,
            "gemeente": "GM0193",
            "urgentie": "deurwaarder",
            "toestemming": "ja",
            "mail": "y",
        },
    )
    assert resp.status_code == 302
    referral = db.session.scalar(select(Referral))
    code = f"{referral.code[:3]}-{referral.code[3:6]}-{referral.code[6:]}"
    assert [(to, subject) for to, subject, _b in sent] == [
        (RECEIVER, f"Nieuwe overdracht {code} van Geldmaatjes Zwolle, spoed: deurwaarder")
    ]
    assert f"http://localhost/beheer/overdrachten/{code}" in sent[0][2]
    sent.clear()
    receiver = logged_in(app, RECEIVER)
    detail = f"/beheer/overdrachten/{code}"
    post_form(
        receiver, f"{detail}/status", {"status": "niet-gestart", "reden": "niet-verschenen"}, detail
    )
    assert [(to, subject) for to, subject, _b in sent] == [
        (HELPER, f"Overdracht {code}: niet gestart")
    ]
    assert "Niet verschenen" in sent[0][2]
    # The term signal goes out once, to both sides.
    from wegwijzer.services.referrals.notify import send_signals

    late = refer(world, to=world.budget, today=date.today() - timedelta(days=40))
    late.mail_updates = True
    db.session.commit()
    sent.clear()
    assert send_signals(db.session, lambda c: f"/x/{c}", date.today()) == 2
    assert sorted(to for to, _s, _b in sent) == [RECEIVER, HELPER]
    assert send_signals(db.session, lambda c: f"/x/{c}", date.today()) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organisatie", "een-andere-organisatie", "Kies de organisatie waarvoor u verwijst."),
        ("gemeente", "GM0166", "Kies de gemeente waar de inwoner woont."),
        ("urgentie", "Jan Jansen heeft een deurwaarder", "Kies wat er dringend is"),
        ("voorbereid", "7", "Kies alleen punten uit de lijst van de dienst."),
    ],
)
def test_a_forged_referral_form_is_refused_naming_the_field(
    app: Flask, world: World, field: str, value: str, message: str
) -> None:
    helper = logged_in(app, HELPER)
    url = f"/beheer/overdrachten/nieuw/{world.debt_help.slug}"
    data = {
        "organisatie": world.geldmaatjes.id,
        "gemeente": "GM0193",
        "urgentie": "geen",
        "toestemming": "nee",
        field: value,
    }
    resp = post_form(helper, url, data)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html and f'id="{field}-error"' in html
    assert db.session.scalar(select(Referral)) is None


def test_bad_status_input_gets_a_message_not_an_error_page(app: Flask, world: World) -> None:
    referral = refer(world)
    admin = logged_in(app, ZWOLLE_ADMIN)
    detail = f"/beheer/overdrachten/{referral.code}"
    bad_date = post_form(
        admin, f"{detail}/status", {"status": "gesprek-gepland", "gesprek_op": "morgen"}, detail
    )
    assert bad_date.status_code == 400 and 'id="gesprek_op-error"' in bad_date.get_data(
        as_text=True
    )
    too_early = post_form(
        admin,
        f"{detail}/status",
        {"status": "gesprek-gepland", "gesprek_op": "2001-01-01"},
        detail,
    )
    assert "ligt niet tussen de overdracht en een jaar daarna" in too_early.get_data(as_text=True)
    forged = post_form(
        admin,
        f"{detail}/status",
        {"status": "niet-gestart", "reden": "doorverwezen", "doorverwezen_naar": "niets"},
        detail,
    )
    assert forged.status_code == 400
    assert "Kies een dienst uit de lijst." in forged.get_data(as_text=True)
    db.session.refresh(referral)
    assert referral.status == "nieuw"
    # English pages get English messages.
    english = post_form(admin, f"{detail}/status?lang=en", {"status": "niet-gestart"}, detail)
    assert "Choose why the support did not start." in english.get_data(as_text=True)
