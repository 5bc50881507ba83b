"""Flask-Login glue for the routes: the role decorator. The rules themselves are in permissions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..models import Role
from ..services.permissions import has_role, is_helper

__all__ = ["is_helper", "login_redirect", "role_required"]

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: Role | str) -> Callable[[F], F]:
    """Allow only logged-in users with one of ``roles`` (any role when none given); 401/403."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if not has_role(current_user, roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def login_redirect(exc: HTTPException) -> Response:
    """Send people who are not logged in to the login page, and back afterwards (the 401
    handler of the login-only blueprints)."""
    nxt = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("manage.login", next=nxt))
