"""Read Wegwijzer's extension tables of a data package back into the rows they extend.

``x_wegwijzer_<table>.csv`` holds Wegwijzer's columns for rows of ``<table>.csv`` (same
id); ``x_wegwijzer_fields.csv`` the HSDS fields a standard table has no column for, as JSON.
Rows of ``funding.csv``, ``required_documents.csv`` and ``organization_identifiers.csv`` go
into their organisation or service, where HSDS JSON has them (and are kept there).
A package written before these tables existed has the ``x_wegwijzer_*`` columns in the
standard tables themselves; that is read as well.
"""

from __future__ import annotations

import json
from typing import Any

from .tables import FIELDS_TABLE

Rows = list[tuple[int, dict[str, Any]]]
Tables = dict[str, tuple[list[str], Rows]]


#: HSDS tables whose rows Wegwijzer keeps inside their parent, as HSDS JSON nests them:
#: table → ((link column, parent table, field in the parent), …).
NESTED_TABLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "funding": (
        ("organization_id", "organizations", "funding"),
        ("service_id", "services", "funding"),
    ),
    "required_documents": (("service_id", "services", "required_documents"),),
    "organization_identifiers": (
        ("organization_id", "organizations", "organization_identifiers"),
    ),
}


def take_extensions(tables: Tables) -> dict[str, Rows]:
    """Remove the extension tables, and the tables kept inside their parents, from
    ``tables`` and return them (name → rows)."""
    names = [name for name in tables if name.startswith("x_wegwijzer_") or name in NESTED_TABLES]
    return {name: tables.pop(name)[1] for name in names}


def merge_extensions(tables: dict[str, Rows], extensions: dict[str, Rows]) -> None:
    """Add each extension row's cells to the row of its table with the same id, and put the
    rows of the nested tables into their parents (without the link column)."""
    by_id: dict[str, dict[str, dict[str, Any]]] = {}
    every = {**tables, **{name: extensions[name] for name in NESTED_TABLES if name in extensions}}

    def index(table: str) -> dict[str, dict[str, Any]]:
        if table not in by_id:
            by_id[table] = {row["id"]: row for _line, row in every.get(table, []) if "id" in row}
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
    for name, links in NESTED_TABLES.items():
        for _line, item in extensions.get(name, []):
            for column, parent_table, key in links:
                parent = index(parent_table).get(item.get(column, ""))
                if parent is not None:
                    nested = {k: v for k, v in item.items() if k != column}
                    parent.setdefault(key, []).append(nested)
                    break


def _json(key: str, value: Any) -> Any:
    """Return the id map (``x_wegwijzer_source_ids``) decoded; other cells as they are."""
    if key == "x_wegwijzer_source_ids" and isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value
