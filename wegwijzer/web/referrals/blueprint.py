"""The referrals blueprint and what its pages share: error pages, labels, the offer link."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ...extensions import db
from ...models import NotStartedReason, Service, Urgency
from ...services.referrals import codes, intake, labels, terms
from ..auth import login_redirect
from ..i18n import url_lang

bp = Blueprint("referrals", __name__, url_prefix="/beheer/overdrachten")
bp.register_error_handler(401, login_redirect)


@bp.errorhandler(403)
def _forbidden(exc: HTTPException) -> tuple[str, int]:
    return render_template("referrals/refused.html", status=403), 403


@bp.errorhandler(404)
def _not_found(exc: HTTPException) -> tuple[str, int]:
    return render_template("referrals/refused.html", status=404), 404


@bp.errorhandler(429)
def _too_many(exc: HTTPException) -> tuple[str, int]:
    return render_template("referrals/refused.html", status=429), 429


def referral_url(code: str) -> str:
    """Return the full address of a referral's page, for mail (no personal data in it)."""
    return url_for("referrals.detail", code=codes.format_code(code), _external=True)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "urgency_label": labels.urgency_label,
        "urgency_short": lambda code: str(labels.URGENCY_SHORT.get(code, code)),
        "referral_status_label": labels.status_label,
        "reason_label": labels.reason_label,
        "signal_label": lambda s: str(labels.SIGNAL_LABELS.get(s, "")) if s else "",
        "short_term": terms.has_short_term,
        "urgencies": list(Urgency),
        "reasons": list(NotStartedReason),
        "code_bits": int(codes.CODE_BITS),
        "mail_on": bool(current_app.config.get("MAIL_SERVER")),
        "retention_months": int(current_app.config["REFERRAL_RETENTION_MONTHS"]),
    }


def _referral_offer(service: Service) -> str | None:
    """Return the link to make a referral to ``service`` for this helper, or None."""
    if not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    if not intake.offers_referral(db.session, user, service):
        return None
    return url_lang("referrals.new", service_key=service.slug)


@bp.app_context_processor
def _offer() -> dict[str, Any]:
    return {"referral_offer": _referral_offer}
