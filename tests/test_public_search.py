"""The results page: list, filters with counts, map, print, empty and urgent states, bad input."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wegwijzer.extensions import db
from wegwijzer.models import Municipality, Service
from wegwijzer.search import sync_index

from .public_support import assert_private_response, inline_scripts_have_nonce, page_weight

WALK_IN_WEEKDAYS = [
    {
        "byday": "MO,TU,WE,TH,FR,SA,SU",
        "opens_at": "00:00",
        "closes_at": "23:59",
        "attending_type": "inloop",
    },
]


@pytest.fixture
def directory(app: Flask, make_service: Callable[..., Service]) -> dict[str, Service]:
    """A small directory around Zwolle and Kampen, with the municipal debt help set."""
    services = {
        "shv": make_service(
            "Schuldhulpverlening Zwolle",
            description="De gemeente helpt u gratis bij schulden en betalingsachterstanden.",
            terms={
                "thema": ["schulden"],
                "fase": ["voor-aanmelding"],
                "organisatietype": ["gemeente"],
                "toegang": ["op-afspraak"],
            },
            lat=52.5100,
            lon=6.0900,
            address={"address_1": "Lübeckplein 2", "postal_code": "8017 JZ", "city": "Zwolle"},
            phones=["038-0000100"],
            organization_name="Gemeente Zwolle",
        ),
        "inloop": make_service(
            "Inloop Geldzorgen Zwolle",
            description="Loop binnen met uw brieven en rekeningen. Een vrijwilliger kijkt mee.",
            terms={
                "thema": ["brieven-formulieren", "schulden"],
                "toegang": ["inloop"],
                "doelgroep": ["iedereen"],
            },
            lat=52.5160,
            lon=6.0830,
            address={"address_1": "Grote Markt 1", "postal_code": "8011 LW", "city": "Zwolle"},
            schedules=WALK_IN_WEEKDAYS,
            phones=["038-0000200"],
        ),
        "kampen": make_service(
            "Thuisadministratie Kampen",
            description="Vrijwilligers helpen u thuis om uw administratie op orde te krijgen.",
            terms={"thema": ["thuisadministratie"], "toegang": ["huisbezoek"]},
            gm_codes=["GM0166"],
            lat=52.5550,
            lon=5.9110,
            address={"address_1": "Oudestraat 10", "postal_code": "8261 CE", "city": "Kampen"},
            phones=["038-0000300"],
        ),
        "landelijk": make_service(
            "Geldfit Hulplijn",
            description="Bel gratis en anoniem met een landelijke hulplijn over schulden.",
            terms={"thema": ["schulden", "budget"], "toegang": ["telefonisch"]},
            national=True,
            phones=["0800-0000400"],
        ),
    }
    db.session.get(Municipality, "GM0193").debt_help_service_id = services["shv"].id
    db.session.commit()
    sync_index()
    return services


def _html(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert_private_response(response)
    return response.get_data(as_text=True)


def test_results_list_shows_what_residents_need(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = _html(client, "/zoeken?q=schulden&plaats=Zwolle")
    assert "Inloop Geldzorgen Zwolle" in html
    assert "Schuldhulpverlening Zwolle" in html
    assert "Geldfit Hulplijn" in html
    # Organisation, distance, tel: link, national shown as such.
    assert f"Organisatie {directory['inloop'].name}" in html
    assert re.search(r"\d,\d km", html)
    assert 'href="tel:0380000200"' in html
    assert "Landelijk: telefonisch of online" in html
    assert "Nu open" in html and "Vandaag inloop tot 23:59 — nu open" in html
    # Service outside the municipality is not listed for Zwolle.
    assert "Thuisadministratie Kampen" not in html
    assert f'href="/hulp/{directory["inloop"].slug}"' in html


def test_results_in_english_keep_the_language(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = _html(client, "/zoeken?q=schulden&plaats=Zwolle&lang=en")
    assert '<html lang="en">' in html
    assert f'href="/hulp/{directory["inloop"].slug}?lang=en"' in html
    assert '<input type="hidden" name="lang" value="en">' in html
    assert "lang=en" in re.search(r'href="([^"]*weergave=kaart[^"]*)"', html).group(1)


def test_filters_are_a_get_form_with_counts(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = _html(client, "/zoeken?plaats=Zwolle")
    assert '<form id="zoekform"' in html and 'method="get"' in html
    assert "Filters toepassen" in html
    match = re.search(r'id="f-thema-schulden"[^>]*>\s*<label[^>]*>[^<(]*\((\d+)\)', html)
    assert match is not None and int(match.group(1)) == 3
    html = _html(client, "/zoeken?plaats=Zwolle&thema=brieven-formulieren")
    assert re.search(r'id="f-thema-brieven-formulieren"[^>]* checked', html)
    assert "Inloop Geldzorgen Zwolle" in html
    assert "Schuldhulpverlening Zwolle" not in html
    assert "Alle filters wissen" in html


def test_open_now_and_walk_in_filters(client: FlaskClient, directory: dict[str, Service]) -> None:
    html = _html(client, "/zoeken?plaats=Zwolle&inloop=1")
    assert "Inloop Geldzorgen Zwolle" in html
    assert "Schuldhulpverlening Zwolle" not in html
    assert re.search(r'id="f-inloop"[^>]* checked', html)


def test_empty_result_gives_next_steps(client: FlaskClient, directory: dict[str, Service]) -> None:
    html = _html(client, "/zoeken?q=zzqqxxyy&plaats=Zwolle&thema=maatje")
    assert "0 resultaten" in html
    assert "We hebben niets gevonden" in html
    assert "Zoek zonder filters" in html
    assert "Zoek in heel Nederland" in html
    assert 'href="/wegwijzer"' in html
    assert 'href="tel:0380000100"' in html


def test_urgent_words_show_a_calm_notice_with_the_municipal_number(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = _html(client, "/zoeken?q=er+staat+een+deurwaarder+voor+de+deur&plaats=8011")
    assert "Is er haast? Bel vandaag nog uw gemeente" in html
    notice = html[html.index("spoed-kop") : html.index("</section>", html.index("spoed-kop"))]
    assert 'href="tel:0380000100"' in notice


def test_unknown_place_is_explained(client: FlaskClient, directory: dict[str, Service]) -> None:
    html = _html(client, "/zoeken?q=schulden&plaats=Atlantis")
    assert "We kennen de plaats ‘Atlantis’ niet." in html


def test_typo_gets_a_suggestion(client: FlaskClient, directory: dict[str, Service]) -> None:
    html = _html(client, "/zoeken?q=rekenigen&plaats=Zwolle")
    assert "Bedoelde u" in html
    assert 'href="/zoeken?q=rekeningen&amp;plaats=Zwolle">rekeningen</a>' in html


def test_map_view_renders_into_our_page(client: FlaskClient, directory: dict[str, Service]) -> None:
    response = client.get("/zoeken?q=schulden&plaats=Zwolle&weergave=kaart")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_private_response(response)
    assert "<iframe" not in html
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in html
    assert "/static/vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js" in html
    for host in ("cdn", "jquery", "bootstrap", "fontawesome", "googleapis"):
        assert host not in html.lower()
    assert inline_scripts_have_nonce(html, response)
    located = len(re.findall(r'class="result"[^>]*data-lat=', html))
    assert located == 2
    assert 'data-markers="2"' in html
    assert "<noscript>" in html
    # The list stays available under the map.
    assert "Geldfit Hulplijn" in html
    # The municipality boundaries are the background when tiles do not load.
    assert '"gm_code": "GM0193"' in html or '"gm_code":"GM0193"' in html


def test_map_works_without_a_tile_server(
    app: Flask, client: FlaskClient, directory: dict[str, Service]
) -> None:
    app.config["TILE_URL"] = ""
    html = _html(client, "/zoeken?q=schulden&plaats=Zwolle&weergave=kaart")
    assert "service.pdok.nl" not in html
    assert 'data-markers="2"' in html


def test_print_view_lists_phones_and_addresses_in_full(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = _html(client, "/zoeken?q=schulden&plaats=Zwolle&print=1")
    assert "038-0000200" in html and "0800-0000400" in html
    assert "Grote Markt 1, 8011 LW Zwolle" in html
    assert "Filters toepassen" not in html
    assert "Afdrukken" in html
    results = _html(client, "/zoeken?q=schulden&plaats=Zwolle")
    assert 'href="/zoeken?q=schulden&amp;plaats=Zwolle&amp;print=1"' in results


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("pagina=abc", "‘pagina’ moet een getal"),
        ("pagina=0", "‘pagina’ moet een getal"),
        ("pagina=99999", "‘pagina’ moet een getal"),
        ("weergave=tabel", "weergave"),
        ("thema=bestaat-niet", "bestaat-niet"),
        ("nu_open=misschien", "‘nu_open’ moet 1 (ja) of 0 (nee) zijn"),
        ("q=" + "a" * 201, "te lang"),
        ("plaats=" + "b" * 101, "te lang"),
        ("lang=de", "taal"),
        ("q=%00%01", "stuurteken"),
    ],
)
def test_bad_parameters_give_a_400_page(
    client: FlaskClient, directory: dict[str, Service], query: str, message: str
) -> None:
    html = _html(client, f"/zoeken?{query}", status=400)
    assert message in html
    assert "Deze link klopt niet helemaal" in html


def test_odd_but_harmless_input_never_fails(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    for query in ("q=<script>alert(1)</script>", "plaats=%F0%9F%92%B8", "q=&thema="):
        html = _html(client, f"/zoeken?{query}")
        assert "<script>alert(1)</script>" not in html


def test_page_beyond_the_last_offers_the_first(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = _html(client, "/zoeken?q=schulden&plaats=Zwolle&pagina=9")
    assert "Ga naar de eerste pagina" in html


def test_search_terms_are_not_logged(
    client: FlaskClient, directory: dict[str, Service], caplog: Any
) -> None:
    with caplog.at_level(logging.DEBUG):
        _html(client, "/zoeken?q=huurachterstand+geheim&plaats=Zwolle")
    assert "huurachterstand" not in caplog.text
    assert "geheim" not in caplog.text


def test_results_page_html_stays_small(
    client: FlaskClient, make_service: Callable[..., Service]
) -> None:
    for i in range(25):
        make_service(
            f"Budgetcoach Zwolle {i}",
            description="Wij helpen u om rond te komen met uw geld. " * 3,
            terms={
                "thema": ["budget", "schulden"],
                "fase": ["voor-aanmelding"],
                "toegang": ["inloop", "op-afspraak"],
                "doelgroep": ["iedereen"],
            },
            lat=52.51 + i / 1000,
            lon=6.09,
            address={"address_1": f"Straat {i}", "postal_code": "8011 AB", "city": "Zwolle"},
            schedules=WALK_IN_WEEKDAYS,
        )
    sync_index()
    response = client.get("/zoeken?q=budget&plaats=Zwolle")
    size = len(response.data)
    print(f"\nresults page HTML with 20 results: {size / 1024:.1f} KB (budget 60 KB)")
    assert response.data.count(b'class="result"') == 20
    assert size <= 60 * 1024


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_public_route_in_both_languages(
    client: FlaskClient, directory: dict[str, Service], lang: str
) -> None:
    svc = directory["inloop"]
    urls = [
        "/",
        "/?plaats=Zwolle",
        "/zoeken",
        "/zoeken?q=schulden&plaats=Zwolle",
        "/zoeken?q=schulden&plaats=Zwolle&weergave=kaart",
        "/zoeken?q=schulden&plaats=Zwolle&print=1",
        f"/hulp/{svc.slug}",
        f"/hulp/{svc.slug}?print=1",
        f"/organisatie/{svc.organization.slug}",
        "/privacy",
        "/toegankelijkheid",
    ]
    for url in urls:
        joined = f"{url}{'&' if '?' in url else '?'}lang={lang}"
        html = _html(client, joined)
        assert f'<html lang="{lang}">' in html, joined
        other = "nl" if lang == "en" else "en"
        assert f"lang={other}" in html, f"no language switch on {joined}"


@pytest.mark.parametrize(
    ("url", "budget_kb"),
    [
        ("/", 150),
        ("/zoeken?q=schulden&plaats=Zwolle", 150),
        ("/zoeken?q=schulden&plaats=Zwolle&print=1", 150),
        ("/zoeken?q=schulden&plaats=Zwolle&weergave=kaart", 400),
        ("/hulp/{slug}", 400),
    ],
)
def test_total_page_weight_stays_within_budget(
    client: FlaskClient, directory: dict[str, Service], url: str, budget_kb: int
) -> None:
    url = url.format(slug=directory["inloop"].slug)
    html_size, assets = page_weight(client, url)
    total = html_size + sum(assets.values())
    print(
        f"\n{url}: HTML {html_size / 1024:.1f} KB + assets {sum(assets.values()) / 1024:.1f} KB"
        f" = {total / 1024:.1f} KB (budget {budget_kb} KB, tiles excluded)"
    )
    assert all(a.startswith("/static/") for a in assets)
    assert total <= budget_kb * 1024
