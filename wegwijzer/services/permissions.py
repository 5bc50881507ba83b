"""Every "may this account do this" rule, once: municipalities, services, organisations.

A beheerder acts on a service that touches one of their municipalities (national services
belong to every beheerder), but on an organisation only when it works wholly inside their
municipalities: otherwise one municipality could lock another out of its own organisations,
locations and redacteurs. Where an organisation works follows from its live services;
deleted ones no longer count.

Each rule about services and organisations has a Python form (for one row in hand) and an
SQL form (``*_filter``, for a list, a page or a count in one query); tests check both agree.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, and_, false, literal, or_, select

from ..models import (
    Location,
    Organization,
    Referral,
    Role,
    Service,
    ServiceArea,
    User,
    UserMunicipality,
)

#: The extent type of a service area that covers the whole country.
NATIONAL = "landelijk"


def has_role(user: User, roles: Collection[Role | str]) -> bool:
    """Return True when ``user`` has one of ``roles``; any role will do when none are given."""
    return not roles or user.role in {str(r) for r in roles}


def is_beheerder(user: User) -> bool:
    """Return True for a municipality's beheerder."""
    return user.role == Role.ADMIN


def is_redacteur(user: User) -> bool:
    """Return True for an organisation's redacteur."""
    return user.role == Role.EDITOR


def edits_wait_for_review(user: User) -> bool:
    """Return True when ``user``'s changes to what is live wait for a beheerder's review."""
    return is_redacteur(user)


def may_browse_history(user: User) -> bool:
    """Return True when ``user`` may list the whole audit trail (others: one entry's history)."""
    return is_beheerder(user)


def may_use_totp(user: User) -> bool:
    """Return True when ``user`` may turn on the TOTP second factor (beheerders)."""
    return is_beheerder(user)


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


def keeps_own_municipality(user: User, service: Service) -> bool:
    """Return True when ``user`` may leave ``service`` with its (new) service area.

    A beheerder keeps at least one of their own municipalities in it (or makes it national):
    otherwise their own edit would put the service out of their reach.
    """
    return not is_beheerder(user) or manages_service(user, service)


def may_review_organization(user: User, org: Organization) -> bool:
    """Return True when ``user`` may put a redacteur's waiting organisation edit live."""
    return is_beheerder(user) and can_edit_organization(user, org)


def may_manage_account(admin: User, other: User, organization_ids: Collection[str]) -> bool:
    """Return True when beheerder ``admin`` may change or reset the account ``other``.

    ``organization_ids`` are the live organisations ``admin`` may edit. Sharing one
    municipality is not enough: a beheerder of Kampen must not reset the password of a
    beheerder of Kampen and Zwolle, and so gain Zwolle's rights.
    """
    if not is_beheerder(admin):
        return False
    if not (other.gm_codes or other.organization_ids):
        return other.id == admin.id
    return other.gm_codes <= admin.gm_codes and other.organization_ids <= set(organization_ids)


# --- the same rules in SQL ------------------------------------------------------------------


def managed_services_filter(user: User) -> ColumnElement[bool]:
    """SQL form of :func:`manages_service`, for ``select(Service).where(...)``."""
    if not is_beheerder(user):
        return false()
    return Service.service_areas.any(
        or_(ServiceArea.extent_type == NATIONAL, ServiceArea.gm_code.in_(sorted(user.gm_codes)))
    )


def editable_services_filter(user: User) -> ColumnElement[bool]:
    """SQL form of :func:`can_edit_service`, for ``select(Service).where(...)``."""
    if is_redacteur(user):
        return Service.organization_id.in_(sorted(user.organization_ids))
    return managed_services_filter(user)


def _works_outside(gm_codes: Collection[str]) -> ColumnElement[bool]:
    """SQL, on Service: a live, non-national service with an area outside ``gm_codes``."""
    return and_(
        Service.deleted_at.is_(None),
        ~Service.service_areas.any(ServiceArea.extent_type == NATIONAL),
        Service.service_areas.any(
            and_(ServiceArea.gm_code.is_not(None), ServiceArea.gm_code.not_in(sorted(gm_codes)))
        ),
    )


def editable_organizations_filter(user: User) -> ColumnElement[bool]:
    """SQL form of :func:`can_edit_organization`, for ``select(Organization).where(...)``."""
    if is_redacteur(user):
        return Organization.id.in_(sorted(user.organization_ids))
    if is_beheerder(user):
        return ~Organization.services.any(_works_outside(user.gm_codes))
    return false()


def visible_history_filter(user: User, entity_type: Any, entity_id: Any) -> ColumnElement[bool]:
    """SQL: may ``user`` see the audit entries of one entry (columns, or plain strings)?

    Those of a service, organisation or location they may edit; a beheerder also sees those of
    a deleted location (its deleter had the same scope) and of accounts that share a
    municipality or an organisation with them, and their own.
    """
    kind = literal(entity_type) if isinstance(entity_type, str) else entity_type
    key = literal(entity_id) if isinstance(entity_id, str) else entity_id
    orgs = editable_organizations_filter(user)
    location = select(Location.id).where(Location.id == key)
    own_location = [location.where(Location.organization.has(orgs)).exists()]
    if is_beheerder(user):
        own_location.append(~location.exists())
    parts = [
        and_(
            kind == "service",
            select(Service.id).where(Service.id == key, editable_services_filter(user)).exists(),
        ),
        and_(
            kind == "organization",
            select(Organization.id).where(Organization.id == key, orgs).exists(),
        ),
        and_(kind == "location", or_(*own_location)),
    ]
    if is_beheerder(user):
        shares = or_(
            User.id == user.id,
            User.municipalities.any(UserMunicipality.gm_code.in_(sorted(user.gm_codes))),
            User.organizations.any(orgs),
        )
        parts.append(and_(kind == "user", select(User.id).where(User.id == key, shares).exists()))
    return or_(*parts)


# --- referrals (overdrachten) ---------------------------------------------------------------
#
# A referral is seen by the referring organisation, the receiving organisation (for the
# municipality's own debt help: that municipality's beheerders) and the beheerders of the
# municipality it counts for. ``debt_help_of`` is the set of municipalities whose own debt
# help a service is (see services.referrals.intake.debt_help_of).

#: Roles that act for an organisation: they refer residents and receive referrals.
REFERRAL_ORGANISATION_ROLES = frozenset({Role.EDITOR.value, Role.HELPER.value})


def may_refer(user: User) -> bool:
    """Return True when ``user`` may hand residents over: an account of an organisation."""
    return user.role in REFERRAL_ORGANISATION_ROLES and bool(user.organization_ids)


def may_refer_for(user: User, organization_id: str) -> bool:
    """Return True when ``user`` may make a referral on behalf of ``organization_id``."""
    return may_refer(user) and organization_id in user.organization_ids


def may_receive(user: User, service: Service, debt_help_of: Collection[str]) -> bool:
    """Return True when ``user`` handles the referrals to ``service`` (inbox and statuses)."""
    if is_beheerder(user):
        return bool(user.gm_codes & set(debt_help_of))
    return (
        user.role in REFERRAL_ORGANISATION_ROLES
        and service.organization_id in user.organization_ids
    )


def is_referring_side(user: User, referral: Referral) -> bool:
    """Return True when ``user`` acts for the organisation that made ``referral``."""
    return (
        user.role in REFERRAL_ORGANISATION_ROLES
        and referral.referring_organization_id in user.organization_ids
    )


def may_see_referral(user: User, referral: Referral, debt_help_of: Collection[str]) -> bool:
    """Return True when ``user`` may see that ``referral`` exists, and its code."""
    return (
        is_referring_side(user, referral)
        or may_receive(user, referral.receiving_service, debt_help_of)
        or manages_municipality(user, referral.gm_code)
    )


def may_see_progress(user: User, referral: Referral, debt_help_of: Collection[str]) -> bool:
    """Return True when ``user`` may see the statuses and signals of ``referral``.

    The receiving side and the municipality's beheerders always; the referring organisation
    only when the resident agreed to feedback.
    """
    if may_receive(user, referral.receiving_service, debt_help_of):
        return True
    if manages_municipality(user, referral.gm_code):
        return True
    return is_referring_side(user, referral) and referral.feedback_consent


def may_set_intake(user: User, service: Service) -> bool:
    """Return True when ``user`` may say whether ``service`` accepts referrals."""
    return can_edit_service(user, service)


def may_set_intakes(user: User) -> bool:
    """Return True when ``user``'s role edits services, so may open the intake settings."""
    return is_beheerder(user) or is_redacteur(user)


def may_see_referral_figures(
    user: User, gm_code: str | None = None, organization_id: str | None = None
) -> bool:
    """Return True for a municipality's figures to its beheerders, an organisation's to its own."""
    if gm_code is not None:
        return manages_municipality(user, gm_code)
    if organization_id is not None:
        return user.role in REFERRAL_ORGANISATION_ROLES and organization_id in user.organization_ids
    return False


def sees_exact_referral_counts(user: User, gm_code: str | None) -> bool:
    """Return True when ``user`` is inside the municipality: others see "< 5" for small counts."""
    return gm_code is not None and manages_municipality(user, gm_code)


def referring_referrals_filter(user: User) -> ColumnElement[bool]:
    """SQL form of :func:`is_referring_side`, for ``select(Referral).where(...)``."""
    if user.role not in REFERRAL_ORGANISATION_ROLES or not user.organization_ids:
        return false()
    return Referral.referring_organization_id.in_(sorted(user.organization_ids))


def municipality_referrals_filter(user: User) -> ColumnElement[bool]:
    """SQL: the referrals that count for a municipality ``user`` is a beheerder of."""
    if not is_beheerder(user) or not user.gm_codes:
        return false()
    return Referral.gm_code.in_(sorted(user.gm_codes))
