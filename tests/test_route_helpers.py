"""Referral guidance for helpers: the handover sheet, with roles (anonymous against verwijzer)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from markupsafe import escape

from tests.manage_support import login, make_user
from wegwijzer.models import Service

PRIVATE = {"name": "Petra Verwijs", "phone": "038-0009999", "email": "petra@voorbeeld.example.org"}


@pytest.fixture
def receiving(make_service: Callable[..., Service]) -> Service:
    return make_service(
        "Schuldhulp Gemeente Zwolle",
        terms={"thema": ["schulden"], "organisatietype": ["gemeente"]},
        gm_codes=["GM0193"],
        phones=["038-0000100"],
        lat=52.5125,
        lon=6.0944,
        address={"address_1": "Lubeckplein 2", "city": "Zwolle", "postal_code": "8017 JZ"},
        private_contact=PRIVATE,
        referral_route="Bel het vaste nummer voor verwijzers en vraag om een intake.",
        handover_needs=["Toestemming van de inwoner", "Overzicht van de schuldeisers"],
        warm_handover=True,
        wait_time="Binnen 2 weken een eerste gesprek",
    )


def _main(html: str) -> str:
    return html.split('id="inhoud"', 1)[1].split("</main>", 1)[0]


def test_anonymous_handover_sheet_shows_the_procedure_but_no_private_contact(
    app: Flask, receiving: Service
) -> None:
    response = app.test_client().get(f"/hulp/{receiving.id}/overdracht")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Overdrachtsformulier" in html
    assert "Bel het vaste nummer voor verwijzers" in html
    assert "Toestemming van de inwoner" in html
    assert "Overzicht van de schuldeisers" in html
    assert "Ja, u kunt meegaan naar het eerste gesprek." in html
    assert "Binnen 2 weken een eerste gesprek" in html
    assert 'href="tel:0380000100"' in html
    assert "Lubeckplein 2" in html
    for secret in (*PRIVATE.values(), "0380009999"):
        assert secret not in html
    assert "Log in om de contactpersoon voor doorverwijzen" in html
    assert "Set-Cookie" not in response.headers


def test_helper_sees_the_direct_contact_on_the_handover_sheet(
    app: Flask, receiving: Service
) -> None:
    make_user("vrijwilliger@example.org", "verwijzer", gm_codes=["GM0193"])
    client = app.test_client()
    assert login(client, "vrijwilliger@example.org").status_code in (302, 303)
    html = client.get(f"/hulp/{receiving.id}/overdracht").get_data(as_text=True)
    assert PRIVATE["name"] in html
    assert 'href="tel:0380009999"' in html
    assert PRIVATE["email"] in html
    assert "Log in om de contactpersoon voor doorverwijzen" not in html
    # The anonymous visitor after the helper still sees nothing private.
    anonymous = app.test_client().get(f"/hulp/{receiving.id}/overdracht").get_data(as_text=True)
    assert PRIVATE["name"] not in anonymous


def test_what_the_helper_types_cannot_be_sent(app: Flask, receiving: Service) -> None:
    html = _main(app.test_client().get(f"/hulp/{receiving.slug}/overdracht").get_data(as_text=True))
    assert "<form" not in html
    fields = re.findall(r"<(?:input|textarea|select)\b[^>]*>", html)
    assert len(fields) >= 8
    assert all(" name=" not in field for field in fields)
    assert "Het wordt niet verstuurd en niet bewaard" in html
    # Every field has a label.
    for field_id in re.findall(r'<(?:input|textarea)\b[^>]*\bid="([^"]+)"', html):
        assert f'<label for="{field_id}">' in html


def test_general_checklist_when_the_organisation_gave_none(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    service = make_service("Thuisadministratie Hulp", handover_needs=[], warm_handover=None)
    html = app.test_client().get(f"/hulp/{service.id}/overdracht").get_data(as_text=True)
    assert "De organisatie heeft geen eigen lijst gegeven" in html
    assert "Toestemming van de inwoner om gegevens te delen" in html
    assert "Niet bekend. Vraag het als u belt." in html


def test_handover_sheet_only_for_published_services(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    concept = make_service("Nog niet klaar", publication_status="concept")
    client = app.test_client()
    assert client.get(f"/hulp/{concept.id}/overdracht").status_code == 404
    assert client.get("/hulp/bestaat-niet/overdracht").status_code == 404


def test_handover_sheet_in_english(app: Flask, receiving: Service) -> None:
    html = app.test_client().get(f"/hulp/{receiving.id}/overdracht?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html


@pytest.fixture
def zwolle_desk(receiving: Service) -> Service:
    from wegwijzer.extensions import db
    from wegwijzer.models import Municipality

    municipality = db.session.get(Municipality, "GM0193")
    municipality.debt_help_service_id = receiving.id
    municipality.volunteer_contact_name = "Marleen Vast"
    municipality.volunteer_contact_phone = "038-0005380"
    municipality.volunteer_contact_email = "vrijwilligers@zwolle.example.org"
    municipality.volunteer_contact_hours = "ma-vr 9:00-12:00"
    db.session.commit()
    return receiving


DESK_SECRETS = ("Marleen Vast", "038-0005380", "0380005380", "vrijwilligers@zwolle.example.org")


def test_signals_page_lists_every_signal_with_why(app: Flask) -> None:
    from wegwijzer.search.signals import load_signals

    signals = load_signals(app.config["DATA_DIR"])
    assert signals
    html = app.test_client().get("/signalen").get_data(as_text=True)
    for signal in signals:
        assert str(escape(signal.label("nl"))) in html
        assert str(escape(signal.why("nl"))) in html
        assert str(escape(signal.next_step("nl"))) in html
    english = app.test_client().get("/signalen?lang=en").get_data(as_text=True)
    assert str(escape(signals[0].why("en"))) in english
    assert "First step:" in english and str(escape(signals[0].next_step("en"))) in english


def test_anonymous_signals_page_shows_debt_help_but_not_the_volunteer_contact(
    app: Flask, zwolle_desk: Service
) -> None:
    response = app.test_client().get("/signalen?plaats=8011")
    html = response.get_data(as_text=True)
    assert "Gemeente Zwolle" in html
    assert "Schuldhulp Gemeente Zwolle" in html
    assert 'href="tel:0380000100"' in html
    assert f"/hulp/{zwolle_desk.slug}/overdracht" in html
    for secret in (*DESK_SECRETS, *PRIVATE.values()):
        assert secret not in html
    assert "Log in om het contact voor overleg over signalen" in html
    assert "Set-Cookie" not in response.headers


def test_helper_sees_the_volunteer_contact_of_their_municipality(
    app: Flask, zwolle_desk: Service
) -> None:
    make_user("helper@example.org", "verwijzer", gm_codes=["GM0193"])
    client = app.test_client()
    login(client, "helper@example.org")
    html = client.get("/signalen").get_data(as_text=True)
    assert "Gemeente Zwolle" in html
    for secret in DESK_SECRETS[:2] + DESK_SECRETS[3:]:
        assert secret in html
    assert 'href="tel:0380005380"' in html


def test_signals_page_explains_an_unknown_place(app: Flask) -> None:
    html = app.test_client().get("/signalen?plaats=Zwole").get_data(as_text=True)
    assert "We kennen Zwole niet" in html
    assert "plaats=Zwolle" in html


def _section(html: str, heading: str) -> str:
    """Return the text from ``heading`` to the next heading or list-item boundary."""
    start = html.index(heading)
    end = min(
        (i for i in (html.find("<h", start + 1), html.find("<dt", start + 1)) if i > 0),
        default=len(html),
    )
    return html[start:end]


def test_helper_sees_one_contact_per_purpose_on_every_page(
    app: Flask, zwolle_desk: Service
) -> None:
    """The debt help's contact person is for referring, the municipality's for signals.

    The same two labels, each with its own person, on the service page, the handover sheet
    and /signalen; the signals page is in the menu once logged in.
    """
    make_user("helper@example.org", "verwijzer", gm_codes=["GM0193"])
    client = app.test_client()
    assert "Signalen</a>" not in client.get("/").get_data(as_text=True)
    login(client, "helper@example.org")
    pages = {
        "service": _main(client.get(f"/hulp/{zwolle_desk.slug}").get_data(as_text=True)),
        "handover": _main(
            client.get(f"/hulp/{zwolle_desk.slug}/overdracht").get_data(as_text=True)
        ),
        "signals": _main(client.get("/signalen").get_data(as_text=True)),
    }
    for name, html in pages.items():
        referring = _section(html, "Contactpersoon voor doorverwijzen")
        talking = _section(html, "Contact voor overleg over signalen")
        assert PRIVATE["name"] in referring and "Marleen Vast" not in referring, name
        assert "Marleen Vast" in talking and PRIVATE["name"] not in talking, name
        assert 'href="tel:0380005380"' in talking, name
    menu = client.get("/").get_data(as_text=True).split('aria-label="Hoofdmenu"', 1)[1]
    assert 'href="/signalen">Signalen</a>' in menu.split("</nav>", 1)[0]


def test_signals_contact_only_with_the_municipalitys_own_debt_help(
    app: Flask, zwolle_desk: Service, make_service: Callable[..., Service]
) -> None:
    other = make_service("Budgetmaatjes Zwolle", gm_codes=["GM0193"], private_contact=PRIVATE)
    make_user("helper@example.org", "verwijzer", gm_codes=["GM0193"])
    client = app.test_client()
    login(client, "helper@example.org")
    html = _main(client.get(f"/hulp/{other.slug}").get_data(as_text=True))
    assert "Contactpersoon voor doorverwijzen" in html
    assert "Contact voor overleg over signalen" not in html and "Marleen Vast" not in html
    # Every referral section points to the signals checklist.
    assert 'href="/signalen"' in html
