"""HSDS fields Wegwijzer does not use itself: kept per object (``hsds_extra``), written back.

On import every object (service, organisation, location and each child row) keeps what its
file said beyond the fields Wegwijzer reads: other HSDS 3.0/3.1 fields (``accreditations``,
``funding``, ``capacities``, …), nested lists Wegwijzer has no table for (a phone's
``languages``, a location's ``schedules``), items it could not use (a service area outside
the Netherlands, a term of an unknown taxonomy) and the file's own id when Wegwijzer's id
differs. On export ``with_extra`` puts them back; Wegwijzer's own values come first.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from ..models.base import stable_id
from ..resources import DATA_DIR
from .values import as_uuid

#: Per HSDS object kind: the fields Wegwijzer reads and writes itself.
NATIVE: dict[str, frozenset[str]] = {
    "service": frozenset(
        (
            "id", "organization_id", "organization", "name", "alternate_name", "description",
            "url", "email", "status", "interpretation_services", "application_process",
            "fees_description", "wait_time", "eligibility_description", "minimum_age",
            "maximum_age", "alert", "last_modified", "phones", "contacts", "schedules",
            "service_areas", "service_at_locations", "languages", "cost_options", "attributes",
        )
    ),
    "organization": frozenset(
        ("id", "name", "alternate_name", "description", "email", "website", "phones", "contacts")
    ),
    "location": frozenset(
        (
            "id", "location_type", "organization_id", "name", "description", "transportation",
            "latitude", "longitude", "addresses", "accessibility",
        )
    ),
    "address": frozenset(
        (
            "id", "attention", "address_1", "address_2", "city", "region", "state_province",
            "postal_code", "country", "address_type",
        )
    ),
    "accessibility": frozenset(("id", "description", "details", "url")),
    "service_at_location": frozenset(
        ("id", "service_id", "location_id", "description", "location")
    ),
    "phone": frozenset(("id", "number", "extension", "type", "description", "is_public")),
    "contact": frozenset(
        ("id", "name", "title", "department", "email", "phones", "is_public")
    ),
    "schedule": frozenset(
        (
            "id", "freq", "byday", "opens_at", "closes_at", "valid_from", "valid_to",
            "attending_type", "description", "notes",
        )
    ),
    "service_area": frozenset(("id", "name", "description", "extent", "extent_type", "uri")),
    "language": frozenset(("id", "name", "code", "note")),
    "cost_option": frozenset(
        ("id", "option", "amount", "currency", "amount_description", "valid_from", "valid_to")
    ),
    "attribute": frozenset(
        ("id", "link_id", "link_entity", "link_type", "taxonomy_term_id", "value", "taxonomy_term")
    ),
}  # fmt: skip
#: Keys that are never HSDS data: Wegwijzer's extension and the tabular reader's origin.
NOT_DATA = frozenset(("x_wegwijzer", "_origin"))
#: References to the parent a nested object may repeat (left out: it is nested in it).
PARENT_REFS = frozenset(
    (
        "service_id", "organization_id", "location_id", "contact_id", "service_at_location_id",
        "link_id",
    )
)  # fmt: skip
#: Kinds that are always nested in a parent (their parent references are not kept as given).
CHILD_KINDS = frozenset(NATIVE) - {"service", "organization", "location", "service_at_location"}
SCHEMA_DIR = DATA_DIR / "hsds" / "schema"


def source_id(obj: dict[str, Any]) -> str | None:
    """Return the id the file gave an object: ``x_wegwijzer.source_id`` (an export of a
    foreign id), else its ``id``."""
    ext = obj.get("x_wegwijzer")
    if isinstance(ext, dict) and isinstance(ext.get("source_id"), str | int):
        given: Any = ext["source_id"]
    else:
        given = obj.get("id")
    if isinstance(given, bool) or not isinstance(given, str | int):
        return None
    text = str(given).strip()
    return text or None


def extra_of(
    kind: str, obj: dict[str, Any], own_id: str | None, **more: Any
) -> dict[str, Any] | None:
    """Return what ``obj`` holds beyond Wegwijzer's fields (None when nothing), with
    ``more`` (e.g. items Wegwijzer could not use) added."""
    native = NATIVE[kind]
    extra: dict[str, Any] = {}
    originals = _source_ids(obj)
    for key, value in obj.items():
        if key in native or key in NOT_DATA or value is None or value == "":
            continue
        if key in PARENT_REFS and kind in CHILD_KINDS:
            # Nested in its parent, or (tabular) linked to it: Wegwijzer knows which it is.
            continue
        extra[key] = originals.get(key) or _typed(kind, key, plain(value))
    for key, value in more.items():
        if value not in (None, "", []):
            extra[key] = value
    given = source_id(obj)
    if given is not None and given != own_id:
        extra["id"] = given
    return extra or None


def kept_item(item: dict[str, Any]) -> dict[str, Any]:
    """Return an item Wegwijzer cannot use as it will be kept: as the file has it, without
    the reference to its parent (it is kept with it)."""
    kept = {k: v for k, v in plain(item).items() if k not in PARENT_REFS and v not in (None, "")}
    if isinstance(kept.get("taxonomy_term"), dict):
        # The nested term carries its id; a data package adds the link columns (and says
        # the link is to a service).
        kept.pop("taxonomy_term_id", None)
        if kept.get("link_entity") == "service":
            del kept["link_entity"]
    return kept


def plain(value: Any) -> Any:
    """Return ``value`` as its file first had it: without the tabular reader's notes, with
    the ids an export replaced (``x_wegwijzer.source_id``, ``source_ids``) put back and the
    fields it filled in (``x_wegwijzer.filled``) left out, at any depth."""
    if isinstance(value, dict):
        # Keys starting with "_" are the tabular reader's notes (file, line), not data; an
        # empty value says nothing (an export leaves it out, or fills in what HSDS requires).
        out = {
            k: plain(v)
            for k, v in value.items()
            if not k.startswith("_") and v not in ("", None) and k not in FLAT_NOTES
        }
        originals = _source_ids(value)
        own = _note(value, "source_id")
        if isinstance(own, str) and own:
            originals = {**originals, "id": own}
        filled = _note(value, "filled")
        if originals or filled:
            out.update(originals)
            for key in filled if isinstance(filled, list) else ():
                out.pop(key, None)
            ext = {
                k: v
                for k, v in (out.get("x_wegwijzer") or {}).items()
                if k not in ("source_id", "source_ids", "filled")
            }
            if ext:
                out["x_wegwijzer"] = ext
            else:
                out.pop("x_wegwijzer", None)
        return out
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


#: Notes of an export as a data package reader leaves them on a row it does not nest.
FLAT_NOTES = frozenset(("x_wegwijzer_source_id", "x_wegwijzer_source_ids", "x_wegwijzer_filled"))


def _note(obj: dict[str, Any], key: str) -> Any:
    """Return an export's note ``x_wegwijzer.<key>`` (or a data package's flat column)."""
    ext = obj.get("x_wegwijzer")
    found = ext.get(key) if isinstance(ext, dict) else None
    if found is None:
        found = obj.get(f"x_wegwijzer_{key}")
    if isinstance(found, str) and found[:1] in ("[", "{"):
        try:
            found = json.loads(found)
        except (ValueError, RecursionError):
            return None
    return found


def _source_ids(obj: dict[str, Any]) -> dict[str, str]:
    found = _note(obj, "source_ids")
    if not isinstance(found, dict):
        return {}
    return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}


def exported_id(own_id: str, extra: dict[str, Any] | None) -> str:
    """Return the id to export: the file's own id when it is a UUID, else Wegwijzer's."""
    given = (extra or {}).get("id")
    if isinstance(given, str) and as_uuid(given) is not None:
        return given
    return own_id


def with_extra(data: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """Return ``data`` (an exported object) with the kept fields of ``extra`` added.

    Wegwijzer's own non-empty values win; kept lists are added after Wegwijzer's items. A
    file's id that is a UUID is the exported id; another id is kept as
    ``x_wegwijzer.source_id`` (HSDS ids are UUIDs). Other ids in kept fields
    that are not UUIDs are written as stable UUIDs, the file's own in
    ``x_wegwijzer.source_ids`` (an import puts them back).
    """
    if not extra:
        return data
    out = dict(data)
    originals: dict[str, str] = {}
    for key, value in extra.items():
        if key == "id":
            if "id" in out:
                out["id"] = exported_id(out["id"], extra)
                if out["id"] != value:
                    ext = dict(out.get("x_wegwijzer") or {})
                    ext["source_id"] = value
                    out["x_wegwijzer"] = ext
            continue
        if _is_foreign_id(key, value):
            originals[key] = value
            value = stable_id("hsds-source", value)
        else:
            value = uuid_ids(value)
        have = out.get(key)
        if have is None or have == "" or have == []:
            out[key] = value
        elif isinstance(have, list) and isinstance(value, list):
            out[key] = have + value
    if originals:
        out["x_wegwijzer"] = {**(out.get("x_wegwijzer") or {}), "source_ids": originals}
    return out


def uuid_ids(value: Any) -> Any:
    """Return kept data with ids that are not UUIDs replaced by stable UUIDs (the file's own
    kept in ``x_wegwijzer.source_ids``)."""
    if isinstance(value, list):
        return [uuid_ids(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    originals: dict[str, str] = {}
    for key, item in value.items():
        if _is_foreign_id(key, item):
            originals[key] = item
            out[key] = stable_id("hsds-source", item)
        else:
            out[key] = uuid_ids(item)
    if originals:
        out["x_wegwijzer"] = {**(out.get("x_wegwijzer") or {}), "source_ids": originals}
    return out


def _is_foreign_id(key: str, value: Any) -> bool:
    """Return True for an id (``id``, ``…_id``) that is not a UUID."""
    return (
        (key == "id" or (key.endswith("_id") and key != "tax_id"))
        and isinstance(value, str)
        and bool(value.strip())
        and as_uuid(value) is None
    )


@cache
def _schema_types() -> dict[str, dict[str, str]]:
    """Return HSDS kind → field → JSON type (number, integer, boolean, string…)."""
    out: dict[str, dict[str, str]] = {}
    for kind in NATIVE:
        path = SCHEMA_DIR / f"{kind}.json"
        if not path.exists():
            continue
        props = json.loads(path.read_text(encoding="utf-8")).get("properties", {})
        out[kind] = {k: v.get("type", "") for k, v in props.items() if isinstance(v, dict)}
    return out


def _typed(kind: str, key: str, value: Any) -> Any:
    """Return a spreadsheet cell for a number or yes/no field as that type (tabular files
    hold text only); anything else unchanged."""
    if not isinstance(value, str):
        return value
    kind_types = _schema_types().get(kind, {})
    wanted = kind_types.get(key)
    text = value.strip()
    if wanted in ("number", "integer"):
        try:
            number = float(text)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in text else number
    if wanted == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return value
