"""The ranking rules one at a time: compounds, languages, services for one group, distance
bands and weak results (the search, the results page in Dutch and English, the API)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wegwijzer.extensions import db
from wegwijzer.models import Language, Municipality, Service
from wegwijzer.search import make_query, rebuild_index, search

ZWOLLE = {"gm_codes": ["GM0193"], "lat": 52.5186, "lon": 6.1184}


def _at(km_east: float) -> dict[str, object]:
    return {**ZWOLLE, "lon": 6.1184 + km_east / 67.7}


@pytest.fixture
def services(app: Flask, make_service: Callable[..., Service]) -> dict[str, Service]:
    made = {
        "bank": make_service(
            "Steunpunt ondernemers in geldnood",
            description="Wij praten met de bank over uw krediet en de lening van uw bedrijf.",
            terms={"thema": ["werk-inkomen"], "doelgroep": ["ondernemers"]},
            **_at(0.8),
        ),
        "food": make_service(
            "Voedselbank Zwolle",
            description="Een wekelijks voedselpakket voor wie tijdelijk te weinig geld heeft.",
            terms={"thema": ["budget"]},
            **_at(3.0),
        ),
        "parts": make_service(
            "Kerkelijk uitgiftepunt",
            description="Voedsel van de plaatselijke bank van de kerk, elke vrijdag op te halen.",
            terms={"thema": ["budget"]},
            **_at(2.0),
        ),
        "turkish": make_service(
            "Inloop bij de vereniging",
            description="Vrijwilligers helpen met brieven.",
            terms={"thema": ["brieven-formulieren"], "doelgroep": ["culturele-gemeenschap"]},
            **_at(1.5),
        ),
        "letters": make_service(
            "Formulierenhulp Zwolle",
            description="Hulp met formulieren en brieven van instanties.",
            terms={"thema": ["brieven-formulieren"], "doelgroep": ["iedereen"]},
            **_at(2.5),
        ),
        "young": make_service(
            "Jongerenpunt geld en brieven",
            description="Brieven, brieven en nog eens brieven: wij lezen ze samen met jou.",
            terms={"thema": ["brieven-formulieren"], "doelgroep": ["jongeren"]},
            **_at(0.3),
        ),
        "bailiff": make_service(
            "Gratis juridisch spreekuur",
            description="Post van een deurwaarder? Een jurist legt uit wat de deurwaarder mag.",
            terms={"thema": ["juridisch"]},
            **_at(3.5),
        ),
        "job": make_service(
            "Werk vinden",
            description=(
                "Een jobcoach helpt u aan werk en een vaste baan, met een cursus solliciteren, "
                "oefengesprekken, een stage bij een werkgever in de buurt en hulp bij uw cv, "
                "ook als er ooit een deurwaarder langs is geweest."
            ),
            terms={"thema": ["werk-inkomen"]},
            **_at(0.8),
        ),
        "debt": make_service(
            "Schuldhulp gemeente Zwolle",
            description="De gemeente helpt gratis bij schulden.",
            terms={"thema": ["schulden"], "organisatietype": ["gemeente"]},
            **_at(2.0),
        ),
        "line": make_service(
            "Geldlijn",
            description="Anoniem bellen over geldzorgen.",
            terms={"thema": ["budget"], "organisatietype": ["landelijke-hulplijn"]},
            national=True,
            phones=["0800-0000001"],
        ),
    }
    # Its language only in the HSDS field (a code), not in the text.
    made["turkish"].languages.append(Language(name="", code="tr"))
    db.session.get(Municipality, "GM0193").debt_help_service_id = made["debt"].id
    db.session.commit()
    rebuild_index()
    return made


def names(query: str, **values: object) -> list[str]:
    return [h.name for h in search(make_query(query, **values)).results]


def test_a_part_of_a_compound_never_matches_alone(services: dict[str, Service]) -> None:
    found = names("voedselbank")
    assert "Steunpunt ondernemers in geldnood" not in found
    assert found[0] == "Voedselbank Zwolle"


def test_a_compound_matches_on_all_its_parts_below_the_whole_word(
    services: dict[str, Service],
) -> None:
    result = search("voedselbank")
    assert [h.name for h in result.results] == ["Voedselbank Zwolle", "Kerkelijk uitgiftepunt"]
    assert result.results[0].score > result.results[1].score
    assert not result.weak


def test_only_parts_of_a_compound_is_a_weak_result(services: dict[str, Service]) -> None:
    # No service has the word; two have both its parts: shown, but as a weak match.
    result = search("bankvoedsel")
    assert {h.name for h in result.results} == {"Voedselbank Zwolle", "Kerkelijk uitgiftepunt"}
    assert result.weak
    # "kast" is unknown and no service has it: nothing, and weak as well.
    nothing = search("voedselkast")
    assert nothing.total == 0 and nothing.weak
    assert not search("formulieren").weak


def test_language_of_a_service_is_found_by_its_name(services: dict[str, Service]) -> None:
    for query in ("Turkish", "Turks", "turkse hulp met brieven"):
        assert names(query)[0] == "Inloop bij de vereniging", query


def test_services_for_one_group_follow_general_help(services: dict[str, Service]) -> None:
    found = names("brieven")
    assert found.index("Formulierenhulp Zwolle") < found.index("Jongerenpunt geld en brieven")
    # Named by the caller (a route answer), by a filter or by a word of the query: first.
    assert names("brieven", groups=("jongeren",))[0] == "Jongerenpunt geld en brieven"
    filtered = names("brieven", filters={"doelgroep": ["jongeren"]})
    assert filtered == ["Jongerenpunt geld en brieven"]
    assert names("brieven jongeren")[0] == "Jongerenpunt geld en brieven"


def test_distance_only_orders_comparable_relevance(services: dict[str, Service]) -> None:
    found = names("deurwaarder", place="Zwolle")
    assert found.index("Gratis juridisch spreekuur") < found.index("Werk vinden")


def test_urgent_signal_keeps_debt_help_first(services: dict[str, Service]) -> None:
    result = search(make_query("er staat een deurwaarder voor de deur", place="Zwolle"))
    assert result.results[0].name == "Schuldhulp gemeente Zwolle"
    assert result.results[0].is_urgent_pick


def test_negations_are_no_search_words(services: dict[str, Service]) -> None:
    # "geen" stays out of the matching and the highlighting; the other words decide.
    assert names("geen brieven") == names("brieven")
    result = search("ik heb geen brieven")
    assert result.results
    assert all("<mark>geen</mark>" not in str(h.snippet).lower() for h in result.results)


@pytest.mark.parametrize(
    ("lang", "heading", "lines"),
    [
        ("nl", "We vonden geen hulp die goed past bij uw vraag", "Landelijke hulplijnen"),
        ("en", "We found no help that fits your question well", "National helplines"),
    ],
)
def test_results_page_says_a_weak_match_plainly(
    services: dict[str, Service], client: FlaskClient, lang: str, heading: str, lines: str
) -> None:
    html = client.get(f"/zoeken?q=bankvoedsel&plaats=zwolle&lang={lang}").get_data(as_text=True)
    assert heading in html
    notice = html[html.index('id="zwakke-match"') : html.index("</section>", html.index(heading))]
    # General help first: the municipality's debt help, the helplines, the guided route.
    assert "Schuldhulp gemeente Zwolle" in notice
    assert lines in notice and "Geldlijn" in notice and "0800-0000001" in notice
    assert "/wegwijzer" in notice
    assert html.index('id="zwakke-match"') < html.index('class="results-section"')
    assert "Kerkelijk uitgiftepunt" in html[html.index('class="results-section"') :]
    good = client.get(f"/zoeken?q=formulieren&lang={lang}").get_data(as_text=True)
    assert 'id="zwakke-match"' not in good


def test_api_reports_a_weak_match(services: dict[str, Service], client: FlaskClient) -> None:
    assert client.get("/api/v1/search?q=bankvoedsel").get_json()["weak"] is True
    assert client.get("/api/v1/search?q=voedselbank").get_json()["weak"] is False
