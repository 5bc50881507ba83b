"""The beheer start page: my entries, awaiting review, stale entries, open reports."""

from __future__ import annotations

from flask import render_template

from ...models import Role
from ..auth import role_required
from .blueprint import bp, logged_in_user


@bp.get("/")
@role_required(Role.ADMIN, Role.EDITOR, Role.HELPER)
def dashboard() -> str:
    """Show what needs attention for the logged-in person."""
    user = logged_in_user()
    return render_template("manage/dashboard.html", user=user)
