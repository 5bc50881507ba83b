"""Opening hours in one cell: "ma 09:00-12:00 inloop; wo 13:00-16:00 op afspraak"."""

from __future__ import annotations

import re
from typing import Any

from ...domain.hours import ATTENDING_LABELS, DAY_NAMES, WEEKDAYS
from ..report import nl
from .columns import split_cell

_LONG_DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
#: Dutch day names, short and long → RFC 5545 weekday.
DAYS = {
    **dict(zip(DAY_NAMES["nl"], WEEKDAYS, strict=True)),
    **dict(zip(_LONG_DAY_NAMES, WEEKDAYS, strict=True)),
}
_DAY_NL = dict(zip(WEEKDAYS, DAY_NAMES["nl"], strict=True))
_ATTENDING_NL = ATTENDING_LABELS["nl"]

_TIME = r"(\d{1,2}(?:[:.]\d{2})?)"
_RULE = re.compile(
    rf"^(?P<days>.+?)\s+{_TIME}\s*(?:-|–|—|tot)\s*{_TIME}(?P<rest>.*)$", re.IGNORECASE
)
_CLOSED = re.compile(
    r"^gesloten\s+(?P<start>\S+)(?:\s+(?:t/m|tot en met|-)\s+(?P<end>\S+))?$", re.IGNORECASE
)
_VALID = re.compile(r"(vanaf|t/m)\s+(\S+)", re.IGNORECASE)


def parse_opening_hours(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Parse "ma 09:00-12:00 inloop; wo 13:00-16:00" into HSDS schedules and Dutch errors."""
    schedules: list[dict[str, Any]] = []
    errors: list[str] = []
    for part in split_cell(text, ";\n"):
        closed = _CLOSED.match(part)
        if closed:
            end = closed.group("end") or closed.group("start")
            schedules.append(
                {
                    "valid_from": closed.group("start"),
                    "valid_to": end,
                    "description": "Gesloten",
                    "x_wegwijzer": {"is_closed": True},
                }
            )
            continue
        match = _RULE.match(part)
        days = _days(match.group("days")) if match else None
        if match is None or days is None:
            errors.append(
                nl(
                    "'%(text)s' is geen openingstijd. Schrijf bijvoorbeeld 'ma 09:00-12:00 "
                    "inloop' of 'ma-vr 9:00-17:00'.",
                    text=part[:60],
                )
            )
            continue
        rest = match.group("rest").strip().lower()
        schedule: dict[str, Any] = {
            # "1e di" (first Tuesday of the month) makes a monthly rule.
            "freq": "MONTHLY" if any(not d.isalpha() for d in days) else "WEEKLY",
            "byday": ",".join(days),
            "opens_at": _clock(match.group(2)),
            "closes_at": _clock(match.group(3)),
        }
        for word, date_text in _VALID.findall(rest):
            schedule["valid_from" if word.lower() == "vanaf" else "valid_to"] = date_text
        rest = _VALID.sub("", rest).strip(" ,()")
        if rest:
            schedule["attending_type"] = rest
        schedules.append(schedule)
    return schedules, errors


def _clock(text: str) -> str:
    text = text.replace(".", ":")
    return text if ":" in text else f"{text}:00"


def _days(text: str) -> list[str] | None:
    text = re.sub(r"\s*(?:t/m|tot en met)\s*", "-", text.strip().lower())
    found: list[str] = []
    for part in re.split(r"\s*(?:,|/|&|\ben\b)\s*", text):
        if not part:
            continue
        span = re.split(r"\s*[-–]\s*", part)
        if len(span) == 2:
            start, end = _day(span[0]), _day(span[1])
            if start is None or end is None:
                return None
            i, j = WEEKDAYS.index(start), WEEKDAYS.index(end)
            if j < i:
                return None
            found.extend(WEEKDAYS[i : j + 1])
        elif len(span) == 1:
            day = _day(part)
            if day is None:
                return None
            found.append(day)
        else:
            return None
    return list(dict.fromkeys(found)) or None


_ORDINAL = re.compile(r"^(?:(\d)e|(laatste))\s+(\S+)$")


def _day(text: str) -> str | None:
    text = text.strip().rstrip(".").lower()
    ordinal = _ORDINAL.match(text)
    if ordinal:
        day = _day(ordinal.group(3))
        if day is None or not day.isalpha():
            return None
        return ("-1" if ordinal.group(2) else ordinal.group(1)) + day
    if text.upper() in WEEKDAYS:
        return text.upper()
    return DAYS.get(text)


def _day_nl(token: str) -> str:
    """Return a weekday token in the notation: MO → ma, 1TU → 1e di, -1FR → laatste vr."""
    match = re.fullmatch(r"([+-]?\d)?([A-Z]{2})", token)
    if match is None or match.group(2) not in _DAY_NL:
        return token
    day = _DAY_NL[match.group(2)]
    if match.group(1) is None:
        return day
    number = int(match.group(1))
    return f"laatste {day}" if number == -1 else f"{number}e {day}"


def format_opening_hours(schedules: list[Any]) -> str:
    """Return schedules in the spreadsheet notation, one rule per schedule."""
    parts = []
    for s in sorted(
        schedules,
        key=lambda s: (
            s.is_closed,
            WEEKDAYS.index(s.days[0]) if s.days else 9,
            s.opens_at or "",
            s.closes_at or "",
            s.attending_type or "",
            s.byday or "",
            s.valid_from.isoformat() if s.valid_from else "",
            s.id,
        ),
    ):
        if s.is_closed:
            if s.valid_from is None:
                continue
            end = (
                f" t/m {s.valid_to.isoformat()}"
                if s.valid_to and s.valid_to != s.valid_from
                else ""
            )
            parts.append(f"gesloten {s.valid_from.isoformat()}{end}")
            continue
        days = ",".join(_day_nl(d) for d in (s.byday or "").split(",") if d)
        if not days or not s.opens_at or not s.closes_at:
            continue
        text = f"{days} {s.opens_at}-{s.closes_at}"
        if s.attending_type:
            text += " " + _ATTENDING_NL.get(s.attending_type, s.attending_type)
        if s.valid_from:
            text += f" vanaf {s.valid_from.isoformat()}"
        if s.valid_to:
            text += f" t/m {s.valid_to.isoformat()}"
        parts.append(text)
    return "; ".join(parts)
