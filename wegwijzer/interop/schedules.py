"""Opening hours of a service: weekly rules and closed dates (HSDS ``schedules``)."""

from __future__ import annotations

import re
from typing import Any

from ..domain import limits
from ..domain.hours import ATTENDING_TYPES, WEEKDAYS
from ..models import Schedule
from .checks import Checker, Skip
from .records import RawService, Row
from .report import nl
from .schema import max_length
from .values import clip
from .versions import byday_codes

BYDAY_TOKEN = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")


class ScheduleChecks(Checker):
    """Check schedules; every wrong field of one schedule is reported before it is skipped."""

    def schedules(self, raw: RawService, data: dict[str, Any], service_id: str) -> list[Row]:
        """Return the service's schedules."""
        return self.children_of(
            raw, data, "schedules", "", service_id, self._schedule, table="schedule"
        )

    def _schedule(self, raw: RawService, item: dict[str, Any], path: str) -> dict[str, Any]:
        failed = False

        def safe(getter: Any, *args: Any, **kwargs: Any) -> Any:
            # Check every field, so one report lists all problems of this schedule.
            nonlocal failed
            try:
                return getter(raw, *args, **kwargs)
            except Skip:
                failed = True
                return None

        freq = safe(self.enum, item, "freq", path, ("WEEKLY", "MONTHLY"))
        byday = safe(self.text, item, "byday", path, limit=max_length(Schedule, "byday"))
        if byday is not None:
            # Day names (MONDAY, Monday, maandag) as older files and spreadsheets write them.
            byday = byday_codes(byday) or byday
            tokens = [t.strip().upper() for t in byday.split(",") if t.strip()]
            bad = [t for t in tokens if not BYDAY_TOKEN.match(t)]
            if bad or not tokens:
                self.error(
                    raw,
                    f"{path}.byday",
                    nl(
                        "Onbekende dag(en) '%(days)s'; gebruik %(known)s, bijvoorbeeld MO,WE.",
                        days=", ".join(bad) or byday,
                        known=",".join(WEEKDAYS),
                    ),
                )
                failed = True
            byday = ",".join(tokens)
        attending = safe(self.text, item, "attending_type", path)
        given_attending = attending
        if attending is not None:
            attending = attending_type(attending)
            if attending is None:
                self.warn(
                    raw,
                    f"{path}.attending_type",
                    nl(
                        "Onbekende manier van komen '%(got)s'; bekend zijn %(known)s. Wegwijzer "
                        "gebruikt de tekst niet, maar bewaart hem en exporteert hem weer.",
                        got=clip(item.get("attending_type")),
                        known=", ".join(ATTENDING_TYPES),
                    ),
                )
        ext = item.get("x_wegwijzer")
        is_closed = False
        if isinstance(ext, dict):
            is_closed = bool(safe(self.boolean, ext, "is_closed", f"{path}.x_wegwijzer"))
        opens_at = safe(self.clock, item, "opens_at", path)
        closes_at = safe(self.clock, item, "closes_at", path)
        if opens_at and closes_at and closes_at <= opens_at:
            self.error(
                raw,
                f"{path}.closes_at",
                nl(
                    "De sluitingstijd %(closes)s ligt niet na %(opens)s.",
                    closes=closes_at,
                    opens=opens_at,
                ),
            )
            failed = True
        valid_from = safe(self.day, item, "valid_from", path)
        valid_to = safe(self.day, item, "valid_to", path)
        if valid_from and valid_to and valid_to < valid_from:
            self.error(raw, f"{path}.valid_to", nl("De einddatum ligt vóór de begindatum."))
            failed = True
        description = safe(self.text, item, "description", path, limit=limits.SHORT_TEXT)
        notes = safe(self.text, item, "notes", path)
        if failed:
            raise Skip
        if not is_closed and byday is None and not (valid_from or valid_to):
            self.warn(raw, path, nl("Openingstijd zonder dagen (byday); controleer dit."))
        return {
            # The database stores WEEKLY when no frequency is given (closed dates too); say
            # the same here, so importing the same file again changes nothing.
            "freq": freq or "WEEKLY",
            "byday": byday,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "attending_type": attending,
            "description": description,
            "notes": notes,
            "is_closed": is_closed,
            # A description Wegwijzer cannot read is kept and exported as the file had it.
            "_extra": {"attending_type": given_attending} if attending is None else None,
        }


def attending_type(value: str) -> str | None:
    """Return the attending type a free text means (``inloop``, …), or None."""
    word = value.strip().lower()
    if word in ATTENDING_TYPES:
        return word
    if "inloop" in word or "walk" in word or "zonder afspraak" in word:
        return "inloop"
    if "afspraak" in word or "appointment" in word:
        return "op-afspraak"
    if "telefo" in word or "phone" in word or "bellen" in word:
        return "telefonisch"
    return None
