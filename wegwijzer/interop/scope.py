"""A beheerder's import changes only what lies wholly within their own municipalities.

The same rules as in the beheer forms (``services.permissions``): a service's area must lie
within the beheerder's municipalities; an organisation, and the locations hanging under it,
may be changed, or get a new service or location, only when it works wholly within them.
Naming an organisation or location without changing it is fine: that changes no one's rights.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, selectinload

from ..models import Location, Municipality, Organization, Service
from ..services.permissions import organization_gm_codes, organization_within, spreads_within
from .loading import load_by_id
from .records import Bundle, Record
from .report import ImportReport, Text, nl
from .writer import differences, load_existing

_OWN = nl("u beheert alleen wat helemaal in uw eigen gemeente(n) ligt.")


class ScopeCheck:
    """Report every object an import would create or change outside ``allowed``."""

    def __init__(
        self, session: Session, bundle: Bundle, allowed: set[str], report: ImportReport
    ) -> None:
        self.session = session
        self.bundle = bundle
        self.allowed = set(allowed)
        self.report = report
        # Only where each service works and which locations it uses; the writer loads the rest.
        self.services: dict[str, Service] = load_by_id(
            session,
            Service,
            bundle.services,
            selectinload(Service.service_areas),
            selectinload(Service.service_at_locations),
        )
        linked = {
            row.fields["location_id"]
            for record in bundle.services.values()
            for row in record.children.get("service_at_locations", [])
        }
        self.locations: dict[str, Location] = load_existing(
            session, "location", sorted(set(bundle.locations) | linked)
        )
        org_ids = set(bundle.organizations)
        org_ids |= {r.fields.get("organization_id") for r in bundle.services.values()}
        org_ids |= {_owner(r) for r in bundle.locations.values()}
        org_ids |= {s.organization_id for s in self.services.values()}
        org_ids |= {loc.organization_id for loc in self.locations.values()}
        self.orgs: dict[str, Organization] = load_existing(
            session,
            "organization",
            sorted(i for i in org_ids if i),
            selectinload(Organization.services).selectinload(Service.service_areas),
        )

    def run(self) -> None:
        """Check services, organisations and locations; report each refusal on its row."""
        for record in self.bundle.services.values():
            self._service_area(record)
            self._service_organization(record)
            self._service_locations(record)
        for record in self.bundle.organizations.values():
            self._organization(record)
        for record in self.bundle.locations.values():
            self._location(record)

    # -- helpers ---------------------------------------------------------------------------

    def _error(self, record: Record, field: str, message: str) -> None:
        file, row, where = record.place(field)
        # The service row that brought the object in: what --skip-invalid leaves out.
        owner = (record.file, record.row) if record.row is not None else None
        self.report.error(row, where, message, file=file, record=owner)

    def _places(self, codes: set[str]) -> str:
        """Return "Zwolle (GM0193), Kampen (GM0166)" for municipality codes."""
        names = []
        for code in sorted(codes):
            muni = self.session.get(Municipality, code)
            names.append(f"{muni.name} ({code})" if muni else code)
        return ", ".join(names)

    def _outside(self, org: Organization) -> str:
        return self._places(organization_gm_codes(org) - self.allowed)

    def _org_text(self, org: Organization) -> Text:
        return nl("organisatie '%(name)s' (id %(id)s)", name=org.name, id=_source_id(org))

    # -- services --------------------------------------------------------------------------

    def _service_area(self, record: Record) -> None:
        existing = self.services.get(record.id)
        areas = record.children.get("service_areas")
        if areas is None:  # the file leaves the areas alone
            codes = set(existing.gm_codes) if existing is not None else set()
            national = existing is not None and existing.is_national
        else:
            codes = {a.fields.get("gm_code") for a in areas if a.fields.get("gm_code")}
            national = any(a.fields.get("extent_type") == "landelijk" for a in areas)
        # Nor may an upload take over a service that now belongs to another municipality.
        if existing is not None and not existing.is_national:
            codes |= set(existing.gm_codes)
        outside = codes - self.allowed
        if outside or (not codes and not national):
            names = self._places(outside) or nl("geen gemeente")
            self._error(
                record,
                "service_areas",
                nl(
                    "Dienst '%(name)s' hoort bij %(places)s: u beheert alleen diensten in uw "
                    "eigen gemeente(n).",
                    name=record.fields.get("name", record.id),
                    places=names,
                ),
            )

    def _service_organization(self, record: Record) -> None:
        org = self.orgs.get(record.fields.get("organization_id") or "")
        if org is None:  # new in this file (or unknown, which the builder reported)
            return
        name = record.fields.get("name", record.id)
        existing = self.services.get(record.id)
        if existing is None or existing.organization_id != org.id:
            if not organization_within(self.allowed, org):
                self._error(
                    record,
                    "organization",
                    nl(
                        "Dienst '%(name)s' kan niet onder %(org)s: die organisatie werkt ook in "
                        "%(places)s; %(own)s",
                        name=name,
                        org=self._org_text(org),
                        places=self._outside(org),
                        own=_OWN,
                    ),
                )
            return
        areas = record.children.get("service_areas")
        if areas is None or existing.deleted_at is not None:
            return
        before = organization_gm_codes(org)
        after = before | {a.fields["gm_code"] for a in areas if a.fields.get("gm_code")}
        if not spreads_within(self.allowed, before, after):
            self._error(
                record,
                "service_areas",
                nl(
                    "Dienst '%(name)s' laat %(org)s ook in %(new)s werken, maar die organisatie "
                    "werkt ook in %(places)s; %(own)s",
                    name=name,
                    org=self._org_text(org),
                    new=self._places(after - before),
                    places=self._outside(org),
                    own=_OWN,
                ),
            )

    def _service_locations(self, record: Record) -> None:
        existing = self.services.get(record.id)
        linked = {sal.location_id for sal in existing.service_at_locations} if existing else set()
        for row in record.children.get("service_at_locations", []):
            loc = self.locations.get(row.fields["location_id"])
            if loc is None or loc.id in linked:
                continue
            if loc.organization_id == record.fields.get("organization_id"):
                continue  # a location of the service's own organisation
            org = self.orgs.get(loc.organization_id or "")
            if org is None or not organization_within(self.allowed, org):
                owner = self._org_text(org) if org else nl("geen organisatie")
                self._error(
                    record,
                    "service_at_locations",
                    nl(
                        "Dienst '%(name)s' kan niet naar locatie '%(location)s' (id %(id)s) "
                        "wijzen: die hoort bij %(owner)s; %(own)s",
                        name=record.fields.get("name", record.id),
                        location=loc.name or loc.id,
                        id=_source_id(loc),
                        owner=owner,
                        own=_OWN,
                    ),
                )

    # -- organisations and locations ---------------------------------------------------------

    def _organization(self, record: Record) -> None:
        org = self.orgs.get(record.id)
        if org is None or organization_within(self.allowed, org):
            return
        if differences("organization", record, org):
            self._error(
                record,
                "organization",
                nl(
                    "De %(org)s werkt ook in %(places)s: u kunt haar niet wijzigen; %(own)s",
                    org=self._org_text(org),
                    places=self._outside(org),
                    own=_OWN,
                ),
            )

    def _location(self, record: Record) -> None:
        loc = self.locations.get(record.id)
        target = self.orgs.get(_owner(record) or "")
        if loc is None:
            if target is not None and not organization_within(self.allowed, target):
                self._error(
                    record,
                    "location",
                    nl(
                        "Nieuwe locatie '%(location)s' kan niet onder %(org)s: die organisatie "
                        "werkt ook in %(places)s; %(own)s",
                        location=record.fields.get("name") or record.id,
                        org=self._org_text(target),
                        places=self._outside(target),
                        own=_OWN,
                    ),
                )
            return
        current = self.orgs.get(loc.organization_id or "")
        if current is None:
            problem = nl("hoort bij geen organisatie")
        elif not organization_within(self.allowed, current):
            problem = nl(
                "hoort bij %(org)s, die ook in %(places)s werkt",
                org=self._org_text(current),
                places=self._outside(current),
            )
        elif target is not None and not organization_within(self.allowed, target):
            problem = nl(
                "zou naar %(org)s gaan, die ook in %(places)s werkt",
                org=self._org_text(target),
                places=self._outside(target),
            )
        else:
            return
        if not differences("location", record, loc):
            return  # named, not changed
        self._error(
            record,
            "location",
            nl(
                "Locatie '%(location)s' (id %(id)s) %(problem)s: u kunt haar niet wijzigen; "
                "%(own)s",
                location=loc.name or loc.id,
                id=_source_id(loc),
                problem=problem,
                own=_OWN,
            ),
        )


def _source_id(obj: Any) -> str:
    """Return the id the object's file gave it (kept on import), else Wegwijzer's id."""
    given = (getattr(obj, "hsds_extra", None) or {}).get("id")
    return str(given) if isinstance(given, str | int) and str(given) else str(obj.id)


def _owner(record: Record) -> Any:
    """Return the organisation a location record puts the location under."""
    return record.fields.get("organization_id", record.create_defaults.get("organization_id"))


def check_scope(session: Session, bundle: Bundle, allowed: set[str], report: ImportReport) -> None:
    """Report every object the import would create or change outside ``allowed``."""
    ScopeCheck(session, bundle, allowed, report).run()
