"""The organisation of each service: given inline, by id, or (spreadsheet) by name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.geo import normalise
from ..models import Organization, stable_id
from ..models.base import PUBLICATION_STATUSES
from .checks import Skip
from .contacts import ContactChecks
from .extra import extra_of
from .loading import existing_ids
from .records import Bundle, RawService, Record, Row
from .report import nl
from .schema import INTERNAL_FIELDS, MODELS, max_length
from .values import type_nl


class OrganizationChecks(ContactChecks):
    """Check organisation objects and references; add each organisation once per id.

    The builder sets ``session``, ``bundle`` and ``_org_refs`` (references to check at the end).
    """

    session: Session
    bundle: Bundle
    #: (row, referenced id, where the reference stands) for every organization_id given.
    _org_refs: list[tuple[RawService, str, str]]
    #: Normalised organisation name → id, read from the database on first use.
    _org_names: dict[str, str] | None = None

    def service_organization(self, raw: RawService, service_id: str) -> str | None:
        """Return the id of the service's organisation (``organization`` or its id)."""
        data = raw.data
        org = data.get("organization")
        ref = data.get("organization_id")
        if org is None and (ref is None or ref == ""):
            self.error(
                raw,
                "organization",
                nl("De dienst heeft geen organisatie (organization ontbreekt)."),
            )
            return None
        try:
            ref_id = self.entity_id(raw, ref, "organization", "organization_id", required=False)
        except Skip:
            return None
        if org is None:
            assert ref_id is not None
            self._org_refs.append((raw, ref_id, "organization_id"))
            return ref_id
        if not isinstance(org, dict):
            self.error(
                raw,
                "organization",
                nl("Verwacht een object, maar kreeg %(got)s.", got=type_nl(org)),
            )
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
                nl(
                    "organization_id wijst naar een andere organisatie dan het object "
                    "organization."
                ),
            )
            return None
        return org_id

    def add_organization(
        self, raw: RawService, org: dict[str, Any], path: str, *, fallback_id: str | None = None
    ) -> str | None:
        """Check an organisation object; add it once per id; return its id."""
        try:
            org_id = self.object_id(raw, org, "organization", path, fallback_id)
        except Skip:
            return None
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
                "hsds_extra": extra_of("organization", org, org_id),
            }
        except Skip:
            return None
        record = Record.nested("organization", org_id, raw, path, fields)
        ext = org.get("x_wegwijzer")
        record.keep_private = True
        if isinstance(ext, dict):
            try:
                self._organization_extension(raw, ext, f"{path}.x_wegwijzer", record)
            except Skip:
                return None
        elif ext is not None:
            self.error(raw, f"{path}.x_wegwijzer", nl("Verwacht een object."))
            return None
        record.children["phones"] = self.phones(raw, org, path, org_id, public=True)
        record.children["contacts"] = self.contacts(raw, org, path, org_id)
        if raw.present is not None:
            # A spreadsheet names the organisation only: create it, never overwrite it.
            record.create_defaults = dict(record.fields)
            record.fields = {"name": fields["name"]} if org.get("id") else {}
            record.children = {}
            record.keep_private = True
        self._merge(self.bundle.organizations, record, raw, path)
        return org_id

    def _organization_extension(
        self, raw: RawService, ext: dict[str, Any], path: str, record: Record
    ) -> None:
        """Read ``x_wegwijzer``: status, last check and (internal files) the internal fields."""
        fields = record.fields
        if "publication_status" in ext:
            status = self.enum(raw, ext, "publication_status", path, PUBLICATION_STATUSES)
            if status:
                fields["publication_status"] = status
        if "last_verified_at" in ext:
            fields["last_verified_at"] = self.moment(raw, ext, "last_verified_at", path)
        if "internal" in ext and isinstance(ext["internal"] or {}, dict):
            record.keep_private = False
            for key in INTERNAL_FIELDS:
                fields[key] = self.text(
                    raw,
                    ext["internal"] or {},
                    key,
                    f"{path}.internal",
                    limit=max_length(MODELS["organization"], key),
                )

    def _organization_by_name(self, raw: RawService, org: dict[str, Any]) -> str | None:
        """Return the id of the organisation with this name: in the DB, the file, or new."""
        try:
            name = self.text(raw, org, "name", "organization", required=True)
        except Skip:
            return None
        assert name is not None
        if self._org_names is None:
            self._org_names = {}
            stmt = (
                select(Organization.id, Organization.name)
                .where(Organization.deleted_at.is_(None))
                .order_by(Organization.created_at)
            )
            for org_id, org_name in self.session.execute(stmt):
                self._org_names.setdefault(normalise(org_name), org_id)
        key = normalise(name)
        if key not in self._org_names:
            self._org_names[key] = stable_id("organization", key)
        return self._org_names[key]

    def _merge(self, seen: dict[str, Record], record: Record, raw: RawService, path: str) -> None:
        """Keep the first of several objects with one id; warn when they differ."""
        first = seen.get(record.id)
        if first is None:
            seen[record.id] = record
            return
        for key, value in record.fields.items():
            if key in first.fields and first.fields[key] != value:
                self.warn(
                    raw,
                    f"{path}.{key}",
                    nl(
                        "Deze organisatie (id %(id)s) staat al in rij %(row)s met een andere "
                        "waarde voor %(field)s; de eerste is gebruikt.",
                        id=self.shown(record.id),
                        row=first.row,
                        field=key,
                    ),
                )
                return
        if _children_signature(record.children) != _children_signature(first.children):
            self.warn(
                raw,
                path,
                nl(
                    "Deze organisatie (id %(id)s) staat al in rij %(row)s met andere gegevens; "
                    "de eerste is gebruikt.",
                    id=self.shown(record.id),
                    row=first.row,
                ),
            )

    def check_organization_refs(self) -> None:
        """Report each organization_id that is neither in the file nor in the database."""
        missing = {ref for _raw, ref, _path in self._org_refs} - set(self.bundle.organizations)
        existing = existing_ids(self.session, Organization, missing)
        for raw, ref, path in self._org_refs:
            if ref not in self.bundle.organizations and ref not in existing:
                self.error(
                    raw,
                    path,
                    nl(
                        "De organisatie met id %(id)s staat niet in het bestand en niet in de "
                        "database.",
                        id=self.shown(ref),
                    ),
                )


def _children_signature(children: dict[str, list[Row]]) -> Any:
    return sorted(
        (name, sorted(repr(sorted(r.fields.items(), key=lambda kv: kv[0])) for r in rows))
        for name, rows in children.items()
    )
