"""A made-up directory of 500 services in the style another system writes, for import tests.

Not Wegwijzer's own shape: ids that are not UUIDs (``svc-0001``), times with seconds, weekly
and monthly schedules with ``freq``, ``dtstart`` and ``wkst``, HSDS fields Wegwijzer does not
use (accreditations, legal_status, funding, a phone's languages), terms of a taxonomy
Wegwijzer does not know, municipalities by name and a web address with a ’ in it. The same
directory is written as HSDS JSON, as an HSDS tabular package and as a flat spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

#: Places with a point inside the municipality: (city, municipality, latitude, longitude,
#: province, postcode).
PLACES = (
    ("Zwolle", "Zwolle", 52.5125, 6.0944, "Overijssel", "8011 AB"),
    ("Deventer", "Deventer", 52.2551, 6.1639, "Overijssel", "7411 AB"),
    ("Kampen", "Kampen", 52.5550, 5.9114, "Overijssel", "8261 AB"),
    ("Utrecht", "Utrecht", 52.0907, 5.1214, "Utrecht", "3511 AB"),
    ("Amersfoort", "Amersfoort", 52.1561, 5.3878, "Utrecht", "3811 AB"),
)
DAYS = ("MO", "TU", "WE", "TH", "FR")
#: Terms of a taxonomy Wegwijzer does not know (kept as keywords and as they are).
TERM_NAMES = (
    "Budgeting", "Debt help", "Benefits", "Housing", "Legal aid", "Food", "Energy",
    "Work", "Income support",
)  # fmt: skip


def foreign_services(count: int = 500) -> list[dict[str, Any]]:
    """Return ``count`` HSDS 3.0 service objects in a foreign style."""
    orgs = [_organization(n) for n in range(1, 41)]
    locations = [_location(n) for n in range(1, 121)]
    return [
        _service(n, orgs[n % len(orgs)], locations[n % len(locations)])
        for n in range(1, count + 1)
    ]


def _organization(n: int) -> dict[str, Any]:
    return {
        "id": f"org-{n:03d}",
        "name": f"Stichting Voorbeeldhulp {n}",
        "description": f"Vrijwilligers van organisatie {n} helpen met geldzaken.",
        "website": f"https://voorbeeldhulp{n}.example.nl",
        "email": f"info@voorbeeldhulp{n}.example.nl",
        "legal_status": "Stichting",
        "tax_status": "ANBI",
        "year_incorporated": 1990 + n % 30,
        "funding": [{"id": f"fund-{n:03d}", "source": "Gemeentelijke subsidie"}],
    }


def _location(n: int) -> dict[str, Any]:
    city, _muni, lat, lon, province, postcode = PLACES[n % len(PLACES)]
    return {
        "id": f"loc-{n:04d}",
        "location_type": "physical",
        "name": f"Buurthuis {n}",
        "alternate_name": f"Wijkcentrum {n}",
        "latitude": round(lat + (n % 7) * 0.001, 6),
        "longitude": round(lon + (n % 5) * 0.001, 6),
        "external_identifier": f"BAG{n:010d}",
        "external_identifier_type": "BAG",
        "addresses": [
            {
                "id": f"adr-{n:04d}",
                "address_1": f"Voorbeeldstraat {n}",
                "city": city,
                "state_province": province,
                "postal_code": postcode,
                "country": "NL",
                "address_type": "physical",
            }
        ],
    }


def _service(n: int, org: dict[str, Any], loc: dict[str, Any]) -> dict[str, Any]:
    muni = PLACES[n % len(PLACES)][1]
    day = DAYS[n % len(DAYS)]
    url = f"https://voorbeeldhulp.example.nl/diensten/{n}"
    if n % 50 == 0:
        url = f"https://voorbeeldhulp.example.nl/wat’s-nieuw/{n}"
    schedules: list[dict[str, Any]] = [
        {
            "id": f"sch-{n:04d}-1",
            "freq": "WEEKLY",
            "wkst": "MO",
            "interval": 1,
            "dtstart": "2026-01-05",
            "byday": f"{day},{DAYS[(n + 2) % len(DAYS)]}" if n % 3 else day,
            "opens_at": "09:00:00",
            "closes_at": "12:30:00",
            "attending_type": "inloop" if n % 2 else "op-afspraak",
        }
    ]
    if n % 4 == 0:
        schedules.append(
            {
                "id": f"sch-{n:04d}-2",
                "freq": "MONTHLY",
                "byday": "1TU",
                "opens_at": "13:00:00",
                "closes_at": "16:00:00",
                "description": "Eerste dinsdag van de maand",
            }
        )
    attributes: list[dict[str, Any]] = [
        {
            "id": f"attr-{n:04d}-1",
            "link_type": "service_category",
            "taxonomy_term": {
                "id": f"oe-{100 + n % 9}",
                "code": f"{100 + n % 9}",
                "name": TERM_NAMES[n % 9],
                "taxonomy": "Open Eligibility",
            },
        },
        {
            "id": f"attr-{n:04d}-2",
            "taxonomy_term": {"taxonomy": "wegwijzer-thema", "code": "schulden"},
        },
    ]
    return {
        "id": f"svc-{n:04d}",
        "organization_id": org["id"],
        "organization": org,
        "name": f"Budgethulp {n} ({muni})",
        "description": f"Hulp bij rekeningen en schulden, dienst nummer {n}.",
        "url": url,
        "email": f"dienst{n}@voorbeeldhulp.example.nl",
        "status": "active",
        "accreditations": "Keurmerk Schuldhulp",
        "assured_date": "2026-03-01",
        "licenses": "Geen",
        "phones": [
            {
                "id": f"tel-{n:04d}",
                "number": f"038-{1000000 + n}",
                "type": "voice",
                "languages": [{"id": f"tl-{n:04d}", "name": "Engels", "code": "en"}],
            }
        ],
        "contacts": [
            {"id": f"con-{n:04d}", "name": f"Medewerker {n}", "email": f"m{n}@example.nl"}
        ],
        "schedules": schedules,
        "service_areas": [
            {"id": f"sa-{n:04d}", "name": muni}
            if n % 10
            else {"id": f"sa-{n:04d}", "name": "Nederland", "extent_type": "landelijk"}
        ],
        "languages": [{"id": f"lang-{n:04d}", "name": "Nederlands", "code": "nl"}],
        "cost_options": [
            {"id": f"cost-{n:04d}", "option": "Gratis", "amount": 0, "currency": "EUR"}
        ],
        "service_at_locations": [
            {"id": f"sal-{n:04d}", "location_id": loc["id"], "location": loc}
        ],
        "attributes": attributes,
    }


# -- HSDS tabular package -----------------------------------------------------------------------

_TABLES = {
    "organizations": (
        "id", "name", "description", "email", "website", "legal_status", "tax_status",
        "year_incorporated",
    ),
    "services": (
        "id", "organization_id", "name", "description", "url", "email", "status",
        "accreditations", "assured_date", "licenses",
    ),
    "locations": (
        "id", "location_type", "name", "alternate_name", "latitude", "longitude",
        "external_identifier", "external_identifier_type",
    ),
    "addresses": (
        "id", "location_id", "address_1", "city", "state_province", "postal_code", "country",
        "address_type",
    ),
    "service_at_location": ("id", "service_id", "location_id"),
    "phones": ("id", "service_id", "number", "type"),
    "contacts": ("id", "service_id", "name", "email"),
    "schedules": (
        "id", "service_id", "freq", "wkst", "interval", "dtstart", "byday", "opens_at",
        "closes_at", "attending_type", "description",
    ),
    "service_areas": ("id", "service_id", "name", "extent_type"),
    "languages": ("id", "service_id", "name", "code"),
    "cost_options": ("id", "service_id", "option", "amount", "currency"),
    "attributes": ("id", "link_id", "link_entity", "link_type", "taxonomy_term_id"),
    "taxonomy_terms": ("id", "code", "name", "taxonomy"),
    "funding": ("id", "organization_id", "source"),
}  # fmt: skip


def as_datapackage(services: list[dict[str, Any]]) -> dict[str, bytes]:
    """Return the services as an HSDS 3.0 tabular package: file name → content."""
    rows: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in _TABLES}

    def put(table: str, row: dict[str, Any]) -> None:
        rows[table].setdefault(row["id"], row)

    for svc in services:
        put("organizations", svc["organization"])
        for fund in svc["organization"]["funding"]:
            put("funding", {**fund, "organization_id": svc["organization"]["id"]})
        put("services", svc)
        sid = svc["id"]
        for key, table in (
            ("phones", "phones"),
            ("contacts", "contacts"),
            ("schedules", "schedules"),
            ("service_areas", "service_areas"),
            ("languages", "languages"),
            ("cost_options", "cost_options"),
        ):
            for item in svc[key]:
                put(table, {**item, "service_id": sid})
        for sal in svc["service_at_locations"]:
            put("service_at_location", {**sal, "service_id": sid})
            loc = sal["location"]
            put("locations", loc)
            for address in loc["addresses"]:
                put("addresses", {**address, "location_id": loc["id"]})
        for attr in svc["attributes"]:
            term = attr["taxonomy_term"]
            if "id" not in term:
                continue  # a Wegwijzer term by code only: JSON shape, not in this package
            put("attributes", {**attr, "link_id": sid, "link_entity": "service",
                               "taxonomy_term_id": term["id"]})  # fmt: skip
            put("taxonomy_terms", term)
    files = {}
    for table, columns in _TABLES.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows[table].values():
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
        files[f"{table}.csv"] = out.getvalue().encode("utf-8")
    files["datapackage.json"] = json.dumps(
        {"name": "voorbeeld", "resources": [{"name": t, "path": f"{t}.csv"} for t in _TABLES]}
    ).encode("utf-8")
    return files


# -- flat spreadsheet ---------------------------------------------------------------------------

_DAY_NL = dict(zip(DAYS, ("ma", "di", "wo", "do", "vr"), strict=True))


def as_flat_csv(services: list[dict[str, Any]]) -> bytes:
    """Return the services as one spreadsheet in Wegwijzer's template columns (semicolons)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(
        ("id", "organisatie", "organisatie-id", "naam", "omschrijving", "telefoon", "e-mail",
         "website", "locatie", "locatie-id", "adres", "plaats", "breedtegraad", "lengtegraad",
         "gemeenten", "openingstijden", "talen")
    )  # fmt: skip
    for svc in services:
        loc = svc["service_at_locations"][0]["location"]
        weekly = [s for s in svc["schedules"] if s["freq"] == "WEEKLY"]
        hours = "; ".join(
            f"{','.join(_DAY_NL[d] for d in s['byday'].split(','))} "
            f"{s['opens_at'][:5]}-{s['closes_at'][:5]} {s['attending_type']}"
            for s in weekly
        )
        writer.writerow(
            (
                svc["id"], svc["organization"]["name"], svc["organization"]["id"], svc["name"],
                svc["description"], svc["phones"][0]["number"], svc["email"], svc["url"],
                loc["name"], loc["id"], loc["addresses"][0]["address_1"],
                loc["addresses"][0]["city"], str(loc["latitude"]).replace(".", ","),
                str(loc["longitude"]).replace(".", ","), svc["service_areas"][0]["name"],
                hours, "Nederlands",
            )
        )  # fmt: skip
    return out.getvalue().encode("utf-8")
