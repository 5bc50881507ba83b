"""Read an HSDS 3.0 data package: assemble service objects from its CSV tables."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from ...domain.text import unsafe_cell
from ..reading import CsvTable, decode_text, read_csv
from ..records import RawService
from ..report import ImportFailed, Problem, nl
from .extensions import merge_extensions, take_extensions
from .legacy import FILE_KEY, TableUpgrade, detect, label, link_children, unused_file
from .tables import INTERNAL_COLUMNS, LIST_COLUMNS, ORIGIN, TABLES


def _read_all(
    files: dict[str, bytes], warnings: list[str | Problem]
) -> dict[str, tuple[list[str], list[tuple[int, dict[str, str]]]]]:
    """Read every CSV file of the package: table name → (header, rows with their file)."""
    tables = {}
    for name in sorted(files):
        if not name.endswith(".csv"):
            continue
        table = name[: -len(".csv")]
        text, warning = decode_text(files[name])
        if warning:
            warnings.append(Problem(None, "", warning, "warning", name))
        parsed: CsvTable = read_csv(text, name)
        header = [h.strip().lower() for h in parsed.header]
        if "id" not in header and table in ("services", "organizations", "locations"):
            raise ImportFailed(nl("%(file)s heeft geen kolom 'id'.", file=name), file=name)
        rows = []
        for line, cells in parsed.rows:
            row = {FILE_KEY: name}
            for col, cell in zip(header, cells, strict=False):
                if col and col != FILE_KEY and cell.strip():
                    row[col] = unsafe_cell(cell.strip())
            rows.append((line, row))
        tables[table] = (header, rows)
    return tables


def _typed(table: str, row: dict[str, str], line: int) -> dict[str, Any]:
    """Turn a CSV row into the JSON shape the checker expects (x_wegwijzer_* nested)."""
    out: dict[str, Any] = {ORIGIN: (row.get(FILE_KEY, f"{table}.csv"), line)}
    ext: dict[str, Any] = {}
    internal: dict[str, Any] = {}
    for col, value in row.items():
        if col == FILE_KEY:
            continue
        typed: Any = value
        if col in LIST_COLUMNS:
            typed = _json_list(value)
        if col.startswith("x_wegwijzer_"):
            key = col[len("x_wegwijzer_") :]
            if col in INTERNAL_COLUMNS:
                internal[key] = typed
            else:
                ext[key] = typed
        else:
            out[col] = typed
    if ext:
        out["x_wegwijzer"] = ext
    return out if not internal else {**out, "x_wegwijzer": {**ext, "internal": internal}}


def _collect_origins(value: Any, path: str, origins: dict[str, tuple[str, int]]) -> None:
    """Note which CSV file and line each nested object came from, for problem messages."""
    if isinstance(value, dict):
        origin = value.get(ORIGIN)
        if origin is not None and path:
            origins[path] = origin
        for key, item in value.items():
            if isinstance(item, dict | list):
                _collect_origins(item, f"{path}.{key}" if path else key, origins)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _collect_origins(item, f"{path}[{i}]", origins)


def _json_list(value: str) -> Any:
    if value.startswith("["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def parse_datapackage(
    files: dict[str, bytes],
) -> tuple[list[RawService], list[str | Problem], str]:
    """Assemble HSDS service objects from the tables of a data package (any HSDS version);
    return them, file-level warnings and the version found."""
    warnings: list[str | Problem] = []
    if "services.csv" not in files and "service.csv" not in files:
        raise ImportFailed(
            nl(
                "Het datapakket heeft geen services.csv; verwacht de CSV-bestanden van HSDS 3.0 "
                "(services.csv, organizations.csv, …) en datapackage.json."
            )
        )
    package: Any = None
    if "datapackage.json" in files:
        try:
            package = json.loads(files["datapackage.json"].decode("utf-8-sig"))
        except (ValueError, RecursionError):
            # Only metadata: the tables are read by their file names.
            warnings.append("datapackage.json is geen geldige JSON en is overgeslagen.")
    for name in sorted(files):
        if not name.endswith(".csv") and name != "datapackage.json":
            warnings.append(unused_file(name))
    source = _read_all(files, warnings)
    extensions = take_extensions(source)
    version = detect(source, package)
    upgrade = TableUpgrade(source)
    read_tables = upgrade.run(old=version in ("1", "2.0", "uk"))
    merge_extensions(read_tables, extensions)
    t = {name: read_tables.get(name, []) for name in TABLES}
    # A service's program (HSDS ``program``) travels with the service.
    programs = {
        row["id"]: _typed("programs", row, line)
        for line, row in read_tables.get("programs", [])
        if row.get("id")
    }
    link_children(t, upgrade.warnings)
    warnings.extend(upgrade.warnings)
    internal_file = False
    for name in ("services", "organizations", "x_wegwijzer_services", "x_wegwijzer_organizations"):
        content = files.get(f"{name}.csv", b"")
        first_line = content.split(b"\n", 1)[0].lower()
        if b"x_wegwijzer_internal_notes" in first_line:
            internal_file = True

    def by(table: str, column: str) -> dict[str, list[dict[str, Any]]]:
        index: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line, row in t[table]:
            if row.get(column):
                index[row[column]].append(_typed(table, row, line))
        return index

    phones_by = {col: by("phones", col) for col in ("service_id", "organization_id", "contact_id")}
    contacts_by = {col: by("contacts", col) for col in ("service_id", "organization_id")}

    def with_phones(contact: dict[str, Any]) -> dict[str, Any]:
        return {**contact, "phones": phones_by["contact_id"].get(contact.get("id", ""), [])}

    orgs = {
        row["id"]: _typed("organizations", row, line)
        for line, row in t["organizations"]
        if row.get("id")
    }
    for org_id, org in orgs.items():
        org["phones"] = phones_by["organization_id"].get(org_id, [])
        org["contacts"] = [with_phones(c) for c in contacts_by["organization_id"].get(org_id, [])]
        if internal_file:
            org.setdefault("x_wegwijzer", {}).setdefault("internal", {})
    addresses = by("addresses", "location_id")
    access = by("accessibility", "location_id")
    locations = {}
    for line, row in t["locations"]:
        if row.get("id"):
            loc = _typed("locations", row, line)
            loc["addresses"] = addresses.get(row["id"], [])
            loc["accessibility"] = access.get(row["id"], [])
            locations[row["id"]] = loc
    sals = by("service_at_location", "service_id")
    schedules = by("schedules", "service_id")
    areas = by("service_areas", "service_id")
    languages = by("languages", "service_id")
    costs = by("cost_options", "service_id")
    taxonomies = {row["id"]: row for _l, row in t["taxonomies"] if row.get("id")}
    terms = {}
    for _line, row in t["taxonomy_terms"]:
        if row.get("id"):
            term = dict(row)
            if not term.get("taxonomy") and term.get("taxonomy_id") in taxonomies:
                term["taxonomy"] = taxonomies[term["taxonomy_id"]].get("name", "")
            terms[row["id"]] = term
    attributes = by("attributes", "link_id")

    raws = []
    for line, row in t["services"]:
        svc = _typed("services", row, line)
        sid = row.get("id", "")
        org_id = row.get("organization_id", "")
        if org_id in orgs:
            svc["organization"] = orgs[org_id]
        if row.get("program_id") in programs:
            svc["program"] = programs[row["program_id"]]
        svc["phones"] = phones_by["service_id"].get(sid, [])
        svc["contacts"] = [with_phones(c) for c in contacts_by["service_id"].get(sid, [])]
        svc["schedules"] = schedules.get(sid, [])
        svc["service_areas"] = areas.get(sid, [])
        svc["languages"] = languages.get(sid, [])
        svc["cost_options"] = costs.get(sid, [])
        svc["service_at_locations"] = [
            {
                **sal,
                **(
                    {"location": locations[sal["location_id"]]}
                    if sal.get("location_id") in locations
                    else {}
                ),
            }
            for sal in sals.get(sid, [])
        ]
        svc["attributes"] = [
            {
                **a,
                **(
                    {"taxonomy_term": terms[a["taxonomy_term_id"]]}
                    if a.get("taxonomy_term_id") in terms
                    else {}
                ),
            }
            for a in attributes.get(sid, [])
            if a.get("link_entity", "service") == "service"
        ]
        if internal_file:
            svc.setdefault("x_wegwijzer", {}).setdefault("internal", {})
        raw = RawService(line, svc, file=row.get(FILE_KEY, "services.csv"))
        _collect_origins(svc, "", raw.origins)
        raws.append(raw)
    return raws, warnings, label(version)
