"""Typed, reported field checks shared by the importer: text, numbers, dates, enums, ids."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from typing import Any, NoReturn

from ..domain import limits
from ..models import stable_id
from .extra import extra_of, kept_item
from .records import RawService, Row
from .report import ImportReport, nl
from .values import (
    as_uuid,
    clip,
    parse_date,
    readable_uri,
    too_long,
    too_many,
    type_nl,
)

TIME_RE = re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Most children of one kind a service may have; protects against absurd files.
MAX_CHILDREN = 500
#: Lists with the same maximum as the beheer form (domain/limits.py).
LIST_LIMITS = {
    "phones": limits.PHONES,
    "contacts": limits.CONTACTS,
    "schedules": limits.SCHEDULES,
}


class Skip(Exception):
    """A value is wrong; the problem is already reported."""


class Foreign(Skip):
    """An item Wegwijzer cannot use (e.g. a service area abroad): kept as the file has it."""


#: HSDS object kind of the items in each child list (see ``extra.NATIVE``).
ITEM_KINDS = {
    "schedules": "schedule",
    "service_areas": "service_area",
    "languages": "language",
    "cost_options": "cost_option",
    "service_at_locations": "service_at_location",
    "addresses": "address",
    "accessibility": "accessibility",
    "attributes": "attribute",
}


class Checker:
    """Read typed values out of raw objects; report each wrong value with row and field."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self._claimed: dict[tuple[str, str], str] = {}
        #: Derived UUID → the id as written in the file, to name it in messages.
        self.source_ids: dict[str, str] = {}

    # -- reporting -----------------------------------------------------------------------

    def error(self, raw: RawService, path: str, message: str) -> None:
        """Report an error at ``path`` of this row."""
        file, row, field = raw.locate(path)
        self.report.error(row, field, message, file=file, record=(raw.file, raw.row))

    def warn(self, raw: RawService, path: str, message: str) -> None:
        """Report a warning at ``path`` of this row."""
        file, row, field = raw.locate(path)
        self.report.warn(row, field, message, file=file, record=(raw.file, raw.row))

    def shown(self, entity_id: str) -> str:
        """Return the id as the file wrote it (not the UUID derived from it)."""
        return self.source_ids.get(entity_id, entity_id)

    def refuse(self, raw: RawService, path: str, message: str) -> NoReturn:
        """Report an error at ``path`` of this row and skip the value (raise Skip)."""
        self.error(raw, path, message)
        raise Skip

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
        where = _where(path, key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.refuse(raw, where, nl("Dit veld is verplicht en ontbreekt."))
            return None
        if not isinstance(value, str):
            self.refuse(raw, where, nl("Verwacht tekst, maar kreeg %(got)s.", got=type_nl(value)))
        code = limits.forbidden_character(value)
        if code:
            self.refuse(
                raw,
                where,
                nl(
                    "Bevat een onzichtbaar stuurteken (%(code)s). Haal het weg, of sla het "
                    "bestand op als UTF-8 als de tekenset niet klopt.",
                    code=code,
                ),
            )
        value = value.strip()
        limit = limits.TEXT if limit is None else limit
        if len(value) > limit:
            self.refuse(raw, where, too_long(len(value), limit))
        return value

    def integer(
        self, raw: RawService, obj: dict[str, Any], key: str, path: str, *, low: int, high: int
    ) -> int | None:
        """Return a whole number within ``low``..``high`` (digits in text are accepted)."""
        value, where = _given(obj, key, path)
        if value is None:
            return None
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.refuse(
                raw, where, nl("Verwacht een geheel getal, maar kreeg %(got)s.", got=type_nl(value))
            )
        if not low <= value <= high:
            self.refuse(
                raw,
                where,
                nl(
                    "Getal %(value)s ligt niet tussen %(low)s en %(high)s.",
                    value=value,
                    low=low,
                    high=high,
                ),
            )
        return value

    def number(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> float | None:
        """Return a finite float (``52,5`` with a decimal comma is accepted)."""
        value, where = _given(obj, key, path)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                self.refuse(
                    raw, where, nl("Verwacht een getal, maar kreeg '%(got)s'.", got=clip(value))
                )
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.refuse(
                raw, where, nl("Verwacht een getal, maar kreeg %(got)s.", got=type_nl(value))
            )
        value = float(value)
        if not math.isfinite(value):
            self.refuse(raw, where, nl("Verwacht een eindig getal."))
        return value

    def boolean(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> bool | None:
        """Return True/False from JSON booleans or ja/nee, true/false, 1/0."""
        value, where = _given(obj, key, path)
        if value is None:
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
        self.refuse(raw, where, nl("Verwacht ja of nee, maar kreeg '%(got)s'.", got=clip(value)))

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
        self.refuse(
            raw,
            _where(path, key),
            nl(
                "Onbekende waarde '%(value)s'; kies uit: %(options)s.",
                value=clip(value),
                options=", ".join(options),
            ),
        )

    def day(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> date | None:
        """Return a date from 2025-01-31 or 31-01-2025."""
        value, where = _given(obj, key, path)
        if value is None:
            return None
        if isinstance(value, str):
            parsed = parse_date(value.strip())
            if parsed is not None:
                return parsed
        self.refuse(
            raw,
            where,
            nl("Verwacht een datum als 2025-01-31, maar kreeg '%(got)s'.", got=clip(value)),
        )

    def moment(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> datetime | None:
        """Return an aware UTC datetime from an ISO date or timestamp."""
        value, where = _given(obj, key, path)
        if value is None:
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
        self.refuse(
            raw,
            where,
            nl(
                "Verwacht een datum (2025-01-31) of tijdstip (2025-01-31T09:00:00Z), maar kreeg "
                "'%(value)s'.",
                value=clip(value),
            ),
        )

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
        self.refuse(
            raw,
            _where(path, key),
            nl("Verwacht een tijd als 09:00, maar kreeg '%(got)s'.", got=value),
        )

    def objects(
        self, raw: RawService, obj: dict[str, Any], key: str, path: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """Return (path, object) for each object in the list at ``key``."""
        value = obj.get(key)
        where = _where(path, key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(
                raw, where, nl("Verwacht een lijst, maar kreeg %(got)s.", got=type_nl(value))
            )
            return []
        most = LIST_LIMITS.get(key, MAX_CHILDREN)
        if len(value) > most:
            self.error(raw, where, too_many(len(value), most))
            return []
        items = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.error(
                    raw,
                    f"{where}[{i}]",
                    nl("Verwacht een object, maar kreeg %(got)s.", got=type_nl(item)),
                )
                continue
            items.append((f"{where}[{i}]", item))
        return items

    def texts(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> list[str] | None:
        """Return a list of strings (a ``;``-separated string is split)."""
        value = obj.get(key)
        where = _where(path, key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [v for v in re.split(r"\s*[;\n]\s*", value) if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.refuse(raw, where, nl("Verwacht een lijst met teksten."))
        if len(value) > MAX_CHILDREN:
            self.refuse(raw, where, too_many(len(value), MAX_CHILDREN))
        for item in value:
            self.text(raw, {key: item}, key, path)
        total = sum(len(v) for v in value)
        if total > limits.TEXT:
            self.refuse(raw, where, too_long(total, limits.TEXT))
        return [v.strip() for v in value if v.strip()]

    def email(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> str | None:
        """Return a plausible e-mail address."""
        value = self.text(raw, obj, key, path, limit=limits.EMAIL)
        if value is not None and not EMAIL_RE.match(value):
            self.refuse(raw, _where(path, key), nl("Ongeldig e-mailadres: '%(got)s'.", got=value))
        return value

    def url(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> str | None:
        """Return a web address; a bare domain gets https://."""
        value = self.text(raw, obj, key, path, limit=limits.URL)
        if value is None:
            return None
        if re.match(r"^https?://[^\s/]+\.[^\s]+$", value, re.IGNORECASE):
            return readable_uri(value)
        if re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", value):
            # "www.voorbeeld.nl" from a spreadsheet: the scheme is implied.
            return "https://" + value
        self.refuse(raw, _where(path, key), nl("Ongeldig webadres: '%(got)s'.", got=clip(value)))

    def children_of(
        self,
        raw: RawService,
        obj: dict[str, Any],
        key: str,
        path: str,
        parent_id: str,
        convert: Callable[[RawService, dict[str, Any], str], dict[str, Any]],
        *,
        table: str | None = None,
        distinct: Callable[[dict[str, Any]], Any] | None = None,
        kept: list[dict[str, Any]] | None = None,
    ) -> list[Row]:
        """Convert each object in the list at ``key`` of ``obj`` (at ``path``) into a child Row.

        With ``distinct``, a row whose mark is None or repeats an earlier one is left out.
        Items the converter calls Foreign go, as the file has them, into ``kept``. Each row
        keeps the item's other HSDS fields (``hsds_extra``); a converter may add to them
        with an ``_extra`` entry.
        """
        rows = []
        seen: set[Any] = set()
        for i, (item_path, item) in enumerate(self.objects(raw, obj, key, path)):
            try:
                values = convert(raw, item, item_path)
            except Foreign:
                if kept is not None:
                    kept.append(kept_item(item))
                continue
            except Skip:
                continue
            if distinct is not None:
                mark = distinct(values)
                if mark is None or mark in seen:
                    continue
                seen.add(mark)
            row_id = self.child_id(item.get("id"), table or key, parent_id, i)
            more = values.pop("_extra", None) or {}
            values["hsds_extra"] = extra_of(ITEM_KINDS[key], item, row_id, **more)
            rows.append(Row(row_id, values))
        return rows

    # -- ids ---------------------------------------------------------------------------------

    def entity_id(
        self, raw: RawService, value: Any, kind: str, path: str, *, required: bool = True
    ) -> str | None:
        """Return the entity's id: the UUID itself, or a stable UUID derived from another id."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.refuse(raw, path, nl("De id ontbreekt."))
            return None
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.refuse(
                raw, path, nl("Een id moet tekst zijn, maar kreeg %(got)s.", got=type_nl(value))
            )
        text = str(value).strip()
        if len(text) > 200:
            self.refuse(raw, path, nl("De id is te lang (hoogstens 200 tekens)."))
        found = as_uuid(text)
        if found is None:
            found = stable_id("import", kind, text)
            self.source_ids[found] = text
        return found

    def object_id(
        self, raw: RawService, obj: dict[str, Any], kind: str, path: str, fallback_id: str | None
    ) -> str:
        """Return the id of an organisation or location object, else ``fallback_id``."""
        own = self.entity_id(raw, obj.get("id"), kind, f"{path}.id", required=fallback_id is None)
        found = own or fallback_id
        assert found is not None
        return found

    def child_id(self, value: Any, table: str, parent_id: str, index: int) -> str:
        """Return the file's id for a child when it is a free UUID, else a stable derived one."""
        given = as_uuid(value.strip()) if isinstance(value, str) else None
        if given is not None and (table, given) not in self._claimed:
            self._claimed[(table, given)] = parent_id
            return given
        seed = value.strip() if isinstance(value, str) and value.strip() else str(index)
        return stable_id(table, parent_id, seed)


def _where(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _given(obj: dict[str, Any], key: str, path: str) -> tuple[Any, str]:
    """Return the value at ``key`` (None when missing or empty) and its path for messages."""
    value = obj.get(key)
    return (None if value is None or value == "" else value), _where(path, key)
