"""Typed, reported field checks shared by the importer: text, numbers, dates, enums, ids."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from ..domain import limits
from ..models import stable_id
from .records import RawService, Row
from .report import ImportReport

TIME_RE = re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Most children of one kind a service may have; protects against absurd files.
MAX_CHILDREN = 500
#: Lists with the same maximum as the beheer form (services/limits.py).
LIST_LIMITS = {
    "phones": limits.PHONES,
    "contacts": limits.CONTACTS,
    "schedules": limits.SCHEDULES,
}


class Skip(Exception):
    """A value is wrong; the problem is already reported."""


class Checker:
    """Read typed values out of raw objects; report each wrong value with row and field."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self._claimed: dict[tuple[str, str], str] = {}

    # -- reporting -----------------------------------------------------------------------

    def error(self, raw: RawService, path: str, message: str) -> None:
        """Report an error at ``path`` of this row."""
        file, row, field = raw.locate(path)
        self.report.error(row, field, message, file=file)

    def warn(self, raw: RawService, path: str, message: str) -> None:
        """Report a warning at ``path`` of this row."""
        file, row, field = raw.locate(path)
        self.report.warn(row, field, message, file=file)

    # -- typed getters -------------------------------------------------------------------

    def text(
        self,
        raw: RawService,
        obj: dict[str, Any],
        key: str,
        path: str,
        *,
        limit: int | None = None,
        required: bool = False,
    ) -> str | None:
        """Return a stripped string (None when empty); report wrong types, lengths, characters.

        Without ``limit`` a text may be as long as the longest free text in the beheer form.
        """
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(raw, where, "Dit veld is verplicht en ontbreekt.")
                raise Skip
            return None
        if not isinstance(value, str):
            self.error(raw, where, f"Verwacht tekst, maar kreeg {type_nl(value)}.")
            raise Skip
        code = limits.forbidden_character(value)
        if code:
            self.error(
                raw,
                where,
                f"Bevat een onzichtbaar stuurteken ({code}). Haal het weg, of sla het bestand "
                "op als UTF-8 als de tekenset niet klopt.",
            )
            raise Skip
        value = value.strip()
        limit = limits.TEXT if limit is None else limit
        if len(value) > limit:
            self.error(
                raw,
                where,
                f"Te lang: {number_nl(len(value))} tekens, hoogstens {number_nl(limit)}.",
            )
            raise Skip
        return value

    def integer(
        self, raw: RawService, obj: dict[str, Any], key: str, path: str, *, low: int, high: int
    ) -> int | None:
        """Return a whole number within ``low``..``high`` (digits in text are accepted)."""
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            return None
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(raw, where, f"Verwacht een geheel getal, maar kreeg {type_nl(value)}.")
            raise Skip
        if not low <= value <= high:
            self.error(raw, where, f"Getal {value} ligt niet tussen {low} en {high}.")
            raise Skip
        return value

    def number(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> float | None:
        """Return a finite float (``52,5`` with a decimal comma is accepted)."""
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                self.error(raw, where, f"Verwacht een getal, maar kreeg '{clip(value)}'.")
                raise Skip from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(raw, where, f"Verwacht een getal, maar kreeg {type_nl(value)}.")
            raise Skip
        value = float(value)
        if not math.isfinite(value):
            self.error(raw, where, "Verwacht een eindig getal.")
            raise Skip
        return value

    def boolean(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> bool | None:
        """Return True/False from JSON booleans or ja/nee, true/false, 1/0."""
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("ja", "j", "yes", "y", "true", "waar", "1", "x"):
                return True
            if word in ("nee", "n", "no", "false", "onwaar", "0"):
                return False
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        self.error(raw, where, f"Verwacht ja of nee, maar kreeg '{clip(value)}'.")
        raise Skip

    def enum(
        self,
        raw: RawService,
        obj: dict[str, Any],
        key: str,
        path: str,
        choices: Iterable[str],
        *,
        default: str | None = None,
    ) -> str | None:
        """Return one of ``choices`` (case-insensitive) or ``default`` when empty."""
        value = self.text(raw, obj, key, path)
        if value is None:
            return default
        options = tuple(choices)
        lowered = value.lower()
        for option in options:
            if option.lower() == lowered:
                return option
        where = f"{path}.{key}" if path else key
        self.error(raw, where, f"Onbekende waarde '{clip(value)}'; kies uit: {', '.join(options)}.")
        raise Skip

    def day(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> date | None:
        """Return a date from 2025-01-31 or 31-01-2025."""
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            return None
        if isinstance(value, str):
            parsed = parse_date(value.strip())
            if parsed is not None:
                return parsed
        self.error(raw, where, f"Verwacht een datum als 2025-01-31, maar kreeg '{clip(value)}'.")
        raise Skip

    def moment(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> datetime | None:
        """Return an aware UTC datetime from an ISO date or timestamp."""
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            return None
        if isinstance(value, str):
            text = value.strip()
            day = parse_date(text)
            if day is not None:
                return datetime.combine(day, time(), tzinfo=UTC)
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                moment = None
            if moment is not None:
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                return moment.astimezone(UTC)
        self.error(
            raw,
            where,
            f"Verwacht een datum (2025-01-31) of tijdstip (2025-01-31T09:00:00Z), maar kreeg "
            f"'{clip(value)}'.",
        )
        raise Skip

    def clock(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> str | None:
        """Return a time as HH:MM from 9:00, 09.00 or 09:00:00+01:00."""
        value = self.text(raw, obj, key, path)
        if value is None:
            return None
        match = TIME_RE.match(value)
        if match:
            hours, minutes = int(match.group(1)), int(match.group(2))
            if (hours < 24 and minutes < 60) or (hours == 24 and minutes == 0):
                return f"{hours:02d}:{minutes:02d}"
        self.error(raw, f"{path}.{key}", f"Verwacht een tijd als 09:00, maar kreeg '{value}'.")
        raise Skip

    def objects(
        self, raw: RawService, obj: dict[str, Any], key: str, path: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """Return (path, object) for each object in the list at ``key``."""
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(raw, where, f"Verwacht een lijst, maar kreeg {type_nl(value)}.")
            return []
        most = LIST_LIMITS.get(key, MAX_CHILDREN)
        if len(value) > most:
            self.error(raw, where, f"Te veel items ({number_nl(len(value))}); hoogstens {most}.")
            return []
        items = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.error(
                    raw, f"{where}[{i}]", f"Verwacht een object, maar kreeg {type_nl(item)}."
                )
                continue
            items.append((f"{where}[{i}]", item))
        return items

    def texts(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> list[str] | None:
        """Return a list of strings (a ``;``-separated string is split)."""
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return None
        if isinstance(value, str):
            value = [v for v in re.split(r"\s*[;\n]\s*", value) if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(raw, where, "Verwacht een lijst met teksten.")
            raise Skip
        if len(value) > MAX_CHILDREN:
            self.error(
                raw, where, f"Te veel items ({number_nl(len(value))}); hoogstens {MAX_CHILDREN}."
            )
            raise Skip
        for item in value:
            self.text(raw, {key: item}, key, path)
        total = sum(len(v) for v in value)
        if total > limits.TEXT:
            self.error(
                raw,
                where,
                f"Te lang: {number_nl(total)} tekens, hoogstens {number_nl(limits.TEXT)}.",
            )
            raise Skip
        return [v.strip() for v in value if v.strip()]

    def email(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> str | None:
        """Return a plausible e-mail address."""
        value = self.text(raw, obj, key, path, limit=limits.EMAIL)
        if value is not None and not EMAIL_RE.match(value):
            self.error(raw, f"{path}.{key}" if path else key, f"Ongeldig e-mailadres: '{value}'.")
            raise Skip
        return value

    def url(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> str | None:
        """Return a web address; a bare domain gets https://."""
        value = self.text(raw, obj, key, path, limit=limits.URL)
        if value is None:
            return None
        if re.match(r"^https?://[^\s/]+\.[^\s]+$", value, re.IGNORECASE):
            return value
        if re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", value):
            # "www.voorbeeld.nl" from a spreadsheet: the scheme is implied.
            return "https://" + value
        self.error(raw, f"{path}.{key}" if path else key, f"Ongeldig webadres: '{clip(value)}'.")
        raise Skip

    def children_of(
        self,
        raw: RawService,
        obj: dict[str, Any],
        key: str,
        path: str,
        parent_id: str,
        convert: Any,
        *,
        table: str | None = None,
    ) -> list[Row]:
        """Convert each object in the list at ``key`` into a child Row."""
        base = path.rsplit(".", 1)[0] if "." in path else ""
        rows = []
        for i, (item_path, item) in enumerate(self.objects(raw, obj, key, base)):
            try:
                values = convert(raw, item, item_path)
            except Skip:
                continue
            rows.append(Row(self.child_id(item.get("id"), table or key, parent_id, i), values))
        return rows

    # -- ids ---------------------------------------------------------------------------------

    def entity_id(
        self, raw: RawService, value: Any, kind: str, path: str, *, required: bool = True
    ) -> str | None:
        """Return the entity's id: the UUID itself, or a stable UUID derived from another id."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(raw, path, "De id ontbreekt.")
                raise Skip
            return None
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.error(raw, path, f"Een id moet tekst zijn, maar kreeg {type_nl(value)}.")
            raise Skip
        text = str(value).strip()
        if len(text) > 200:
            self.error(raw, path, "De id is te lang (hoogstens 200 tekens).")
            raise Skip
        return as_uuid(text) or stable_id("import", kind, text)

    def child_id(self, value: Any, table: str, parent_id: str, index: int) -> str:
        """Return the file's id for a child when it is a free UUID, else a stable derived one."""
        given = as_uuid(value.strip()) if isinstance(value, str) else None
        if given is not None and (table, given) not in self._claimed:
            self._claimed[(table, given)] = parent_id
            return given
        seed = value.strip() if isinstance(value, str) and value.strip() else str(index)
        return stable_id(table, parent_id, seed)


def as_uuid(text: Any) -> str | None:
    """Return ``text`` as a canonical UUID string, or None."""
    if not isinstance(text, str) or len(text) > 45:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """Return a date from 2025-01-31 or 31-01-2025, or None."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if match:
        try:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return None
    return None


def type_nl(value: Any) -> str:
    """Return the Dutch name of a JSON value's type, for messages."""
    if value is None:
        return "niets"
    if isinstance(value, bool):
        return "ja/nee"
    if isinstance(value, int | float):
        return "een getal"
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, list):
        return "een lijst"
    if isinstance(value, dict):
        return "een object"
    return type(value).__name__


def number_nl(value: int) -> str:
    """Return a count the Dutch way: 10.000."""
    return f"{value:,}".replace(",", ".")


def clip(value: Any, limit: int = 60) -> str:
    """Return a short printable form of a value, for messages."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
