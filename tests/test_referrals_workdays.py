"""Working days around Dutch public holidays, and the legal terms of the Wgs."""

from __future__ import annotations

from datetime import date

import pytest

from wegwijzer.domain.workdays import add_workdays, is_holiday, is_workday, workdays_between
from wegwijzer.models import Referral, Urgency
from wegwijzer.services.referrals.terms import (
    Signal,
    has_short_term,
    is_judged,
    signal_of,
    term_ends_on,
)


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2026, 4, 27), True),  # Koningsdag on a Monday
        (date(2025, 4, 26), True),  # Koningsdag moves to Saturday when the 27th is a Sunday
        (date(2025, 4, 27), False),
        (date(2026, 4, 6), True),  # Tweede Paasdag
        (date(2026, 4, 3), True),  # Goede Vrijdag (in the package's public calendar)
        (date(2026, 12, 25), True),
        (date(2026, 12, 26), True),
        (date(2025, 5, 5), True),  # Bevrijdingsdag in a lustrum year
        (date(2030, 5, 5), True),
        (date(2026, 5, 5), False),  # ... but not in other years
        (date(2027, 5, 5), False),
        (date(2026, 5, 14), True),  # Hemelvaartsdag
        (date(2026, 5, 25), True),  # Tweede Pinksterdag
        (date(2026, 1, 1), True),
        (date(2026, 3, 10), False),
    ],
)
def test_dutch_public_holidays(day: date, holiday: bool) -> None:
    assert is_holiday(day) is holiday


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # A Friday: the next working day is Monday.
        (date(2026, 3, 6), 1, date(2026, 3, 9)),
        # Thursday before Easter 2026: Good Friday and Easter Monday are skipped.
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        (date(2026, 4, 2), 3, date(2026, 4, 9)),
        # Friday 24 April 2026: weekend, then Koningsdag on Monday 27 April.
        (date(2026, 4, 24), 1, date(2026, 4, 28)),
        # Christmas 2026 falls on Friday and Saturday: from Wednesday 23 December the third
        # working day is Tuesday 29 December (24, 28, 29).
        (date(2026, 12, 23), 3, date(2026, 12, 29)),
        # Christmas 2025 on Thursday and Friday: from Wednesday 24 December, Monday 29.
        (date(2025, 12, 24), 1, date(2025, 12, 29)),
        # Bevrijdingsdag 2025 (lustrum, a Monday) is skipped; in 2026 (Tuesday) it is not.
        (date(2025, 5, 2), 1, date(2025, 5, 6)),
        (date(2026, 5, 4), 1, date(2026, 5, 5)),
        (date(2026, 3, 10), 0, date(2026, 3, 10)),
    ],
)
def test_add_workdays(start: date, days: int, expected: date) -> None:
    assert add_workdays(start, days) == expected
    assert is_workday(expected) or days == 0
    assert workdays_between(start, expected) == days


def test_negative_workdays_are_refused() -> None:
    with pytest.raises(ValueError):
        add_workdays(date(2026, 1, 5), -1)


@pytest.mark.parametrize(
    ("urgency", "short"),
    [
        (Urgency.EVICTION, True),
        (Urgency.DISCONNECTION, True),
        (Urgency.HEALTH_INSURANCE, True),
        (Urgency.BAILIFF, False),
        (Urgency.NO_FOOD, False),
        (Urgency.NONE, False),
    ],
)
def test_three_working_days_only_for_the_threats_named_in_the_law(
    urgency: Urgency, short: bool
) -> None:
    assert has_short_term(urgency) is short
    end = term_ends_on(date(2026, 4, 2), urgency)
    assert end == (date(2026, 4, 9) if short else date(2026, 4, 30))


def test_four_weeks_ending_on_a_holiday_end_on_the_next_working_day() -> None:
    # 30 March 2026 + 4 weeks = Monday 27 April: Koningsdag, so Tuesday 28 April.
    assert term_ends_on(date(2026, 3, 30), Urgency.NONE) == date(2026, 4, 28)
    # Saturday 7 March + 4 weeks is Saturday 4 April; Monday 6 April is Easter Monday.
    assert term_ends_on(date(2026, 3, 7), Urgency.NONE) == date(2026, 4, 7)


def _referral(**kw) -> Referral:  # type: ignore[no-untyped-def]
    values = {
        "status": "nieuw",
        "referred_on": date(2026, 4, 2),
        "term_ends_on": date(2026, 4, 9),
        "urgency": "afsluiting",
    }
    values.update(kw)
    return Referral(**values)


def test_signals_of_the_legal_term() -> None:
    fresh = _referral()
    assert signal_of(fresh, date(2026, 4, 9)) is None  # the last day is still within the term
    assert signal_of(fresh, date(2026, 4, 10)) == Signal.OVERDUE
    received = _referral(status="ontvangen")
    assert signal_of(received, date(2026, 4, 10)) == Signal.OVERDUE
    on_time = _referral(status="gesprek-gepland", first_conversation_on=date(2026, 4, 8))
    assert signal_of(on_time, date(2026, 5, 1)) is None
    late = _referral(status="gesprek-gepland", first_conversation_on=date(2026, 4, 14))
    assert signal_of(late, date(2026, 4, 10)) == Signal.PLANNED_LATE
    stopped = _referral(status="niet-gestart", not_started_reason="niet-bereikbaar")
    assert signal_of(stopped, date(2026, 4, 3)) == Signal.NOT_STARTED
    started = _referral(status="gestart", first_conversation_on=date(2026, 4, 8))
    assert signal_of(started, date(2026, 6, 1)) is None


def test_a_referral_closed_early_without_a_talk_does_not_count_for_the_term() -> None:
    from datetime import UTC, datetime

    early = _referral(
        status="niet-gestart",
        not_started_reason="zelf-afgezien",
        closed_at=datetime(2026, 4, 3, 10, tzinfo=UTC),
    )
    assert not is_judged(early, date(2026, 6, 1))
    late = _referral(
        status="niet-gestart",
        not_started_reason="niet-bereikbaar",
        closed_at=datetime(2026, 4, 20, 10, tzinfo=UTC),
    )
    assert is_judged(late, date(2026, 6, 1))
    assert not is_judged(_referral(), date(2026, 4, 9))
    assert is_judged(_referral(), date(2026, 4, 10))
