"""Every "may this account do this" rule, once: municipalities, services, organisations.

A beheerder acts on a service that touches one of their municipalities (national services
belong to every beheerder), but on an organisation only when it works wholly inside their
municipalities: otherwise one municipality could lock another out of its own organisations,
locations and redacteurs. Where an organisation works follows from its live services;
deleted ones no longer count.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ..models import Organization, Role, Service, User


def is_helper(user: Any) -> bool:
    """Return True for logged-in accounts that may see non-public referral contacts."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def manages_municipality(user: User, gm_code: str) -> bool:
    """Return True when ``user`` is a beheerder of ``gm_code``."""
    return user.role == Role.ADMIN and gm_code in user.gm_codes


def manages_service(user: User, service: Service) -> bool:
    """Return True when a beheerder's municipalities overlap the service area.

    National services are managed by every beheerder.
    """
    if user.role != Role.ADMIN:
        return False
    return service.is_national or bool(user.gm_codes & set(service.gm_codes))


def live_services(org: Organization) -> list[Service]:
    """Return the organisation's services that are not deleted: they say where it works."""
    return [s for s in org.services if s.deleted_at is None]


def organization_gm_codes(org: Organization) -> set[str]:
    """Return the municipalities ``org`` works in: those of its live, non-national services."""
    return {code for s in live_services(org) if not s.is_national for code in s.gm_codes}


def organization_within(gm_codes: Collection[str], org: Organization) -> bool:
    """Return True when ``org`` works only in ``gm_codes`` (a new one works nowhere yet)."""
    return organization_gm_codes(org) <= set(gm_codes)


def can_edit_organization(user: User, org: Organization) -> bool:
    """Return True when ``user`` may edit ``org``: its redacteur, or a beheerder of all areas."""
    if user.role == Role.EDITOR:
        return org.id in user.organization_ids
    if user.role == Role.ADMIN:
        # All, not any: an organisation that also works elsewhere is edited (or deleted) only
        # by someone who manages every place it works.
        return organization_within(user.gm_codes, org)
    return False


def may_spread_organization(
    user: User, org: Organization, before: Collection[str], after: Collection[str]
) -> bool:
    """Return True when ``user`` may make ``org`` work in ``after`` instead of ``before``.

    Only someone who could edit the organisation may make it work in more municipalities
    (a wider service area, a restored service): otherwise its own beheerders would lose it.
    """
    if user.role == Role.EDITOR:
        return set(after) <= set(before) or org.id in user.organization_ids
    return user.role == Role.ADMIN and spreads_within(user.gm_codes, before, after)


def spreads_within(
    gm_codes: Collection[str], before: Collection[str], after: Collection[str]
) -> bool:
    """Return True when an organisation working in ``before`` may come to work in ``after``.

    That is: it gains no municipality, or it lay wholly within ``gm_codes`` already.
    """
    return set(after) <= set(before) or set(before) <= set(gm_codes)


def can_use_organization(
    user: User, org: Organization, current: Organization | None = None
) -> bool:
    """Return True when ``user`` may put a service or location under ``org``.

    Keeping the ``current`` organisation is always allowed; choosing another one needs the
    right to edit it, so no one adds work to an organisation of another municipality.
    """
    if current is not None and org.id == current.id:
        return True
    return org.deleted_at is None and can_edit_organization(user, org)


def can_edit_service(user: User, service: Service) -> bool:
    """Return True when ``user`` may edit ``service``."""
    if user.role == Role.EDITOR:
        return service.organization_id in user.organization_ids
    return manages_service(user, service)


def can_publish(user: User, service: Service) -> bool:
    """Only a beheerder of the service's area publishes; a redacteur submits for review."""
    return manages_service(user, service)
