"""HSDS 3.0 tabular data package: CSV files plus ``datapackage.json``, read and written."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from ..domain.text import safe_cell, unsafe_cell
from .export import export_hsds_json
from .reading import CsvTable, decode_text, read_csv
from .records import RawService
from .report import ImportFailed

#: HSDS 3.0 columns per table (from the HSDS schema), plus Wegwijzer's ``x_wegwijzer_*``.
TABLES: dict[str, tuple[str, ...]] = {
    "organizations": (
        "id", "name", "alternate_name", "description", "email", "website", "tax_status",
        "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id",
        "x_wegwijzer_publication_status", "x_wegwijzer_last_verified_at",
    ),
    "services": (
        "id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
        "email", "status", "interpretation_services", "application_process",
        "fees_description", "wait_time", "fees", "accreditations", "eligibility_description",
        "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert",
        "last_modified", "x_wegwijzer_publication_status", "x_wegwijzer_last_verified_at",
        "x_wegwijzer_referral_route", "x_wegwijzer_handover_needs",
        "x_wegwijzer_warm_handover", "x_wegwijzer_keywords",
    ),
    "locations": (
        "id", "location_type", "url", "organization_id", "name", "alternate_name",
        "description", "transportation", "latitude", "longitude", "external_identifier",
        "external_identifier_type",
    ),
    "addresses": (
        "id", "location_id", "attention", "address_1", "address_2", "city", "region",
        "state_province", "postal_code", "country", "address_type",
    ),
    "accessibility": ("id", "location_id", "description", "details", "url"),
    "service_at_location": ("id", "service_id", "location_id", "description"),
    "phones": (
        "id", "location_id", "service_id", "organization_id", "contact_id",
        "service_at_location_id", "number", "extension", "type", "description",
        "x_wegwijzer_is_public",
    ),
    "contacts": (
        "id", "organization_id", "service_id", "service_at_location_id", "location_id", "name",
        "title", "department", "email", "x_wegwijzer_is_public",
    ),
    "schedules": (
        "id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to",
        "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday",
        "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at",
        "schedule_link", "attending_type", "notes", "x_wegwijzer_is_closed",
    ),
    "service_areas": ("id", "service_id", "name", "description", "extent", "extent_type", "uri"),
    "languages": ("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
    "cost_options": (
        "id", "service_id", "valid_from", "valid_to", "option", "currency", "amount",
        "amount_description",
    ),
    "attributes": ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
    "taxonomies": ("id", "name", "description", "uri", "version"),
    "taxonomy_terms": (
        "id", "code", "name", "description", "parent_id", "taxonomy", "language",
        "taxonomy_id", "term_uri",
    ),
}  # fmt: skip
#: Municipality-only columns, in internal exports only (their presence marks internal data).
INTERNAL_COLUMNS = (
    "x_wegwijzer_funding_source",
    "x_wegwijzer_collaboration_agreement",
    "x_wegwijzer_coordinator",
    "x_wegwijzer_internal_notes",
)
NUMBER_COLUMNS = {
    "year_incorporated", "minimum_age", "maximum_age", "latitude", "longitude", "extension",
    "timezone", "count", "interval", "amount",
}  # fmt: skip
#: Key holding (file, line) in assembled objects; the checker ignores unknown keys.
ORIGIN = "_origin"
BOOLEAN_COLUMNS = {"x_wegwijzer_is_public", "x_wegwijzer_is_closed", "x_wegwijzer_warm_handover"}
LIST_COLUMNS = {"x_wegwijzer_handover_needs", "x_wegwijzer_keywords"}


def _columns(table: str, internal: bool) -> tuple[str, ...]:
    cols = TABLES[table]
    if internal and table in ("services", "organizations"):
        cols = cols + INTERNAL_COLUMNS
    return cols


# -- export ---------------------------------------------------------------------------------


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
        for col in _columns(table, internal):
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
        write_table(buffer, _columns(table, internal), rows)
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


# -- import ---------------------------------------------------------------------------------


def _read(
    files: dict[str, bytes], table: str, warnings: list[str]
) -> list[tuple[int, dict[str, str]]]:
    content = files.get(f"{table}.csv")
    if content is None:
        return []
    text, warning = decode_text(content)
    if warning:
        warnings.append(f"{table}.csv: {warning}")
    parsed: CsvTable = read_csv(text, f"{table}.csv")
    header = [h.strip().lower() for h in parsed.header]
    if "id" not in header and table != "service_at_location":
        raise ImportFailed(f"{table}.csv heeft geen kolom 'id'.", file=f"{table}.csv")
    rows = []
    for line, cells in parsed.rows:
        row = {}
        for col, cell in zip(header, cells, strict=False):
            if col and cell.strip():
                row[col] = unsafe_cell(cell.strip())
        rows.append((line, row))
    return rows


def _typed(table: str, row: dict[str, str], line: int) -> dict[str, Any]:
    """Turn a CSV row into the JSON shape the checker expects (x_wegwijzer_* nested)."""
    out: dict[str, Any] = {ORIGIN: (f"{table}.csv", line)}
    ext: dict[str, Any] = {}
    internal: dict[str, Any] = {}
    for col, value in row.items():
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


def parse_datapackage(files: dict[str, bytes]) -> tuple[list[RawService], list[str]]:
    """Assemble HSDS service objects from the tables of a data package."""
    warnings: list[str] = []
    if "services.csv" not in files:
        raise ImportFailed(
            "Het datapakket heeft geen services.csv; verwacht de CSV-bestanden van HSDS 3.0 "
            "(services.csv, organizations.csv, …) en datapackage.json."
        )
    if "datapackage.json" in files:
        try:
            json.loads(files["datapackage.json"].decode("utf-8-sig"))
        except (ValueError, RecursionError):
            # Only metadata: the tables are read by their file names.
            warnings.append("datapackage.json is geen geldige JSON en is overgeslagen.")
    t = {name: _read(files, name, warnings) for name in TABLES}
    internal_file = False
    for name in ("services", "organizations"):
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
        raw = RawService(line, svc, file="services.csv")
        _collect_origins(svc, "", raw.origins)
        raws.append(raw)
    return raws, warnings
