"""The tables of an HSDS 3.0 data package and their columns, with Wegwijzer's extensions."""

from __future__ import annotations

import json

from ...resources import DATA_DIR
from ..schema import INTERNAL_FIELDS

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
INTERNAL_COLUMNS = tuple(f"x_wegwijzer_{key}" for key in INTERNAL_FIELDS)
NUMBER_COLUMNS = {
    "year_incorporated", "minimum_age", "maximum_age", "latitude", "longitude", "extension",
    "timezone", "count", "interval", "amount",
}  # fmt: skip
#: Key holding (file, line) in assembled objects; the checker ignores unknown keys.
ORIGIN = "_origin"
BOOLEAN_COLUMNS = {"x_wegwijzer_is_public", "x_wegwijzer_is_closed", "x_wegwijzer_warm_handover"}
LIST_COLUMNS = {"x_wegwijzer_handover_needs", "x_wegwijzer_keywords"}


def table_columns(table: str, internal: bool) -> tuple[str, ...]:
    """Return the columns of ``table``; the internal export adds the municipality-only ones."""
    cols = TABLES[table]
    if internal and table in ("services", "organizations"):
        cols = cols + INTERNAL_COLUMNS
    return cols


def _standard_tables() -> dict[str, tuple[str, ...]]:
    """Return every HSDS 3.0 table (file name without .csv) with its columns, in the
    specification's order: the JSON schemas' fields that hold one value."""
    found: dict[str, tuple[int, tuple[str, ...]]] = {}
    for path in sorted((DATA_DIR / "hsds" / "schema").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        name = str(schema.get("path", ""))
        if not name.endswith(".csv") or path.name.startswith("compiled"):
            continue
        columns = tuple(
            key
            for key, prop in schema.get("properties", {}).items()
            if "$ref" not in prop and prop.get("type") not in ("array", "object")
        )
        order = int((schema.get("datapackage_metadata") or {}).get("order", 99))
        found[name[: -len(".csv")]] = (order, columns)
    return {name: cols for name, (_o, cols) in sorted(found.items(), key=lambda kv: kv[1][0])}


#: The HSDS 3.0 tables and columns, as the specification's ``datapackage.json`` has them.
STANDARD_TABLES: dict[str, tuple[str, ...]] = _standard_tables()
#: Wegwijzer's extension columns per table, written to ``x_wegwijzer_<table>.csv`` (id and
#: these columns) so the standard tables hold standard columns only.
EXTENSION_COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": ("x_wegwijzer_publication_status", "x_wegwijzer_last_verified_at"),
    "services": (
        "x_wegwijzer_publication_status", "x_wegwijzer_last_verified_at",
        "x_wegwijzer_referral_route", "x_wegwijzer_handover_needs",
        "x_wegwijzer_warm_handover", "x_wegwijzer_keywords",
    ),
    "phones": ("x_wegwijzer_is_public",),
    "contacts": ("x_wegwijzer_is_public",),
    "schedules": ("x_wegwijzer_is_closed",),
}  # fmt: skip
#: Every extension table also says which id a row had in the file it came from, the other
#: ids an export replaced, and the fields it filled in for HSDS (see interop.extra).
SOURCE_COLUMNS = ("x_wegwijzer_source_id", "x_wegwijzer_source_ids", "x_wegwijzer_filled")
#: Fields a standard table has no column for (a phone's languages, a 3.1 field, …): one row
#: per value, as JSON, so nothing is lost.
FIELDS_TABLE = "x_wegwijzer_fields"
FIELDS_COLUMNS = ("table", "id", "field", "value")


def extension_table(table: str) -> str:
    """Return the name of the table holding ``table``'s extension columns."""
    return f"x_wegwijzer_{table}"


def extension_columns(table: str, internal: bool) -> tuple[str, ...]:
    """Return the columns of ``table``'s extension table (after ``id``)."""
    cols = EXTENSION_COLUMNS.get(table, ())
    if internal and table in ("services", "organizations"):
        cols = cols + INTERNAL_COLUMNS
    return cols + SOURCE_COLUMNS
