"""Read a flat spreadsheet into HSDS-shaped service objects, with only the columns it has."""

from __future__ import annotations

import re
from typing import Any

from ...domain.geo import normalise
from ...domain.text import unsafe_cell
from ...models import stable_id
from ..reading import decode_text, read_csv
from ..records import RawService
from ..report import ImportFailed, nl
from .columns import (
    CONTACT_COLUMNS,
    INTERNAL_COLUMNS,
    LANGUAGE_CODES,
    LOCATION_COLUMNS,
    TAXONOMY_COLUMNS,
    cell_items,
    fold_header,
    known_header,
    split_cell,
)
from .opening_hours import parse_opening_hours

#: Cells in ``gemeenten`` (folded) that mean the whole country.
NATIONAL = ("landelijk", "nederland", "heelnederland")
#: Column → the x_wegwijzer key it fills, and how the cell is read.
EXTENSION_COLUMNS = (
    ("aanmeldroute", "referral_route", None),
    ("overdracht", "handover_needs", cell_items),
    ("warme-overdracht", "warm_handover", None),
    ("publicatiestatus", "publication_status", None),
    ("laatst-gecontroleerd", "last_verified_at", None),
    ("trefwoorden", "keywords", split_cell),
)


def parse_flat_csv(data: bytes) -> tuple[list[RawService], list[str]]:
    """Read a flat spreadsheet into HSDS-shaped service objects (only the columns it has)."""
    text, warning = decode_text(data)
    warnings = [warning] if warning else []
    table = read_csv(text, "csv")
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for index, raw_header in enumerate(table.header):
        if not raw_header:
            continue
        header = known_header(raw_header)
        if header is None:
            unknown.append(raw_header)
        elif header in columns.values():
            raise ImportFailed(
                nl("De kolom '%(column)s' staat twee keer in de kopregel.", column=raw_header),
                row=1,
            )
        else:
            columns[index] = header
    present = set(columns.values())
    if "naam" not in present or "organisatie" not in present:
        raise ImportFailed(
            nl(
                "De kolommen 'organisatie' en 'naam' zijn verplicht. Gebruik het sjabloon "
                "data/templates/wegwijzer-diensten.csv; gevonden kolommen: %(found)s.",
                found=", ".join(h for h in table.header if h)[:300],
            ),
            row=1,
        )
    if unknown:
        warnings.append(
            nl(
                "Onbekende kolommen genegeerd: %(columns)s. Zie het sjabloon voor de kolomnamen.",
                columns=", ".join(unknown)[:300],
            )
        )
    services = []
    for line, cells in table.rows:
        row = {
            header: unsafe_cell(cells[i].strip()) if i < len(cells) else ""
            for i, header in columns.items()
        }
        raw = _row_to_service(line, row, present)
        raw.cells = {
            header: cells[i] if i < len(cells) else ""
            for i, header in enumerate(table.header)
            if header
        }
        services.append(raw)
    return services, warnings


def _row_to_service(line: int, row: dict[str, str], present: set[str]) -> RawService:
    raw = RawService(line, {}, labels={}, present=set())
    data = raw.data
    fields = raw.present
    assert fields is not None
    org_name = row.get("organisatie", "")
    name = row.get("naam", "")
    service_id = row.get("id") or stable_id("flat-service", normalise(org_name), normalise(name))
    data["id"] = service_id
    raw.labels.update({"id": "id", "name": "naam", "organization": "organisatie"})
    org: dict[str, Any] = {"name": org_name or None}
    if row.get("organisatie-id"):
        org["id"] = row["organisatie-id"]
    data["organization"] = org

    def scalar(column: str, key: str) -> None:
        if column in present:
            data[key] = row[column] or None
            fields.add(key)
            raw.labels[key] = column

    scalar("naam", "name")
    scalar("omschrijving", "description")
    scalar("e-mail", "email")
    scalar("website", "url")
    scalar("kosten", "fees_description")
    ext: dict[str, Any] = {}
    data["x_wegwijzer"] = ext
    _extension(raw, row, present, ext)
    _lists(raw, row, present)
    if "openingstijden" in present:
        schedules, errors = parse_opening_hours(row["openingstijden"])
        data["schedules"] = schedules
        fields.add("schedules")
        raw.labels["schedules"] = "openingstijden"
        raw.parse_errors.extend(("openingstijden", e) for e in errors)
    if any(c in present for c in LOCATION_COLUMNS) and any(row.get(c) for c in LOCATION_COLUMNS):
        data["service_at_locations"] = [{"location": _location(row, org_name)}]
        fields.add("service_at_locations")
        raw.labels.update(
            {
                "service_at_locations[0].location.latitude": "breedtegraad",
                "service_at_locations[0].location.longitude": "lengtegraad",
                "service_at_locations[0].location.addresses": "adres/postcode/plaats",
                "service_at_locations[0].location": "locatie",
            }
        )
    if any(c in present for c in CONTACT_COLUMNS) and any(row.get(c) for c in CONTACT_COLUMNS):
        ext["direct_contact"] = {
            "name": row.get("contactpersoon") or None,
            "phone": row.get("contact-telefoon") or None,
            "email": row.get("contact-e-mail") or None,
            "is_public": row.get("contact-openbaar") or None,
        }
        fields.add("contacts")
        raw.labels["x_wegwijzer.direct_contact"] = "contactpersoon"
        raw.labels["x_wegwijzer.direct_contact.email"] = "contact-e-mail"
        raw.labels["x_wegwijzer.direct_contact.phone"] = "contact-telefoon"
        raw.labels["x_wegwijzer.direct_contact.is_public"] = "contact-openbaar"
    internal = {
        key: row.get(col) or None for col, key in INTERNAL_COLUMNS.items() if col in present
    }
    if internal:
        ext["internal"] = internal
        fields.update(internal)
        for col, key in INTERNAL_COLUMNS.items():
            raw.labels[f"x_wegwijzer.internal.{key}"] = col
    return raw


def _extension(
    raw: RawService, row: dict[str, str], present: set[str], ext: dict[str, Any]
) -> None:
    """Fill ``x_wegwijzer`` from the referral, status and keyword columns."""
    fields = raw.present
    assert fields is not None
    for column, key, read in EXTENSION_COLUMNS:
        if column in present:
            value = read(row[column]) if read is not None else row[column]
            ext[key] = value if value != "" else None
            fields.add(key)
            raw.labels[f"x_wegwijzer.{key}"] = column
    if "publicatiestatus" in present and not row.get("publicatiestatus"):
        # An empty status means "leave it" (new services become concept).
        del ext["publication_status"]
        fields.discard("publication_status")
    if "trefwoorden" in present:
        fields.add("keywords")


def _lists(raw: RawService, row: dict[str, str], present: set[str]) -> None:
    """Fill phones, languages, service areas and taxonomy terms from their columns."""
    data = raw.data
    fields = raw.present
    assert fields is not None
    if "telefoon" in present:
        data["phones"] = [
            {"number": n, "x_wegwijzer": {"is_public": True}} for n in split_cell(row["telefoon"])
        ]
        fields.add("phones")
        raw.labels["phones"] = "telefoon"
    if "talen" in present:
        data["languages"] = [
            {"name": n, "code": LANGUAGE_CODES.get(fold_header(n))}
            for n in split_cell(row["talen"])
        ]
        fields.add("languages")
        raw.labels["languages"] = "talen"
    if "gemeenten" in present:
        data["service_areas"] = [
            {"extent_type": "landelijk"} if fold_header(part) in NATIONAL else {"name": part}
            for part in split_cell(row["gemeenten"])
        ]
        fields.add("service_areas")
        raw.labels["service_areas"] = "gemeenten"
    attributes: list[dict[str, Any]] = []
    for column, taxonomy in TAXONOMY_COLUMNS.items():
        if column not in present:
            continue
        fields.add("attributes")
        fields.add(f"taxonomy:{taxonomy}")
        for code in split_cell(row[column]):
            raw.labels[f"attributes[{len(attributes)}]"] = column
            attributes.append({"taxonomy_term": {"taxonomy": taxonomy, "code": code}})
    if "attributes" in fields:
        data["attributes"] = attributes


def _location(row: dict[str, str], org_name: str) -> dict[str, Any]:
    """Return the row's location; without a locatie-id, one per organisation and address."""
    location: dict[str, Any] = {
        "id": row.get("locatie-id")
        or stable_id(
            "flat-location",
            normalise(org_name),
            normalise(row.get("adres", "")),
            re.sub(r"\s", "", row.get("postcode", "")).upper(),
            normalise(row.get("plaats", "")),
            normalise(row.get("locatie", "")),
        ),
        "name": row.get("locatie") or None,
        "latitude": row.get("breedtegraad") or None,
        "longitude": row.get("lengtegraad") or None,
    }
    if any(row.get(c) for c in ("adres", "postcode", "plaats")):
        location["addresses"] = [
            {
                "address_1": row.get("adres") or None,
                "postal_code": row.get("postcode") or None,
                "city": row.get("plaats") or None,
                "country": "NL",
                "address_type": "physical",
            }
        ]
    return location
