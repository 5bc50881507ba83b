"""The beheer blueprint and what every beheer request shares: idle timeout, 401/403 pages."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from ...extensions import db
from ...models import User
from ...services import scope
from ..auth import login_redirect

bp = Blueprint("manage", __name__, url_prefix="/beheer")
bp.register_error_handler(401, login_redirect)

T = TypeVar("T")


@bp.before_app_request
def _end_idle_session() -> None:
    """End a login session after SESSION_IDLE_MINUTES without a request (checked server-side)."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    seen = session.get("_seen")
    idle = int(current_app.config["SESSION_IDLE_MINUTES"]) * 60
    if isinstance(seen, int) and now - seen > idle:
        logout_user()
        session.clear()
        session["_idle"] = True
        return
    session["_seen"] = now


#: Beheer menu: (endpoint, label, roles). Endpoints of other areas show once they exist.
_NAV = (
    ("manage.dashboard", _l("Overzicht"), ("beheerder", "redacteur", "verwijzer")),
    ("manage.services", _l("Diensten"), ("beheerder", "redacteur")),
    ("manage.organizations", _l("Organisaties"), ("beheerder", "redacteur")),
    ("manage.review", _l("Te beoordelen"), ("beheerder",)),
    ("manage.stale", _l("Verouderd"), ("beheerder", "redacteur")),
    ("manage.reports", _l("Meldingen"), ("beheerder", "redacteur")),
    ("manage.audit", _l("Wijzigingen"), ("beheerder",)),
    ("manage.users", _l("Gebruikers"), ("beheerder",)),
    ("manage.import_export", _l("Import en export"), ("beheerder",)),
    ("coverage.index", _l("Dekking"), ("beheerder",)),
    ("referrals.index", _l("Overdrachten"), ("beheerder", "redacteur", "verwijzer")),
    ("manage.account", _l("Mijn account"), ("beheerder", "redacteur", "verwijzer")),
)


def nav_items() -> list[tuple[str, str]]:
    """Return the menu entries (url, label) the current user may use."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [
        (url_for(endpoint), str(label))
        for endpoint, label, roles in _NAV
        if current_user.role in roles and endpoint in views
    ]


@bp.app_context_processor
def _manage_globals() -> dict[str, Any]:
    return {"role_label": role_label, "manage_nav": nav_items}


def role_label(role: str) -> str:
    """Return the Dutch label of a role."""
    labels = {"beheerder": _("beheerder"), "redacteur": _("redacteur"), "verwijzer": _("verwijzer")}
    return labels.get(role, role)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.errorhandler(403)
def _forbidden(exc: HTTPException) -> tuple[str, int]:
    return render_template("manage/forbidden.html"), 403


def logged_in_user() -> Any:
    """Return the current user (for type checkers, a User)."""
    return current_user._get_current_object()


def editable_or_abort(get: Callable[[Session, User, str], T], entry_id: str) -> T:
    """Return ``get``'s entry for the logged-in user: 404 when it does not exist, 403 when the
    user may not edit it (``get`` is one of the ``scope.get_editable_*`` look-ups)."""
    try:
        return get(db.session, logged_in_user(), entry_id)
    except scope.NotFound:
        abort(404)
    except scope.Forbidden:
        abort(403)
