"""The importer's middle layer: parsed, checked records ready to be compared and written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawService:
    """One service object in HSDS JSON shape, as read from any input format."""

    row: int
    data: dict[str, Any]
    file: str | None = None
    #: For flat CSV: HSDS path prefix → the spreadsheet column that holds it.
    labels: dict[str, str] = field(default_factory=dict)
    #: For flat CSV: the record fields and child lists the file has columns for; the rest of
    #: an existing service is left alone. None: the object is complete (HSDS).
    present: set[str] | None = None
    #: For data packages: HSDS path prefix → (CSV file, line) the nested object came from.
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: Problems the parser found in this row: (column, Dutch message).
    parse_errors: list[tuple[str, str]] = field(default_factory=list)
    #: For flat CSV: the row as the file has it (header → cell), to hand back a rejected row.
    cells: dict[str, str] | None = None

    def where(self, path: str) -> str:
        """Return the column or HSDS path to name in a problem."""
        if not self.labels:
            return path
        best = _longest_prefix(path, self.labels)
        return self.labels[best] if best else path

    def locate(self, path: str) -> tuple[str | None, int, str]:
        """Return (file, row, field) for a problem at ``path``."""
        best = _longest_prefix(path, self.origins)
        if best:
            file, line = self.origins[best]
            return file, line, path[len(best) :].lstrip(".") or path
        return self.file, self.row, self.where(path)


def _longest_prefix(path: str, prefixes: Iterable[str]) -> str:
    """Return the longest of ``prefixes`` that is ``path`` or a field or item in it, or ""."""
    best = ""
    for prefix in prefixes:
        if len(prefix) > len(best) and (
            path == prefix or path.startswith((prefix + ".", prefix + "["))
        ):
            best = prefix
    return best


@dataclass
class Row:
    """A child record (phone, schedule, address, …): its id, column values and children."""

    id: str
    fields: dict[str, Any]
    children: dict[str, list[Row]] = field(default_factory=dict)


@dataclass
class Record:
    """An organisation, location or service to create or update."""

    kind: str
    id: str
    row: int | None
    file: str | None
    #: Column values to compare and set; columns not listed are left alone.
    fields: dict[str, Any]
    #: Relationship name → the complete list of children the entity should have.
    children: dict[str, list[Row]] = field(default_factory=dict)
    #: Keep existing non-public contacts and phones: the file carries no internal data.
    keep_private: bool = False
    #: Values for a new entity only (slug seed, defaults a file may leave out).
    create_defaults: dict[str, Any] = field(default_factory=dict)
    #: Child lists whose existing rows stay when the file does not list them (flat CSV).
    keep_unlisted: set[str] = field(default_factory=set)
    #: Match children to existing ones by content and take over their ids and the fields the
    #: file cannot express (flat CSV), so a re-import changes nothing.
    adopt: bool = False
    #: With ``adopt``: the taxonomies the file has columns for; terms of others are kept.
    covered_taxonomies: set[str] = field(default_factory=set)
    #: (file, row, field) where the object itself stands, e.g. its line in organizations.csv;
    #: None: the record's own file and row.
    origin: tuple[str | None, int, str] | None = None

    @classmethod
    def nested(
        cls, kind: str, record_id: str, raw: RawService, path: str, fields: dict[str, Any]
    ) -> Record:
        """Return a record for an object at ``path`` in ``raw`` (an organisation or location)."""
        record = cls(kind, record_id, raw.row, raw.file, fields)
        record.origin = raw.locate(path)
        return record

    def place(self, fallback_field: str) -> tuple[str | None, int | None, str]:
        """Return (file, row, field) to name in a problem about the whole object."""
        if self.origin is not None:
            return self.origin
        return self.file, self.row, fallback_field


@dataclass
class Bundle:
    """Everything an import will write, de-duplicated by id."""

    organizations: dict[str, Record] = field(default_factory=dict)
    locations: dict[str, Record] = field(default_factory=dict)
    services: dict[str, Record] = field(default_factory=dict)
