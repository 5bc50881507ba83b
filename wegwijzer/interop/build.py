"""Check HSDS-shaped service objects and turn them into records: fields, children, terms.

The checks are split by what they look at: ``organizations`` (and their ``contacts``),
``places`` (locations and service areas), ``schedules`` and ``terms`` (taxonomy links);
the Builder combines them and checks the service itself.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy.orm import Session

from ..domain.geo import Gazetteer
from ..models import CostOption, Language, PublicationStatus
from ..models.base import PUBLICATION_STATUSES
from .adopt import settle_ids
from .checks import Skip
from .extra import extra_of
from .organizations import OrganizationChecks
from .places import PlaceChecks
from .records import Bundle, RawService, Record
from .report import ImportReport, nl
from .schedules import ScheduleChecks
from .schema import INTERNAL_FIELDS, MODELS, max_length
from .terms import TermChecks, TermIndex
from .values import type_nl

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")


class Builder(OrganizationChecks, ScheduleChecks, TermChecks, PlaceChecks):
    """Turn raw service objects into a checked Bundle, reporting every problem found."""

    def __init__(self, session: Session, gazetteer: Gazetteer, report: ImportReport) -> None:
        super().__init__(gazetteer, report)
        self.session = session
        self.terms = TermIndex.load(session)
        self.unknown_taxonomies = {}
        self._service_rows: dict[str, int] = {}

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
                raw,
                "id",
                nl(
                    "Dubbele id: deze dienst staat ook in rij %(row)s; elke id één keer.",
                    row=first,
                ),
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

        org_id = self.service_organization(raw, service_id)
        fields["organization_id"] = org_id

        ext = data.get("x_wegwijzer")
        if ext is not None and not isinstance(ext, dict):
            self.error(
                raw, "x_wegwijzer", nl("Verwacht een object, maar kreeg %(got)s.", got=type_nl(ext))
            )
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
        children["phones"] = self.phones(raw, data, "", service_id, public=True)
        children["contacts"] = self.contacts(raw, data, "", service_id)
        direct = self.direct_contact(raw, ext, service_id)
        if direct is not None:
            # The same person may also be listed in ``contacts`` (an exported file): once.
            children["contacts"] = [c for c in children["contacts"] if c.id != direct.id]
            children["contacts"].append(direct)
        children["schedules"] = self.schedules(raw, data, service_id)
        foreign_areas: list[dict[str, Any]] = []
        children["service_areas"] = self.service_areas(raw, data, service_id, foreign_areas)
        if not children["service_areas"] and (
            raw.present is None or "service_areas" in raw.present
        ):
            self.warn(
                raw,
                "service_areas",
                nl(
                    "Geen werkgebied (gemeente of landelijk): de dienst is niet te vinden op "
                    "plaats."
                ),
            )
        children["languages"] = self.children_of(
            raw, data, "languages", "", service_id, self._language
        )
        children["cost_options"] = self.children_of(
            raw, data, "cost_options", "", service_id, self._cost_option
        )
        children["service_at_locations"] = self.service_locations(raw, data, service_id, org_id)
        foreign_terms: list[dict[str, Any]] = []
        children["attributes"] = self.attributes(
            raw, data, service_id, keywords, foreign_terms
        )
        fields["keywords"] = "; ".join(dict.fromkeys(k[:100] for k in keywords))
        fields["hsds_extra"] = extra_of(
            "service",
            data,
            service_id,
            service_areas=foreign_areas,
            attributes=foreign_terms,
        )
        record.create_defaults["publication_status"] = PublicationStatus.CONCEPT.value
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
                self.refuse(raw, f"{path}.internal", nl("Verwacht een object met interne velden."))
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

    def _language(self, raw: RawService, obj: dict[str, Any], path: str) -> dict[str, Any]:
        return {
            "name": self.text(raw, obj, "name", path, limit=max_length(Language, "name")),
            "code": self.text(raw, obj, "code", path, limit=max_length(Language, "code")),
            "note": self.text(raw, obj, "note", path),
        }

    def _cost_option(self, raw: RawService, obj: dict[str, Any], path: str) -> dict[str, Any]:
        limit = max_length(CostOption, "currency")
        return {
            "option": self.text(raw, obj, "option", path, limit=max_length(CostOption, "option")),
            "amount": self.number(raw, obj, "amount", path),
            "currency": (self.text(raw, obj, "currency", path, limit=limit) or "").upper() or None,
            "amount_description": self.text(raw, obj, "amount_description", path),
            "valid_from": self.day(raw, obj, "valid_from", path),
            "valid_to": self.day(raw, obj, "valid_to", path),
        }

    # -- after all rows --------------------------------------------------------------------

    def finish(self) -> Bundle:
        """Check references between records and to the database; return the bundle."""
        self.check_organization_refs()
        self.check_location_refs(self.session)
        self.report_unknown_taxonomies()
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
                nl(
                    "%(n)s nieuwe dienst(en) zonder publicatiestatus: ze worden opgeslagen als "
                    "concept en zijn pas zichtbaar na publiceren.",
                    n=count,
                ),
            )
