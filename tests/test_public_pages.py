"""Public pages without search: home, service and organisation pages, statements, errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wegwijzer.extensions import db
from wegwijzer.models import Municipality, Service, Setting

from .public_support import assert_private_response, inline_scripts_have_nonce


@pytest.fixture
def zwolle_service(make_service: Callable[..., Service]) -> Service:
    return make_service(
        "Inloop Geldzorgen Zwolle",
        description="Wij helpen u met brieven en rekeningen.\n\nKom gewoon langs.",
        terms={
            "thema": ["brieven-formulieren"],
            "fase": ["voor-aanmelding"],
            "toegang": ["inloop"],
        },
        lat=52.5125,
        lon=6.0944,
        address={"address_1": "Grote Markt 1", "postal_code": "8011 LW", "city": "Zwolle"},
        schedules=[
            {
                "byday": "MO,TU,WE,TH,FR",
                "opens_at": "09:00",
                "closes_at": "12:00",
                "attending_type": "inloop",
            },
        ],
        phones=["038-0000123"],
        private_contact={
            "name": "Fien Voorbeeld",
            "phone": "06-00000999",
            "email": "fien@example.org",
        },
        referral_route="Bel de coördinator en spreek een eerste gesprek af.",
        handover_needs=["Brieven van schuldeisers", "Een overzicht van inkomsten"],
        warm_handover=True,
        email="inloop@example.org",
        url="https://inloop.example.org",
    )


# --- home -------------------------------------------------------------------------------------


def test_home_shows_search_themes_and_route(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_private_response(response)
    assert '<html lang="nl">' in html
    assert 'for="q">Waar zoekt u hulp bij?</label>' in html
    assert 'name="plaats"' in html
    assert "/zoeken?thema=schulden" in html
    assert 'href="/wegwijzer"' in html
    assert 'class="skip-link" href="#inhoud"' in html
    assert 'href="/?lang=en"' in html
    assert "GeoNames" in html and "CC BY 4.0" in html and "HSDS" in html


def test_home_in_english_keeps_language_in_links_and_forms(client: FlaskClient) -> None:
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert '<input type="hidden" name="lang" value="en">' in html
    assert "/zoeken?thema=schulden&amp;lang=en" in html
    assert 'href="/wegwijzer?lang=en"' in html
    assert 'href="/privacy?lang=en"' in html
    assert 'href="/?lang=nl"' in html
    # Taxonomy labels come from the data file in the visitor's language.
    assert "Debts" in html or "debts" in html


def test_home_shows_the_municipal_debt_help_for_a_place(
    client: FlaskClient, app: Flask, make_service: Callable[..., Service]
) -> None:
    shv = make_service(
        "Schuldhulpverlening Zwolle", phones=["038-0000100"], organization_name="Gemeente Zwolle"
    )
    db.session.get(Municipality, "GM0193").debt_help_service_id = shv.id
    db.session.commit()
    html = client.get("/?plaats=8011").get_data(as_text=True)
    assert "Woont u in de gemeente Zwolle?" in html
    assert 'href="tel:0380000100"' in html
    # Without a place the short list of municipalities with a number is shown.
    html = client.get("/").get_data(as_text=True)
    assert "Gemeente Zwolle" in html and "038-0000100" in html
    # An unknown place says so instead of failing.
    html = client.get("/?plaats=Atlantis").get_data(as_text=True)
    assert "We kennen de plaats ‘Atlantis’ niet." in html


def test_demo_banner_follows_the_setting(client: FlaskClient, app: Flask) -> None:
    assert "voorbeeldgegevens" not in client.get("/").get_data(as_text=True)
    db.session.add(Setting(key="demo", value="1"))
    db.session.commit()
    assert "voorbeeldgegevens" in client.get("/").get_data(as_text=True)


# --- service page -----------------------------------------------------------------------------


def test_service_page_shows_how_to_get_there_and_referral(
    client: FlaskClient, zwolle_service: Service
) -> None:
    response = client.get(f"/hulp/{zwolle_service.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_private_response(response)
    assert "<h1>Inloop Geldzorgen Zwolle</h1>" in html
    assert "<p>Kom gewoon langs.</p>" in html
    assert "Grote Markt 1" in html and "8011 LW Zwolle" in html
    assert "ma–vr 09:00–12:00 (inloop)" in html
    assert 'href="tel:0380000123"' in html
    assert "inloop@example.org" in html
    assert "Voor hulpverleners: doorverwijzen" in html
    assert "Bel de coördinator" in html
    assert "<li>Brieven van schuldeisers</li>" in html
    assert "driegesprek" in html
    assert "Laatst gecontroleerd:" in html
    # The same page by id.
    assert client.get(f"/hulp/{zwolle_service.id}").status_code == 200


def test_service_page_hides_non_public_contacts_from_anonymous_visitors(
    client: FlaskClient, zwolle_service: Service
) -> None:
    html = client.get(f"/hulp/{zwolle_service.slug}").get_data(as_text=True)
    assert "Fien Voorbeeld" not in html
    assert "06-00000999" not in html
    assert "fien@example.org" not in html
    assert "Er is een contactpersoon voor doorverwijzen." in html


def test_service_page_jsonld_is_valid_and_public_only(
    client: FlaskClient, zwolle_service: Service
) -> None:
    response = client.get(f"/hulp/{zwolle_service.slug}")
    html = response.get_data(as_text=True)
    match = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert match is not None
    data = json.loads(match.group(1))
    assert data["@type"] == "Service"
    assert data["name"] == "Inloop Geldzorgen Zwolle"
    assert data["availableChannel"]["servicePhone"]["telephone"] == "038-0000123"
    place = data["availableChannel"]["serviceLocation"]
    assert place["address"]["postalCode"] == "8011 LW"
    assert data["hoursAvailable"][0]["dayOfWeek"][0] == "Monday"
    assert "06-00000999" not in match.group(1)
    assert inline_scripts_have_nonce(html, response)


def test_service_page_has_a_map_snippet_with_vendored_assets(
    client: FlaskClient, zwolle_service: Service
) -> None:
    response = client.get(f"/hulp/{zwolle_service.slug}")
    html = response.get_data(as_text=True)
    assert 'class="folium-map folium-map--small"' in html
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in html
    assert "<noscript>" in html
    assert "cdn" not in html.lower()
    assert "<iframe" not in html
    assert inline_scripts_have_nonce(html, response)


def test_service_print_view(client: FlaskClient, zwolle_service: Service) -> None:
    html = client.get(f"/hulp/{zwolle_service.slug}?print=1").get_data(as_text=True)
    assert "038-0000123" in html
    assert "Grote Markt 1" in html
    assert "folium-map" not in html
    assert "Afdrukken" in html


def test_unpublished_and_unknown_services_are_not_found(
    client: FlaskClient, make_service: Callable[..., Service]
) -> None:
    concept = make_service("Conceptdienst", publication_status="concept")
    response = client.get(f"/hulp/{concept.slug}")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet (meer)" in response.get_data(as_text=True)
    assert_private_response(response)
    assert client.get("/hulp/bestaat-niet").status_code == 404


def test_service_page_in_english(client: FlaskClient, zwolle_service: Service) -> None:
    html = client.get(f"/hulp/{zwolle_service.slug}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Mon–Fri 09:00–12:00 (walk-in)" in html
    assert f'href="/organisatie/{zwolle_service.organization.slug}?lang=en"' in html


# --- organisation page ------------------------------------------------------------------------


def test_organization_page_lists_its_published_services(
    client: FlaskClient, make_organization: Callable[..., Any], make_service: Callable[..., Service]
) -> None:
    org = make_organization("Stichting Thuisadministratie")
    make_service("Hulp bij de administratie", organization=org)
    make_service("Geheim concept", organization=org, publication_status="concept")
    response = client.get(f"/organisatie/{org.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_private_response(response)
    assert "<h1>Stichting Thuisadministratie</h1>" in html
    assert "Hulp bij de administratie" in html
    assert "Geheim concept" not in html
    assert client.get(f"/organisatie/{org.id}").status_code == 200
    assert client.get("/organisatie/niemand").status_code == 404


# --- statements and errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/privacy", "Wegwijzer zet geen cookies"),
        ("/toegankelijkheid", "WCAG 2.1"),
        ("/privacy?lang=en", '<html lang="en">'),
        ("/toegankelijkheid?lang=en", '<html lang="en">'),
    ],
)
def test_statement_pages(client: FlaskClient, path: str, text: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)
    assert_private_response(response)


def test_unknown_language_is_a_clear_400(client: FlaskClient) -> None:
    response = client.get("/?lang=fr")
    assert response.status_code == 400
    assert "De taal ‘fr’ kennen we niet" in response.get_data(as_text=True)
    assert_private_response(response)


def test_not_found_page_is_in_the_site_style(client: FlaskClient) -> None:
    response = client.get("/bestaat/niet?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="en">' in html
    assert 'class="skip-link"' in html
    assert_private_response(response)


def test_wrong_method_gets_the_friendly_page_with_allow(client: FlaskClient) -> None:
    response = client.post("/privacy")
    assert response.status_code in (400, 405)
    assert "<h1>" in response.get_data(as_text=True)


def test_server_error_page(app: Flask, client: FlaskClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-kapot")
    def broken() -> str:
        raise RuntimeError("kapot")

    response = client.get("/test-kapot")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Er ging iets mis bij ons" in html
    assert "RuntimeError" not in html and "Traceback" not in html
    assert_private_response(response)


def test_logged_in_helper_sees_the_non_public_contact(app: Flask, zwolle_service: Service) -> None:
    from tests.manage_support import login, make_user, new_client

    make_user("vrijwilliger@example.org", "verwijzer")
    helper = new_client(app)
    assert login(helper, "vrijwilliger@example.org").status_code in (302, 303)
    html = helper.get(f"/hulp/{zwolle_service.slug}").get_data(as_text=True)
    assert "Contactpersoon voor doorverwijzen" in html
    assert "Fien Voorbeeld" in html and 'href="tel:0600000999"' in html
    assert "fien@example.org" in html
    # The print version for a helper carries the contact too; the JSON-LD never does.
    assert "06-00000999" in helper.get(f"/hulp/{zwolle_service.slug}?print=1").get_data(
        as_text=True
    )
    jsonld = re.search(r'application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    assert "Fien" not in jsonld
    # An anonymous visitor in the same run still sees nothing of it.
    anonymous = new_client(app)
    assert "Fien Voorbeeld" not in anonymous.get(f"/hulp/{zwolle_service.slug}").get_data(
        as_text=True
    )


def test_expired_form_gets_a_plain_explanation(app: Flask, client: FlaskClient) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/beheer/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Het formulier is verlopen" in html
    assert "Deze link klopt niet" not in html


def test_only_web_addresses_become_links(
    client: FlaskClient, make_service: Callable[..., Service]
) -> None:
    svc = make_service("Rare link", url="javascript:alert(1)")
    html = client.get(f"/hulp/{svc.slug}").get_data(as_text=True)
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html


def test_service_page_lets_anyone_report_a_mistake_without_a_cookie(
    client: FlaskClient, zwolle_service: Service
) -> None:
    from wegwijzer.models import Report

    page = client.get(f"/hulp/{zwolle_service.slug}?lang=en")
    html = page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert "lang=en" in action
    response = client.post(
        action.replace("&amp;", "&"),
        data={"token": token, "message": "Het telefoonnummer is veranderd."},
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers
    assert "lang=en" in response.headers["Location"]
    assert "melding=ontvangen" in response.headers["Location"]
    report = db.session.query(Report).one()
    assert report.service_id == zwolle_service.id
    assert report.message == "Het telefoonnummer is veranderd."


def test_report_rate_limit_keeps_no_lasting_trace_of_the_address(
    client: FlaskClient, zwolle_service: Service
) -> None:
    import hashlib
    from datetime import timedelta

    from wegwijzer.models import LoginAttempt, utcnow

    db.session.add(LoginAttempt(key="r:" + "0" * 60, at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    html = client.get(f"/hulp/{zwolle_service.slug}").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    client.post(
        f"/hulp/{zwolle_service.slug}/melding",
        data={"token": token, "message": "Openingstijd klopt niet."},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    keys = [a.key for a in db.session.query(LoginAttempt)]
    assert len(keys) == 1  # the hour-old row is gone
    for address in ("127.0.0.1", "localhost"):
        plain = hashlib.sha256(f"report|{address}".encode()).hexdigest()
        assert plain not in keys[0]
