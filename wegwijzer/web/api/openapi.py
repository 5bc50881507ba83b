"""The OpenAPI documents the JSON APIs serve: HSDS 3.0 (``/api/hsds/``) and search (``/api/v1/``).

The HSDS document starts from Open Referral's own (``data/hsds/schema/openapi.json``) and
makes it say what this API does: the HSDS schemas are included (no address outside this
site), each parameter has the range this API accepts, and the error answers are listed.
Differences from the upstream description, all written down in the document itself:

- ``minimal`` is not offered (its answer would not be an HSDS service);
- ``format`` is ``json`` only; ``proximity`` is a number of meters and needs ``postcode``;
- ``/service_at_locations/{id}`` answers a service_at_location with its location and
  service (upstream names the service schema, which such an object does not fit);
- the operation ids of the two taxonomy-term operations are swapped back to their names.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from ...resources import DATA_DIR

HSDS_VERSION = "3.0"
#: Where the HSDS 3.0 specification this API follows is described.
PROFILE_URL = "https://docs.openreferral.org/en/v3.0/hsds/"
SCHEMA_DIR = DATA_DIR / "hsds" / "schema"
_UPSTREAM = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
#: Keys of the HSDS schema files that describe the tabular format, not the JSON.
_TABULAR_KEYS = ("path", "datapackage_metadata", "tabular_required")
#: Characters the site refuses in any request (see ``domain.limits``).
NO_CONTROL = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "What is wrong, in the site's language."},
        "parameter": {
            "type": ["string", "null"],
            "description": "The parameter that is wrong, as the request named it.",
        },
    },
}
_HEADERS = {
    "ETag": {"description": "Changes when the answer changes.", "schema": {"type": "string"}},
    "Last-Modified": {
        "description": "When the directory last changed.",
        "schema": {"type": "string"},
    },
}

#: Accepted values of each query parameter (the schema of the parameter in the document).
_PARAMETERS: dict[str, dict[str, Any]] = {
    "search": {"type": "string", "maxLength": 200, "pattern": NO_CONTROL},
    "page": {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
    "format": {"type": "string", "enum": ["json"], "default": "json"},
    "full": {"type": "boolean", "default": False},
    "full_service": {"type": "boolean", "default": False},
    "top_only": {"type": "boolean", "default": False},
    "modified_after": {"type": "string", "format": "date-time"},
    "taxonomy_term_id": {"type": "string", "format": "uuid", "pattern": UUID_PATTERN},
    "taxonomy_id": {"type": "string", "format": "uuid", "pattern": UUID_PATTERN},
    "organization_id": {"type": "string", "format": "uuid", "pattern": UUID_PATTERN},
    "parent_id": {"type": "string", "format": "uuid", "pattern": UUID_PATTERN},
    "id": {"type": "string", "format": "uuid", "pattern": UUID_PATTERN},
    "postcode": {"type": "string", "pattern": "^[1-9][0-9]{3} ?([A-Za-z]{2})?$"},
    "proximity": {"type": "number", "minimum": 0, "maximum": 300_000},
}
_NOTES = {
    "search": " Services are found by the site's own search; organisations through their "
    "services; taxonomies and terms by the words in their names and descriptions.",
    "postcode": " A Dutch postcode (8011 or 8011 AB); one the site does not know gives 400.",
    "proximity": " Meters from the centre of `postcode` (required with it); nearest first.",
    "top_only": " Only terms without a parent term.",
    "modified_after": " A service counts as modified when it, its organisation or one of its "
    "locations changed.",
}


def _schema_files() -> dict[str, dict[str, Any]]:
    """Return every HSDS object schema, keyed by name, with references inside the document."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path.stem == "openapi" or path.stem.startswith("compiled_"):
            continue
        schema = json.loads(path.read_text(encoding="utf-8"))
        for key in _TABULAR_KEYS:
            schema.pop(key, None)
        out[path.stem] = _local_refs(schema)
    return out


def _local_refs(value: Any) -> Any:
    """Point ``{"$ref": "phone.json"}`` at ``#/components/schemas/phone``."""
    if isinstance(value, dict):
        out = {k: _local_refs(v) for k, v in value.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.endswith(".json") and "/" not in ref:
            out["$ref"] = "#/components/schemas/" + ref.removesuffix(".json")
        return out
    if isinstance(value, list):
        return [_local_refs(v) for v in value]
    return value


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _with(base: str, **extra: Any) -> dict[str, Any]:
    """A schema: the HSDS object ``base`` with more properties."""
    return {"allOf": [_ref(base)], "type": "object", "properties": extra}


#: What each upstream schema address is in this document.
_REPLACE = {
    "compiled/service.json": "service",
    "compiled/service_list.json": "service",
    "compiled/organization.json": "organization_full",
    "compiled/organization_list.json": "organization",
    "compiled/service_at_location_list.json": "service_at_location",
    "taxonomy.json": "taxonomy",
    "taxonomy_term.json": "taxonomy_term",
}


def _replace_refs(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _replace_refs(v) for k, v in value.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(_UPSTREAM):
            out["$ref"] = "#/components/schemas/" + _REPLACE[ref.removeprefix(_UPSTREAM)]
        return out
    if isinstance(value, list):
        return [_replace_refs(v) for v in value]
    return value


def _parameter(param: dict[str, Any]) -> dict[str, Any]:
    name = param["name"]
    out = dict(param)
    out["schema"] = copy.deepcopy(_PARAMETERS[name])
    out["description"] = (param.get("description") or "") + _NOTES.get(name, "")
    return out


def _responses(operation: dict[str, Any], by_id: bool) -> None:
    responses = operation["responses"]
    responses["200"]["headers"] = copy.deepcopy(_HEADERS)
    responses["304"] = {"description": "Not modified (If-None-Match or If-Modified-Since)."}
    responses["400"] = {
        "description": "A parameter this API cannot use; `parameter` names it.",
        "content": {"application/json": {"schema": _ref("error")}},
    }
    if by_id:
        responses["404"] = {
            "description": "No public object with this id.",
            "content": {"application/json": {"schema": _ref("error")}},
        }
    responses["503"] = {
        "description": "Search is being repaired; try again after Retry-After seconds.",
        "content": {"application/json": {"schema": _ref("error")}},
    }


@cache
def _hsds_document() -> dict[str, Any]:
    upstream = json.loads((SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))
    components = upstream["components"]
    shared = components["parameters"]
    shared.pop("minimal", None)
    for name, param in list(shared.items()):
        shared[name] = _parameter(param)
    schemas: dict[str, Any] = _schema_files()
    page = components["schemas"]["Page"]
    page["required"] = [*page["properties"], "contents"]
    schemas["Page"] = page
    schemas["error"] = _ERROR
    schemas["organization_full"] = _with(
        "organization",
        services={"type": "array", "items": _ref("service")},
    )
    schemas["service_at_location_full"] = _with("service_at_location", service=_ref("service"))
    components["schemas"] = schemas
    paths: dict[str, Any] = {}
    for path, item in upstream["paths"].items():
        item = _replace_refs(item)
        by_id = path.endswith("{id}")
        if by_id:
            item["parameters"] = [_parameter(p) for p in item["parameters"]]
        for operation in (v for k, v in item.items() if k == "get"):
            operation["parameters"] = [
                p if "$ref" in p else _parameter(p)
                for p in operation.get("parameters", [])
                if p.get("$ref") != "#/components/parameters/minimal"
            ]
            if not operation["parameters"]:
                del operation["parameters"]
            _responses(operation, by_id)
        paths[path] = item
    root = paths["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    root["required"] = ["version", "profile", "openapi_url"]
    sal = paths["/service_at_locations/{id}"]["get"]["responses"]["200"]
    sal["content"]["application/json"]["schema"] = _ref("service_at_location_full")
    sal["description"] = (
        "A service_at_location with its location and, in `service`, the fully nested service."
    )
    # Upstream has the two taxonomy-term operation ids the wrong way round.
    paths["/taxonomy_terms"]["get"]["operationId"] = "getPaginatedListOfTaxonomyTerms"
    paths["/taxonomy_terms/{id}"]["get"]["operationId"] = "getTaxonomyTermById"
    upstream["paths"] = paths
    upstream["info"] = {
        "title": "Wegwijzer HSDS API",
        "version": HSDS_VERSION,
        "summary": "The published services of this Wegwijzer as Open Referral HSDS 3.0.",
        "description": (
            "Read-only and public: only published services of published organisations, "
            "without non-public phones, contacts or municipality-only fields. Any site may "
            "read it (CORS); answers carry ETag and Last-Modified for conditional requests. "
            "Extensions are under `x_wegwijzer`. A parameter that is wrong or unknown gives "
            '400, an unknown id 404, both as `{"error", "parameter"}`. Differences from '
            "Open Referral's HSDS 3.0 OpenAPI description: `minimal` is not offered; "
            "`format` is `json` only; `proximity` is a number of meters and needs `postcode`; "
            "`/service_at_locations/{id}` answers a service_at_location with its location and "
            "service; ids are UUIDs; each parameter states the range accepted here."
        ),
    }
    return upstream


def hsds_openapi(server_url: str) -> dict[str, Any]:
    """Return the HSDS API's OpenAPI document with ``server_url`` as its server."""
    doc = copy.deepcopy(_hsds_document())
    doc["servers"] = [{"url": server_url, "description": "This Wegwijzer"}]
    return doc


# -- the search API -------------------------------------------------------------------------


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        **extra,
    }


def search_openapi(server_url: str, facets: dict[str, list[str]]) -> dict[str, Any]:
    """Return the OpenAPI document of ``GET /api/v1/search``; ``facets`` maps each filter to
    its codes."""
    text = {"type": "string", "maxLength": 200, "pattern": NO_CONTROL}
    # The site's forms send empty values; the API reads them as not given.
    flag = {"type": "string", "enum": ["1", "0", "true", "false", "ja", "nee", ""]}
    parameters = [
        _query("q", "The words to search for; a place in them is used as the place.", text),
        _query(
            "near",
            "A place, municipality or postcode (Dutch name: `plaats`).",
            {"type": "string", "maxLength": 100, "pattern": NO_CONTROL},
        ),
        _query(
            "radius_km",
            "Only services within this many km of `near` (needs `near`).",
            {"type": "number", "exclusiveMinimum": 0, "maximum": 300},
        ),
        _query("open_now", "Only services open now (`nu_open`).", flag),
        _query("walk_in", "Only services with walk-in hours (`inloop`).", flag),
        _query(
            "page",
            "Page number (`pagina`).",
            {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1},
        ),
        _query(
            "per_page",
            "Results per page.",
            {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        ),
        _query("lang", "Language of messages and links.", {"type": "string", "enum": ["nl", "en"]}),
    ]
    for facet, codes in facets.items():
        parameters.append(
            _query(
                facet,
                f"Filter on `{facet}`; repeat for more than one (OR within, AND across).",
                {"type": "array", "items": {"type": "string", "enum": [*sorted(codes), ""]}},
                style="form",
                explode=True,
            )
        )
    hit = {
        "type": "object",
        "required": ["id", "name", "organization", "url"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "organization": {"type": "object"},
            "snippet": {"type": "string"},
            "distance_km": {"type": ["number", "null"]},
            "is_national": {"type": "boolean"},
            "municipalities": {"type": "array", "items": {"type": "string"}},
            "themes": {"type": "array", "items": {"type": "string"}},
            "url": {"type": "string", "format": "uri"},
        },
    }
    result = {
        "type": "object",
        "required": ["query", "total", "page", "per_page", "results", "facets"],
        "properties": {
            "query": {"type": "string"},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "location": {"type": ["object", "null"]},
            "suggestion": {"type": ["string", "null"]},
            "urgent": {"type": "boolean"},
            "results": {"type": "array", "items": hit},
            "facets": {"type": "object"},
        },
    }
    error = {
        "description": "A parameter the API cannot use; `parameter` names it.",
        "content": {"application/json": {"schema": _ERROR}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wegwijzer search API",
            "version": "1",
            "description": "Search the published services as the site does. Each parameter "
            "also has the site's Dutch name (plaats, straal_km, nu_open, inloop, pagina, "
            "per_pagina). For the directory as Open Referral HSDS 3.0, see /api/hsds/.",
        },
        "servers": [{"url": server_url, "description": "This Wegwijzer"}],
        "paths": {
            "/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search published services.",
                    "parameters": parameters,
                    "responses": {
                        "200": {
                            "description": "One page of results with facet counts.",
                            "content": {"application/json": {"schema": result}},
                        },
                        "400": error,
                        "503": {
                            "description": "Search is being repaired; try again later.",
                            "content": {"application/json": {"schema": _ERROR}},
                        },
                    },
                }
            }
        },
    }
