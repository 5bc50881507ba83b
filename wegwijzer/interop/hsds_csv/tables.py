"""The tables of an HSDS 3.0 data package and their columns, with Wegwijzer's extensions."""

from __future__ import annotations

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
