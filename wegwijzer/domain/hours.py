"""Opening hours from weekly schedules: open now, walk-in today, and a readable summary.

Pure functions, no database: pass Schedule rows, or mappings with the same keys
(``freq``, ``byday``, ``opens_at``, ``closes_at``, ``valid_from``, ``valid_to``,
``attending_type``, ``is_closed``, ``description``).

Rules, in Europe/Amsterdam time:

* A weekly rule (``byday`` "MO,WE", ``opens_at``/``closes_at`` "09:00") applies on those days;
  with ``valid_from``/``valid_to`` only within those dates (inclusive).
* Dated rules replace the regular hours: on a day where a dated, not-closed rule applies,
  only the dated rules count (holiday or summer hours).
* An exception with ``is_closed`` closes the whole day for every date in
  ``valid_from``..``valid_to`` (only the listed weekdays when ``byday`` is set).
* ``closes_at`` at or before ``opens_at`` means "until midnight". Rules without times
  are ignored: "op afspraak" has no opening hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Amsterdam")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

#: Short day names per language, in the order of ``WEEKDAYS``.
DAY_NAMES = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
#: How people come (``attending_type``), in words per language.
ATTENDING_LABELS = {
    "nl": {"inloop": "inloop", "op-afspraak": "op afspraak", "telefonisch": "telefonisch"},
    "en": {"inloop": "walk-in", "op-afspraak": "by appointment", "telefonisch": "by phone"},
}
ATTENDING_TYPES = tuple(ATTENDING_LABELS["nl"])
_CLOSED = {"nl": "gesloten", "en": "closed"}
_UNTIL = {"nl": "t/m", "en": "to"}


@dataclass(frozen=True, slots=True)
class Rule:
    """One schedule line in a form that is quick to evaluate."""

    days: tuple[int, ...]
    opens: int
    closes: int
    valid_from: date | None
    valid_to: date | None
    attending_type: str | None
    is_closed: bool
    description: str | None = None

    @property
    def is_dated(self) -> bool:
        return self.valid_from is not None or self.valid_to is not None

    def on(self, day: date) -> bool:
        """Return True if the rule applies on ``day``."""
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_to and day > self.valid_to:
            return False
        return not self.days or day.weekday() in self.days


def now() -> datetime:
    """Return the time now in the Netherlands: the one clock of the opening hours shown."""
    return datetime.now(TZ)


def today() -> date:
    """Return today's date in the Netherlands (the server may run on UTC)."""
    return now().date()


def _get(item: Any, key: str) -> Any:
    if type(item) is dict or (not hasattr(item, key) and isinstance(item, Mapping)):
        return item.get(key)
    return getattr(item, key, None)


def _minutes(value: Any) -> int | None:
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    if not isinstance(value, str) or ":" not in value:
        return None
    hours, _, minutes = value.strip().partition(":")
    try:
        h, m = int(hours), int(minutes[:2])
    except ValueError:
        return None
    if not (0 <= h <= 24 and 0 <= m < 60):
        return None
    return min(h * 60 + m, 24 * 60)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def compile_rules(schedules: Iterable[Any]) -> tuple[Rule, ...]:
    """Turn Schedule rows or mappings into rules; unreadable lines are skipped."""
    rules = []
    for item in schedules or ():
        freq = (_get(item, "freq") or "WEEKLY").upper()
        is_closed = bool(_get(item, "is_closed"))
        if freq not in ("WEEKLY", "DAILY") and not is_closed:
            continue
        byday = _get(item, "byday") or ""
        days = tuple(
            sorted({WEEKDAYS.index(d.strip()) for d in byday.split(",") if d.strip() in WEEKDAYS})
        )
        opens = _minutes(_get(item, "opens_at"))
        closes = _minutes(_get(item, "closes_at"))
        valid_from = _date(_get(item, "valid_from"))
        valid_to = _date(_get(item, "valid_to"))
        if is_closed:
            if valid_from is None and valid_to is None:
                continue  # "always closed" is no exception; unpublish the service instead
            rules.append(Rule(days, 0, 24 * 60, valid_from, valid_to, None, True))
            continue
        if opens is None or closes is None:
            continue
        if closes <= opens:
            closes = 24 * 60
        rules.append(
            Rule(
                days,
                opens,
                closes,
                valid_from,
                valid_to,
                _get(item, "attending_type"),
                False,
                _get(item, "description"),
            )
        )
    return tuple(rules)


def _local(when: datetime | None) -> datetime:
    if when is None:
        return now()
    if when.tzinfo is None:
        return when.replace(tzinfo=TZ)
    return when.astimezone(TZ)


def rules_for_day(rules: Iterable[Rule], day: date) -> list[Rule]:
    """Return the opening rules that apply on ``day`` (empty when closed that day)."""
    rules = tuple(rules)
    if any(r.is_closed and r.on(day) for r in rules):
        return []
    active = [r for r in rules if not r.is_closed and r.on(day)]
    dated = [r for r in active if r.is_dated]
    return dated or active


def is_open_rules(rules: Iterable[Rule], when: datetime | None = None) -> bool:
    """Like :func:`is_open_at`, for rules from :func:`compile_rules`."""
    local = _local(when)
    minute = local.hour * 60 + local.minute
    return any(r.opens <= minute < r.closes for r in rules_for_day(rules, local.date()))


def is_open_at(schedules: Iterable[Any], when: datetime | None = None) -> bool:
    """Return True if the service is open (any way of attending) at ``when`` (default: now)."""
    return is_open_rules(compile_rules(schedules), when)


def walk_in_today(schedules: Iterable[Any], when: datetime | None = None) -> list[tuple[str, str]]:
    """Return today's walk-in hours as ``[("09:00", "12:00"), ...]``, earliest first."""
    local = _local(when)
    spans = _walk_in_spans(compile_rules(schedules), local.date())
    return [(_hhmm(a), _hhmm(b)) for a, b in spans]


@dataclass(frozen=True, slots=True)
class WalkInToday:
    """Today's walk-in hours and where ``when`` falls in them, for an honest one-liner.

    ``state`` is ``"later"`` (the next walk-in today has not started: "vanaf 09:00"),
    ``"open"`` (walk in now, until ``closes``) or ``"closed"`` (today's walk-in is over;
    ``next_day``/``next_opens`` say when the next one is, if there is one within two weeks).
    False when there is no walk-in today.
    """

    spans: tuple[tuple[str, str], ...] = ()
    state: str = ""
    opens: str = ""
    closes: str = ""
    next_day: int | None = None
    next_opens: str = ""

    def __bool__(self) -> bool:
        return bool(self.spans)

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def hours(self) -> str:
        """Today's spans as text: ``"09:00–12:00, 13:00–15:00"``."""
        return ", ".join(f"{a}–{b}" for a, b in self.spans)

    def next_day_name(self, lang: str = "nl") -> str:
        if self.next_day is None:
            return ""
        return DAY_NAMES["en" if lang == "en" else "nl"][self.next_day]


#: How far ahead :func:`walk_in_status` looks for the next walk-in day.
NEXT_WALK_IN_DAYS = 14


def _walk_in_spans(rules: tuple[Rule, ...], day: date) -> list[tuple[int, int]]:
    return sorted(
        {(r.opens, r.closes) for r in rules_for_day(rules, day) if r.attending_type == "inloop"}
    )


def walk_in_status(schedules: Iterable[Any], when: datetime | None = None) -> WalkInToday:
    """Return today's walk-in hours with whether they are still to come, open or over."""
    return walk_in_status_rules(compile_rules(schedules), when)


def walk_in_status_rules(rules: tuple[Rule, ...], when: datetime | None = None) -> WalkInToday:
    """Like :func:`walk_in_status`, for rules from :func:`compile_rules`."""
    local = _local(when)
    spans = _walk_in_spans(rules, local.date())
    if not spans:
        return WalkInToday()
    minute = local.hour * 60 + local.minute
    shown = tuple((_hhmm(a), _hhmm(b)) for a, b in spans)
    current = next(((a, b) for a, b in spans if a <= minute < b), None)
    if current is not None:
        return WalkInToday(shown, "open", _hhmm(current[0]), _hhmm(current[1]))
    coming = next(((a, b) for a, b in spans if a > minute), None)
    if coming is not None:
        return WalkInToday(shown, "later", _hhmm(coming[0]), _hhmm(coming[1]))
    next_day, next_opens = None, ""
    for ahead in range(1, NEXT_WALK_IN_DAYS + 1):
        day = local.date() + timedelta(days=ahead)
        later = _walk_in_spans(rules, day)
        if later:
            next_day, next_opens = day.weekday(), _hhmm(later[0][0])
            break
    return WalkInToday(shown, "closed", "", _hhmm(spans[-1][1]), next_day, next_opens)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_list(days: tuple[int, ...], lang: str) -> str:
    names = DAY_NAMES["en" if lang == "en" else "nl"]
    if not days:
        days = tuple(range(7))
    # Runs of three or more days read better as a range: "ma–vr".
    groups: list[list[int]] = []
    for d in days:
        if groups and d == groups[-1][-1] + 1:
            groups[-1].append(d)
        else:
            groups.append([d])
    parts = []
    for g in groups:
        if len(g) >= 3:
            parts.append(f"{names[g[0]]}–{names[g[-1]]}")
        else:
            parts.extend(names[d] for d in g)
    return ", ".join(parts)


def _date_text(day: date) -> str:
    return f"{day.day}-{day.month}-{day.year}"


def format_hours(schedules: Iterable[Any], lang: str = "nl") -> list[str]:
    """Return readable lines: ``"ma, wo 09:00–12:00 (inloop)"``, ``"gesloten 24-12-2026 t/m …"``."""
    return format_rules(compile_rules(schedules), lang)


def format_rules(rules: tuple[Rule, ...], lang: str = "nl") -> list[str]:
    """Like :func:`format_hours`, for rules from :func:`compile_rules`."""
    lang = "en" if lang == "en" else "nl"
    lines: list[str] = []
    # Same hours on several days make one line.
    merged: dict[tuple[Any, ...], set[int]] = {}
    order: list[tuple[Any, ...]] = []
    for r in rules:
        if r.is_closed:
            continue
        key = (r.opens, r.closes, r.attending_type, r.valid_from, r.valid_to)
        if key not in merged:
            merged[key] = set()
            order.append(key)
        merged[key].update(r.days or range(7))
    order.sort(key=lambda k: (k[3] is not None or k[4] is not None, min(merged[k]), k[0]))
    for key in order:
        opens, closes, attending, valid_from, valid_to = key
        text = f"{_day_list(tuple(sorted(merged[key])), lang)} {_hhmm(opens)}–{_hhmm(closes)}"
        if attending in ATTENDING_LABELS[lang]:
            text += f" ({ATTENDING_LABELS[lang][attending]})"
        if valid_from or valid_to:
            text += " " + _period(valid_from, valid_to, lang)
        lines.append(text)
    for r in rules:
        if r.is_closed:
            text = _CLOSED[lang] + " " + _period(r.valid_from, r.valid_to, lang)
            if r.days:
                text += f" ({_day_list(r.days, lang)})"
            lines.append(text)
    return lines


def _period(valid_from: date | None, valid_to: date | None, lang: str) -> str:
    if valid_from and valid_to:
        if valid_from == valid_to:
            return _date_text(valid_from)
        return f"{_date_text(valid_from)} {_UNTIL[lang]} {_date_text(valid_to)}"
    if valid_from:
        return ("from " if lang == "en" else "vanaf ") + _date_text(valid_from)
    assert valid_to is not None
    return ("until " if lang == "en" else "tot en met ") + _date_text(valid_to)
