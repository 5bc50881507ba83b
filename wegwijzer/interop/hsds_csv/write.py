"""Write the directory as an HSDS 3.0 data package: one CSV file per table, zipped or not."""

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
from ..export import export_hsds_json
from .tables import BOOLEAN_COLUMNS, LIST_COLUMNS, NUMBER_COLUMNS, TABLES, table_columns


def package_tables(services: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Flatten HSDS service objects into the rows of each table (shared rows once)."""
    tables: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in TABLES}

    def put(table: str, row: dict[str, Any]) -> None:
        tables[table].setdefault(row["id"], row)

    def ext_columns(obj: dict[str, Any], row: dict[str, Any]) -> None:
        ext = obj.get("x_wegwijzer") or {}
        for key, value in ext.items():
            if key == "internal":
                for ikey, ivalue in (value or {}).items():
                    row[f"x_wegwijzer_{ikey}"] = ivalue
            else:
                row[f"x_wegwijzer_{key}"] = value

    def phones(items: list[dict[str, Any]], **owner: str) -> None:
        for phone in items:
            put("phones", {**_scalars(phone), **owner, **_ext_flat(phone)})

    def contacts(items: list[dict[str, Any]], **owner: str) -> None:
        for contact in items:
            put("contacts", {**_scalars(contact), **owner, **_ext_flat(contact)})
            phones(contact.get("phones", []), contact_id=contact["id"])

    for svc in services:
        org = svc["organization"]
        org_row = _scalars(org)
        ext_columns(org, org_row)
        put("organizations", org_row)
        phones(org.get("phones", []), organization_id=org["id"])
        contacts(org.get("contacts", []), organization_id=org["id"])
        row = _scalars(svc)
        ext_columns(svc, row)
        put("services", row)
        phones(svc.get("phones", []), service_id=svc["id"])
        contacts(svc.get("contacts", []), service_id=svc["id"])
        for sched in svc.get("schedules", []):
            put("schedules", {**_scalars(sched), "service_id": svc["id"], **_ext_flat(sched)})
        for key, table in (
            ("service_areas", "service_areas"),
            ("languages", "languages"),
            ("cost_options", "cost_options"),
        ):
            for item in svc.get(key, []):
                put(table, {**_scalars(item), "service_id": svc["id"]})
        for sal in svc.get("service_at_locations", []):
            loc = sal["location"]
            put("service_at_location", _scalars(sal))
            put("locations", _scalars(loc))
            for addr in loc.get("addresses", []):
                put("addresses", {**_scalars(addr), "location_id": loc["id"]})
            for acc in loc.get("accessibility", []):
                put("accessibility", {**_scalars(acc), "location_id": loc["id"]})
        for attr in svc.get("attributes", []):
            term = attr["taxonomy_term"]
            put("attributes", _scalars(attr))
            put("taxonomy_terms", _scalars(term))
            put("taxonomies", _scalars(term["taxonomy_detail"]))
    return {name: list(rows.values()) for name, rows in tables.items()}


def _scalars(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not isinstance(v, dict | list)}


def _ext_flat(obj: dict[str, Any]) -> dict[str, Any]:
    return {f"x_wegwijzer_{k}": v for k, v in (obj.get("x_wegwijzer") or {}).items()}


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


def datapackage(internal: bool) -> dict[str, Any]:
    """Return the ``datapackage.json`` describing the exported tables."""
    resources = []
    for table in TABLES:
        fields = []
        for col in table_columns(table, internal):
            kind = (
                "number" if col in NUMBER_COLUMNS
                else "boolean" if col in BOOLEAN_COLUMNS
                else "array" if col in LIST_COLUMNS
                else "string"
            )  # fmt: skip
            fields.append({"name": col, "type": kind})
        resources.append(
            {
                "name": table,
                "path": f"{table}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields, "primaryKey": "id"},
            }
        )
    return {
        "name": "wegwijzer-sociale-kaart",
        "title": "Wegwijzer: sociale kaart geldzorgen en schulden",
        "profile": "tabular-data-package",
        "description": (
            "Open Referral HSDS 3.0 tabular data; columns starting with x_wegwijzer_ are "
            "Wegwijzer extensions. Cells starting with = + - @ are prefixed with ' for "
            "spreadsheet safety."
        ),
        "resources": resources,
    }


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
        write_table(buffer, table_columns(table, internal), rows)
        files[f"{table}.csv"] = buffer.getvalue().encode("utf-8")
    files["datapackage.json"] = json.dumps(datapackage(internal), indent=2).encode("utf-8")
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
