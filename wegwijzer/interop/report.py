"""What an import found and did: problems per row and field, counts per entity."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from flask import has_request_context
from flask_babel import gettext

from ..domain.text import safe_cell

Severity = Literal["error", "warning"]
#: (file, row) of the service a problem belongs to: what ``--skip-invalid`` leaves out.
RecordKey = tuple[str | None, int]


class Text(str):
    """A Dutch message that also knows its template, so the English site can translate it.

    It is the Dutch text everywhere a string is expected; :func:`translated` gives it in the
    language of the current request (the template is the msgid in the .po files).
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Text:
        obj = super().__new__(cls, template % params if params else template)
        obj.template = template
        obj.params = params
        return obj


def nl(template: str, **params: Any) -> Text:
    """Return a translatable Dutch message: ``nl("Rij %(n)s is leeg.", n=4)``."""
    return Text(template, **params)


def translated(message: str) -> str:
    """Return ``message`` in the current request's language (Dutch outside a request)."""
    if not isinstance(message, Text) or not has_request_context():
        return str(message)
    text = gettext(message.template)
    # A parameter may be a message of its own ("een lijst", "organisatie 'X'"): same language.
    params = {
        key: translated(value) if isinstance(value, Text) else value
        for key, value in message.params.items()
    }
    try:
        return text % params if params else text
    except (KeyError, ValueError, TypeError):
        return str(message)

#: Dutch names of the entities an import counts, in report order.
ENTITY_LABELS = {
    "organization": ("organisatie", "organisaties"),
    "service": ("dienst", "diensten"),
    "location": ("locatie", "locaties"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (``error``: nothing is written) or worth checking (``warning``)."""

    #: 1-based item number (JSON) or line number (CSV); None for the file as a whole.
    row: int | None
    #: The column (flat CSV) or HSDS field path, e.g. ``service_areas[0].extent``.
    field: str
    message_nl: str
    severity: Severity = "error"
    #: The CSV file inside a data package, e.g. ``services.csv``.
    file: str | None = None
    #: The service row the problem belongs to; None for the file as a whole.
    record: RecordKey | None = field(default=None, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def message(self) -> str:
        """Return the message in the language of the current request."""
        return translated(self.message_nl)

    def where_nl(self) -> str:
        """Return "services.csv, rij 4, veld naam" style text naming the place."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"rij {self.row}")
        if self.field:
            parts.append(f"veld {self.field}")
        return ", ".join(parts) or "bestand"

    def line_nl(self) -> str:
        """Return the problem as one line for the terminal."""
        kind = "FOUT" if self.is_error else "let op"
        return f"{kind}: {self.where_nl()}: {self.message_nl}"

    def __str__(self) -> str:
        return f"{self.where_nl()}: {self.message_nl}"


def rows_text(rows: list[int], limit: int = 12) -> str:
    """Return "4, 7, 9-12" for row numbers: runs joined, the first ``limit`` parts shown."""
    parts: list[str] = []
    ordered = sorted(set(rows))
    start = prev = None
    for row in [*ordered, None]:
        if start is not None and (row is None or prev is None or row != prev + 1):
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            start = None
        if row is not None and start is None:
            start = row
        prev = row
    shown = ", ".join(parts[:limit])
    return shown + (" …" if len(parts) > limit else "")


@dataclass
class Group:
    """One cause and every row it affects: one line in the report instead of one per row."""

    severity: Severity
    file: str | None
    field: str
    message_nl: str
    rows: list[int]

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def message(self) -> str:
        """Return the message in the language of the current request."""
        return translated(self.message_nl)

    def rows_text(self) -> str:
        """Return the affected rows as "4, 7, 9-12"."""
        return rows_text(self.rows)

    def line_nl(self, kind: str | None = None) -> str:
        """Return the group as one line for the terminal."""
        kind = kind or ("FOUT" if self.is_error else "let op")
        where = [self.file] if self.file else []
        if self.rows:
            count = len(set(self.rows))
            label = "rij" if count == 1 else "rijen"
            extra = f" ({count} rijen)" if count > 1 else ""
            where.append(f"{label} {rows_text(self.rows)}{extra}")
        if self.field:
            where.append(f"veld {self.field}")
        return f"{kind}: {', '.join(where) or 'bestand'}: {self.message_nl}"


_INDEX = re.compile(r"\[\d+\]")


def group_problems(problems: list[Problem]) -> list[Group]:
    """Return one Group per (kind, file, field, message), errors first, in file order."""
    groups: dict[tuple[Any, ...], Group] = {}
    for p in problems:
        field_ = _INDEX.sub("", p.field)
        key = (p.severity, p.file or "", field_, p.message_nl)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(p.severity, p.file, field_, p.message_nl, [])
        if p.row is not None:
            group.rows.append(p.row)
    return sorted(
        groups.values(),
        key=lambda g: (not g.is_error, g.file or "", min(g.rows) if g.rows else -1),
    )


@dataclass
class Rejected:
    """A service left out by ``--skip-invalid``, with the file's own id and every reason."""

    file: str | None
    row: int
    id: str
    name: str
    reasons: list[Problem]
    #: For a spreadsheet: the row as the file has it, so it can be corrected and imported.
    cells: dict[str, str] | None = None


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportReport:
    """The outcome of one import or dry run."""

    format: str = ""
    dry_run: bool = False
    #: Services read from the file.
    rows: int = 0
    counts: dict[str, Counts] = field(
        default_factory=lambda: {name: Counts() for name in ENTITY_LABELS}
    )
    problems: list[Problem] = field(default_factory=list)
    #: True once the changes are committed (never for a dry run or a refused file).
    written: bool = False
    #: Ids of the services created or updated (for search and for the caller's messages).
    changed_service_ids: list[str] = field(default_factory=list)
    #: The HSDS version or profile found in the file, e.g. "HSDS 1.1 (tabellen)".
    version: str = ""
    #: Services left out because of their errors (only with ``skip_invalid``).
    rejected: list[Rejected] = field(default_factory=list)
    #: Services published by this import (``publish``).
    published: int = 0

    @property
    def ok(self) -> bool:
        """Return True when nothing blocks the import (warnings allowed)."""
        return not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def error(
        self,
        row: int | None,
        field_: str,
        message: str,
        *,
        file: str | None = None,
        record: RecordKey | None = None,
    ) -> None:
        """Add an error: the import will not write anything (or, skipping, not that record)."""
        self.problems.append(Problem(row, field_, message, "error", file, record))

    def warn(
        self,
        row: int | None,
        field_: str,
        message: str,
        *,
        file: str | None = None,
        record: RecordKey | None = None,
    ) -> None:
        """Add a warning: the import goes ahead, the user should check this."""
        self.problems.append(Problem(row, field_, message, "warning", file, record))

    def grouped(self) -> list[Group]:
        """Return the problems as one line per cause with the rows it affects."""
        return group_problems(self.problems)

    def rejected_grouped(self) -> list[Group]:
        """Return the reasons of the rejected services, one line per cause."""
        return group_problems([p for item in self.rejected for p in item.reasons])

    def sorted_problems(self) -> list[Problem]:
        """Return problems errors first, then by file and row."""
        return sorted(
            self.problems,
            key=lambda p: (not p.is_error, p.file or "", p.row if p.row is not None else -1),
        )

    def version_text(self) -> str:
        """Return the version found in the language of the current request."""
        return translated(self.version)

    def summary_nl(self) -> str:
        """Return one Dutch sentence with the counts, e.g. for a flash message."""
        parts = []
        for name, (one, many) in ENTITY_LABELS.items():
            c = self.counts[name]
            if not c.total:
                continue
            label = one if c.total == 1 else many
            parts.append(
                f"{c.total} {label} ({c.created} nieuw, {c.updated} gewijzigd, "
                f"{c.unchanged} ongewijzigd)"
            )
        body = "; ".join(parts) or "geen gegevens"
        if not self.ok:
            prefix = f"Niet geïmporteerd: {len(self.errors)} fout(en) gevonden"
            return f"{prefix}. In het bestand: {body}."
        extra = ""
        if self.rejected:
            extra += f" {len(self.rejected)} dienst(en) met fouten overgeslagen."
        if self.published:
            extra += f" {self.published} dienst(en) gepubliceerd."
        if self.dry_run:
            return f"Proefimport, er is niets opgeslagen: {body}.{extra}"
        return f"Geïmporteerd: {body}.{extra}"

    def summary(self) -> str:
        """Return :meth:`summary_nl` (short name used by callers)."""
        return self.summary_nl()


class ImportFailed(Exception):
    """The importer's own error: the file cannot be read at all; carries one Problem."""

    def __init__(
        self,
        message_nl: str,
        *,
        row: int | None = None,
        field: str = "",
        file: str | None = None,
    ) -> None:
        super().__init__(message_nl)
        self.problem = Problem(row, field, message_nl, "error", file)


def rejected_csv(report: ImportReport) -> str:
    """Return the rejected services as CSV (file, row, id, name, reasons), for a spreadsheet.

    Headers and reasons are in the current request's language (Dutch outside a request).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    reasons_label = translated(nl("redenen"))
    if report.rejected and all(item.cells is not None for item in report.rejected):
        # A spreadsheet: hand the rows back as they were, with the reasons in a last column.
        header = list(dict.fromkeys(k for item in report.rejected for k in item.cells or {}))
        writer.writerow([*header, reasons_label])
        for item in report.rejected:
            cells = item.cells or {}
            writer.writerow([*(safe_cell(cells.get(h, "")) for h in header), _reasons(item)])
        return buffer.getvalue()
    writer.writerow([*(translated(nl(h)) for h in ("bestand", "rij", "id", "naam")), reasons_label])
    for item in report.rejected:
        writer.writerow(
            [
                item.file or "",
                item.row,
                safe_cell(item.id),
                safe_cell(item.name),
                _reasons(item),
            ]
        )
    return buffer.getvalue()


def _reasons(item: Rejected) -> str:
    """Return the reasons of a rejected service as one cell."""
    reasons = []
    for p in item.reasons:
        where = p.field if p.file in (None, item.file) else f"{p.file} {p.row}: {p.field}"
        reasons.append(f"{where}: {p.message()}" if where else p.message())
    return safe_cell(" | ".join(dict.fromkeys(reasons)))
