"""What every beheer button (a small POST form) shares: the CSRF check, the version of the
entry its page showed, and the conflict page when someone else changed the entry meanwhile."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from .forms import ActionForm


def require_action_form() -> None:
    """Refuse a button's POST without a valid CSRF token (400)."""
    if not ActionForm().validate_on_submit():
        abort(400)


def fields_error() -> str:
    """Return the message above a posted form whose fields have errors (each field says its
    own)."""
    return _("Niet alles is goed ingevuld. Kijk bij de velden met een foutmelding.")


def posted_version() -> int | None:
    """Return the entry version the page showed (hidden field ``version``); None if not sent."""
    raw = request.form.get("version")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        # A mangled version matches no saved one: the conflict page, not a blind change.
        return -1


def conflict_page(
    action: str, name: str, back_url: str, state: str | None = None
) -> tuple[str, int]:
    """Return the 409 page: ``action`` was not done; a link leads to the entry as saved now."""
    html = render_template(
        "manage/conflict.html", action=action, name=name, back_url=back_url, state=state
    )
    return html, 409
