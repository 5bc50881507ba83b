"""Urgent signals: each kind has its own calm explanation and next step on the results page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wegwijzer.extensions import db
from wegwijzer.models import Municipality, Service
from wegwijzer.search import search, sync_index
from wegwijzer.search.signals import SignalsFileError, match_signals, read_signals

ROOT = Path(__file__).resolve().parent.parent
SIGNALS = read_signals(ROOT / "data" / "signals.json")
ZWOLLE = {"lat": 52.5125, "lon": 6.0944}


@pytest.fixture
def directory(app: Flask, make_service: Callable[..., Service]) -> dict[str, Service]:
    made = {
        "shv": make_service(
            "Schuldhulpverlening Zwolle",
            description="De gemeente helpt u gratis bij schulden. Heeft u geen geld meer?",
            terms={"thema": ["schulden"], "organisatietype": ["gemeente"]},
            phones=["038-0000100"],
            **ZWOLLE,
        ),
        "food": make_service(
            "Voedselbank Zwolle",
            description=(
                "Heeft u geen geld voor eten? De voedselbank geeft een voedselpakket. "
                "Noodhulp in dezelfde week."
            ),
            terms={"thema": ["budget"], "doelgroep": ["iedereen"]},
            phones=["038-0000700"],
            **ZWOLLE,
        ),
        "course": make_service(
            "Cursus Geld in Balans",
            description="Leer geen schulden te maken en uw geld voor eten te plannen.",
            terms={"thema": ["budget"]},
            phones=["038-0000800"],
            **ZWOLLE,
        ),
    }
    db.session.get(Municipality, "GM0193").debt_help_service_id = made["shv"].id
    db.session.commit()
    sync_index()
    return made


def _notice(html: str) -> str:
    start = html.index('id="spoed-kop"')
    return html[start : html.index("</section>", start)]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_each_shipped_signal_has_its_own_explanation_and_next_step_in_both_languages() -> None:
    codes = {s.code for s in SIGNALS}
    assert {"geen-geld-eten", "deurwaarder", "beslag", "uithuiszetting", "afsluiting"} <= codes
    for signal in SIGNALS:
        for lang in ("nl", "en"):
            assert signal.why(lang) and signal.next_step(lang), (signal.code, lang)
        assert signal.next_step("nl") != signal.next_step("en")
    nexts = [s.next_step("nl") for s in SIGNALS]
    assert len(set(nexts)) == len(nexts)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("ik heb geen geld voor eten", "geen-geld-eten"),
        ("we hebben niets te eten", "geen-geld-eten"),
        ("no money for food", "geen-geld-eten"),
        ("er staat een deurwaarder voor de deur", "deurwaarder"),
        ("loonbeslag", "beslag"),
        ("huurachterstand", "uithuiszetting"),
        ("rent arrears", "uithuiszetting"),
        ("stroom afgesloten", "afsluiting"),
    ],
)
def test_a_question_finds_its_own_signal_only(query: str, code: str) -> None:
    assert [s.code for s in match_signals(query, SIGNALS)] == [code]


def test_no_money_for_food_explains_food_aid_not_bailiffs(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = client.get("/zoeken?q=ik+heb+geen+geld+voor+eten&plaats=Zwolle").get_data(as_text=True)
    notice = _text(_notice(html))
    assert "Geen geld voor eten" in notice
    assert "voedselbank" in notice and "noodhulp" in notice
    for other in ("deurwaarder", "afsluiting", "uit uw huis", "ontruiming"):
        assert other not in notice.lower(), other
    # The next step searches food aid, here.
    assert 'href="/zoeken?q=voedselbank+noodhulp&amp;plaats=Zwolle"' in _notice(html)
    # The municipality's number is in the notice.
    assert 'href="tel:0380000100"' in _notice(html)
    # "geen" is never a highlighted match.
    marked = {m.lower() for m in re.findall(r"<mark>([^<]*)</mark>", html)}
    assert marked and "geen" not in marked


def test_the_municipalitys_debt_help_stays_first_for_urgent_queries(
    app: Flask, directory: dict[str, Service]
) -> None:
    with app.test_request_context():
        result = search("ik heb geen geld voor eten", near="Zwolle")
    assert result.urgent
    assert result.results[0].service_id == directory["shv"].id


def test_two_signals_show_both_explanations_in_english(
    client: FlaskClient, directory: dict[str, Service]
) -> None:
    html = client.get("/zoeken?q=deurwaarder+en+huurachterstand&plaats=Zwolle&lang=en")
    notice = _text(_notice(html.get_data(as_text=True)))
    assert "A bailiff visits or sends letters" in notice
    assert "Rent arrears or eviction" in notice
    assert "Call your municipality's debt help today" in notice
    assert "Geen geld voor eten" not in notice and "No money for food" not in notice


def test_a_bad_search_link_in_the_signals_file_is_rejected(tmp_path: Path) -> None:
    data = json.loads((ROOT / "data" / "signals.json").read_text(encoding="utf-8"))
    data["signals"][0]["search"] = {"q": "", "label": {"nl": "x", "en": "x"}}
    path = tmp_path / "signals.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SignalsFileError, match=r"signaal 1 \(deurwaarder\): 'search'"):
        read_signals(path)
