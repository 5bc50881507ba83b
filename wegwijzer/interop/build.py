"""Check HSDS-shaped service objects and turn them into records: types, enums, terms, places."""

from __future__ import annotations

import contextlib
import math
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..geo import Gazetteer, NotFound, normalise
from ..models import Address, PublicationStatus, Taxonomy, TaxonomyTerm, stable_id
from ..models.service import WEEKDAYS
from .records import Bundle, RawService, Record, Row
from .report import ImportReport
from .schema import (
    CHILDREN,
    INTERNAL_FIELDS,
    MODELS,
    ChildSpec,
    max_length,
)

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
ATTENDING_TYPES = ("inloop", "op-afspraak", "telefonisch")
PUBLICATION_STATUSES = tuple(s.value for s in PublicationStatus)
#: Pseudo-taxonomy for plain keywords: kept as keywords without a warning.
KEYWORD_TAXONOMY = "wegwijzer-trefwoord"
NATIONAL_WORDS = frozenset({"landelijk", "nederland", "heel nederland", "national", "nationaal"})
TOOI_GEMEENTE = re.compile(r"/tooi/id/gemeente/gm(\d{4})\s*$", re.IGNORECASE)
GM_CODE = re.compile(r"^\s*(?:GM)?(\d{4})\s*$", re.IGNORECASE)
TIME_RE = re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
BYDAY_TOKEN = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE_RE = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})?\s*$")
#: Most children of one kind a service may have; protects against absurd files.
MAX_CHILDREN = 500


class _Skip(Exception):
    """A value is wrong; the problem is already reported."""


class Builder:
    """Turn raw service objects into a checked Bundle, reporting every problem found."""

    def __init__(self, session: Session, gazetteer: Gazetteer, report: ImportReport) -> None:
        self.session = session
        self.gaz = gazetteer
        self.report = report
        self.bundle = Bundle()
        self._terms: dict[str, dict[str, str]] = {}
        self._term_labels: dict[str, dict[str, str]] = {}
        self._term_ids: set[str] = set()
        self._facets: dict[str, str] = {}
        for tax in session.scalars(select(Taxonomy)):
            self._facets[tax.facet] = tax.name
            self._terms.setdefault(tax.name, {})
            self._term_labels.setdefault(tax.name, {})
        for term in session.scalars(select(TaxonomyTerm)):
            name = term.taxonomy.name
            self._terms[name][term.code] = term.id
            self._term_labels[name][normalise(term.name)] = term.code
            if term.name_en:
                self._term_labels[name].setdefault(normalise(term.name_en), term.code)
            self._term_ids.add(term.id)
        self._muni_names: dict[str, str] = {}
        for m in gazetteer.municipalities():
            self._muni_names[normalise(m.name)] = m.gm_code
            if m.name_alt:
                self._muni_names.setdefault(normalise(m.name_alt), m.gm_code)
        self._service_rows: dict[str, int] = {}
        self._claimed: dict[tuple[str, str], str] = {}
        self._org_refs: list[tuple[RawService, str]] = []
        self._location_refs: list[tuple[RawService, str, str]] = []
        self._unknown_taxonomies: dict[str, int] = {}
        self._org_names: dict[str, str] = {}
        self._org_names_loaded = False

    # -- reporting -----------------------------------------------------------------------

    def error(self, raw: RawService, path: str, message: str) -> None:
        file, row, field = raw.locate(path)
        self.report.error(row, field, message, file=file)

    def warn(self, raw: RawService, path: str, message: str) -> None:
        file, row, field = raw.locate(path)
        self.report.warn(row, field, message, file=file)

    # -- typed getters -------------------------------------------------------------------

    def text(
        self,
        raw: RawService,
        obj: dict[str, Any],
        key: str,
        path: str,
        *,
        limit: int | None = None,
        required: bool = False,
    ) -> str | None:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(raw, where, "Dit veld is verplicht en ontbreekt.")
                raise _Skip
            return None
        if not isinstance(value, str):
            self.error(raw, where, f"Verwacht tekst, maar kreeg {_type_nl(value)}.")
            raise _Skip
        value = value.strip()
        if limit is not None and len(value) > limit:
            self.error(raw, where, f"Te lang: {len(value)} tekens, hoogstens {limit}.")
            raise _Skip
        return value

    def integer(
        self, raw: RawService, obj: dict[str, Any], key: str, path: str, *, low: int, high: int
    ) -> int | None:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            return None
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(raw, where, f"Verwacht een geheel getal, maar kreeg {_type_nl(value)}.")
            raise _Skip
        if not low <= value <= high:
            self.error(raw, where, f"Getal {value} ligt niet tussen {low} en {high}.")
            raise _Skip
        return value

    def number(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> float | None:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                self.error(raw, where, f"Verwacht een getal, maar kreeg '{_clip(value)}'.")
                raise _Skip from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(raw, where, f"Verwacht een getal, maar kreeg {_type_nl(value)}.")
            raise _Skip
        value = float(value)
        if not math.isfinite(value):
            self.error(raw, where, "Verwacht een eindig getal.")
            raise _Skip
        return value

    def boolean(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> bool | None:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("ja", "j", "yes", "y", "true", "waar", "1", "x"):
                return True
            if word in ("nee", "n", "no", "false", "onwaar", "0"):
                return False
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        self.error(raw, where, f"Verwacht ja of nee, maar kreeg '{_clip(value)}'.")
        raise _Skip

    def enum(
        self,
        raw: RawService,
        obj: dict[str, Any],
        key: str,
        path: str,
        choices: Iterable[str],
        *,
        default: str | None = None,
    ) -> str | None:
        value = self.text(raw, obj, key, path)
        if value is None:
            return default
        options = tuple(choices)
        lowered = value.lower()
        for option in options:
            if option.lower() == lowered:
                return option
        where = f"{path}.{key}" if path else key
        self.error(
            raw, where, f"Onbekende waarde '{_clip(value)}'; kies uit: {', '.join(options)}."
        )
        raise _Skip

    def day(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> date | None:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            return None
        if isinstance(value, str):
            parsed = _parse_date(value.strip())
            if parsed is not None:
                return parsed
        self.error(raw, where, f"Verwacht een datum als 2025-01-31, maar kreeg '{_clip(value)}'.")
        raise _Skip

    def moment(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> datetime | None:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            return None
        if isinstance(value, str):
            text = value.strip()
            day = _parse_date(text)
            if day is not None:
                return datetime.combine(day, time(), tzinfo=UTC)
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                moment = None
            if moment is not None:
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                return moment.astimezone(UTC)
        self.error(
            raw,
            where,
            f"Verwacht een datum (2025-01-31) of tijdstip (2025-01-31T09:00:00Z), maar kreeg "
            f"'{_clip(value)}'.",
        )
        raise _Skip

    def clock(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> str | None:
        value = self.text(raw, obj, key, path)
        if value is None:
            return None
        match = TIME_RE.match(value)
        if match:
            hours, minutes = int(match.group(1)), int(match.group(2))
            if (hours < 24 and minutes < 60) or (hours == 24 and minutes == 0):
                return f"{hours:02d}:{minutes:02d}"
        self.error(raw, f"{path}.{key}", f"Verwacht een tijd als 09:00, maar kreeg '{value}'.")
        raise _Skip

    def objects(
        self, raw: RawService, obj: dict[str, Any], key: str, path: str
    ) -> list[tuple[str, dict[str, Any]]]:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(raw, where, f"Verwacht een lijst, maar kreeg {_type_nl(value)}.")
            return []
        if len(value) > MAX_CHILDREN:
            self.error(raw, where, f"Te veel items ({len(value)}); hoogstens {MAX_CHILDREN}.")
            return []
        items = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.error(
                    raw, f"{where}[{i}]", f"Verwacht een object, maar kreeg {_type_nl(item)}."
                )
                continue
            items.append((f"{where}[{i}]", item))
        return items

    def texts(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> list[str] | None:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return None
        if isinstance(value, str):
            value = [v for v in re.split(r"\s*[;\n]\s*", value) if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(raw, where, "Verwacht een lijst met teksten.")
            raise _Skip
        if len(value) > MAX_CHILDREN:
            self.error(raw, where, f"Te veel items ({len(value)}); hoogstens {MAX_CHILDREN}.")
            raise _Skip
        return [v.strip() for v in value if v.strip()]

    def email(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> str | None:
        value = self.text(raw, obj, key, path, limit=255)
        if value is not None and not EMAIL_RE.match(value):
            self.error(raw, f"{path}.{key}" if path else key, f"Ongeldig e-mailadres: '{value}'.")
            raise _Skip
        return value

    def url(self, raw: RawService, obj: dict[str, Any], key: str, path: str) -> str | None:
        value = self.text(raw, obj, key, path, limit=500)
        if value is None:
            return None
        if re.match(r"^https?://[^\s/]+\.[^\s]+$", value, re.IGNORECASE):
            return value
        if re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", value):
            # "www.voorbeeld.nl" from a spreadsheet: the scheme is implied.
            return "https://" + value
        self.error(raw, f"{path}.{key}" if path else key, f"Ongeldig webadres: '{_clip(value)}'.")
        raise _Skip

    # -- ids ---------------------------------------------------------------------------------

    def entity_id(
        self, raw: RawService, value: Any, kind: str, path: str, *, required: bool = True
    ) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(raw, path, "De id ontbreekt.")
                raise _Skip
            return None
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.error(raw, path, f"Een id moet tekst zijn, maar kreeg {_type_nl(value)}.")
            raise _Skip
        text = str(value).strip()
        if len(text) > 200:
            self.error(raw, path, "De id is te lang (hoogstens 200 tekens).")
            raise _Skip
        return _as_uuid(text) or stable_id("import", kind, text)

    def child_id(self, value: Any, table: str, parent_id: str, index: int) -> str:
        """Return the file's id for a child when it is a free UUID, else a stable derived one."""
        given = _as_uuid(value.strip()) if isinstance(value, str) else None
        if given is not None and self._claimed.setdefault((table, given), parent_id) == parent_id:
            return given
        seed = value.strip() if isinstance(value, str) and value.strip() else str(index)
        return stable_id(table, parent_id, seed)

    # -- services --------------------------------------------------------------------------

    def add_service(self, raw: RawService) -> None:
        """Check one raw service and add it (with its organisation and locations) to the bundle."""
        data = raw.data
        for column, message in raw.parse_errors:
            self.report.error(raw.row, column, message, file=raw.file)
        try:
            service_id = self.entity_id(raw, data.get("id"), "service", "id")
        except _Skip:
            return
        assert service_id is not None
        first = self._service_rows.get(service_id)
        if first is not None:
            self.error(
                raw, "id", f"Dubbele id: deze dienst staat ook in rij {first}; elke id één keer."
            )
            return
        self._service_rows[service_id] = raw.row
        fields: dict[str, Any] = {}
        model = MODELS["service"]

        def field(key: str, getter: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return getter(raw, data, key, "", *args, **kwargs)
            except _Skip:
                return None

        fields["name"] = field("name", self.text, limit=max_length(model, "name"), required=True)
        fields["alternate_name"] = field(
            "alternate_name", self.text, limit=max_length(model, "alternate_name")
        )
        fields["description"] = field("description", self.text) or ""
        fields["url"] = field("url", self.url)
        fields["email"] = field("email", self.email)
        fields["status"] = field("status", self.enum, SERVICE_STATUSES, default="active")
        for key in (
            "application_process",
            "eligibility_description",
            "fees_description",
            "interpretation_services",
            "alert",
        ):
            fields[key] = field(key, self.text)
        fields["wait_time"] = field("wait_time", self.text, limit=max_length(model, "wait_time"))
        fields["minimum_age"] = field("minimum_age", self.integer, low=0, high=130)
        fields["maximum_age"] = field("maximum_age", self.integer, low=0, high=130)

        org_id = self._service_organization(raw, service_id)
        fields["organization_id"] = org_id

        ext = data.get("x_wegwijzer")
        if ext is not None and not isinstance(ext, dict):
            self.error(raw, "x_wegwijzer", f"Verwacht een object, maar kreeg {_type_nl(ext)}.")
            ext = None
        ext = ext or {}
        record = Record("service", service_id, raw.row, raw.file, fields)
        # Problems are in the report; the record is kept so references to it still resolve.
        with contextlib.suppress(_Skip):
            self._service_extension(raw, ext, record)
        keywords: list[str] = []
        with contextlib.suppress(_Skip):
            keywords.extend(self.texts(raw, ext, "keywords", "x_wegwijzer") or [])

        children = record.children
        children["phones"] = self._phones(raw, data, "phones", "", service_id, public_default=True)
        children["contacts"] = self._contacts(raw, data, "", service_id)
        direct = self._direct_contact(raw, ext, service_id)
        if direct is not None:
            children["contacts"].append(direct)
        children["schedules"] = self._schedules(raw, data, service_id)
        children["service_areas"] = self._areas(raw, data, service_id)
        children["languages"] = self._simple(
            raw, data, "languages", "languages", service_id, self._language
        )
        children["cost_options"] = self._simple(
            raw, data, "cost_options", "cost_options", service_id, self._cost_option
        )
        children["service_at_locations"] = self._service_locations(raw, data, service_id, org_id)
        children["attributes"] = self._attributes(raw, data, service_id, keywords)
        fields["keywords"] = "; ".join(dict.fromkeys(k[:100] for k in keywords))
        record.create_defaults["publication_status"] = "concept"
        if raw.present is not None:
            # A spreadsheet row: only the columns it has are set; the rest is left alone.
            for key in list(fields):
                if key not in raw.present and key != "organization_id":
                    record.create_defaults.setdefault(key, fields.pop(key))
            for name in list(children):
                if name not in raw.present:
                    del children[name]
            record.keep_private = True
            record.keep_unlisted = {"contacts", "service_at_locations"}
            record.adopt = True
            record.covered_taxonomies = {
                p.split(":", 1)[1] for p in raw.present if p.startswith("taxonomy:")
            }
        # Kept even when a field failed, so references to it do not cascade into more errors.
        self.bundle.services[service_id] = record

    def _service_extension(self, raw: RawService, ext: dict[str, Any], record: Record) -> None:
        fields = record.fields
        path = "x_wegwijzer"
        failed = False

        def take(key: str, getter: Any, *args: Any, **kwargs: Any) -> None:
            nonlocal failed
            if key not in ext:
                return
            try:
                fields[key] = getter(raw, ext, key, path, *args, **kwargs)
            except _Skip:
                failed = True

        take("publication_status", self.enum, PUBLICATION_STATUSES)
        if "publication_status" in fields and fields["publication_status"] is None:
            del fields["publication_status"]
        take("last_verified_at", self.moment)
        take("referral_route", self.text)
        take("warm_handover", self.boolean)
        if "handover_needs" in ext:
            try:
                fields["handover_needs"] = self.texts(raw, ext, "handover_needs", path) or []
            except _Skip:
                failed = True
        internal = ext.get("internal")
        if "internal" in ext:
            if internal is None:
                internal = {}
            if not isinstance(internal, dict):
                self.error(raw, f"{path}.internal", "Verwacht een object met interne velden.")
                raise _Skip
            for key in INTERNAL_FIELDS:
                try:
                    fields[key] = self.text(
                        raw,
                        internal,
                        key,
                        f"{path}.internal",
                        limit=max_length(MODELS["service"], key),
                    )
                except _Skip:
                    failed = True
        else:
            # A file without internal data (e.g. a public export) leaves private data alone.
            record.keep_private = True
        if failed:
            raise _Skip

    def _direct_contact(self, raw: RawService, ext: dict[str, Any], service_id: str) -> Row | None:
        value = ext.get("direct_contact")
        path = "x_wegwijzer.direct_contact"
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(raw, path, f"Verwacht een object, maar kreeg {_type_nl(value)}.")
            return None
        try:
            is_public = self.boolean(raw, value, "is_public", path)
            name = self.text(raw, value, "name", path, limit=255)
            email = self.email(raw, value, "email", path)
            phone = self.text(raw, value, "phone", path, limit=40)
        except _Skip:
            return None
        is_public = bool(is_public)
        contact_id = stable_id("direct-contact", service_id)
        row = Row(
            contact_id,
            {
                "name": name,
                "title": None,
                "department": None,
                "email": email,
                "is_public": is_public,
            },
        )
        row.children["phones"] = []
        if phone:
            row.children["phones"].append(
                Row(
                    stable_id("direct-contact-phone", service_id),
                    {
                        "number": phone,
                        "extension": None,
                        "type": "voice",
                        "description": None,
                        "is_public": is_public,
                        "position": 0,
                    },
                )
            )
        return row

    # -- organisations -------------------------------------------------------------------

    def _service_organization(self, raw: RawService, service_id: str) -> str | None:
        data = raw.data
        org = data.get("organization")
        ref = data.get("organization_id")
        if org is None and (ref is None or ref == ""):
            self.error(
                raw, "organization", "De dienst heeft geen organisatie (organization ontbreekt)."
            )
            return None
        try:
            ref_id = self.entity_id(raw, ref, "organization", "organization_id", required=False)
        except _Skip:
            return None
        if org is None:
            assert ref_id is not None
            self._org_refs.append((raw, ref_id))
            return ref_id
        if not isinstance(org, dict):
            self.error(raw, "organization", f"Verwacht een object, maar kreeg {_type_nl(org)}.")
            return None
        if raw.present is not None and ref_id is None and not org.get("id"):
            ref_id = self._organization_by_name(raw, org)
            if ref_id is None:
                return None
        org_id = self.add_organization(raw, org, "organization", fallback_id=ref_id)
        if org_id is not None and ref_id is not None and ref_id != org_id:
            self.error(
                raw,
                "organization_id",
                "organization_id wijst naar een andere organisatie dan het object organization.",
            )
            return None
        return org_id

    def add_organization(
        self, raw: RawService, org: dict[str, Any], path: str, *, fallback_id: str | None = None
    ) -> str | None:
        """Check an organisation object; add it once per id; return its id."""
        try:
            org_id = (
                self.entity_id(
                    raw, org.get("id"), "organization", f"{path}.id", required=fallback_id is None
                )
                or fallback_id
            )
        except _Skip:
            return None
        assert org_id is not None
        model = MODELS["organization"]
        try:
            fields: dict[str, Any] = {
                "name": self.text(
                    raw, org, "name", path, limit=max_length(model, "name"), required=True
                ),
                "alternate_name": self.text(
                    raw, org, "alternate_name", path, limit=max_length(model, "alternate_name")
                ),
                "description": self.text(raw, org, "description", path) or "",
                "email": self.email(raw, org, "email", path),
                "website": self.url(raw, org, "website", path),
            }
        except _Skip:
            return None
        record = Record("organization", org_id, raw.row, raw.file, fields)
        ext = org.get("x_wegwijzer")
        record.keep_private = True
        if isinstance(ext, dict):
            try:
                if "publication_status" in ext:
                    status = self.enum(
                        raw, ext, "publication_status", f"{path}.x_wegwijzer", PUBLICATION_STATUSES
                    )
                    if status:
                        fields["publication_status"] = status
                if "last_verified_at" in ext:
                    fields["last_verified_at"] = self.moment(
                        raw, ext, "last_verified_at", f"{path}.x_wegwijzer"
                    )
                if "internal" in ext and isinstance(ext["internal"] or {}, dict):
                    record.keep_private = False
                    for key in INTERNAL_FIELDS:
                        fields[key] = self.text(
                            raw,
                            ext["internal"] or {},
                            key,
                            f"{path}.x_wegwijzer.internal",
                            limit=max_length(model, key),
                        )
            except _Skip:
                return None
        elif ext is not None:
            self.error(raw, f"{path}.x_wegwijzer", "Verwacht een object.")
            return None
        record.children["phones"] = self._phones(
            raw, org, "phones", path, org_id, public_default=True
        )
        record.children["contacts"] = self._contacts(raw, org, path, org_id)
        if raw.present is not None:
            # A spreadsheet names the organisation only: create it, never overwrite it.
            record.create_defaults = dict(record.fields)
            record.fields = {"name": fields["name"]} if org.get("id") else {}
            record.children = {}
            record.keep_private = True
        self._merge("organization", self.bundle.organizations, record, raw, path)
        return org_id

    def _merge(
        self, kind: str, seen: dict[str, Record], record: Record, raw: RawService, path: str
    ) -> None:
        """Keep the first of several objects with one id; warn when they differ."""
        first = seen.get(record.id)
        if first is None:
            seen[record.id] = record
            return
        label = "organisatie" if kind == "organization" else "locatie"
        for key, value in record.fields.items():
            if key in first.fields and first.fields[key] != value:
                self.warn(
                    raw,
                    f"{path}.{key}",
                    f"Deze {label} (id {record.id}) staat al in rij {first.row} met een andere "
                    f"waarde voor {key}; de eerste is gebruikt.",
                )
                return
        if _children_signature(record.children) != _children_signature(first.children):
            self.warn(
                raw,
                path,
                f"Deze {label} (id {record.id}) staat al in rij {first.row} met andere "
                "gegevens; de eerste is gebruikt.",
            )

    # -- locations -------------------------------------------------------------------------

    def _service_locations(
        self, raw: RawService, data: dict[str, Any], service_id: str, org_id: str | None
    ) -> list[Row]:
        rows: list[Row] = []
        seen: set[str] = set()
        for i, (path, sal) in enumerate(self.objects(raw, data, "service_at_locations", "")):
            location = sal.get("location")
            try:
                ref = self.entity_id(
                    raw, sal.get("location_id"), "location", f"{path}.location_id", required=False
                )
                if isinstance(location, dict):
                    location_id = self.add_location(
                        raw, location, f"{path}.location", org_id, fallback_id=ref
                    )
                elif location is not None:
                    self.error(raw, f"{path}.location", "Verwacht een object.")
                    continue
                else:
                    if ref is None:
                        self.error(raw, path, "location en location_id ontbreken.")
                        continue
                    location_id = ref
                    self._location_refs.append((raw, path, ref))
                description = self.text(raw, sal, "description", path)
            except _Skip:
                continue
            if location_id is None or location_id in seen:
                continue
            seen.add(location_id)
            rows.append(
                Row(
                    self.child_id(sal.get("id"), "service_at_location", service_id, i),
                    {"location_id": location_id, "description": description},
                )
            )
        return rows

    def add_location(
        self,
        raw: RawService,
        loc: dict[str, Any],
        path: str,
        org_id: str | None,
        *,
        fallback_id: str | None = None,
    ) -> str | None:
        """Check a location, geocode it from the gazetteer when needed; return its id."""
        try:
            location_id = (
                self.entity_id(
                    raw, loc.get("id"), "location", f"{path}.id", required=fallback_id is None
                )
                or fallback_id
            )
        except _Skip:
            return None
        assert location_id is not None
        if location_id in self.bundle.locations:
            # Shared by several services: checked (and geocoded) once.
            first = self.bundle.locations[location_id]
            if first.fields.get("name") != (loc.get("name") or None) and isinstance(
                loc.get("name"), str
            ):
                self.warn(
                    raw,
                    f"{path}.name",
                    f"Deze locatie (id {location_id}) staat al in rij {first.row} met een andere "
                    "naam; de eerste is gebruikt.",
                )
            return location_id
        model = MODELS["location"]
        try:
            owner = (
                self.entity_id(
                    raw,
                    loc.get("organization_id"),
                    "organization",
                    f"{path}.organization_id",
                    required=False,
                )
                or org_id
            )
            fields: dict[str, Any] = {
                "organization_id": owner,
                "location_type": self.enum(
                    raw, loc, "location_type", path, LOCATION_TYPES, default="physical"
                ),
                "name": self.text(raw, loc, "name", path, limit=max_length(model, "name")),
                "description": self.text(raw, loc, "description", path),
                "transportation": self.text(raw, loc, "transportation", path),
                "latitude": self.number(raw, loc, "latitude", path),
                "longitude": self.number(raw, loc, "longitude", path),
            }
        except _Skip:
            return None
        record = Record("location", location_id, raw.row, raw.file, fields)
        addresses = self._simple(
            raw, loc, "addresses", f"{path}.addresses", location_id, self._address, table="address"
        )
        record.children["addresses"] = addresses
        record.children["accessibility"] = self._simple(
            raw,
            loc,
            "accessibility",
            f"{path}.accessibility",
            location_id,
            self._accessibility,
            table="accessibility",
        )
        if not self._place(raw, path, record):
            return None
        if owner is not None and owner != org_id:
            self._org_refs.append((raw, owner))
        if raw.present is not None:
            # A spreadsheet has the name, address and point only; keep the rest of a location.
            record.create_defaults = dict(record.fields)
            record.fields = {
                k: record.fields[k] for k in ("name", "latitude", "longitude", "gm_code")
            }
            del record.children["accessibility"]
            record.adopt = True
        self.bundle.locations[location_id] = record
        return location_id

    def _place(self, raw: RawService, path: str, record: Record) -> bool:
        """Fill in coordinates (postcode, else city) and the municipality; False on error."""
        fields = record.fields
        lat, lon = fields["latitude"], fields["longitude"]
        if (lat is None) != (lon is None):
            self.error(
                raw, f"{path}.latitude", "Geef zowel latitude als longitude, of geen van beide."
            )
            return False
        address = next(
            (
                a
                for a in record.children.get("addresses", [])
                if a.fields["address_type"] == "physical"
            ),
            None,
        ) or next(iter(record.children.get("addresses", [])), None)
        postcode_gm = None
        if address is not None and address.fields.get("postal_code"):
            place = self.gaz.postcode(address.fields["postal_code"])
            if place is not None:
                postcode_gm = place.gm_code
                if lat is None:
                    lat, lon = place.lat, place.lon
            elif address.fields.get("country", "NL") == "NL":
                self.warn(
                    raw,
                    f"{path}.addresses.postal_code",
                    f"Postcode {address.fields['postal_code']} is niet bekend.",
                )
        if lat is None and address is not None and address.fields.get("city"):
            found = self.gaz.resolve(address.fields["city"])
            if isinstance(found, NotFound):
                self.warn(
                    raw,
                    f"{path}.addresses.city",
                    f"Plaats '{_clip(address.fields['city'])}' niet gevonden; de locatie krijgt "
                    "geen plek op de kaart.",
                )
            else:
                lat, lon = found.lat, found.lon
                postcode_gm = postcode_gm or found.gm_code
        if lat is not None and lon is not None:
            if not self.gaz.is_in_netherlands(lat, lon):
                self.error(
                    raw,
                    f"{path}.latitude",
                    f"De coördinaten ({lat}, {lon}) liggen buiten Nederland. Let op de volgorde: "
                    "latitude (ca. 51-53) en longitude (ca. 3-7).",
                )
                return False
            fields["latitude"], fields["longitude"] = round(lat, 6), round(lon, 6)
            fields["gm_code"] = self.gaz.municipality_for_point(lat, lon) or postcode_gm
        else:
            fields["gm_code"] = postcode_gm
            if fields["location_type"] == "physical":
                self.warn(
                    raw,
                    path,
                    "Locatie zonder coördinaten, postcode of plaats: niet op de kaart en niet "
                    "vindbaar op afstand.",
                )
        return True

    def _address(self, raw: RawService, obj: dict[str, Any], path: str) -> dict[str, Any]:
        model = Address
        postal = self.text(raw, obj, "postal_code", path, limit=10)
        if postal is not None:
            match = POSTCODE_RE.match(postal)
            if match:
                postal = match.group(1) + (" " + match.group(2).upper() if match.group(2) else "")
        country = (self.text(raw, obj, "country", path, limit=2) or "NL").upper()
        return {
            "attention": self.text(
                raw, obj, "attention", path, limit=max_length(model, "attention")
            ),
            "address_1": self.text(raw, obj, "address_1", path, limit=255) or "",
            "address_2": self.text(raw, obj, "address_2", path, limit=255),
            "city": self.text(raw, obj, "city", path, limit=255) or "",
            "region": self.text(raw, obj, "region", path, limit=255),
            "state_province": self.text(raw, obj, "state_province", path, limit=255) or "",
            "postal_code": postal or "",
            "country": country,
            "address_type": self.enum(
                raw, obj, "address_type", path, LOCATION_TYPES, default="physical"
            ),
        }

    def _accessibility(self, raw: RawService, obj: dict[str, Any], path: str) -> dict[str, Any]:
        return {
            "description": self.text(raw, obj, "description", path),
            "details": self.text(raw, obj, "details", path),
            "url": self.url(raw, obj, "url", path),
        }

    # -- small children ---------------------------------------------------------------------

    def _simple(
        self,
        raw: RawService,
        obj: dict[str, Any],
        key: str,
        path: str,
        parent_id: str,
        convert: Any,
        *,
        table: str | None = None,
    ) -> list[Row]:
        base = path.rsplit(".", 1)[0] if "." in path else ""
        rows = []
        for i, (item_path, item) in enumerate(self.objects(raw, obj, key, base)):
            try:
                values = convert(raw, item, item_path)
            except _Skip:
                continue
            rows.append(Row(self.child_id(item.get("id"), table or key, parent_id, i), values))
        return rows

    def _language(self, raw: RawService, obj: dict[str, Any], path: str) -> dict[str, Any]:
        return {
            "name": self.text(raw, obj, "name", path, limit=100),
            "code": self.text(raw, obj, "code", path, limit=10),
            "note": self.text(raw, obj, "note", path),
        }

    def _cost_option(self, raw: RawService, obj: dict[str, Any], path: str) -> dict[str, Any]:
        return {
            "option": self.text(raw, obj, "option", path, limit=255),
            "amount": self.number(raw, obj, "amount", path),
            "currency": (self.text(raw, obj, "currency", path, limit=3) or "").upper() or None,
            "amount_description": self.text(raw, obj, "amount_description", path),
            "valid_from": self.day(raw, obj, "valid_from", path),
            "valid_to": self.day(raw, obj, "valid_to", path),
        }

    def _phones(
        self,
        raw: RawService,
        obj: dict[str, Any],
        key: str,
        path: str,
        parent_id: str,
        *,
        public_default: bool,
    ) -> list[Row]:
        rows = []
        for i, (item_path, item) in enumerate(self.objects(raw, obj, key, path)):
            try:
                number = self.text(raw, item, "number", item_path, limit=40, required=True)
                values = {
                    "number": number,
                    "extension": self.integer(raw, item, "extension", item_path, low=0, high=10**9),
                    "type": self.text(raw, item, "type", item_path, limit=20),
                    "description": self.text(raw, item, "description", item_path),
                    "is_public": self._is_public(raw, item, item_path, public_default),
                    "position": i,
                }
            except _Skip:
                continue
            rows.append(Row(self.child_id(item.get("id"), "phone", parent_id, i), values))
        return rows

    def _is_public(self, raw: RawService, item: dict[str, Any], path: str, default: bool) -> bool:
        ext = item.get("x_wegwijzer")
        value = None
        if isinstance(ext, dict):
            value = self.boolean(raw, ext, "is_public", f"{path}.x_wegwijzer")
        elif "is_public" in item:
            value = self.boolean(raw, item, "is_public", path)
        return default if value is None else value

    def _contacts(
        self, raw: RawService, obj: dict[str, Any], path: str, parent_id: str
    ) -> list[Row]:
        rows = []
        for i, (item_path, item) in enumerate(self.objects(raw, obj, "contacts", path)):
            contact_id = self.child_id(item.get("id"), "contact", parent_id, i)
            try:
                values = {
                    "name": self.text(raw, item, "name", item_path, limit=255),
                    "title": self.text(raw, item, "title", item_path, limit=255),
                    "department": self.text(raw, item, "department", item_path, limit=255),
                    "email": self.email(raw, item, "email", item_path),
                    "is_public": self._is_public(raw, item, item_path, True),
                }
            except _Skip:
                continue
            row = Row(contact_id, values)
            row.children["phones"] = self._phones(
                raw, item, "phones", item_path, contact_id, public_default=values["is_public"]
            )
            rows.append(row)
        return rows

    def _schedules(self, raw: RawService, data: dict[str, Any], service_id: str) -> list[Row]:
        rows = []
        for i, (path, item) in enumerate(self.objects(raw, data, "schedules", "")):
            try:
                values = self._schedule(raw, item, path)
            except _Skip:
                continue
            rows.append(Row(self.child_id(item.get("id"), "schedule", service_id, i), values))
        return rows

    def _schedule(self, raw: RawService, item: dict[str, Any], path: str) -> dict[str, Any]:
        failed = False

        def safe(getter: Any, *args: Any, **kwargs: Any) -> Any:
            # Check every field, so one report lists all problems of this schedule.
            nonlocal failed
            try:
                return getter(raw, *args, **kwargs)
            except _Skip:
                failed = True
                return None

        freq = safe(self.enum, item, "freq", path, ("WEEKLY", "MONTHLY"))
        byday = safe(self.text, item, "byday", path, limit=40)
        if byday is not None:
            tokens = [t.strip().upper() for t in byday.split(",") if t.strip()]
            bad = [t for t in tokens if not BYDAY_TOKEN.match(t)]
            if bad or not tokens:
                self.error(
                    raw,
                    f"{path}.byday",
                    f"Onbekende dag(en) '{', '.join(bad) or byday}'; gebruik "
                    f"{','.join(WEEKDAYS)}, bijvoorbeeld MO,WE.",
                )
                failed = True
            byday = ",".join(tokens)
        attending = safe(self.text, item, "attending_type", path)
        if attending is not None:
            attending = _attending(attending)
            if attending is None:
                self.warn(
                    raw,
                    f"{path}.attending_type",
                    f"Onbekende manier van komen '{_clip(item.get('attending_type'))}'; "
                    f"bekend zijn {', '.join(ATTENDING_TYPES)}. Het veld is leeg gelaten.",
                )
        ext = item.get("x_wegwijzer")
        is_closed = False
        if isinstance(ext, dict):
            is_closed = bool(safe(self.boolean, ext, "is_closed", f"{path}.x_wegwijzer"))
        opens_at = safe(self.clock, item, "opens_at", path)
        closes_at = safe(self.clock, item, "closes_at", path)
        if opens_at and closes_at and closes_at <= opens_at:
            self.error(
                raw, f"{path}.closes_at", f"De sluitingstijd {closes_at} ligt niet na {opens_at}."
            )
            failed = True
        valid_from = safe(self.day, item, "valid_from", path)
        valid_to = safe(self.day, item, "valid_to", path)
        if valid_from and valid_to and valid_to < valid_from:
            self.error(raw, f"{path}.valid_to", "De einddatum ligt vóór de begindatum.")
            failed = True
        description = safe(self.text, item, "description", path)
        notes = safe(self.text, item, "notes", path)
        if failed:
            raise _Skip
        if not is_closed and byday is None and not (valid_from or valid_to):
            self.warn(raw, path, "Openingstijd zonder dagen (byday); controleer dit.")
        return {
            "freq": freq or ("WEEKLY" if byday else None),
            "byday": byday,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "attending_type": attending,
            "description": description,
            "notes": notes,
            "is_closed": is_closed,
        }

    # -- service areas ---------------------------------------------------------------------

    def _areas(self, raw: RawService, data: dict[str, Any], service_id: str) -> list[Row]:
        rows: list[Row] = []
        seen: set[str] = set()
        for i, (path, item) in enumerate(self.objects(raw, data, "service_areas", "")):
            try:
                values = self._area(raw, item, path)
            except _Skip:
                continue
            key = values["gm_code"] or "landelijk"
            if key in seen:
                continue
            seen.add(key)
            rows.append(Row(self.child_id(item.get("id"), "service_area", service_id, i), values))
        return rows

    def _area(self, raw: RawService, item: dict[str, Any], path: str) -> dict[str, Any]:
        extent_type = (self.text(raw, item, "extent_type", path) or "").lower()
        extent = self.text(raw, item, "extent", path)
        uri = self.text(raw, item, "uri", path)
        name = self.text(raw, item, "name", path)
        description = self.text(raw, item, "description", path)
        national = extent_type in NATIONAL_WORDS or (
            not extent_type
            and not extent
            and name is not None
            and normalise(name) in NATIONAL_WORDS
        )
        if national:
            return {
                "name": "Nederland",
                "extent_type": "landelijk",
                "gm_code": None,
                "description": description,
            }
        gm_code = None
        if extent_type in ("cbs_gemeentecode", "gemeente", "gm_code"):
            match = GM_CODE.match(extent or "")
            muni = self.gaz.municipality(match.group(1)) if match else None
            if muni is None:
                self.error(
                    raw,
                    f"{path}.extent",
                    f"Onbekende gemeentecode '{_clip(extent)}'; verwacht bijvoorbeeld GM0193.",
                )
                raise _Skip
            gm_code = muni.gm_code
        elif uri and TOOI_GEMEENTE.search(uri):
            match = TOOI_GEMEENTE.search(uri)
            assert match is not None
            muni = self.gaz.municipality(match.group(1))
            if muni is None:
                self.error(raw, f"{path}.uri", f"Onbekende gemeente in de uri '{_clip(uri)}'.")
                raise _Skip
            gm_code = muni.gm_code
        elif name is not None:
            gm_code = self.municipality_code(raw, f"{path}.name", name)
        else:
            self.error(
                raw,
                path,
                "Werkgebied zonder gemeente: geef extent_type 'cbs_gemeentecode' met extent "
                "(GM0193), een TOOI-uri, een gemeentenaam, of 'landelijk'.",
            )
            raise _Skip
        muni = self.gaz.municipality(gm_code)
        assert muni is not None
        return {
            "name": muni.name,
            "extent_type": "gemeente",
            "gm_code": muni.gm_code,
            "description": description,
        }

    def municipality_code(self, raw: RawService, where: str, text: str) -> str:
        """Resolve a municipality name or GM code; report unknown names with suggestions."""
        match = GM_CODE.match(text)
        if match:
            muni = self.gaz.municipality(match.group(1))
            if muni is None:
                self.error(raw, where, f"Onbekende gemeentecode '{_clip(text)}'.")
                raise _Skip
            return muni.gm_code
        key = normalise(text)
        if key in self._muni_names:
            return self._muni_names[key]
        found = self.gaz.resolve(text)
        if isinstance(found, NotFound):
            hint = f" Bedoelt u: {', '.join(found.suggestions[:3])}?" if found.suggestions else ""
            self.error(raw, where, f"Onbekende gemeente '{_clip(text)}'.{hint}")
            raise _Skip
        if found.kind != "gemeente":
            self.warn(
                raw,
                where,
                f"'{_clip(text)}' is geen gemeente; de gemeente {found.municipality} "
                f"({found.gm_code}) is gebruikt.",
            )
        return found.gm_code

    # -- taxonomy --------------------------------------------------------------------------

    def _attributes(
        self, raw: RawService, data: dict[str, Any], service_id: str, keywords: list[str]
    ) -> list[Row]:
        rows: list[Row] = []
        seen: set[str] = set()
        for i, (path, item) in enumerate(self.objects(raw, data, "attributes", "")):
            try:
                term_id = self._term(raw, item, path, keywords)
                link_type = self.text(raw, item, "link_type", path, limit=50)
                value = self.text(raw, item, "value", path)
            except _Skip:
                continue
            if term_id is None or term_id in seen:
                continue
            seen.add(term_id)
            rows.append(
                Row(
                    self.child_id(item.get("id"), "attribute", service_id, i),
                    {
                        "taxonomy_term_id": term_id,
                        "link_entity": "service",
                        "link_type": link_type,
                        "value": value,
                    },
                )
            )
        return rows

    def _term(
        self, raw: RawService, item: dict[str, Any], path: str, keywords: list[str]
    ) -> str | None:
        term = item.get("taxonomy_term")
        if term is None:
            term_id = item.get("taxonomy_term_id")
            if isinstance(term_id, str) and term_id.strip() in self._term_ids:
                return term_id.strip()
            self.error(
                raw,
                f"{path}.taxonomy_term",
                "Onbekende term: geef taxonomy_term met taxonomy en code.",
            )
            raise _Skip
        if not isinstance(term, dict):
            self.error(raw, f"{path}.taxonomy_term", "Verwacht een object.")
            raise _Skip
        tpath = f"{path}.taxonomy_term"
        taxonomy = self.text(raw, term, "taxonomy", tpath)
        detail = term.get("taxonomy_detail")
        if taxonomy is None and isinstance(detail, dict):
            taxonomy = self.text(raw, detail, "name", f"{tpath}.taxonomy_detail")
        code = self.text(raw, term, "code", tpath)
        label = self.text(raw, term, "name", tpath)
        if taxonomy is not None and taxonomy not in self._terms:
            taxonomy = self._facets.get(taxonomy.lower(), taxonomy)
        if taxonomy is None or taxonomy not in self._terms:
            word = label or code
            if word:
                keywords.append(word)
            if taxonomy != KEYWORD_TAXONOMY:
                name = taxonomy or "(zonder naam)"
                self._unknown_taxonomies[name] = self._unknown_taxonomies.get(name, 0) + 1
                if self._unknown_taxonomies[name] == 1:
                    self.warn(
                        raw,
                        tpath,
                        f"Onbekende taxonomie '{_clip(name)}': de termen worden als trefwoord "
                        "bewaard (vindbaar in zoeken, niet als filter).",
                    )
            return None
        codes = self._terms[taxonomy]
        if code is not None and code.lower() in codes:
            return codes[code.lower()]
        # A Dutch or English label typed instead of the code.
        by_label = self._term_labels[taxonomy].get(normalise(code or label or ""))
        if by_label:
            return codes[by_label]
        self.error(
            raw,
            f"{tpath}.code",
            f"Onbekende code '{_clip(code or label)}' in taxonomie {taxonomy}; kies uit: "
            f"{', '.join(sorted(codes))}.",
        )
        raise _Skip

    def term_code(self, raw: RawService, where: str, taxonomy: str, text: str) -> str | None:
        """Return the term id for a code or Dutch label typed in a spreadsheet."""
        codes = self._terms.get(taxonomy, {})
        key = text.strip().lower()
        if key in codes:
            return codes[key]
        by_label = self._term_labels.get(taxonomy, {}).get(normalise(text))
        if by_label:
            return codes[by_label]
        self.error(
            raw,
            where,
            f"Onbekende code '{_clip(text)}'; kies uit: {', '.join(sorted(codes))}.",
        )
        return None

    def _organization_by_name(self, raw: RawService, org: dict[str, Any]) -> str | None:
        """Return the id of the organisation with this name: in the DB, the file, or new."""
        from ..models import Organization

        try:
            name = self.text(raw, org, "name", "organization", required=True)
        except _Skip:
            return None
        assert name is not None
        if not self._org_names_loaded:
            stmt = (
                select(Organization.id, Organization.name)
                .where(Organization.deleted_at.is_(None))
                .order_by(Organization.created_at)
            )
            for org_id, org_name in self.session.execute(stmt):
                self._org_names.setdefault(normalise(org_name), org_id)
            self._org_names_loaded = True
        key = normalise(name)
        if key not in self._org_names:
            self._org_names[key] = stable_id("organization", key)
        return self._org_names[key]

    # -- after all rows --------------------------------------------------------------------

    def finish(self) -> Bundle:
        """Check references between records and to the database; return the bundle."""
        from ..models import Location, Organization

        missing_orgs = {ref for _raw, ref in self._org_refs} - set(self.bundle.organizations)
        existing_orgs = _existing_ids(self.session, Organization, missing_orgs)
        for raw, ref in self._org_refs:
            if ref not in self.bundle.organizations and ref not in existing_orgs:
                self.error(
                    raw,
                    "organization_id",
                    f"De organisatie met id {ref} staat niet in het bestand en niet in de "
                    "database.",
                )
        missing_locs = {ref for _raw, _p, ref in self._location_refs} - set(self.bundle.locations)
        existing_locs = _existing_ids(self.session, Location, missing_locs)
        for raw, path, ref in self._location_refs:
            if ref not in self.bundle.locations and ref not in existing_locs:
                self.error(
                    raw,
                    f"{path}.location_id",
                    f"De locatie met id {ref} staat niet in het bestand en niet in de database.",
                )
        for name, count in self._unknown_taxonomies.items():
            if count > 1:
                self.report.warn(
                    None,
                    "attributes",
                    f"Taxonomie '{_clip(name)}' is onbekend: {count} termen zijn als trefwoord "
                    "bewaard.",
                )
        self._adopt_existing()
        self._settle_child_ids()
        return self.bundle

    def _adopt_addresses(self) -> None:
        """Give a spreadsheet address the id and other fields of the location's address."""
        from ..models import Location

        records = [r for r in self.bundle.locations.values() if r.adopt]
        ids = [r.id for r in records]
        existing: dict[str, Location] = {}
        for start in range(0, len(ids), 500):
            stmt = (
                select(Location)
                .where(Location.id.in_(ids[start : start + 500]))
                .options(selectinload(Location.addresses))
            )
            existing.update((loc.id, loc) for loc in self.session.scalars(stmt))
        spec = CHILDREN["location"]["addresses"]
        for record in records:
            loc = existing.get(record.id)
            rows = record.children.get("addresses", [])
            if loc is None or loc.address is None or not rows:
                continue
            rows[0].id = loc.address.id
            for f in spec.fields:
                if f not in ("address_1", "postal_code", "city"):
                    rows[0].fields[f] = getattr(loc.address, f)
            # Other addresses (e.g. postal) of the location stay.
            rows.extend(
                Row(a.id, {f: getattr(a, f) for f in spec.fields})
                for a in loc.addresses
                if a.id != rows[0].id
            )

    def _adopt_existing(self) -> None:
        """Match spreadsheet children to existing ones, so a re-import changes nothing."""
        from ..models import Attribute, Contact, Service

        self._adopt_addresses()
        records = [r for r in self.bundle.services.values() if r.adopt]
        if not records:
            return
        ids = [r.id for r in records]
        existing: dict[str, Service] = {}
        for start in range(0, len(ids), 500):
            stmt = (
                select(Service)
                .where(Service.id.in_(ids[start : start + 500]))
                .options(
                    selectinload(Service.phones),
                    selectinload(Service.contacts).selectinload(Contact.phones),
                    selectinload(Service.schedules),
                    selectinload(Service.service_areas),
                    selectinload(Service.languages),
                    selectinload(Service.attributes).selectinload(Attribute.taxonomy_term),
                )
            )
            existing.update((svc.id, svc) for svc in self.session.scalars(stmt))
        specs = CHILDREN["service"]
        for record in records:
            svc = existing.get(record.id)
            if svc is None:
                continue
            for name, (keys, carried) in ADOPT.items():
                if name in record.children:
                    _adopt(
                        specs[name], list(getattr(svc, name)), record.children[name], keys, carried
                    )
            attrs = record.children.get("attributes")
            if attrs is not None:
                have = {row.fields["taxonomy_term_id"] for row in attrs}
                spec = specs["attributes"]
                for attr in svc.attributes:
                    tax = attr.taxonomy_term.taxonomy.name
                    if tax not in record.covered_taxonomies and attr.taxonomy_term_id not in have:
                        attrs.append(Row(attr.id, {f: getattr(attr, f) for f in spec.fields}))

    def _settle_child_ids(self) -> None:
        """Give a child a derived id when the file's id belongs to another parent in the DB."""
        wanted: dict[tuple[type[Any], str], dict[str, tuple[str, Row]]] = {}

        def collect(spec: ChildSpec, parent_id: str, rows: list[Row]) -> None:
            for row in rows:
                wanted.setdefault((spec.model, spec.fk), {})[row.id] = (parent_id, row)
                for name, sub in spec.children.items():
                    collect(sub, row.id, row.children.get(name, []))

        for kind, records in (
            ("organization", self.bundle.organizations),
            ("location", self.bundle.locations),
            ("service", self.bundle.services),
        ):
            for record in records.values():
                for name, spec in CHILDREN[kind].items():
                    collect(spec, record.id, record.children.get(name, []))
        for (model, fk), rows in wanted.items():
            ids = list(rows)
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                stmt = select(model.__table__.c.id, model.__table__.c[fk]).where(
                    model.__table__.c.id.in_(chunk)
                )
                for child_id, owner in self.session.execute(stmt):
                    parent_id, row = rows[child_id]
                    if owner != parent_id:
                        row.id = stable_id(model.__tablename__, parent_id, child_id)

    def note_new_services(self, existing: set[str]) -> None:
        """Warn once when new services will be saved as concept for lack of a status."""
        count = sum(
            1
            for sid, rec in self.bundle.services.items()
            if sid not in existing and "publication_status" not in rec.fields
        )
        if count:
            self.report.warn(
                None,
                "x_wegwijzer.publication_status",
                f"{count} nieuwe dienst(en) zonder publicatiestatus: ze worden opgeslagen als "
                "concept en zijn pas zichtbaar na publiceren.",
            )


#: Per child list: the fields that identify a row, and the fields a spreadsheet carries.
ADOPT: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "phones": (("number",), frozenset({"number", "is_public", "position"})),
    "contacts": (("name",), frozenset({"name", "email", "is_public"})),
    "schedules": (
        ("byday", "opens_at", "closes_at", "attending_type", "is_closed", "valid_from", "valid_to"),
        frozenset(
            {
                "byday",
                "opens_at",
                "closes_at",
                "attending_type",
                "is_closed",
                "valid_from",
                "valid_to",
            }
        ),
    ),
    "service_areas": (("extent_type", "gm_code"), frozenset({"name", "extent_type", "gm_code"})),
    "languages": (("name",), frozenset({"name"})),
    "attributes": (("taxonomy_term_id",), frozenset({"taxonomy_term_id", "link_entity"})),
}


def _adopt(
    spec: ChildSpec,
    pool: list[Any],
    rows: list[Row],
    keys: tuple[str, ...],
    carried: frozenset[str],
) -> None:
    """Give each row the id (and the fields the file lacks) of an equal existing child."""
    for row in rows:
        want = tuple(row.fields.get(k) for k in keys)
        match = next((o for o in pool if tuple(getattr(o, k) for k in keys) == want), None)
        if match is None:
            continue
        pool.remove(match)
        row.id = match.id
        for f in spec.fields:
            if f not in carried or row.fields.get(f) is None:
                row.fields[f] = getattr(match, f)
        for name, sub in spec.children.items():
            if name in row.children:
                _adopt(
                    sub,
                    list(getattr(match, name)),
                    row.children[name],
                    ("number",),
                    ADOPT["phones"][1],
                )


def _existing_ids(session: Session, model: type[Any], ids: set[str]) -> set[str]:
    found: set[str] = set()
    id_list = list(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        found.update(session.scalars(select(model.id).where(model.id.in_(chunk))))
    return found


def _children_signature(children: dict[str, list[Row]]) -> Any:
    return sorted(
        (name, sorted(repr(sorted(r.fields.items(), key=lambda kv: kv[0])) for r in rows))
        for name, rows in children.items()
    )


def _as_uuid(text: Any) -> str | None:
    if not isinstance(text, str) or len(text) > 45:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _parse_date(text: str) -> date | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if match:
        try:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return None
    return None


def _attending(value: str) -> str | None:
    word = value.strip().lower()
    if word in ATTENDING_TYPES:
        return word
    if "inloop" in word or "walk" in word or "zonder afspraak" in word:
        return "inloop"
    if "afspraak" in word or "appointment" in word:
        return "op-afspraak"
    if "telefo" in word or "phone" in word or "bellen" in word:
        return "telefonisch"
    return None


def _type_nl(value: Any) -> str:
    if value is None:
        return "niets"
    if isinstance(value, bool):
        return "ja/nee"
    if isinstance(value, int | float):
        return "een getal"
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, list):
        return "een lijst"
    if isinstance(value, dict):
        return "een object"
    return type(value).__name__


def _clip(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
