"""The guided route through the test client: steps, result, urgency, privacy."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from wegwijzer.extensions import db
from wegwijzer.models import AuditEntry, Base, ChangeLog, Municipality, Service

ROOT = Path(__file__).resolve().parent.parent
ZWOLLE = {"lat": 52.5125, "lon": 6.0944}
KAMPEN = {"lat": 52.5550, "lon": 5.9110}


@pytest.fixture
def directory(make_service: Callable[..., Service]) -> dict[str, Service]:
    """A small directory for Zwolle and Kampen: municipal debt help, walk-in, phone, buddy."""
    made = {
        "shv_zwolle": make_service(
            "Schuldhulp Gemeente Zwolle",
            terms={"thema": ["schulden"], "organisatietype": ["gemeente"]},
            gm_codes=["GM0193"],
            phones=["038-0000100"],
            **ZWOLLE,
            address={"address_1": "Lubeckplein 2", "city": "Zwolle", "postal_code": "8017 JZ"},
        ),
        "shv_kampen": make_service(
            "Schuldhulp Gemeente Kampen",
            terms={"thema": ["schulden"], "organisatietype": ["gemeente"]},
            gm_codes=["GM0166"],
            phones=["038-0000200"],
            **KAMPEN,
        ),
        "brieven_inloop": make_service(
            "Formulierenpunt De Wijk",
            description="Loop binnen met uw brieven en formulieren.",
            terms={
                "thema": ["brieven-formulieren"],
                "toegang": ["inloop"],
                "doelgroep": ["iedereen"],
            },
            gm_codes=["GM0193"],
            phones=["038-0000300"],
            **ZWOLLE,
            address={
                "address_1": "Assendorperstraat 1",
                "city": "Zwolle",
                "postal_code": "8012 DA",
            },
            schedules=[
                {
                    "byday": "TU",
                    "opens_at": "09:00",
                    "closes_at": "12:00",
                    "attending_type": "inloop",
                }
            ],
        ),
        "brieven_telefoon": make_service(
            "Belhulp Brieven",
            description="Wij lezen uw brieven met u door aan de telefoon.",
            terms={"thema": ["brieven-formulieren"], "toegang": ["telefonisch"]},
            gm_codes=["GM0193"],
            phones=["038-0000400"],
        ),
        "maatje_kampen": make_service(
            "Maatjes Kampen",
            terms={"thema": ["maatje"], "fase": ["tijdens-traject"], "doelgroep": ["jongeren"]},
            gm_codes=["GM0166"],
            phones=["038-0000500"],
            **KAMPEN,
        ),
        "landelijk": make_service(
            "Landelijke Geldlijn",
            terms={"thema": ["schulden", "budget"], "toegang": ["telefonisch", "online"]},
            national=True,
            phones=["0800-0000600"],
        ),
        "concept": make_service(
            "Conceptdienst Brieven",
            terms={"thema": ["brieven-formulieren"]},
            gm_codes=["GM0193"],
            publication_status="concept",
        ),
    }
    municipality = db.session.get(Municipality, "GM0193")
    municipality.debt_help_service_id = made["shv_zwolle"].id
    db.session.commit()
    from wegwijzer.search import sync_index

    sync_index()
    return made


def names_in(html: str, section_id: str) -> list[str]:
    """Return the service names (h3 text) in the section with heading ``section_id``."""
    start = html.index(f'id="{section_id}"')
    end = html.find("</section>", start)
    return [
        re.sub(r"<[^>]+>", "", m).strip()
        for m in re.findall(r"<h3>(.*?)</h3>", html[start:end], re.S)
    ]


def follow(client: FlaskClient, url: str) -> tuple[str, Any]:
    """GET ``url`` and follow redirects; return the final URL (path?query) and response."""
    response = client.get(url)
    while response.status_code in (302, 303):
        url = response.headers["Location"]
        response = client.get(url)
    return url, response


def test_first_step_asks_what_is_going_on(client: FlaskClient) -> None:
    response = client.get("/wegwijzer")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Stap 1 van 4" in html
    assert "Wat speelt er bij u?" in html
    assert "Ik krijg brieven die ik niet begrijp" in html
    assert 'method="get"' in html
    assert "Set-Cookie" not in response.headers


def test_step_without_answer_stays_with_a_message(client: FlaskClient) -> None:
    response = client.get("/wegwijzer/stap/1?verder=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kies minstens één antwoord." in html
    assert "Stap 1 van 4" in html


def test_answer_goes_to_the_next_step_with_the_answer_in_the_url(client: FlaskClient) -> None:
    response = client.get("/wegwijzer/stap/1?situatie=brieven&situatie=rekeningen&verder=1")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert urlsplit(location).path == "/wegwijzer/stap/2"
    assert parse_qsl(urlsplit(location).query) == [
        ("situatie", "brieven"),
        ("situatie", "rekeningen"),
    ]
    html = client.get(location).get_data(as_text=True)
    assert "Stap 2 van 4" in html
    assert "Waar woont u?" in html
    assert '<input type="hidden" name="situatie" value="brieven">' in html


def test_unknown_place_stays_on_the_step_with_suggestions(client: FlaskClient) -> None:
    response = client.get("/wegwijzer/stap/2?situatie=brieven&plaats=Zwole&verder=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Stap 2 van 4" in html
    assert "We kennen Zwole niet" in html
    suggestion = re.search(r'<a href="([^"]*plaats=Zwolle[^"]*)">Zwolle</a>', html)
    assert suggestion, html
    url, final = follow(client, suggestion.group(1).replace("&amp;", "&"))
    assert urlsplit(url).path == "/wegwijzer/stap/3"


def test_unknown_postcode_gets_its_own_message(client: FlaskClient) -> None:
    html = client.get("/wegwijzer/stap/2?situatie=brieven&plaats=0000&verder=1").get_data(
        as_text=True
    )
    assert "postcode" in html
    assert "Stap 2 van 4" in html


def test_optional_step_can_be_skipped(client: FlaskClient) -> None:
    response = client.get(
        "/wegwijzer/stap/3?situatie=brieven&plaats=Zwolle&hulp=thuis&verder=overslaan"
    )
    assert response.status_code == 303
    query = parse_qsl(urlsplit(response.headers["Location"]).query)
    assert ("hulp", "thuis") not in query
    assert urlsplit(response.headers["Location"]).path == "/wegwijzer/stap/4"


def test_required_step_cannot_be_skipped(client: FlaskClient) -> None:
    html = client.get("/wegwijzer/stap/1?verder=overslaan").get_data(as_text=True)
    assert "Overslaan" not in html
    assert "Stap 1 van 4" in html


def test_later_step_with_a_missing_earlier_answer_shows_that_question(client: FlaskClient) -> None:
    html = client.get("/wegwijzer/stap/3?situatie=brieven").get_data(as_text=True)
    assert "Stap 2 van 4" in html
    assert "Vul uw postcode of woonplaats in." in html


def test_tampered_answer_is_explained_not_crashed(client: FlaskClient, directory: dict) -> None:
    response = client.get("/wegwijzer/resultaat?situatie=bestaat-niet&plaats=Zwolle")
    assert response.status_code == 200
    assert "Dit antwoord kennen we niet" in response.get_data(as_text=True)


def test_step_out_of_range_is_404(client: FlaskClient) -> None:
    assert client.get("/wegwijzer/stap/9").status_code == 404
    assert client.get("/wegwijzer/stap/0").status_code == 404


def test_whole_route_by_form_submissions_reaches_the_result(
    client: FlaskClient, directory: dict
) -> None:
    url, response = follow(client, "/wegwijzer/stap/1?situatie=brieven&verder=1")
    url, response = follow(client, url.replace("/stap/2?", "/stap/2?plaats=8011&verder=1&"))
    assert urlsplit(url).path == "/wegwijzer/stap/3"
    url, response = follow(client, url + "&hulp=binnenlopen&verder=1")
    assert urlsplit(url).path == "/wegwijzer/stap/4"
    url, response = follow(client, url + "&verder=overslaan")
    assert urlsplit(url).path == "/wegwijzer/resultaat"
    html = response.get_data(as_text=True)
    assert "Dit kunt u nu doen" in html
    best = names_in(html, "beste-stappen")
    assert best[0] == "Formulierenpunt De Wijk"
    assert 'href="tel:0380000300"' in html
    assert "Assendorperstraat 1" in html
    assert "Conceptdienst Brieven" not in html


def test_wishes_reorder_the_best_steps(client: FlaskClient, directory: dict) -> None:
    walk_in = client.get("/wegwijzer/resultaat?situatie=brieven&plaats=Zwolle&hulp=binnenlopen")
    by_phone = client.get("/wegwijzer/resultaat?situatie=brieven&plaats=Zwolle&hulp=telefoon")
    assert names_in(walk_in.get_data(as_text=True), "beste-stappen")[0] == (
        "Formulierenpunt De Wijk"
    )
    assert names_in(by_phone.get_data(as_text=True), "beste-stappen")[0] == "Belhulp Brieven"


def test_the_url_reproduces_the_result(app: Flask, directory: dict) -> None:
    url = "/wegwijzer/resultaat?situatie=rekeningen&plaats=Kampen&hulp=telefoon&over-u=jong"
    first = app.test_client().get(url).get_data(as_text=True)
    again = app.test_client().get(url).get_data(as_text=True)
    assert names_in(first, "beste-stappen") == names_in(again, "beste-stappen")
    assert names_in(first, "andere-mogelijkheden") == names_in(again, "andere-mogelijkheden")
    assert names_in(first, "beste-stappen")
    # The address holds the answers: search engines must not keep such pages.
    assert '<meta name="robots" content="noindex">' in first
    share = re.search(r'<a href="(http://localhost/wegwijzer/resultaat\?[^"]+)">', first)
    assert share
    assert parse_qsl(urlsplit(share.group(1).replace("&amp;", "&")).query) == parse_qsl(
        urlsplit(url).query
    )


def test_urgent_answer_puts_the_municipal_debt_help_first(
    client: FlaskClient, directory: dict
) -> None:
    html = client.get("/wegwijzer/resultaat?situatie=deurwaarder&plaats=8011").get_data(
        as_text=True
    )
    assert names_in(html, "beste-stappen")[0] == "Schuldhulp Gemeente Zwolle"
    assert "Bel nu de schuldhulp van uw gemeente" in html
    assert "schuldenrust" in html
    assert "18 maanden" in html
    assert 'href="tel:0380000100"' in html


def test_urgent_without_setting_falls_back_to_a_municipal_debt_service(
    client: FlaskClient, directory: dict
) -> None:
    html = client.get("/wegwijzer/resultaat?situatie=huis-uit&plaats=Kampen").get_data(as_text=True)
    assert names_in(html, "beste-stappen")[0] == "Schuldhulp Gemeente Kampen"


def test_urgent_where_no_debt_help_is_known_still_explains_what_to_do(
    client: FlaskClient, directory: dict
) -> None:
    html = client.get("/wegwijzer/resultaat?situatie=deurwaarder&plaats=Groningen").get_data(
        as_text=True
    )
    assert "Bel uw gemeente Groningen" in html
    assert "Landelijke Geldlijn" in names_in(html, "beste-stappen")


def test_a_need_nobody_meets_locally_still_gives_next_steps(
    client: FlaskClient, directory: dict
) -> None:
    html = client.get("/wegwijzer/resultaat?situatie=traject-klaar&plaats=Zwolle").get_data(
        as_text=True
    )
    assert names_in(html, "beste-stappen")
    assert "We vonden geen hulp die precies past" in html


def test_english_route_uses_english_texts_and_keeps_the_language(
    client: FlaskClient, directory: dict
) -> None:
    html = client.get("/wegwijzer?lang=en").get_data(as_text=True)
    assert "What is going on?" in html
    assert "I get letters I do not understand" in html
    assert '<input type="hidden" name="lang" value="en">' in html
    response = client.get("/wegwijzer/stap/1?situatie=brieven&verder=1&lang=en")
    assert ("lang", "en") in parse_qsl(urlsplit(response.headers["Location"]).query)
    result = client.get("/wegwijzer/resultaat?situatie=brieven&plaats=Zwolle&lang=en")
    assert "Where do you live?" in result.get_data(as_text=True)


def test_print_version_has_every_phone_and_no_form(client: FlaskClient, directory: dict) -> None:
    html = client.get(
        "/wegwijzer/resultaat?situatie=brieven&plaats=Zwolle&weergave=print"
    ).get_data(as_text=True)
    assert "<form" not in html.split('id="inhoud"')[1]
    assert "038-0000300" in html
    assert "038-0000400" in html
    assert 'id="print-plek"' in html


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def test_a_route_writes_nothing_and_logs_nothing(
    app: Flask, directory: dict, caplog: pytest.LogCaptureFixture
) -> None:
    before = _row_counts()
    changes = db.session.scalar(select(func.max(ChangeLog.seq)))
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    urls = [
        "/wegwijzer",
        "/wegwijzer/stap/1?situatie=deurwaarder&verder=1",
        "/wegwijzer/stap/2?situatie=deurwaarder&plaats=8017+JZ&verder=1",
        "/wegwijzer/stap/3?situatie=deurwaarder&plaats=8017+JZ&hulp=thuis&verder=1",
        "/wegwijzer/stap/4?situatie=deurwaarder&plaats=8017+JZ&hulp=thuis&over-u=geloof&verder=1",
        "/wegwijzer/resultaat?situatie=deurwaarder&plaats=8017+JZ&hulp=thuis&over-u=geloof",
        "/wegwijzer/resultaat?situatie=deurwaarder&plaats=8017+JZ&weergave=print",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 303), url
        assert "Set-Cookie" not in response.headers
    db.session.expire_all()
    assert _row_counts() == before
    assert db.session.scalar(select(func.max(ChangeLog.seq))) == changes
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    logged = " ".join(r.getMessage() for r in caplog.records)
    for secret in ("8017", "deurwaarder", "geloof", "thuis"):
        assert secret not in logged
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []
    assert not client.get_cookie("session")


def test_an_invalid_route_file_gives_a_calm_page_and_a_clear_log(
    app: Flask, directory: dict, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bad = tmp_path / "route.json"
    bad.write_text('{"version": 1, "questions": [{"id": "a", "kind": "need"}]}', "utf-8")
    app.config["ROUTE_FILE"] = str(bad)
    response = app.test_client().get("/wegwijzer")
    assert response.status_code == 503
    assert "De wegwijzer werkt even niet" in response.get_data(as_text=True)
    assert any("vraag 1 ('a')" in r.getMessage() for r in caplog.records)


def test_a_municipality_adapts_the_route_without_code(
    app: Flask, directory: dict, tmp_path: Path
) -> None:
    data = json.loads((ROOT / "data" / "route.json").read_text(encoding="utf-8"))
    data["questions"][0]["text"]["nl"] = "Waarmee kunnen we u helpen?"
    data["questions"][0]["answers"].append(
        {
            "id": "formulier-gemeente",
            "text": {"nl": "Ik moet een formulier invullen", "en": "I must fill in a form"},
            "thema": ["brieven-formulieren"],
        }
    )
    data["questions"][2]["multiple"] = False
    path = tmp_path / "route.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    app.config["ROUTE_FILE"] = str(path)
    client = app.test_client()
    html = client.get("/wegwijzer").get_data(as_text=True)
    assert "Waarmee kunnen we u helpen?" in html
    assert "Ik moet een formulier invullen" in html
    step3 = client.get("/wegwijzer/stap/3?situatie=formulier-gemeente&plaats=Zwolle")
    assert 'type="radio"' in step3.get_data(as_text=True)
    two = client.get(
        "/wegwijzer/stap/3?situatie=formulier-gemeente&plaats=Zwolle"
        "&hulp=thuis&hulp=online&verder=1"
    )
    assert "Kies één antwoord." in two.get_data(as_text=True)
    result = client.get("/wegwijzer/resultaat?situatie=formulier-gemeente&plaats=Zwolle")
    assert "Formulierenpunt De Wijk" in names_in(result.get_data(as_text=True), "beste-stappen")
