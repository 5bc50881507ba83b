"""Today's walk-in hours are told honestly: still to come, open now, or over (fixed clock)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from wegwijzer.domain import hours
from wegwijzer.domain.hours import walk_in_status
from wegwijzer.models import Service

AMS = ZoneInfo("Europe/Amsterdam")
#: Walk-in on Monday and Thursday mornings, and a phone line every weekday.
WEEK = [
    {"byday": "MO,TH", "opens_at": "09:00", "closes_at": "12:00", "attending_type": "inloop"},
    {
        "byday": "MO,TU,WE,TH,FR",
        "opens_at": "13:00",
        "closes_at": "17:00",
        "attending_type": "telefonisch",
    },
]
MONDAY = datetime(2026, 11, 30, tzinfo=AMS)


def at(day: datetime, hh: int, mm: int = 0) -> datetime:
    return day.replace(hour=hh, minute=mm)


def test_before_opening_says_from_when() -> None:
    w = walk_in_status(WEEK, at(MONDAY, 8, 30))
    assert w and w.state == "later" and w.opens == "09:00" and not w.is_open


def test_while_open_says_until_when() -> None:
    w = walk_in_status(WEEK, at(MONDAY, 9))
    assert w.is_open and w.closes == "12:00"
    assert walk_in_status(WEEK, at(MONDAY, 11, 59)).is_open


def test_after_closing_says_closed_and_the_next_time() -> None:
    w = walk_in_status(WEEK, at(MONDAY, 19))
    assert w.state == "closed" and not w.is_open
    assert w.closes == "12:00"
    assert (w.next_day_name("nl"), w.next_opens) == ("do", "09:00")
    assert w.next_day_name("en") == "Thu"
    # Closing time itself is closed.
    assert walk_in_status(WEEK, at(MONDAY, 12)).state == "closed"


def test_a_second_walk_in_later_the_same_day_comes_first() -> None:
    split = [
        {"byday": "MO", "opens_at": "09:00", "closes_at": "11:00", "attending_type": "inloop"},
        {"byday": "MO", "opens_at": "13:00", "closes_at": "15:00", "attending_type": "inloop"},
    ]
    w = walk_in_status(split, at(MONDAY, 12))
    assert (w.state, w.opens) == ("later", "13:00")
    assert w.hours == "09:00–11:00, 13:00–15:00"


def test_no_walk_in_today_is_nothing_and_utc_is_converted() -> None:
    tuesday = datetime(2026, 12, 1, 10, tzinfo=AMS)
    assert not walk_in_status(WEEK, tuesday)
    # 07:30 UTC on a winter Monday is 08:30 in Zwolle: not open yet.
    assert walk_in_status(WEEK, datetime(2026, 11, 30, 7, 30, tzinfo=ZoneInfo("UTC"))).state == (
        "later"
    )


def test_only_one_walk_in_ever_gives_no_next_time() -> None:
    once = [
        {
            "byday": "MO",
            "opens_at": "09:00",
            "closes_at": "12:00",
            "attending_type": "inloop",
            "valid_from": "2026-11-30",
            "valid_to": "2026-11-30",
        }
    ]
    w = walk_in_status(once, at(MONDAY, 19))
    assert w.state == "closed" and w.next_day is None


@pytest.fixture
def walk_in_desk(make_service: Callable[..., Service]) -> Service:
    from wegwijzer.search import sync_index

    svc = make_service(
        "Formulierenpunt De Wijk",
        description="Loop binnen met uw brieven en formulieren.",
        terms={"thema": ["brieven-formulieren"], "toegang": ["inloop"], "doelgroep": ["iedereen"]},
        gm_codes=["GM0193"],
        lat=52.5125,
        lon=6.0944,
        schedules=WEEK,
    )
    sync_index()
    return svc


def _clock(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setattr(hours, "now", lambda: when)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


ROUTE = "/wegwijzer/resultaat?situatie=brieven&plaats=Zwolle"


@pytest.mark.parametrize(
    ("hh", "nl", "en"),
    [
        (8, "Vandaag inloop vanaf 09:00", "Walk-in today from 09:00"),
        (10, "Vandaag inloop tot 12:00 — nu open", "Walk-in today until 12:00 — open now"),
        (
            19,
            "Vandaag inloop tot 12:00 — nu gesloten. Volgende keer: do 09:00",
            "Walk-in today until 12:00 — closed now. Next time: Thu 09:00",
        ),
    ],
)
def test_route_result_results_page_and_service_page_tell_the_time_honestly(
    client: FlaskClient,
    walk_in_desk: Service,
    monkeypatch: pytest.MonkeyPatch,
    hh: int,
    nl: str,
    en: str,
) -> None:
    _clock(monkeypatch, at(MONDAY, hh))
    pages = [ROUTE, "/zoeken?q=brieven&plaats=Zwolle", f"/hulp/{walk_in_desk.slug}"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert nl in _text(html), url
        # Green (the badge) only while the walk-in is open.
        green = re.findall(r'<span class="badge">([^<]*inloop[^<]*)</span>', html)
        assert green == ([nl] if hh == 10 else []), url
        english = client.get(url + ("&" if "?" in url else "?") + "lang=en")
        assert en in _text(english.get_data(as_text=True)), url
