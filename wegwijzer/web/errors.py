"""Error answers for the whole site, registered by the app factory.

People get a page in the site's style and language that says what went wrong and what to do;
API clients (everything under ``/api/``, also addresses that match no route) get JSON with
the same message.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException

from ..search import SearchUnavailable

API_PREFIX = "/api/"
#: Seconds a client is asked to wait when the database cannot be reached.
DATABASE_RETRY_AFTER = 30
log = logging.getLogger(__name__)
_last_logged = {"database": 0.0}


class BadParameter(BadRequest):
    """A request value the site cannot use; the description says which one and why."""

    def __init__(self, message: str, parameter: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.extra = extra


def wants_json() -> bool:
    """Return True for API requests, which get JSON errors."""
    return request.path.startswith(API_PREFIX)


def _message(error: HTTPException) -> str | None:
    if isinstance(error, BadParameter):
        return error.description
    if isinstance(error, CSRFError):
        return _(
            "Het formulier is verlopen. Ga terug, laad de pagina opnieuw en probeer het nog eens."
        )
    return None


def _answer(error: HTTPException, template: str, **context: Any) -> ResponseReturnValue:
    code = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k in ("Allow", "Retry-After")}
    message = _message(error)
    if wants_json():
        body: dict[str, Any] = {"error": message or error.name}
        if isinstance(error, BadParameter):
            body["parameter"] = error.parameter
            body.update(error.extra)
        return jsonify(body), code, headers
    is_form = isinstance(error, CSRFError)
    return render_template(template, message=message, is_form=is_form, **context), code, headers


def bad_request(error: HTTPException) -> ResponseReturnValue:
    """Explain what was wrong with the address or form, in plain words."""
    return _answer(error, "errors/400.html")


def not_found(error: HTTPException) -> ResponseReturnValue:
    """Say the page does not exist and offer the way back (also for a wrong method)."""
    return _answer(error, "errors/404.html")


def too_large(error: HTTPException) -> ResponseReturnValue:
    """Say the upload or form is over the size limit, and what to do."""
    # The import page has its own, lower limit for the file; name that one there.
    key = "MAX_IMPORT_BYTES" if request.endpoint == "manage.import_export" else "MAX_CONTENT_LENGTH"
    limit_mb = int(current_app.config[key] or 0) // (1024 * 1024)
    if wants_json():
        message = _("Wat u stuurt is te groot: hoogstens %(mb)s MB.", mb=limit_mb)
        return jsonify(error=message), 413
    return render_template("errors/413.html", limit_mb=limit_mb), 413


def search_unavailable(error: SearchUnavailable) -> ResponseReturnValue:
    """Say search is being repaired and when to try again (503 with Retry-After)."""
    headers = {"Retry-After": str(error.retry_after)}
    if wants_json():
        message = _("Zoeken lukt even niet. Probeer het over een minuut opnieuw.")
        return jsonify(error=message), 503, headers
    return render_template("errors/503.html"), 503, headers


def database_unavailable(error: Exception) -> ResponseReturnValue:
    """Say the site is briefly unavailable (503) while the database cannot be reached.

    The pool reconnects on the next request, so the site recovers by itself when the
    database is back. One log line per ten seconds per process, without the statement.
    """
    from ..extensions import db

    g.database_down = True
    # Render as for an anonymous visitor: loading the logged-in account needs the database.
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    db.remove()
    now = time.monotonic()
    if now - _last_logged["database"] >= 10:
        _last_logged["database"] = now
        orig = getattr(error, "orig", None) or error
        reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        log.error("Database niet bereikbaar: %s: %s", type(orig).__name__, reason)
    headers = {"Retry-After": str(DATABASE_RETRY_AFTER)}
    if wants_json():
        message = _("De gegevens zijn even niet bereikbaar. Probeer het over een minuut opnieuw.")
        return jsonify(error=message), 503, headers
    return render_template("errors/unavailable.html"), 503, headers


def server_error(error: Exception) -> ResponseReturnValue:
    """Apologise and give the ways to get help without the site."""
    if wants_json():
        return jsonify(error="Internal Server Error"), 500
    return render_template("errors/500.html"), 500


def register_error_handlers(app: Flask) -> None:
    """Answer every error of the app in the site's style (pages) or as JSON (API)."""
    app.register_error_handler(400, bad_request)
    app.register_error_handler(404, not_found)
    app.register_error_handler(405, not_found)
    app.register_error_handler(413, too_large)
    app.register_error_handler(SearchUnavailable, search_unavailable)
    for kind in (OperationalError, InterfaceError, DisconnectionError):
        app.register_error_handler(kind, database_unavailable)
    app.register_error_handler(500, server_error)
