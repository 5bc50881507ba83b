"""Role checks shared by every management route; the rules themselves are in permissions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from ..models import Role
from ..services.permissions import (
    can_edit_organization,
    can_edit_service,
    can_publish,
    can_use_organization,
    is_helper,
    manages_municipality,
    manages_service,
)

__all__ = [
    "can_edit_organization",
    "can_edit_service",
    "can_publish",
    "can_use_organization",
    "is_helper",
    "manages_municipality",
    "manages_service",
    "role_required",
]

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
