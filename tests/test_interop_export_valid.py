"""Exports validate against the upstream HSDS 3.0 schemas, with formats (uri, uuid, email,
date-time) checked: the JSON export per service, the data package per table and column."""

from __future__ import annotations

import csv
import json
import re
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
from flask import Flask
from rfc3986_validator import validate_rfc3986

from tests.foreign_package import foreign_services
from tests.interop_support import DEMO, SCHEMA, as_bytes
from wegwijzer.extensions import db
from wegwijzer.interop import export_hsds_csv, export_hsds_json, import_file

SCHEMA_DIR = SCHEMA.parent
EXAMPLES = SCHEMA_DIR.parent / "examples"


def _fill(app: Flask) -> None:
    """Import the demo set, a foreign directory (a URL with ’) and the official example."""
    example = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    example["service_at_locations"][0]["location"].update(latitude=52.5125, longitude=6.0944)
    for data in (DEMO, as_bytes(foreign_services(60)), as_bytes([example])):
        report = import_file(data, "hsds", dry_run=False, actor="test")
        assert report.ok, report.errors[:3]


def test_json_export_validates_with_formats_checked(app: Flask) -> None:
    _fill(app)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    # Without the format extras (pyproject test extra) uri would pass unchecked.
    assert {"uri", "uuid", "email", "date-time"} <= set(checker.checkers)
    validator = jsonschema.Draft202012Validator(schema, format_checker=checker)
    for internal in (False, True):
        services = export_hsds_json(db.session, internal=internal)
        assert len(services) >= (71 if not internal else 71 + 60 + 1)
        problems = [
            f"{item['name']}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for item in services
            for e in validator.iter_errors(item)
        ]
        assert problems == []
    urls = [s["url"] for s in services if "wat%E2%80%99s-nieuw" in s.get("url", "")]
    assert urls == ["https://voorbeeldhulp.example.nl/wat%E2%80%99s-nieuw/50"]
    # The check has teeth: the address as typed, with ’, is not a uri.
    broken = {**services[0], "url": "https://voorbeeldhulp.example.nl/wat’s-nieuw/50"}
    assert [e.validator for e in validator.iter_errors(broken)] == ["format"]


# -- the data package -----------------------------------------------------------------------------


def upstream_descriptor() -> dict[str, dict[str, Any]]:
    """Return the HSDS 3.0 ``datapackage.json`` resources as the specification builds them
    from its schema files: table → {field: its schema, "required": [...]}."""
    tables: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if path.name.startswith("compiled") or not str(schema.get("path", "")).endswith(".csv"):
            continue
        fields = {
            name: prop
            for name, prop in schema["properties"].items()
            if "$ref" not in prop and prop.get("type") not in ("array", "object")
        }
        required = [*schema.get("required", []), *schema.get("tabular_required", [])]
        tables[schema["path"][: -len(".csv")]] = {"fields": fields, "required": required}
    return tables


#: Columns that point at a row of another table (which must be in the package).
REFERENCES = {
    "organization_id": "organizations",
    "service_id": "services",
    "location_id": "locations",
    "contact_id": "contacts",
    "service_at_location_id": "service_at_location",
    "phone_id": "phones",
    "taxonomy_term_id": "taxonomy_terms",
    "taxonomy_id": "taxonomies",
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _cell_problem(prop: dict[str, Any], cell: str) -> str | None:
    kind, fmt = prop.get("type"), prop.get("format")
    try:
        if kind == "number":
            float(cell)
        elif kind == "integer":
            int(cell)
        if fmt == "uuid":
            uuid.UUID(cell)
        elif fmt == "date":
            date.fromisoformat(cell)
        elif fmt == "date-time":
            datetime.fromisoformat(cell.replace("Z", "+00:00"))
        elif fmt == "uri" and not validate_rfc3986(cell, rule="URI"):
            return "not a uri"
        elif fmt == "email" and not EMAIL.match(cell):
            return "not an e-mail address"
    except ValueError as exc:
        return str(exc)
    if "enum" in prop and cell not in prop["enum"]:
        return f"not one of {prop['enum']}"
    return None


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or []), list(reader)


def package_problems(directory: Path) -> list[str]:
    """Check every table and cell of a data package against the upstream descriptor."""
    upstream = upstream_descriptor()
    problems = []
    ids: dict[str, set[str]] = {}
    rows_of: dict[str, list[dict[str, str]]] = {}
    for table, spec in upstream.items():
        path = directory / f"{table}.csv"
        if not path.exists():
            problems.append(f"{table}.csv is missing")
            continue
        header, rows = _read(path)
        if header != list(spec["fields"]):
            problems.append(f"{table}.csv columns {header} are not {list(spec['fields'])}")
        rows_of[table] = rows
        ids[table] = {row["id"] for row in rows}
        if len(ids[table]) != len(rows):
            problems.append(f"{table}.csv: an id is used twice")
        for n, row in enumerate(rows, 2):
            for name in spec["required"]:
                if not row.get(name):
                    problems.append(f"{table}.csv row {n}: {name} is required")
            for name, cell in row.items():
                problem = _cell_problem(spec["fields"].get(name, {}), cell) if cell else None
                if problem:
                    problems.append(f"{table}.csv row {n}, {name}: {problem} ({cell!r})")
    for table, rows in rows_of.items():
        for n, row in enumerate(rows, 2):
            for column, target in REFERENCES.items():
                if row.get(column) and row[column] not in ids.get(target, set()):
                    problems.append(f"{table}.csv row {n}: {column} {row[column]} not found")
    own = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    for resource in own["resources"]:
        name = resource["name"]
        fields = [f["name"] for f in resource["schema"]["fields"]]
        if name in upstream:
            if fields != list(upstream[name]["fields"]):
                problems.append(f"datapackage.json: {name} fields differ from HSDS")
        elif not name.startswith("x_wegwijzer_"):
            problems.append(f"datapackage.json: {name} is neither HSDS nor an extension")
    for extra in sorted(directory.glob("*.csv")):
        if extra.stem not in upstream and not extra.stem.startswith("x_wegwijzer_"):
            problems.append(f"{extra.name} is neither an HSDS table nor an extension")
    return problems


def test_data_package_validates_against_the_upstream_descriptor(
    app: Flask, tmp_path: Path
) -> None:
    _fill(app)
    for internal in (False, True):
        out = tmp_path / f"package-{internal}"
        export_hsds_csv(db.session, out, internal=internal)
        assert package_problems(out) == []
        standard = {t: _read(out / f"{t}.csv")[0] for t in upstream_descriptor()}
        assert not any(c.startswith("x_wegwijzer") for cols in standard.values() for c in cols)
        # Wegwijzer's own columns are in tables of their own, keyed by the same id.
        header, rows = _read(out / "x_wegwijzer_services.csv")
        assert header[:2] == ["id", "x_wegwijzer_publication_status"]
        assert ("x_wegwijzer_internal_notes" in header) is internal
        assert {r["id"] for r in rows} <= {r["id"] for r in _read(out / "services.csv")[1]}
    # The check has teeth: a column inside a standard table, or a bad uri, is found.
    services = out / "services.csv"
    text = services.read_text(encoding="utf-8")
    services.write_text(text.replace("voorbeeldhulp.example.nl/wat%E2%80%99s", "x.nl/w’s"))
    assert any("not a uri" in p for p in package_problems(out))
    header_line, rest = text.split("\n", 1)
    services.write_text(header_line.rstrip("\r") + ",x_wegwijzer_keywords\r\n" + rest)
    assert any(p.startswith("services.csv columns") for p in package_problems(out))
