"""Relevance: realistic resident and helper queries against a fixed directory.

The directory is built here (not from the demo set) so the expectations stay stable. The
measured precision (share of queries whose expected service is in the top 5) is printed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from wegwijzer.extensions import db
from wegwijzer.models import Municipality, Service
from wegwijzer.search import search, sync_index

ZWOLLE = ("GM0193", 52.5125, 6.0920)
KAMPEN = ("GM0166", 52.5550, 5.9110)
DALFSEN = ("GM0148", 52.5060, 6.2570)
INLOOP_MA_WO = [
    {"byday": "MO,WE", "opens_at": "09:00", "closes_at": "12:00", "attending_type": "inloop"}
]

# name: (place or None for national, themes, extra terms, description)
DIRECTORY: dict[str, tuple[Any, list[str], dict[str, list[str]], str]] = {
    "Schuldhulpverlening Zwolle": (
        ZWOLLE,
        ["schulden", "regelingen"],
        {"organisatietype": ["gemeente"], "fase": ["voor-aanmelding"], "toegang": ["inloop"]},
        "Heeft u schulden of kunt u uw rekeningen niet meer betalen? De gemeente helpt gratis. "
        "Samen maken we een overzicht van uw betalingsachterstanden en zoeken we een oplossing. "
        "Belt de deurwaarder, dreigt afsluiting of uithuiszetting? Bel ons dan meteen.",
    ),
    "Schuldhulpverlening Kampen": (
        KAMPEN,
        ["schulden"],
        {"organisatietype": ["gemeente"], "fase": ["voor-aanmelding"], "toegang": ["op-afspraak"]},
        "De gemeente Kampen helpt inwoners met schulden en betalingsproblemen. Wij maken een "
        "plan en praten met schuldeisers.",
    ),
    "Schuldhulp Dalfsen": (
        DALFSEN,
        ["schulden"],
        {"organisatietype": ["gemeente"], "toegang": ["telefonisch"]},
        "Geldzorgen? De gemeente Dalfsen helpt u met een schuldregeling of budgetbeheer.",
    ),
    "Formulierenhulp Zwolle": (
        ZWOLLE,
        ["brieven-formulieren"],
        {"organisatietype": ["welzijnsorganisatie"], "toegang": ["inloop"]},
        "Wij helpen met brieven van instanties, formulieren invullen en DigiD. Kom langs op "
        "het spreekuur in de bibliotheek.",
    ),
    "Formulierenbrigade Kampen": (
        KAMPEN,
        ["brieven-formulieren"],
        {"organisatietype": ["vrijwilligersorganisatie"], "toegang": ["huisbezoek"]},
        "Vrijwilligers komen bij u thuis en helpen met formulieren en aanvragen.",
    ),
    "Papierwijs Thuisadministratie Zwolle": (
        ZWOLLE,
        ["thuisadministratie"],
        {"organisatietype": ["vrijwilligersorganisatie"], "doelgroep": ["ouderen", "iedereen"]},
        "Een vrijwilliger komt bij u thuis en helpt uw administratie te ordenen. Samen zetten "
        "we rekeningen en papieren op een rij, zodat u niets meer vergeet te betalen.",
    ),
    "Geldmaatjes Zwolle": (
        ZWOLLE,
        ["maatje"],
        {"organisatietype": ["vrijwilligersorganisatie"], "fase": ["begeleiding"]},
        "Een getraind maatje gaat met u mee naar afspraken en helpt u overzicht te houden.",
    ),
    "Budgetcursus Kampen": (
        KAMPEN,
        ["budget"],
        {"organisatietype": ["welzijnsorganisatie"]},
        "Leer rondkomen met uw inkomen. In vier avonden maakt u een budgetplan en krijgt u "
        "tips om te besparen.",
    ),
    "Energiecoach Dalfsen": (
        DALFSEN,
        ["wonen-energie"],
        {"organisatietype": ["vrijwilligersorganisatie"], "toegang": ["huisbezoek"]},
        "Een hoge energierekening? Onze energiecoach komt langs en geeft tips om energie te "
        "besparen, met gratis tochtstrips en ledlampen.",
    ),
    "Huurachterstand-team Zwolle": (
        ZWOLLE,
        ["wonen-energie", "schulden"],
        {"organisatietype": ["maatschappelijke-organisatie"]},
        "Heeft u een huurachterstand bij de woningcorporatie? Wij maken een betalingsregeling "
        "en voorkomen een huisuitzetting.",
    ),
    "Sociaal raadslieden Zwolle": (
        ZWOLLE,
        ["juridisch"],
        {"organisatietype": ["maatschappelijke-organisatie"]},
        "Gratis advies over uw rechten. Wij helpen met bezwaar maken tegen besluiten van "
        "instanties en met juridische vragen.",
    ),
    "Toeslagenspreekuur Kampen": (
        KAMPEN,
        ["regelingen"],
        {"organisatietype": ["welzijnsorganisatie"], "toegang": ["inloop"]},
        "Wij kijken of u recht heeft op huurtoeslag, zorgtoeslag of kwijtschelding van "
        "gemeentelijke belastingen, en helpen met aanvragen.",
    ),
    "Ondernemers in geldnood": (
        None,
        ["werk-inkomen", "schulden"],
        {"organisatietype": ["landelijke-hulplijn"], "doelgroep": ["ondernemers"]},
        "Voor zzp'ers en ondernemers met betalingsproblemen: bel of chat met een adviseur.",
    ),
    "Geldlijn Nederland": (
        None,
        ["budget", "schulden"],
        {"organisatietype": ["landelijke-hulplijn"], "toegang": ["telefonisch", "online"]},
        "Anoniem bellen of chatten over geldzorgen. Wij luisteren en wijzen u de weg.",
    ),
    "Jongerenloket Geld Zwolle": (
        ZWOLLE,
        ["budget", "levensgebeurtenis"],
        {"organisatietype": ["welzijnsorganisatie"], "doelgroep": ["jongeren"]},
        "Voor jongeren tot 27 jaar: 18 worden, studieschuld, op jezelf wonen en je eerste "
        "zorgverzekering.",
    ),
    "Ouderenadviseur Dalfsen": (
        DALFSEN,
        ["regelingen"],
        {"organisatietype": ["welzijnsorganisatie"], "doelgroep": ["ouderen"]},
        "Voor senioren: hulp bij AOW, pensioen en het betalen van rekeningen.",
    ),
    "Voedselbank Kampen": (
        KAMPEN,
        ["budget"],
        {"organisatietype": ["vrijwilligersorganisatie"]},
        "Een wekelijks pakket met boodschappen voor wie tijdelijk geen geld heeft voor eten.",
    ),
    "Taalhuis Zwolle": (
        ZWOLLE,
        ["brieven-formulieren"],
        {"organisatietype": ["maatschappelijke-organisatie"], "doelgroep": ["laaggeletterden"]},
        "Moeite met lezen en schrijven? In het Taalhuis oefent u met taal en leest u samen "
        "moeilijke brieven.",
    ),
    "Scheidingsloket Zwolle": (
        ZWOLLE,
        ["levensgebeurtenis"],
        {"organisatietype": ["welzijnsorganisatie"]},
        "Gaat u scheiden? Wij helpen met alimentatie, de verdeling van schulden en uw nieuwe "
        "budget.",
    ),
    "Werkloket Kampen": (
        KAMPEN,
        ["werk-inkomen"],
        {"organisatietype": ["gemeente"]},
        "Uw baan kwijt? Wij helpen met bijstand aanvragen en solliciteren.",
    ),
    "Nazorg na schuldhulp Zwolle": (
        ZWOLLE,
        ["schulden"],
        {"organisatietype": ["vrijwilligersorganisatie"], "fase": ["nazorg"]},
        "Na de schuldregeling kijkt een vrijwilliger mee, zodat u niet terugvalt.",
    ),
    "Thuisadministratie Kampen": (
        KAMPEN,
        ["thuisadministratie"],
        {"organisatietype": ["vrijwilligersorganisatie"]},
        "Hulp bij het bijhouden van uw administratie en het openen van de post.",
    ),
    "Inloop Geldzaken Dalfsen": (
        DALFSEN,
        ["budget", "brieven-formulieren"],
        {"organisatietype": ["welzijnsorganisatie"], "toegang": ["inloop"]},
        "Loop binnen zonder afspraak met al uw vragen over geld en papieren.",
    ),
    "Diaconie Zwolle": (
        ZWOLLE,
        ["budget"],
        {"organisatietype": ["vrijwilligersorganisatie"], "doelgroep": ["levensbeschouwelijk"]},
        "De kerk helpt met een gift of lening bij acute geldnood.",
    ),
    "Nieuwkomers Geldwijzer Kampen": (
        KAMPEN,
        ["budget", "regelingen"],
        {"organisatietype": ["vrijwilligersorganisatie"], "doelgroep": ["nieuwkomers"]},
        "Voor statushouders en vluchtelingen: uitleg over het Nederlandse geldsysteem.",
    ),
    "Kwijtschelding Zwolle": (
        ZWOLLE,
        ["regelingen"],
        {"organisatietype": ["gemeente"]},
        "Met een laag inkomen hoeft u soms geen gemeentelijke belastingen te betalen. Vraag "
        "kwijtschelding aan.",
    ),
    "Energiebank": (
        None,
        ["wonen-energie"],
        {"organisatietype": ["landelijke-hulplijn"]},
        "Landelijke hulp als u de energierekening niet kunt betalen.",
    ),
    "Belastingaangifte-hulp Dalfsen": (
        DALFSEN,
        ["brieven-formulieren"],
        {"organisatietype": ["vrijwilligersorganisatie"]},
        "Wij vullen samen met u de belastingaangifte in en vragen toeslagen aan.",
    ),
}

HIDDEN = {
    "Geheime conceptdienst Zwolle": "concept",
    "Gearchiveerde huurhulp Zwolle": "gearchiveerd",
}

# (query, near, expected service in the top 5, what it covers)
QUERIES: list[tuple[str, str | None, str, str]] = [
    ("huur", None, "Huurachterstand-team Zwolle", "compound part"),
    ("achterstand", None, "Huurachterstand-team Zwolle", "compound part"),
    ("betalingsachterstanden", None, "Schuldhulpverlening Zwolle", "compound"),
    ("belasting", None, "Belastingaangifte-hulp Dalfsen", "compound part"),
    ("huurachterstand", None, "Huurachterstand-team Zwolle", "keyword"),
    ("schuldhulpverleenig", None, "Schuldhulpverlening Zwolle", "typo"),
    ("thuisadminstratie", None, "Papierwijs Thuisadministratie Zwolle", "typo"),
    ("kwijtscheling", None, "Kwijtschelding Zwolle", "typo"),
    ("budgetcurus", None, "Budgetcursus Kampen", "typo"),
    ("buddy", None, "Geldmaatjes Zwolle", "synonym"),
    ("post", None, "Thuisadministratie Kampen", "synonym/keyword"),
    ("zzp", None, "Ondernemers in geldnood", "keyword"),
    ("er staat een deurwaarder voor de deur", "Zwolle", "Schuldhulpverlening Zwolle", "urgent"),
    ("deurwaarder", "Kampen", "Schuldhulpverlening Kampen", "urgent"),
    (
        "mijn oma vergeet haar rekeningen te betalen",
        None,
        "Papierwijs Thuisadministratie Zwolle",
        "sentence",
    ),
    ("ik snap mijn brieven niet", None, "Formulierenhulp Zwolle", "sentence"),
    ("hulp bij formulieren in Kampen", None, "Formulierenbrigade Kampen", "place in text"),
    ("schulden", "8011", "Schuldhulpverlening Zwolle", "postcode"),
    ("energie", None, "Energiecoach Dalfsen", "keyword"),
    ("hoge energierekening", None, "Energiecoach Dalfsen", "sentence"),
    ("rondkomen", None, "Budgetcursus Kampen", "keyword"),
    ("toeslagen", None, "Toeslagenspreekuur Kampen", "plural"),
    ("scheiden", None, "Scheidingsloket Zwolle", "keyword"),
    ("baan kwijt", None, "Werkloket Kampen", "phrase"),
    ("jongeren", None, "Jongerenloket Geld Zwolle", "target group"),
    ("moeite met lezen en schrijven", None, "Taalhuis Zwolle", "sentence"),
    ("bezwaar maken", None, "Sociaal raadslieden Zwolle", "helper"),
    ("geen geld voor eten", "Kampen", "Voedselbank Kampen", "negation, sentence"),
    ("anoniem bellen over geldzorgen", None, "Geldlijn Nederland", "sentence"),
    ("nazorg na schuldregeling", None, "Nazorg na schuldhulp Zwolle", "helper"),
    ("statushouder", None, "Nieuwkomers Geldwijzer Kampen", "target group"),
    ("kerk", None, "Diaconie Zwolle", "keyword"),
    ("zonder afspraak in Dalfsen", None, "Inloop Geldzaken Dalfsen", "place in text"),
    ("aow", None, "Ouderenadviseur Dalfsen", "keyword"),
    ("studieschuld", None, "Jongerenloket Geld Zwolle", "keyword"),
    ("dreigende afsluiting", "Dalfsen", "Schuldhulp Dalfsen", "urgent"),
    (
        "kwijtschelding gemeentelijke belastingen",
        "Kampen",
        "Toeslagenspreekuur Kampen",
        "location limit",
    ),
]


def build_directory(make_service: Callable[..., Service]) -> dict[str, Service]:
    """Create the fixed directory (plus hidden entries); return services by name."""
    made: dict[str, Service] = {}
    for name, (place, themes, terms, description) in DIRECTORY.items():
        kw: dict[str, Any] = {"terms": {"thema": themes, **terms}, "description": description}
        if place is None:
            kw["national"] = True
        else:
            gm, lat, lon = place
            kw.update(gm_codes=[gm], lat=lat, lon=lon)
        if "inloop" in terms.get("toegang", []):
            kw["schedules"] = INLOOP_MA_WO
        made[name] = make_service(name, **kw)
    for name, status in HIDDEN.items():
        made[name] = make_service(
            name,
            description="Hulp bij huurachterstand en schulden voor iedereen in Zwolle.",
            terms={"thema": ["schulden", "wonen-energie"]},
            publication_status=status,
            lat=ZWOLLE[1],
            lon=ZWOLLE[2],
        )
    muni = db.session.get(Municipality, "GM0193")
    muni.debt_help_service_id = made["Schuldhulpverlening Zwolle"].id
    db.session.commit()
    sync_index()
    return made


@pytest.fixture
def directory(app: Flask, make_service: Callable[..., Service]) -> dict[str, Service]:
    return build_directory(make_service)


def test_relevance_set(directory: dict[str, Service], capsys: pytest.CaptureFixture[str]) -> None:
    assert len(QUERIES) >= 30
    misses = []
    for query, near, expected, kind in QUERIES:
        result = search(query, near=near, per_page=5)
        names = [h.name for h in result.results]
        if expected not in names:
            misses.append(f"{kind}: {query!r} near={near!r} → {names}")
    precision = 1 - len(misses) / len(QUERIES)
    with capsys.disabled():
        print(
            f"\nrelevance: {len(QUERIES) - len(misses)}/{len(QUERIES)} queries have the "
            f"expected service in the top 5 (precision@5 {precision:.2f})"
        )
        for miss in misses:
            print("  miss:", miss)
    assert precision >= 0.95, misses


def test_hidden_services_never_appear(directory: dict[str, Service]) -> None:
    for query in ("huurachterstand", "geheime", "gearchiveerde", "", "schulden zwolle"):
        result = search(query, per_page=100)
        names = {h.name for h in result.results}
        assert not names & set(HIDDEN)
        assert all(set(h.themes) for h in result.results)


def test_urgent_signal_puts_municipal_debt_help_first(directory: dict[str, Service]) -> None:
    result = search("er staat een deurwaarder voor de deur", near="Zwolle")
    assert result.urgent
    assert [s.code for s in result.signals] == ["deurwaarder"]
    first = result.results[0]
    assert first.name == "Schuldhulpverlening Zwolle"
    assert first.is_urgent_pick
    assert sum(h.is_urgent_pick for h in result.results) == 1


def test_urgent_falls_back_to_municipal_debt_service(directory: dict[str, Service]) -> None:
    # Kampen has no debt_help_service_id: a municipal service with thema schulden is used.
    result = search("beslag op mijn loon", near="8261")
    assert result.urgent
    assert result.results[0].name == "Schuldhulpverlening Kampen"
    assert result.results[0].is_urgent_pick


def test_urgent_without_location_marks_but_picks_nothing(directory: dict[str, Service]) -> None:
    result = search("deurwaarder")
    assert result.urgent
    assert not any(h.is_urgent_pick for h in result.results)


def test_non_urgent_query_is_not_urgent(directory: dict[str, Service]) -> None:
    result = search("budgetcursus", near="Kampen")
    assert not result.urgent
    assert not any(h.is_urgent_pick for h in result.results)


def test_suggestion_for_typo(directory: dict[str, Service]) -> None:
    assert search("schuldhulpverleenig").suggestion == "schuldhulpverlening"
    assert search("thuisadminstratie zwolle").suggestion == "thuisadministratie zwolle"
    assert search("huurachterstand").suggestion is None
    # Words of the synonyms file, the taxonomy and the signals are never "corrected".
    assert search("ik snap mijn brieven niet").suggestion is None
    assert search("deurwaarder").suggestion is None


def test_english_words_reach_dutch_services(directory: dict[str, Service]) -> None:
    result = search("bailiff", near="Zwolle")
    assert result.urgent
    assert result.results[0].name == "Schuldhulpverlening Zwolle"
    assert "Huurachterstand-team Zwolle" in [h.name for h in search("rent arrears").results[:5]]


def test_place_in_text_limits_location(directory: dict[str, Service]) -> None:
    result = search("hulp bij formulieren in Kampen", per_page=50)
    assert result.location is not None and result.location.gm_code == "GM0166"
    assert result.text == "hulp bij formulieren"
    for hit in result.results:
        assert hit.is_national or "GM0166" in hit.gm_codes


def test_near_limits_to_area_and_keeps_national(directory: dict[str, Service]) -> None:
    result = search("geldzorgen", near="Dalfsen", per_page=50)
    names = [h.name for h in result.results]
    assert "Geldlijn Nederland" in names
    for hit in result.results:
        if hit.is_national:
            assert hit.distance_km is None
        else:
            assert "GM0148" in hit.gm_codes
            assert hit.distance_km is not None and hit.distance_km < 10
    # National services are not sorted as "0 km": local services of the same relevance lead.
    local = [i for i, h in enumerate(result.results) if not h.is_national]
    assert local and local[0] == 0


def test_empty_query_near_sorts_by_distance(directory: dict[str, Service]) -> None:
    result = search("", near="8011", per_page=100)
    local = [h.distance_km for h in result.results if not h.is_national]
    assert local == sorted(local)
    assert all(h.is_national for h in result.results[len(local) :])
    assert result.total == len(result.results)


def test_radius_keeps_national(directory: dict[str, Service]) -> None:
    wide = search("", near="Zwolle", per_page=100)
    narrow = search("", near="Zwolle", radius_km=0.5, per_page=100)
    assert narrow.total < wide.total
    assert all(h.distance_km is None or h.distance_km <= 0.5 for h in narrow.results)
    assert {h.name for h in narrow.results if h.is_national} == {
        h.name for h in wide.results if h.is_national
    }


def test_unknown_place_gives_location_error(directory: dict[str, Service]) -> None:
    result = search("schulden", near="Zwolel")
    assert result.location is None
    assert result.location_error is not None
    assert "Zwolle" in result.location_error.suggestions
    assert result.total > 0


def test_snippets_mark_matches_and_escape(app: Flask, make_service: Callable[..., Service]) -> None:
    make_service(
        "Hulp <b>vet</b>",
        description="Wij helpen bij <script>alert(1)</script> huurachterstanden & schulden.",
    )
    sync_index()
    hit = search("huur").results[0]
    html = str(hit.snippet)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html
    assert "<mark>huurachterstanden</mark>" in html


def test_pagination(directory: dict[str, Service]) -> None:
    everything = search("", per_page=100)
    pages = [search("", page=p, per_page=7) for p in range(1, 6)]
    assert pages[0].pages == -(-everything.total // 7)
    names = [h.name for page in pages for h in page.results]
    assert names == [h.name for h in everything.results]
    assert len(set(names)) == len(names)
    assert search("", page=99, per_page=7).results == []
