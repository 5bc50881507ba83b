"""What an account may manage: the lists of services and organisations, and single entries.

Each list is one query filtered by the SQL form of the rule in ``permissions``, with what the
beheer pages show loaded eagerly: a page costs the same few queries for 3 services or 3,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..models import Location, Municipality, Organization, Service, ServiceArea, User
from .permissions import (
    can_edit_organization,
    can_edit_service,
    can_use_organization,
    editable_organizations_filter,
    editable_services_filter,
)
from .taxonomy import TaxonomyInfo, list_taxonomies


class NotFound(LookupError):
    """There is no such entry (the page answers 404)."""


class Forbidden(PermissionError):
    """The entry exists, but this account may not act on it (the page answers 403)."""


_Entry = TypeVar("_Entry")
_Listed = TypeVar("_Listed", Service, Organization)


#: What the service lists show of each service: its organisation and where it works.
SERVICE_LIST_LOADS = (joinedload(Service.organization), selectinload(Service.service_areas))


def editable_services(
    session: Session, user: User, *, include_deleted: bool = False
) -> list[Service]:
    """Return the services ``user`` may edit, by name, in one query."""
    rule = editable_services_filter(user)
    return _by_name(session, Service, rule, SERVICE_LIST_LOADS, include_deleted)


def editable_organizations(
    session: Session, user: User, *, include_deleted: bool = False
) -> list[Organization]:
    """Return the organisations ``user`` may edit, by name, with their services loaded."""
    rule = editable_organizations_filter(user)
    loads = (selectinload(Organization.services),)
    return _by_name(session, Organization, rule, loads, include_deleted)


def _by_name(
    session: Session,
    model: type[_Listed],
    rule: ColumnElement[bool],
    loads: tuple[Any, ...],
    include_deleted: bool,
) -> list[_Listed]:
    """Return the ``model`` rows the SQL ``rule`` allows, by name, with ``loads`` loaded; the
    deleted ones only when ``include_deleted``."""
    query = select(model).where(rule).options(*loads).order_by(model.name, model.id)
    if not include_deleted:
        query = query.where(model.deleted_at.is_(None))
    return list(session.scalars(query))


def usable_organizations(session: Session, user: User) -> list[Organization]:
    """Return the organisations ``user`` may put a service or location under, by name."""
    return editable_organizations(session, user)


def get_allowed(
    session: Session, model: type[_Entry], entry_id: str, allowed: Callable[[_Entry], bool]
) -> _Entry:
    """Return the ``model`` row ``entry_id``: NotFound when there is none, Forbidden when
    ``allowed`` (a rule from ``permissions``) refuses it."""
    entry = session.get(model, entry_id)
    if entry is None:
        raise NotFound(entry_id)
    if not allowed(entry):
        raise Forbidden(entry_id)
    return entry


def get_editable_service(session: Session, user: User, service_id: str) -> Service:
    """Return the service ``user`` may edit; raise NotFound or Forbidden."""
    return get_allowed(session, Service, service_id, lambda svc: can_edit_service(user, svc))


def get_editable_organization(session: Session, user: User, org_id: str) -> Organization:
    """Return the organisation ``user`` may edit; raise NotFound or Forbidden."""
    return get_allowed(session, Organization, org_id, lambda org: can_edit_organization(user, org))


def get_editable_location(session: Session, user: User, location_id: str) -> Location:
    """Return a location of an organisation ``user`` may edit; raise NotFound or Forbidden."""
    loc = session.get(Location, location_id)
    if loc is None or loc.organization is None:
        raise NotFound(location_id)
    if not can_edit_organization(user, loc.organization):
        raise Forbidden(location_id)
    return loc


def choose_organization(
    session: Session, user: User, org_id: object, current: Organization | None
) -> Organization:
    """Return the organisation chosen in a service form; NotFound or Forbidden when not offered.

    Keeping the ``current`` organisation is always allowed (see ``can_use_organization``).
    """
    if not isinstance(org_id, str) or not org_id:
        raise NotFound(str(org_id))
    return get_allowed(
        session, Organization, org_id, lambda org: can_use_organization(user, org, current)
    )


# --- the service form ---------------------------------------------------------------------------


@dataclass
class ServiceFormChoices:
    """What the service form offers: organisations, municipalities, locations, terms."""

    organizations: list[Organization]
    municipalities: list[Municipality]
    locations: list[Location]
    taxonomies: list[TaxonomyInfo]


def load_service_form_choices(
    session: Session, user: User, svc: Service | None
) -> ServiceFormChoices:
    """Return the choices of the service form for ``user`` editing ``svc`` (None: a new one)."""
    orgs = usable_organizations(session, user)
    if svc is not None and svc.organization not in orgs:
        orgs.insert(0, svc.organization)
    org_ids = [o.id for o in orgs]
    own = set(user.gm_codes) | set(svc.gm_codes if svc else [])
    # A redacteur has no municipalities: offer those the organisations already work in.
    worked_in = (
        select(ServiceArea.gm_code)
        .join(Service, Service.id == ServiceArea.service_id)
        .where(Service.organization_id.in_(org_ids))
    )
    municipalities = session.scalars(
        select(Municipality)
        .where(or_(Municipality.gm_code.in_(sorted(own)), Municipality.gm_code.in_(worked_in)))
        .order_by(Municipality.name)
    )
    locations = session.scalars(
        select(Location)
        .where(Location.organization_id.in_(org_ids))
        .options(selectinload(Location.addresses))
        .order_by(Location.name)
    )
    return ServiceFormChoices(
        organizations=orgs,
        municipalities=list(municipalities),
        locations=list(locations),
        taxonomies=list_taxonomies(session),
    )
