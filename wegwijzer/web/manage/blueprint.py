"""The beheer blueprint and what every beheer request shares: idle timeout, 401/403 pages."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template, request, session, url_for
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


_ALL = ("beheerder", "redacteur", "verwijzer")
#: Beheer menu in groups: (group, ((endpoint, label, roles), ...)). Endpoints of other areas
#: show once they exist; a group shows when one of its entries does.
_NAV = (
    (
        _l("Gegevens bijhouden"),
        (
            ("manage.dashboard", _l("Overzicht"), _ALL),
            ("manage.services", _l("Diensten"), ("beheerder", "redacteur")),
            ("manage.organizations", _l("Organisaties"), ("beheerder", "redacteur")),
            ("manage.review", _l("Te beoordelen"), ("beheerder",)),
            ("manage.stale", _l("Verouderd"), ("beheerder", "redacteur")),
            ("manage.reports", _l("Meldingen"), ("beheerder", "redacteur")),
            ("manage.import_export", _l("Import en export"), ("beheerder",)),
        ),
    ),
    (
        _l("De gemeente"),
        (
            ("coverage.index", _l("Dekking"), ("beheerder",)),
            ("manage.audit", _l("Wijzigingen"), ("beheerder",)),
            ("manage.users", _l("Gebruikers"), ("beheerder",)),
        ),
    ),
    (
        _l("Doorverwijzen"),
        (
            ("referrals.index", _l("Overdrachten"), _ALL),
            ("route.signals", _l("Signalen"), _ALL),
        ),
    ),
    (_l("Uw account"), (("manage.account", _l("Mijn account"), _ALL),)),
)


@dataclass(frozen=True)
class NavItem:
    """One menu entry; ``current`` is "page" for this page, "true" for its section, or ""."""

    url: str
    label: str
    current: str = ""


def nav_items() -> list[tuple[str, str]]:
    """Return the menu entries (url, label) the current user may use."""
    return [(item.url, item.label) for _group, items in nav_groups() for item in items]


def nav_groups() -> list[tuple[str, list[NavItem]]]:
    """Return the menu groups with the entries the current user may use, current one marked."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    home = url_for("manage.dashboard")
    groups = []
    for group, entries in _NAV:
        items = []
        for endpoint, label, roles in entries:
            if current_user.role not in roles or endpoint not in views:
                continue
            url = url_for(endpoint)
            if url == request.path:
                current = "page"
            elif url != home and request.path.startswith(url.rstrip("/") + "/"):
                current = "true"
            else:
                current = ""
            items.append(NavItem(url, str(label), current))
        if items:
            groups.append((str(group), items))
    return groups


@bp.app_context_processor
def _manage_globals() -> dict[str, Any]:
    return {"role_label": role_label, "manage_nav": nav_items, "manage_nav_groups": nav_groups}


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
