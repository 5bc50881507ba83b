"""Opening hours: open now, walk-in today and readable lines, in Europe/Amsterdam time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from wegwijzer.domain.hours import format_hours, is_open_at, walk_in_today

AMS = ZoneInfo("Europe/Amsterdam")
WEEK = [
    {"byday": "MO,WE", "opens_at": "09:00", "closes_at": "12:00", "attending_type": "inloop"},
    {
        "byday": "MO,TU,WE,TH,FR",
        "opens_at": "13:00",
        "closes_at": "17:00",
        "attending_type": "telefonisch",
    },
]


def test_open_during_weekly_hours_only() -> None:
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=AMS)
    assert is_open_at(WEEK, monday)
    assert is_open_at(WEEK, monday.replace(hour=11, minute=59))
    assert not is_open_at(WEEK, monday.replace(hour=12))  # closing time is exclusive
    assert not is_open_at(WEEK, monday.replace(hour=8, minute=59))
    assert is_open_at(WEEK, monday.replace(hour=16, minute=30))
    tuesday_morning = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)
    assert not is_open_at(WEEK, tuesday_morning)
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=AMS)
    assert not is_open_at(WEEK, saturday)


def test_utc_times_are_converted_to_amsterdam() -> None:
    # 08:30 UTC in winter is 09:30 in Zwolle; in summer 10:30.
    assert is_open_at(WEEK, datetime(2026, 11, 30, 8, 30, tzinfo=UTC))
    assert not is_open_at(WEEK, datetime(2026, 11, 30, 7, 30, tzinfo=UTC))
    assert is_open_at(WEEK, datetime(2026, 6, 29, 7, 30, tzinfo=UTC))


def test_closed_exception_wins_and_dated_hours_replace_regular_ones() -> None:
    schedules = [
        *WEEK,
        {"is_closed": True, "valid_from": date(2026, 12, 24), "valid_to": date(2027, 1, 1)},
        {
            "byday": "MO",
            "opens_at": "14:00",
            "closes_at": "15:00",
            "valid_from": date(2026, 12, 7),
            "valid_to": date(2026, 12, 7),
        },
    ]
    assert not is_open_at(schedules, datetime(2026, 12, 28, 10, 0, tzinfo=AMS))
    special = datetime(2026, 12, 7, 10, 0, tzinfo=AMS)
    assert not is_open_at(schedules, special)  # regular Monday morning replaced
    assert is_open_at(schedules, special.replace(hour=14, minute=30))
    assert is_open_at(schedules, datetime(2026, 12, 14, 10, 0, tzinfo=AMS))


def test_rules_without_times_and_bad_values_are_ignored() -> None:
    schedules = [
        {"byday": "MO", "attending_type": "op-afspraak"},
        {"byday": "XX", "opens_at": "9", "closes_at": "nonsense"},
        {"freq": "MONTHLY", "byday": "MO", "opens_at": "09:00", "closes_at": "10:00"},
    ]
    assert not is_open_at(schedules, datetime(2026, 11, 30, 9, 30, tzinfo=AMS))
    assert format_hours(schedules) == []


def test_until_midnight() -> None:
    late = [{"byday": "FR", "opens_at": "19:00", "closes_at": "00:00"}]
    assert is_open_at(late, datetime(2026, 12, 4, 23, 59, tzinfo=AMS))


def test_walk_in_today() -> None:
    monday = datetime(2026, 11, 30, 15, 0, tzinfo=AMS)
    assert walk_in_today(WEEK, monday) == [("09:00", "12:00")]
    assert walk_in_today(WEEK, monday.replace(day=1, month=12)) == []


def test_format_hours_in_dutch_and_english() -> None:
    schedules = [
        *WEEK,
        {"is_closed": True, "valid_from": date(2026, 12, 24), "valid_to": date(2027, 1, 1)},
    ]
    assert format_hours(schedules, "nl") == [
        "ma, wo 09:00–12:00 (inloop)",
        "ma–vr 13:00–17:00 (telefonisch)",
        "gesloten 24-12-2026 t/m 1-1-2027",
    ]
    assert format_hours(schedules, "en") == [
        "Mon, Wed 09:00–12:00 (walk-in)",
        "Mon–Fri 13:00–17:00 (by phone)",
        "closed 24-12-2026 to 1-1-2027",
    ]


def test_naive_datetimes_are_local_time() -> None:
    assert is_open_at(WEEK, datetime(2026, 11, 30, 9, 30))
