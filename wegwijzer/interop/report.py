"""What an import found and did: problems per row and field, counts per entity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

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

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

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

    def error(self, row: int | None, field_: str, message: str, *, file: str | None = None) -> None:
        """Add an error: the import will not write anything."""
        self.problems.append(Problem(row, field_, message, "error", file))

    def warn(self, row: int | None, field_: str, message: str, *, file: str | None = None) -> None:
        """Add a warning: the import goes ahead, the user should check this."""
        self.problems.append(Problem(row, field_, message, "warning", file))

    def sorted_problems(self) -> list[Problem]:
        """Return problems errors first, then by file and row."""
        return sorted(
            self.problems,
            key=lambda p: (not p.is_error, p.file or "", p.row if p.row is not None else -1),
        )

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
        if self.dry_run:
            return f"Proefimport, er is niets opgeslagen: {body}."
        return f"Geïmporteerd: {body}."

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
