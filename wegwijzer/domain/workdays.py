"""Working days: Monday to Friday, except Dutch public holidays.

The holidays come from the maintained ``holidays`` package (category "public" for NL):
Nieuwjaarsdag, Goede Vrijdag, both Easter days, Koningsdag (26 April when the 27th is a
Sunday), Bevrijdingsdag in lustrum years (2025, 2030, ...), Hemelvaartsdag, both Whitsun
days and both Christmas days. Weekend holidays change nothing: those days are off anyway.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays


@functools.cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=year, categories=("public",)))


def is_holiday(day: date) -> bool:
    """Return True on a Dutch public holiday."""
    return day in _holidays(day.year)


def is_workday(day: date) -> bool:
    """Return True from Monday to Friday, unless the day is a Dutch public holiday."""
    return day.weekday() < 5 and not is_holiday(day)


def add_workdays(start: date, days: int) -> date:
    """Return the ``days``-th working day after ``start`` (``start`` itself does not count).

    ``add_workdays(friday, 1)`` is the next Monday, or the Tuesday after Easter Monday.
    """
    if days < 0:
        raise ValueError("days must be 0 or more")
    day = start
    while days:
        day += timedelta(days=1)
        if is_workday(day):
            days -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Return how many working days lie after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + timedelta(n)))
