"""Write the directory as an HSDS 3.0 data package: one CSV file per table, zipped or not.

Every HSDS 3.0 table is written with exactly the specification's columns (empty tables
too); Wegwijzer's extensions go into tables of their own (``x_wegwijzer_*``)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from ...domain.text import safe_cell
from ...models import stable_id
from ..export import export_hsds_json
from .tables import (
    BOOLEAN_COLUMNS,
    FIELDS_COLUMNS,
    FIELDS_TABLE,
    LIST_COLUMNS,
    NUMBER_COLUMNS,
    STANDARD_TABLES,
    extension_columns,
    extension_table,
)

#: Per table: the keys of an object that are written as rows of their own tables.
_NESTED = {
    "services": frozenset(
        (
            "organization", "phones", "contacts", "schedules", "service_areas", "languages",
            "cost_options", "service_at_locations", "attributes",
        )
    ),
    "organizations": frozenset(("phones", "contacts")),
    "contacts": frozenset(("phones",)),
    "locations": frozenset(("addresses", "accessibility")),
    "service_at_location": frozenset(("location",)),
}  # fmt: skip


#: Kept lists written to their own HSDS table: (table, field) → (child table, link column);
#: an import puts them back (hsds_csv.extensions.NESTED_TABLES).
_CHILD_TABLES = {
    ("organizations", "funding"): ("funding", "organization_id"),
    ("services", "funding"): ("funding", "service_id"),
    ("services", "required_documents"): ("required_documents", "service_id"),
    ("organizations", "organization_identifiers"): (
        "organization_identifiers",
        "organization_id",
    ),
}


def _rows_with_ids(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and v.get("id") for v in value)


class _Package:
    """The rows of every table; each object split into standard columns, extension columns
    (``x_wegwijzer_<table>``) and fields without a column (``x_wegwijzer_fields``)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}

    def put(self, table: str, obj: dict[str, Any], **owner: Any) -> str:
        """Add one object's row (and its extension cells); return the id it has here."""
        rows = self.rows.setdefault(table, {})
        if obj["id"] in rows:
            if not owner or all(rows[obj["id"]].get(k) == v for k, v in owner.items()):
                return str(obj["id"])  # shared (an organisation, a location): written once
            # One id for children of two parents (a file may do so; a table may not): the
            # second gets an id of its own, the file's id goes with it.
            given = obj["id"]
            ext = {**(obj.get("x_wegwijzer") or {}), "source_id": given}
            obj = {**obj, "id": stable_id("hsds-package", table, *map(str, owner.values()), given)}
            obj["x_wegwijzer"] = ext
        standard = set(STANDARD_TABLES[table])
        row: dict[str, Any] = {}
        ext: dict[str, Any] = {}
        nested = _NESTED.get(table, frozenset())
        for key, value in obj.items():
            if key in nested or value is None:
                continue
            if key == "x_wegwijzer":
                ext.update(_extension_cells(value))
            elif key in standard and not isinstance(value, dict | list):
                row[key] = value
            elif (table, key) in _CHILD_TABLES and _rows_with_ids(value):
                child, link = _CHILD_TABLES[(table, key)]
                for item in value:
                    self.put(child, item, **{link: obj["id"]})
            else:
                self.rows.setdefault(FIELDS_TABLE, {})[f"{table}/{obj['id']}/{key}"] = {
                    "table": table,
                    "id": obj["id"],
                    "field": key,
                    "value": json.dumps(value, ensure_ascii=False, sort_keys=True),
                }
        row.update(owner)
        rows[obj["id"]] = row
        if ext:
            self.rows.setdefault(extension_table(table), {})[obj["id"]] = {"id": obj["id"], **ext}
        return str(obj["id"])

    def phones(self, items: list[dict[str, Any]], **owner: str) -> None:
        for phone in items:
            self.put("phones", phone, **owner)

    def contacts(self, items: list[dict[str, Any]], **owner: str) -> None:
        for contact in items:
            contact_id = self.put("contacts", contact, **owner)
            self.phones(contact.get("phones", []), contact_id=contact_id)

    def service(self, svc: dict[str, Any]) -> None:
        org = svc["organization"]
        self.put("organizations", org)
        self.phones(org.get("phones", []), organization_id=org["id"])
        self.contacts(org.get("contacts", []), organization_id=org["id"])
        sid = svc["id"]
        self.put("services", svc)
        self.phones(svc.get("phones", []), service_id=sid)
        self.contacts(svc.get("contacts", []), service_id=sid)
        for key in ("schedules", "service_areas", "languages", "cost_options"):
            for item in svc.get(key, []):
                self.put(key, item, service_id=sid)
        for sal in svc.get("service_at_locations", []):
            loc = sal["location"]
            self.put("service_at_location", sal)
            self.put("locations", loc)
            for key in ("addresses", "accessibility"):
                for item in loc.get(key, []):
                    self.put(key, item, location_id=loc["id"])
        for attr in svc.get("attributes", []):
            self.attribute(attr, sid)

    def attribute(self, attr: dict[str, Any], service_id: str) -> None:
        term = attr.get("taxonomy_term")
        # The columns say what link_id points at: this service.
        link = {"link_id": service_id, "link_entity": "service"}
        if not isinstance(term, dict) or "id" not in term:
            # A kept term without an id: the attribute keeps it as a field.
            self.put("attributes", attr, **link)
            return
        self.put("attributes", attr, **link, taxonomy_term_id=term["id"])
        detail = term.get("taxonomy_detail")
        if isinstance(detail, dict) and "id" in detail:
            self.put("taxonomy_terms", {k: v for k, v in term.items() if k != "taxonomy_detail"})
            self.put("taxonomies", detail)
            if term.get("taxonomy_id") is None:
                # A kept term that had its taxonomy nested: keep it so, too.
                self.put_field("taxonomy_terms", term["id"], "taxonomy_detail", detail)
        else:
            self.put("taxonomy_terms", term)

    def put_field(self, table: str, row_id: str, key: str, value: Any) -> None:
        self.rows.setdefault(FIELDS_TABLE, {})[f"{table}/{row_id}/{key}"] = {
            "table": table,
            "id": row_id,
            "field": key,
            "value": json.dumps(value, ensure_ascii=False, sort_keys=True),
        }


def _extension_cells(ext: dict[str, Any]) -> dict[str, Any]:
    """Return ``x_wegwijzer`` as extension columns (internal fields flattened)."""
    cells: dict[str, Any] = {}
    for key, value in ext.items():
        if key == "internal":
            for ikey, ivalue in (value or {}).items():
                cells[f"x_wegwijzer_{ikey}"] = ivalue
        elif isinstance(value, dict):
            cells[f"x_wegwijzer_{key}"] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            cells[f"x_wegwijzer_{key}"] = value
    return cells


def package_tables(services: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Flatten HSDS service objects into the rows of each table (shared rows once): the
    HSDS 3.0 tables, then Wegwijzer's extension tables."""
    package = _Package()
    for svc in services:
        package.service(svc)
    tables = {name: list(package.rows.get(name, {}).values()) for name in STANDARD_TABLES}
    for name in (*map(extension_table, STANDARD_TABLES), FIELDS_TABLE):
        if name in package.rows:
            tables[name] = list(package.rows[name].values())
    return tables


def package_columns(table: str, internal: bool) -> tuple[str, ...]:
    """Return the columns of a table of the package (standard or extension)."""
    if table in STANDARD_TABLES:
        return STANDARD_TABLES[table]
    if table == FIELDS_TABLE:
        return FIELDS_COLUMNS
    return ("id", *extension_columns(table[len("x_wegwijzer_") :], internal))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return safe_cell(str(value))


def write_table(stream: IO[str], columns: Iterable[str], rows: list[dict[str, Any]]) -> None:
    """Write rows as CSV with the given columns; dangerous cells neutralised."""
    cols = list(columns)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(cols)
    for row in sorted(rows, key=lambda r: str(r.get("id", ""))):
        writer.writerow([_cell(row.get(c)) for c in cols])


def datapackage(tables: list[str], internal: bool) -> dict[str, Any]:
    """Return the ``datapackage.json`` describing the exported tables: the HSDS 3.0 tables
    as the specification describes them, then Wegwijzer's extension tables."""
    resources = []
    for table in tables:
        fields = []
        for col in package_columns(table, internal):
            fields.append({"name": col, "type": _field_type(table, col)})
        schema: dict[str, Any] = {"fields": fields}
        if table != FIELDS_TABLE:
            schema["primaryKey"] = "id"
        resources.append(
            {
                "name": table,
                "path": f"{table}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": "wegwijzer-sociale-kaart",
        "title": "Wegwijzer: sociale kaart geldzorgen en schulden",
        "profile": "tabular-data-package",
        "description": (
            "Open Referral HSDS 3.0 tabular data. Tables starting with x_wegwijzer_ are "
            "Wegwijzer extensions: x_wegwijzer_<table> holds Wegwijzer's columns for the rows "
            "of <table> (same id), x_wegwijzer_fields the HSDS fields a table has no column "
            "for (as JSON). Cells starting with = + - @ are prefixed with ' for spreadsheet "
            "safety."
        ),
        "resources": resources,
    }


def _field_type(table: str, col: str) -> str:
    if table == FIELDS_TABLE:
        return "string"
    return (
        "number" if col in NUMBER_COLUMNS
        else "boolean" if col in BOOLEAN_COLUMNS
        else "array" if col in LIST_COLUMNS
        else "object" if col == "x_wegwijzer_source_ids"
        else "array" if col == "x_wegwijzer_filled"
        else "string"
    )  # fmt: skip


def export_hsds_csv(
    session: Session, out: str | Path | IO[bytes], *, internal: bool = False
) -> int:
    """Write the HSDS tabular package to a directory, a ``.zip`` path or a binary stream.

    Returns the number of services. Public unless ``internal`` (see export_hsds_json).
    """
    services = export_hsds_json(session, internal=internal)
    tables = package_tables(services)
    files: dict[str, bytes] = {}
    for table, rows in tables.items():
        buffer = io.StringIO()
        write_table(buffer, package_columns(table, internal), rows)
        files[f"{table}.csv"] = buffer.getvalue().encode("utf-8")
    package = datapackage(list(tables), internal)
    files["datapackage.json"] = json.dumps(package, indent=2).encode("utf-8")
    if isinstance(out, str | Path) and not str(out).lower().endswith(".zip"):
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (directory / name).write_bytes(content)
        return len(services)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return len(services)
