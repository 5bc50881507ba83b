"""Helpers for the HSDS API tests: a small directory and validators for the HSDS schemas."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from wegwijzer.extensions import db
from wegwijzer.models import Organization, Service
from wegwijzer.search import sync_index

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "hsds" / "schema"
BASE = "https://hsds.test/"
ZWOLLE_ADDRESS = {
    "address_1": "Voorbeeldstraat 1",
    "city": "Zwolle",
    "state_province": "Overijssel",
    "postal_code": "8011 AB",
    "country": "NL",
    "address_type": "physical",
}


@cache
def _registry() -> Registry:
    """The HSDS 3.0 schema files, each at its own address, so ``phone.json`` refs resolve."""
    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((BASE + path.name, DRAFT202012.create_resource(contents)))
    upstream = json.loads((SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))
    page = dict(upstream["components"]["schemas"]["Page"])
    page["required"] = [*page["properties"], "contents"]
    page["properties"] = {**page["properties"], "contents": {"type": "array"}}
    resources.append((BASE + "page.json", DRAFT202012.create_resource(page)))
    return Registry().with_resources(resources)


def validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for one HSDS object (``service``, ``organization``, …) with formats checked."""
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    # Without the format extras these would pass unchecked and the tests would prove nothing.
    assert {"uri", "uuid", "date-time", "email"} <= set(checker.checkers)
    return jsonschema.Draft202012Validator(
        {"$ref": BASE + f"{name}.json"}, registry=_registry(), format_checker=checker
    )


def errors(name: str, data: Any) -> list[str]:
    """Return every schema error of ``data`` as an HSDS ``name`` (empty when valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name).iter_errors(data)
    ]


#: What each path's objects are, for validating answers.
KINDS = {
    "services": "service",
    "service_at_locations": "service_at_location",
    "organizations": "organization",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
}


def answer_errors(path: str, data: Any) -> list[str]:
    """Validate an answer of ``/api/hsds/<path>`` (a page, or one object) and what it nests."""
    parts = path.strip("/").split("?")[0].split("/")
    kind = KINDS.get(parts[0]) if parts[0] else None
    if kind is None:
        return []
    objects = [data] if len(parts) > 1 else data["contents"]
    problems = [] if len(parts) > 1 else errors("page", data)
    for obj in objects:
        problems += errors(kind, obj)
        nested = obj.get("services", []) + ([obj["service"]] if "service" in obj else [])
        for svc in nested:
            problems += errors("service", svc)
    return problems


def import_full_example() -> dict[str, Any]:
    """Import and publish Open Referral's own ``service_full.json`` (moved to Zwolle): an
    object with every HSDS field; return the source."""
    from wegwijzer.interop import import_file

    example = json.loads((SCHEMA_DIR.parent / "examples" / "service_full.json").read_text())
    example["service_at_locations"][0]["location"].update(latitude=52.5125, longitude=6.0944)
    data = json.dumps([example]).encode()
    report = import_file(data, "hsds", dry_run=False, actor="test", publish=True)
    assert report.ok, [p.message_nl for p in report.errors]
    return example


def make_directory(
    make_service: Callable[..., Service], make_organization: Callable[..., Organization]
) -> dict[str, Any]:
    """Three public services (Zwolle, Kampen, national) and three that must never show."""
    org = make_organization("Stichting Geldmaatjes Zwolle", website="https://geldmaatjes.example")
    made: dict[str, Any] = {
        "org": org,
        "zwolle": make_service(
            "Schuldhulpverlening Zwolle",
            organization=org,
            description="Hulp bij schulden en een huurachterstand.",
            terms={"thema": ["schulden"], "organisatietype": ["gemeente"]},
            gm_codes=["GM0193"],
            lat=52.5125,
            lon=6.092,
            address=ZWOLLE_ADDRESS,
            private_contact={"name": "Alleen Intern", "email": "intern@geldmaatjes.example"},
            url="https://geldmaatjes.example/schuldhulp",
        ),
        "kampen": make_service(
            "Formulierenhulp Kampen",
            description="Hulp bij formulieren en brieven.",
            terms={"thema": ["brieven-formulieren"], "toegang": ["inloop"]},
            gm_codes=["GM0166"],
            lat=52.555,
            lon=5.911,
        ),
        "national": make_service(
            "Geldlijn",
            description="Anoniem bellen over schulden.",
            terms={"thema": ["schulden", "budget"]},
            national=True,
        ),
        "concept": make_service(
            "Conceptdienst Schulden",
            organization=org,
            publication_status="concept",
            gm_codes=["GM0193"],
            lat=52.51,
            lon=6.09,
        ),
        "archived": make_service(
            "Gearchiveerde Schuldhulp", publication_status="gearchiveerd", gm_codes=["GM0193"]
        ),
    }
    hidden_org = make_organization("Verborgen Stichting", publication_status="concept")
    made["hidden_org"] = hidden_org
    made["hidden"] = make_service(
        "Dienst van verborgen organisatie",
        organization=hidden_org,
        gm_codes=["GM0193"],
        lat=52.52,
        lon=6.1,
    )
    db.session.commit()
    sync_index()
    return made
