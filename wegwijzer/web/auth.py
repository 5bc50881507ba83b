"""Role checks shared by every management route."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from ..models import Organization, Role, Service, User

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: Role | str) -> Callable[[F], F]:
    """Allow only logged-in users with one of ``roles``; others get 401/403."""
    allowed = {str(r) for r in roles}

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if allowed and current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


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


def can_edit_organization(user: User, org: Organization) -> bool:
    """Return True when ``user`` may edit ``org``: its redacteur, or a beheerder of all areas."""
    if user.role == Role.EDITOR:
        return org.id in user.organization_ids
    if user.role == Role.ADMIN:
        # All, not any: an organisation that also works elsewhere is edited (or deleted) only
        # by someone who manages every place it works. A new one without services is open.
        return all(manages_service(user, s) for s in org.services)
    return False


def can_edit_service(user: User, service: Service) -> bool:
    """Return True when ``user`` may edit ``service``."""
    if user.role == Role.EDITOR:
        return service.organization_id in user.organization_ids
    return manages_service(user, service)


def can_publish(user: User, service: Service) -> bool:
    """Only a beheerder of the service's area publishes; a redacteur submits for review."""
    return manages_service(user, service)
