"""Check HSDS-shaped service objects and turn them into records: fields, children, terms."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import limits
from ..domain.geo import Gazetteer, normalise
from ..models import PublicationStatus, Taxonomy, TaxonomyTerm, stable_id
from ..models.service import WEEKDAYS
from .adopt import existing_ids, settle_ids
from .checks import Skip, clip, type_nl
from .places import PlaceChecks
from .records import Bundle, RawService, Record, Row
from .report import ImportReport
from .schema import INTERNAL_FIELDS, MODELS, max_length

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
ATTENDING_TYPES = ("inloop", "op-afspraak", "telefonisch")
PUBLICATION_STATUSES = tuple(s.value for s in PublicationStatus)
#: Pseudo-taxonomy for plain keywords: kept as keywords without a warning.
KEYWORD_TAXONOMY = "wegwijzer-trefwoord"
BYDAY_TOKEN = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")


class Builder(PlaceChecks):
    """Turn raw service objects into a checked Bundle, reporting every problem found."""

    def __init__(self, session: Session, gazetteer: Gazetteer, report: ImportReport) -> None:
        super().__init__(gazetteer, report)
        self.session = session
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
        self._service_rows: dict[str, int] = {}
        self._unknown_taxonomies: dict[str, int] = {}
        self._org_names: dict[str, str] = {}
        self._org_names_loaded = False

    # -- services --------------------------------------------------------------------------

    def add_service(self, raw: RawService) -> None:
        """Check one raw service and add it (with its organisation and locations) to the bundle."""
        data = raw.data
        for column, message in raw.parse_errors:
            self.report.error(raw.row, column, message, file=raw.file)
        try:
            service_id = self.entity_id(raw, data.get("id"), "service", "id")
        except Skip:
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
            except Skip:
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
            self.error(raw, "x_wegwijzer", f"Verwacht een object, maar kreeg {type_nl(ext)}.")
            ext = None
        ext = ext or {}
        record = Record("service", service_id, raw.row, raw.file, fields)
        # Problems are in the report; the record is kept so references to it still resolve.
        with contextlib.suppress(Skip):
            self._service_extension(raw, ext, record)
        keywords: list[str] = []
        with contextlib.suppress(Skip):
            keywords.extend(self.texts(raw, ext, "keywords", "x_wegwijzer") or [])

        children = record.children
        children["phones"] = self._phones(raw, data, "phones", "", service_id, public_default=True)
        children["contacts"] = self._contacts(raw, data, "", service_id)
        direct = self._direct_contact(raw, ext, service_id)
        if direct is not None:
            # The same person may also be listed in ``contacts`` (an exported file): once.
            children["contacts"] = [c for c in children["contacts"] if c.id != direct.id]
            children["contacts"].append(direct)
        children["schedules"] = self._schedules(raw, data, service_id)
        children["service_areas"] = self._areas(raw, data, service_id)
        if not children["service_areas"] and (
            raw.present is None or "service_areas" in raw.present
        ):
            self.warn(
                raw,
                "service_areas",
                "Geen werkgebied (gemeente of landelijk): de dienst is niet te vinden op plaats.",
            )
        children["languages"] = self.children_of(
            raw, data, "languages", "languages", service_id, self._language
        )
        children["cost_options"] = self.children_of(
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
            except Skip:
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
            except Skip:
                failed = True
        internal = ext.get("internal")
        if "internal" in ext:
            if internal is None:
                internal = {}
            if not isinstance(internal, dict):
                self.error(raw, f"{path}.internal", "Verwacht een object met interne velden.")
                raise Skip
            for key in INTERNAL_FIELDS:
                try:
                    fields[key] = self.text(
                        raw,
                        internal,
                        key,
                        f"{path}.internal",
                        limit=max_length(MODELS["service"], key),
                    )
                except Skip:
                    failed = True
        else:
            # A file without internal data (e.g. a public export) leaves private data alone.
            record.keep_private = True
        if failed:
            raise Skip

    def _direct_contact(self, raw: RawService, ext: dict[str, Any], service_id: str) -> Row | None:
        value = ext.get("direct_contact")
        path = "x_wegwijzer.direct_contact"
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(raw, path, f"Verwacht een object, maar kreeg {type_nl(value)}.")
            return None
        try:
            is_public = self.boolean(raw, value, "is_public", path)
            name = self.text(raw, value, "name", path, limit=limits.NAME)
            email = self.email(raw, value, "email", path)
            phone = self.text(raw, value, "phone", path, limit=limits.PHONE)
        except Skip:
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
        except Skip:
            return None
        if org is None:
            assert ref_id is not None
            self._org_refs.append((raw, ref_id))
            return ref_id
        if not isinstance(org, dict):
            self.error(raw, "organization", f"Verwacht een object, maar kreeg {type_nl(org)}.")
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
        except Skip:
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
        except Skip:
            return None
        record = Record("organization", org_id, raw.row, raw.file, fields)
        record.origin = raw.locate(path)
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
            except Skip:
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

    def _organization_by_name(self, raw: RawService, org: dict[str, Any]) -> str | None:
        """Return the id of the organisation with this name: in the DB, the file, or new."""
        from ..models import Organization

        try:
            name = self.text(raw, org, "name", "organization", required=True)
        except Skip:
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

    # -- children --------------------------------------------------------------------------

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
                number = self.text(
                    raw, item, "number", item_path, limit=limits.PHONE, required=True
                )
                values = {
                    "number": number,
                    "extension": self.integer(raw, item, "extension", item_path, low=0, high=10**9),
                    "type": self.text(raw, item, "type", item_path, limit=20),
                    "description": self.text(
                        raw, item, "description", item_path, limit=limits.SHORT_TEXT
                    ),
                    "is_public": self._is_public(raw, item, item_path, public_default),
                    "position": i,
                }
            except Skip:
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
                    "name": self.text(raw, item, "name", item_path, limit=limits.NAME),
                    "title": self.text(raw, item, "title", item_path, limit=limits.NAME),
                    "department": self.text(raw, item, "department", item_path, limit=limits.NAME),
                    "email": self.email(raw, item, "email", item_path),
                    "is_public": self._is_public(raw, item, item_path, True),
                }
            except Skip:
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
            except Skip:
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
            except Skip:
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
                    f"Onbekende manier van komen '{clip(item.get('attending_type'))}'; "
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
        description = safe(self.text, item, "description", path, limit=limits.SHORT_TEXT)
        notes = safe(self.text, item, "notes", path)
        if failed:
            raise Skip
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
            except Skip:
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
            raise Skip
        if not isinstance(term, dict):
            self.error(raw, f"{path}.taxonomy_term", "Verwacht een object.")
            raise Skip
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
                        f"Onbekende taxonomie '{clip(name)}': de termen worden als trefwoord "
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
            f"Onbekende code '{clip(code or label)}' in taxonomie {taxonomy}; kies uit: "
            f"{', '.join(sorted(codes))}.",
        )
        raise Skip

    # -- after all rows --------------------------------------------------------------------

    def finish(self) -> Bundle:
        """Check references between records and to the database; return the bundle."""
        from ..models import Location, Organization

        missing_orgs = {ref for _raw, ref in self._org_refs} - set(self.bundle.organizations)
        existing_orgs = existing_ids(self.session, Organization, missing_orgs)
        for raw, ref in self._org_refs:
            if ref not in self.bundle.organizations and ref not in existing_orgs:
                self.error(
                    raw,
                    "organization_id",
                    f"De organisatie met id {ref} staat niet in het bestand en niet in de "
                    "database.",
                )
        missing_locs = {ref for _raw, _p, ref in self._location_refs} - set(self.bundle.locations)
        existing_locs = existing_ids(self.session, Location, missing_locs)
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
                    f"Taxonomie '{clip(name)}' is onbekend: {count} termen zijn als trefwoord "
                    "bewaard.",
                )
        settle_ids(self.session, self.bundle)
        return self.bundle

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


def _children_signature(children: dict[str, list[Row]]) -> Any:
    return sorted(
        (name, sorted(repr(sorted(r.fields.items(), key=lambda kv: kv[0])) for r in rows))
        for name, rows in children.items()
    )


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
