"""Read Wegwijzer's extension tables of a data package back into the rows they extend.

``x_wegwijzer_<table>.csv`` holds Wegwijzer's columns for rows of ``<table>.csv`` (same
id); ``x_wegwijzer_fields.csv`` the HSDS fields a standard table has no column for, as JSON.
A package written before these tables existed has the ``x_wegwijzer_*`` columns in the
standard tables themselves; that is read as well.
"""

from __future__ import annotations

import json
from typing import Any

from .tables import FIELDS_TABLE

Rows = list[tuple[int, dict[str, Any]]]
Tables = dict[str, tuple[list[str], Rows]]


def take_extensions(tables: Tables) -> dict[str, Rows]:
    """Remove the extension tables from ``tables`` and return them (name → rows)."""
    names = [name for name in tables if name.startswith("x_wegwijzer_")]
    return {name: tables.pop(name)[1] for name in names}


def merge_extensions(tables: dict[str, Rows], extensions: dict[str, Rows]) -> None:
    """Add each extension row's cells to the row of its table with the same id."""
    by_id: dict[str, dict[str, dict[str, Any]]] = {}

    def index(table: str) -> dict[str, dict[str, Any]]:
        if table not in by_id:
            by_id[table] = {row["id"]: row for _line, row in tables.get(table, []) if "id" in row}
        return by_id[table]

    for name, rows in extensions.items():
        if name == FIELDS_TABLE:
            continue
        target = index(name[len("x_wegwijzer_") :])
        for _line, ext in rows:
            row = target.get(ext.get("id", ""))
            if row is not None:
                row.update({k: _json(k, v) for k, v in ext.items() if k.startswith("x_wegwijzer_")})
    for _line, field in extensions.get(FIELDS_TABLE, []):
        row = index(field.get("table", "")).get(field.get("id", ""))
        if row is not None and field.get("field"):
            try:
                row[field["field"]] = json.loads(field.get("value", "null"))
            except (ValueError, RecursionError):
                row[field["field"]] = field.get("value")


def _json(key: str, value: Any) -> Any:
    """Return the id map (``x_wegwijzer_source_ids``) decoded; other cells as they are."""
    if key == "x_wegwijzer_source_ids" and isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value
