"""HSDS versions and profiles: recognise 1.x, 2.0, 3.0, 3.1 and Open Referral UK in JSON, and
bring older shapes to today's (3.0) shape before they are checked.

Older shapes, and what they become:

- ``regular_schedule(s)`` (``weekday`` as MONDAY, Monday, maandag or 1-7, ``opens_at``,
  ``closes_at``) and ``holiday_schedule(s)`` (``closed``, ``start_date``, ``end_date``):
  ``schedules`` with ``byday``, ``valid_from``/``valid_to`` and a closed mark;
- ``physical_address(es)`` / ``postal_address(es)`` of a location: ``addresses`` with their
  ``address_type``;
- ``locations`` straight under a service: ``service_at_locations``;
- an organisation's ``url``: its ``website``; a service's ``fees``: ``fees_description``;
- ``eligibility``/``eligibilitys``: ``eligibility_description`` and the ages;
- ``service_taxonomy(s)``: ``attributes`` with their term;
- ``service_area``, ``language``, ``accessibility_for_disabilities``, ``fundings``: their 3.0
  fields.

Fields that are in no HSDS version Wegwijzer reads are named in one warning each.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from typing import Any

from ..resources import DATA_DIR
from .report import Text, nl

#: Versions and profiles as named in the report.
LABELS = {
    "1": "HSDS 1.x",
    "2.0": "HSDS 2.0",
    "3.0": "HSDS 3.0",
    "3.1": "HSDS 3.1",
    "uk": nl("Open Referral UK (HSDS 1.1-profiel)"),
}

_DAY_NAMES = {
    "MO": ("mo", "mon", "monday", "ma", "maandag"),
    "TU": ("tu", "tue", "tues", "tuesday", "di", "dinsdag"),
    "WE": ("we", "wed", "wednesday", "wo", "woensdag"),
    "TH": ("th", "thu", "thur", "thurs", "thursday", "do", "donderdag"),
    "FR": ("fr", "fri", "friday", "vr", "vrijdag"),
    "SA": ("sa", "sat", "saturday", "za", "zaterdag"),
    "SU": ("su", "sun", "sunday", "zo", "zondag"),
}
DAY_CODES = {name: code for code, names in _DAY_NAMES.items() for name in names}
#: ISO weekday numbers (1 = Monday … 7 = Sunday).
ISO_DAYS = dict(zip("1234567", _DAY_NAMES, strict=True))


def weekday_code(value: Any) -> str | None:
    """Return MO … SU for a weekday name (MONDAY, Monday, maandag, Mon) or ISO number."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    word = value.strip().rstrip(".").lower()
    if word in ISO_DAYS:
        return ISO_DAYS[word]
    return DAY_CODES.get(word)


def byday_codes(value: str) -> str | None:
    """Return "MO,WE" for "Monday, Wednesday" or "MONDAY"; None when a part is no day."""
    parts = [p for p in re.split(r"[,;/\s]+", value.strip()) if p]
    codes = []
    for part in parts:
        match = re.fullmatch(r"([+-]?\d)?([A-Za-z]+)", part)
        if match is None:
            return None
        code = weekday_code(match.group(2))
        if code is None:
            return None
        codes.append((match.group(1) or "") + code)
    return ",".join(codes) if codes else None


@cache
def schema_fields() -> dict[str, frozenset[str]]:
    """Return the field names of each HSDS object (3.0 schemas plus the 3.1 additions)."""
    fields: dict[str, set[str]] = {}
    for path in sorted((DATA_DIR / "hsds" / "schema").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(schema.get("properties"), dict):
            fields[path.stem] = set(schema["properties"])
    # HSDS 3.1 added these.
    fields.setdefault("service", set()).update({"additional_urls", "capacities"})
    fields.setdefault("organization", set()).update({"additional_websites"})
    return {name: frozenset(names) for name, names in fields.items()}


#: Keys that mark the older shapes (present in 1.x, 2.0 and the UK profile, gone in 3.0).
_OLD_SERVICE_KEYS = frozenset(
    {
        "regular_schedules", "regular_schedule", "holiday_schedules", "holiday_schedule",
        "service_taxonomys", "service_taxonomy", "eligibilitys", "eligibility", "locations",
        "fundings", "reviews", "links", "deliverable_type", "attending_type",
        "attending_access", "payment_accepted", "payments_accepteds",
    }
)  # fmt: skip
_UK_KEYS = frozenset(
    {
        "service_taxonomys", "eligibilitys", "fundings", "reviews", "links", "deliverable_type",
        "attending_access", "cost_options",
    }
)  # fmt: skip
_V31_KEYS = frozenset({"additional_urls", "capacities"})


def detect_services(services: list[dict[str, Any]], declared: str | None = None) -> str:
    """Return the version key (see LABELS) the service objects are written in."""
    if declared:
        return declared
    keys: set[str] = set()
    loc_keys: set[str] = set()
    for svc in services[:200]:
        keys.update(svc)
        for sal in _items(svc.get("service_at_locations")) + _items(svc.get("locations")):
            loc = sal.get("location") if isinstance(sal.get("location"), dict) else sal
            loc_keys.update(loc)
    old = bool(keys & _OLD_SERVICE_KEYS) or bool(
        loc_keys & {"physical_addresses", "postal_addresses", "physical_address"}
    )
    if old:
        if keys & {"service_taxonomys", "eligibilitys", "reviews", "links", "deliverable_type"}:
            return "uk"
        return "1"
    if keys & _V31_KEYS:
        return "3.1"
    return "3.0"


def declared_version(value: Any) -> str | None:
    """Return the version a document states about itself (``version``, ``profile``)."""
    if not isinstance(value, dict):
        return None
    profile = str(value.get("profile") or "").lower()
    if "openreferraluk" in profile or "open referral uk" in profile:
        return "uk"
    version = str(value.get("hsds_version") or value.get("version") or "").strip()
    return version_key(version)


def version_key(version: str) -> str | None:
    """Return the LABELS key for a version number as a file writes it ("1.1", "3.1.0")."""
    match = re.match(r"^v?(\d+)(?:\.(\d+))?", version.strip().lower())
    if match is None:
        return None
    major, minor = match.group(1), match.group(2) or "0"
    if major == "1":
        return "1"
    if major == "2":
        return "2.0"
    if major == "3":
        return "3.1" if minor != "0" else "3.0"
    return None


class Upgrader:
    """Bring older HSDS service objects to the 3.0 shape; count fields no version knows."""

    def __init__(self) -> None:
        #: "object.field" → how often a field no HSDS version Wegwijzer reads was found.
        self.unused: Counter[str] = Counter()
        #: Descriptions of what was mapped, e.g. "regular_schedules → schedules".
        self.mapped: Counter[str] = Counter()

    def warnings(self) -> list[Text]:
        """Return one Dutch warning per unused field and a summary of what was mapped."""
        out = []
        for what, count in sorted(self.mapped.items()):
            out.append(nl("Oudere vorm omgezet: %(what)s (%(n)s×).", what=what, n=count))
        for name, count in sorted(self.unused.items()):
            obj, _, key = name.partition(".")
            out.append(
                nl(
                    "Het veld '%(field)s' (%(object)s) hoort niet bij HSDS 3; Wegwijzer gebruikt "
                    "het niet (%(n)s×).",
                    field=key,
                    object=obj,
                    n=count,
                )
            )
        return out

    def _map(self, what: str) -> None:
        self.mapped[what] += 1

    def _rename(self, obj: dict[str, Any], old: str, new: str, kind: str) -> None:
        if old in obj:
            value = obj.pop(old)
            if obj.get(new) in (None, "", []):
                obj[new] = value
            self._map(f"{kind}.{old} → {new}")

    def _check_keys(self, obj: dict[str, Any], kind: str) -> None:
        known = schema_fields().get(kind)
        if known is None:
            return
        for key in obj:
            if key not in known and not key.startswith(("x_", "_")):
                self.unused[f"{kind}.{key}"] += 1

    # -- today's shape: only look -------------------------------------------------------------

    def check(self, svc: dict[str, Any]) -> None:
        """Count the fields of a 3.x service object (and its nested objects) no HSDS knows."""
        self._check_keys(svc, "service")
        for key, kind in (
            ("schedules", "schedule"),
            ("service_areas", "service_area"),
            ("languages", "language"),
            ("contacts", "contact"),
            ("phones", "phone"),
            ("cost_options", "cost_option"),
            ("funding", "funding"),
            ("required_documents", "required_document"),
            ("attributes", "attribute"),
        ):
            for item in _items(svc.get(key)):
                self._check_keys(item, kind)
        org = svc.get("organization")
        if isinstance(org, dict):
            self._check_keys({k: v for k, v in org.items() if k != "services"}, "organization")
        for sal in _items(svc.get("service_at_locations")):
            self._check_keys(sal, "service_at_location")
            loc = sal.get("location")
            if isinstance(loc, dict):
                self._check_keys(loc, "location")
                for addr in _items(loc.get("addresses")):
                    self._check_keys(addr, "address")

    # -- older shapes: map -------------------------------------------------------------------

    def service(self, svc: dict[str, Any]) -> dict[str, Any]:
        """Return an older service object in 3.0 shape (a copy; nested objects too).

        Values of the wrong type are left as they are, for the checks to report.
        """
        svc = dict(svc)
        self._rename(svc, "fees", "fees_description", "service")
        self._eligibility(svc)
        schedules = svc.get("schedules")
        added: list[dict[str, Any]] = []
        for key in ("regular_schedules", "regular_schedule"):
            added.extend(self.regular_schedule(i) for i in _items(svc.pop(key, None)))
        for key in ("holiday_schedules", "holiday_schedule"):
            added.extend(self.holiday_schedule(i) for i in _items(svc.pop(key, None)))
        if added:
            svc["schedules"] = [*(schedules if isinstance(schedules, list) else []), *added]
        for key in ("service_taxonomys", "service_taxonomy"):
            if key in svc:
                attrs = svc.get("attributes") if isinstance(svc.get("attributes"), list) else []
                taxes = _items(svc.pop(key))
                svc["attributes"] = [*attrs, *(self.service_taxonomy(t) for t in taxes)]
                self._map(f"service.{key} → attributes")
        if "fundings" in svc:
            svc["funding"] = svc.pop("fundings")
            self._map("service.fundings → funding")
        _map_list(svc, "service_areas", self.service_area)
        _map_list(svc, "languages", self.language)
        if "locations" in svc and "service_at_locations" not in svc:
            places = _items(svc.pop("locations"))
            svc["service_at_locations"] = [{"location": loc} for loc in places]
            self._map("service.locations → service_at_locations")
        sals = svc.get("service_at_locations")
        if isinstance(sals, list):
            svc["service_at_locations"] = [
                self.service_at_location(svc, sal) if isinstance(sal, dict) else sal
                for sal in sals
            ]
        if isinstance(svc.get("organization"), dict):
            svc["organization"] = self.organization(svc["organization"])
        _map_list(svc, "contacts", self.contact)
        _map_list(svc, "phones", self.phone)
        _map_list(svc, "schedules", self.schedule)
        self._check_keys(svc, "service")
        return svc

    def service_at_location(self, svc: dict[str, Any], sal: dict[str, Any]) -> dict[str, Any]:
        """Return the link with its location in 3.0 shape; its opening hours go to the service."""
        sal = dict(sal)
        if isinstance(sal.get("location"), dict):
            sal["location"] = self.location(sal["location"])
        for key in ("regular_schedules", "holiday_schedules"):
            items = _items(sal.pop(key, None))
            if not items:
                continue
            convert = self.regular_schedule if key == "regular_schedules" else self.holiday_schedule
            current = svc.get("schedules") if isinstance(svc.get("schedules"), list) else []
            svc["schedules"] = [*current, *(convert(i) for i in items)]
        self._check_keys(sal, "service_at_location")
        return sal

    def _eligibility(self, svc: dict[str, Any]) -> None:
        for key in ("eligibilitys", "eligibility"):
            if key not in svc:
                continue
            value = svc.pop(key)
            texts = [value.strip()] if isinstance(value, str) and value.strip() else []
            for item in _items(value):
                text = item.get("eligibility") or item.get("description")
                if isinstance(text, str) and text.strip():
                    texts.append(text.strip())
                for age in ("minimum_age", "maximum_age"):
                    if item.get(age) not in (None, "") and svc.get(age) in (None, ""):
                        svc[age] = item[age]
            if texts and not svc.get("eligibility_description"):
                svc["eligibility_description"] = "; ".join(dict.fromkeys(texts))
            self._map(f"service.{key} → eligibility_description")

    def regular_schedule(self, item: dict[str, Any]) -> dict[str, Any]:
        """Return a 1.x/UK regular schedule as a 3.0 schedule (weekday → byday)."""
        out = dict(item)
        weekday = out.pop("weekday", None)
        if weekday not in (None, "") and not out.get("byday"):
            out["byday"] = weekday_code(weekday) or str(weekday)
            out["freq"] = out.get("freq") or "WEEKLY"
        self._map("regular_schedules → schedules")
        return out

    def holiday_schedule(self, item: dict[str, Any]) -> dict[str, Any]:
        """Return a 1.x/UK holiday schedule as a 3.0 schedule for its dates."""
        out = dict(item)
        start = out.pop("start_date", None)
        end = out.pop("end_date", None)
        closed = out.pop("closed", None)
        out["valid_from"] = out.get("valid_from") or start
        out["valid_to"] = out.get("valid_to") or end or start
        if str(closed).strip().lower() in ("true", "1", "yes", "ja", "y"):
            ext = dict(out.get("x_wegwijzer") or {})
            ext["is_closed"] = True
            out["x_wegwijzer"] = ext
        self._map("holiday_schedules → schedules")
        return out

    def schedule(self, item: dict[str, Any]) -> dict[str, Any]:
        self._check_keys(item, "schedule")
        return item

    def service_taxonomy(self, item: dict[str, Any]) -> dict[str, Any]:
        """Return a 1.x/UK service_taxonomy link as a 3.0 attribute with its term."""
        tax = item.get("taxonomy") if isinstance(item.get("taxonomy"), dict) else {}
        term = {
            "id": tax.get("id") or item.get("taxonomy_id"),
            "name": tax.get("name") or item.get("taxonomy_detail") or item.get("taxonomy_id"),
            "code": tax.get("id") or item.get("taxonomy_id"),
            "taxonomy": tax.get("vocabulary") or item.get("vocabulary"),
        }
        return {"id": item.get("id"), "taxonomy_term": term}

    def service_area(self, item: dict[str, Any]) -> dict[str, Any]:
        out = dict(item)
        self._rename(out, "service_area", "name", "service_area")
        self._check_keys(out, "service_area")
        return out

    def language(self, item: dict[str, Any]) -> dict[str, Any]:
        out = dict(item)
        self._rename(out, "language", "name", "language")
        self._check_keys(out, "language")
        return out

    def location(self, loc: dict[str, Any]) -> dict[str, Any]:
        """Return a location with physical/postal addresses as ``addresses``."""
        loc = dict(loc)
        added = []
        for key, kind in (
            ("physical_addresses", "physical"),
            ("physical_address", "physical"),
            ("postal_addresses", "postal"),
            ("postal_address", "postal"),
        ):
            for addr in _items(loc.pop(key, None)):
                added.append(self.address({"address_type": kind, **addr}))
                self._map(f"location.{key} → addresses")
        if added:
            current = loc.get("addresses") if isinstance(loc.get("addresses"), list) else []
            loc["addresses"] = [*current, *added]
        if "accessibility_for_disabilities" in loc:
            access = []
            for item in _items(loc.pop("accessibility_for_disabilities")):
                item = dict(item)
                self._rename(item, "accessibility", "description", "accessibility")
                access.append(item)
            current = loc.get("accessibility") if isinstance(loc.get("accessibility"), list) else []
            loc["accessibility"] = [*current, *access]
        _map_list(loc, "phones", self.phone)
        self._check_keys(loc, "location")
        return loc

    def address(self, addr: dict[str, Any]) -> dict[str, Any]:
        out = dict(addr)
        extra = [out.pop(k) for k in ("address_3", "address_4") if k in out]
        extra = [e.strip() for e in extra if isinstance(e, str) and e.strip()]
        if extra:
            first = [out["address_2"]] if isinstance(out.get("address_2"), str) else []
            out["address_2"] = ", ".join([*first, *extra])
            self._map("address.address_3/address_4 → address_2")
        self._check_keys(out, "address")
        return out

    def organization(self, org: dict[str, Any]) -> dict[str, Any]:
        org = dict(org)
        self._rename(org, "url", "website", "organization")
        _map_list(org, "contacts", self.contact)
        _map_list(org, "phones", self.phone)
        self._check_keys({k: v for k, v in org.items() if k != "services"}, "organization")
        return org

    def contact(self, contact: dict[str, Any]) -> dict[str, Any]:
        contact = dict(contact)
        _map_list(contact, "phones", self.phone)
        self._check_keys(contact, "contact")
        return contact

    def phone(self, phone: dict[str, Any]) -> dict[str, Any]:
        phone = dict(phone)
        language = phone.pop("language", None)
        if isinstance(language, str) and language.strip() and not phone.get("languages"):
            phone["languages"] = [{"name": language.strip()}]
            self._map("phone.language → languages")
        self._check_keys(phone, "phone")
        return phone


def _map_list(obj: dict[str, Any], key: str, convert: Any) -> None:
    """Convert each object in the list at ``key``; leave other values for the checks."""
    value = obj.get(key)
    if isinstance(value, list):
        obj[key] = [convert(v) if isinstance(v, dict) else v for v in value]


def _items(value: Any) -> list[dict[str, Any]]:
    """Return the objects in a list (or the one object); other values give nothing."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []
