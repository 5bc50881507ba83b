"""A place in the words of a search: any case, after "in/bij/near", a postcode, small typos.

Place names that are also ordinary words are only places where the rule in
``domain.geo.freetext`` says so; the results page says which place was used and how to search
without it; the API takes the site's parameter names and refuses unknown ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wegwijzer.domain.geo import Gazetteer
from wegwijzer.extensions import db
from wegwijzer.models import Municipality, Service
from wegwijzer.search import sync_index

GAZETTEER = Gazetteer.load()
ZWOLLE = {"lat": 52.5125, "lon": 6.0944}
KAMPEN = {"lat": 52.5550, "lon": 5.9110}


@pytest.mark.parametrize(
    ("query", "place", "rest"),
    [
        ("schulden kampen", "Kampen", "schulden"),
        ("schulden Kampen", "Kampen", "schulden"),
        ("schulden zwolle", "Zwolle", "schulden"),
        ("zwolle schulden", "Zwolle", "schulden"),
        ("hulp bij brieven in zwolle", "Zwolle", "hulp bij brieven"),
        ("hulp near zwolle", "Zwolle", "hulp"),
        ("help around kampen", "Kampen", "help"),
        ("help rond Dalfsen", "Dalfsen", "help"),
        ("schuldhulp 8011", "8011 Zwolle", "schuldhulp"),
        ("schuldhulp 8011 AB", "8011 Zwolle", "schuldhulp"),
        ("schuldhulp 8011AB", "8011 Zwolle", "schuldhulp"),
        ("hulp in best", "Best", "hulp"),
        ("schulden Best", "Best", "schulden"),
        ("schulden Hoorn", "Hoorn", "schulden"),
        ("geldzorgen in hoorn", "Hoorn", "geldzorgen"),
        ("huur achterstand houten", "Houten", "huur achterstand"),
        # Ordinary words stay words: in a sentence, first, or not a municipality's name.
        ("ruzie met de buren", None, "ruzie met de buren"),
        ("schulden best", None, "schulden best"),
        ("schuldhulp hoorn", None, "schuldhulp hoorn"),
        ("geld huizen", None, "geld huizen"),
        ("wat werkt het best", None, "wat werkt het best"),
        ("kampen met schulden", None, "kampen met schulden"),
        ("Kampen met schulden", None, "Kampen met schulden"),
        ("dat kan tot problemen leiden", None, "dat kan tot problemen leiden"),
        ("ik weet het niet echt", None, "ik weet het niet echt"),
        ("geld winkel", None, "geld winkel"),
        ("schulden ee", None, "schulden ee"),
        ("hulp bij schulden", None, "hulp bij schulden"),
        ("5000 euro schuld", None, "5000 euro schuld"),
    ],
)
def test_place_in_the_words(query: str, place: str | None, rest: str) -> None:
    found, remaining = GAZETTEER.find_place_in_text(query)
    assert (found.name if found else None, remaining) == (place, rest)


@pytest.mark.parametrize(
    ("query", "place", "rest", "typed"),
    [
        ("schuldhulpverlening zwole", "Zwolle", "schuldhulpverlening", "zwole"),
        ("schulden in dalfse", "Dalfsen", "schulden", "dalfse"),
        ("budgetbeheer Groningn", "Groningen", "budgetbeheer", "Groningn"),
    ],
)
def test_a_small_typo_in_a_place_name_is_guessed(
    query: str, place: str, rest: str, typed: str
) -> None:
    guess = GAZETTEER.guess_place_in_text(query, lambda word: False)
    assert guess is not None
    assert (guess[0].name, guess[1], guess[2]) == (place, rest, typed)


def test_no_guess_for_ordinary_words_short_words_or_names_that_are_words() -> None:
    def known(word: str) -> bool:
        return word in {"leren", "schulden"}

    # "leren" is one letter from Laren, but an ordinary word.
    assert GAZETTEER.guess_place_in_text("geld leren", known) is None
    # Too short to guess ("ede" is a town, "eten" a word); "kampn": Kampen is also a word.
    assert GAZETTEER.guess_place_in_text("eten", known) is None
    assert GAZETTEER.guess_place_in_text("schulden kampn", known) is None


@pytest.fixture
def directory(app: Flask, make_service: Callable[..., Service]) -> dict[str, Service]:
    made = {
        "zwolle": make_service(
            "Schuldhulpverlening Zwolle",
            description="De gemeente helpt u gratis bij schulden. Samen leren we budgetteren.",
            terms={"thema": ["schulden"], "organisatietype": ["gemeente"]},
            gm_codes=["GM0193"],
            phones=["038-0000100"],
            **ZWOLLE,
        ),
        "kampen": make_service(
            "Schuldhulpverlening Kampen",
            description="De gemeente Kampen helpt u gratis bij schulden.",
            terms={"thema": ["schulden"], "organisatietype": ["gemeente"]},
            gm_codes=["GM0166"],
            phones=["038-0000200"],
            **KAMPEN,
        ),
    }
    db.session.get(Municipality, "GM0193").debt_help_service_id = made["zwolle"].id
    db.session.commit()
    sync_index()
    return made


def _notice(html: str) -> str:
    m = re.search(r'<p class="notice" id="plaats-uit-vraag">(.*?)</p>', html, re.S)
    assert m, "no notice about the place taken from the question"
    return m.group(1)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def test_lower_case_place_is_used_shown_and_can_be_undone(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = client.get("/zoeken?q=schulden+kampen").get_data(as_text=True)
    assert "Schuldhulpverlening Kampen" in html
    assert "Schuldhulpverlening Zwolle" not in html
    notice = _notice(html)
    assert "We zoeken bij Kampen, uit uw zoekvraag." in _text(notice)
    assert '<a href="/zoeken?q=schulden">zoek zonder plaats</a>' in notice
    # The undo link searches everywhere.
    undone = client.get("/zoeken?q=schulden").get_data(as_text=True)
    assert "Schuldhulpverlening Zwolle" in undone and "Schuldhulpverlening Kampen" in undone
    assert 'id="plaats-uit-vraag"' not in undone


def test_misspelt_place_is_used_with_did_you_mean_in_both_languages(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = client.get("/zoeken?q=schuldhulpverlening+zwole").get_data(as_text=True)
    assert "Schuldhulpverlening Zwolle" in html
    assert "Schuldhulpverlening Kampen" not in html
    notice = _notice(html)
    assert "Bedoelde u Zwolle? U typte ‘zwole’; we zoeken nu bij Zwolle." in _text(notice)
    assert '<a href="/zoeken?q=schuldhulpverlening&amp;plaats=Zwolle">Zwolle</a>' in notice
    assert 'href="/zoeken?q=schuldhulpverlening">zoek zonder plaats</a>' in notice
    english = client.get("/zoeken?q=schuldhulpverlening+zwole&lang=en").get_data(as_text=True)
    assert "Did you mean Zwolle? You typed ‘zwole’; we now search near Zwolle." in _text(
        _notice(english)
    )


def test_an_ordinary_word_of_the_directory_is_never_read_as_a_misspelt_place(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    # "leren" is in the directory and one letter from Laren.
    html = client.get("/zoeken?q=budget+leren").get_data(as_text=True)
    assert 'id="plaats-uit-vraag"' not in html
    assert "Laren" not in html


def test_a_place_parameter_wins_and_shows_no_notice(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = client.get("/zoeken?q=schulden+kampen&plaats=Zwolle").get_data(as_text=True)
    assert 'id="plaats-uit-vraag"' not in html
    assert "Schuldhulpverlening Zwolle" in html


def test_api_takes_the_site_names_and_says_where_the_place_came_from(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    by_site_name = client.get("/api/v1/search?q=schulden&plaats=Kampen").get_json()
    by_api_name = client.get("/api/v1/search?q=schulden&near=Kampen").get_json()
    assert by_site_name["location"]["gm_code"] == by_api_name["location"]["gm_code"] == "GM0166"
    assert [r["name"] for r in by_site_name["results"]] == [
        r["name"] for r in by_api_name["results"]
    ]
    assert by_site_name["location"]["source"] == "parameter"
    typo = client.get("/api/v1/search?q=schuldhulpverlening+zwole").get_json()
    assert typo["location"]["name"] == "Zwolle"
    assert (typo["location"]["source"], typo["location"]["typed"]) == ("typo", "zwole")
    assert [r["name"] for r in typo["results"]] == ["Schuldhulpverlening Zwolle"]
    text = client.get("/api/v1/search?q=schulden+kampen").get_json()
    assert (text["location"]["source"], text["location"]["typed"]) == ("text", None)


@pytest.mark.parametrize("name", ["city", "plaatss", "pagee"])
def test_api_refuses_an_unknown_parameter_and_names_it(
    client: FlaskClient, directory: dict[str, Service], name: str
) -> None:
    response = client.get(f"/api/v1/search?q=schulden&{name}=Zwolle")
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == name
    assert f"‘{name}’" in body["error"] and "plaats" in body["error"]


def test_api_accepts_every_documented_name(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    url = (
        "/api/v1/search?q=schulden&plaats=Zwolle&straal_km=30&nu_open=0&inloop=0&pagina=1"
        "&per_pagina=5&thema=schulden&lang=nl"
    )
    assert client.get(url).status_code == 200
    url = (
        "/api/v1/search?q=schulden&near=Zwolle&radius_km=30&open_now=0&walk_in=0&page=1&per_page=5"
    )
    assert client.get(url).status_code == 200


def test_the_site_ignores_other_parameters(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    response = client.get("/zoeken?q=schulden&plaats=Zwolle&utm_source=folder")
    assert response.status_code == 200
    assert "Schuldhulpverlening Zwolle" in response.get_data(as_text=True)
