"""The public "klopt er iets niet?" form: CSRF-safe without a cookie, rate-limited per address."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from ...extensions import csrf, db
from ...models import Service
from ...services import freshness
from ...services.directory import get_public_service
from ..client import client_ip
from ..i18n import url_lang
from .views import bp

#: A form older than this is refused (the visitor reloads the page and sends again).
TOKEN_MAX_AGE = 2 * 60 * 60
_SALT = "wegwijzer-report"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def report_token(service_id: str) -> str:
    """Return a signed, time-limited token for the report form of one service."""
    return _serializer().dumps(service_id)


@bp.app_context_processor
def _report_globals() -> dict[str, Any]:
    return {"report_token": report_token}


def _same_origin() -> bool:
    """Refuse cross-site posts: browsers send Sec-Fetch-Site and/or Origin with a POST."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is not None:
        parts = urlsplit(origin)
        return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")
    return True


def _result(message: str, svc: Service | None, status: int) -> tuple[str, int]:
    return render_template("manage/report_result.html", message=message, service=svc), status


def _received(svc: Service) -> Response:
    """Go back to the service page, in the visitor's language, with a thank-you note."""
    return redirect(url_lang("public.service", key=svc.slug, melding="ontvangen") + "#melding")


@bp.post("/hulp/<key>/melding")
@csrf.exempt
def report_service(key: str) -> Response | tuple[str, int]:
    """Store a report about a published service; no account, no cookie, no personal data."""
    svc = get_public_service(db.session, key)
    if svc is None:
        return _result(_("Deze dienst bestaat niet (meer)."), None, 404)
    if not _same_origin():
        return _result(_("Dit formulier kan alleen vanaf deze site worden verstuurd."), svc, 400)
    try:
        service_id = _serializer().loads(request.form.get("token", ""), max_age=TOKEN_MAX_AGE)
    except SignatureExpired:
        return _result(
            _("Het formulier was te lang open. Laad de pagina opnieuw en probeer het nog eens."),
            svc,
            400,
        )
    except BadSignature:
        return _result(_("Het formulier is niet goed verstuurd. Laad de pagina opnieuw."), svc, 400)
    if service_id != svc.id:
        return _result(_("Het formulier is niet goed verstuurd. Laad de pagina opnieuw."), svc, 400)
    if request.form.get("website"):
        # The hidden field only robots fill in; answer as if all went well.
        return _received(svc)
    try:
        freshness.receive_report(db.session, svc, request.form.get("message", ""), client_ip())
    except freshness.ReportLimited:
        return _result(
            _("U heeft al een paar meldingen gestuurd. Probeer het over tien minuten opnieuw."),
            svc,
            429,
        )
    except freshness.ReportError as exc:
        return _result(str(exc), svc, 400)
    return _received(svc)
