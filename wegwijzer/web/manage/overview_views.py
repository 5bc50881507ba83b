"""Dashboard, audit trail, stale entries and residents' reports."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from ...extensions import db
from ...models import Role
from ...services import freshness, history, overview
from ...services.scope import Forbidden, NotFound
from ..auth import role_required
from .blueprint import bp, logged_in_user
from .forms import ActionForm

ACTION_LABELS = {
    "create": _l("aangemaakt"),
    "update": _l("gewijzigd"),
    "submit": _l("ingediend"),
    "publish": _l("gepubliceerd"),
    "send-back": _l("teruggestuurd"),
    "archive": _l("gearchiveerd"),
    "unarchive": _l("uit archief"),
    "delete": _l("verwijderd"),
    "restore": _l("teruggezet"),
    "verify": _l("gecontroleerd"),
    "password-set": _l("wachtwoord gekozen"),
    "token-created": _l("link gemaakt"),
    "totp": _l("tweede stap"),
    "import": _l("geïmporteerd"),
    "report-resolved": _l("melding afgehandeld"),
}


@bp.get("/")
@role_required(Role.ADMIN, Role.EDITOR, Role.HELPER)
def dashboard() -> str:
    """Show what needs attention: my entries, review queue, stale entries, open reports."""
    user = logged_in_user()
    months = int(current_app.config["STALE_MONTHS"])
    board = overview.load_dashboard(db.session, user, months)
    return render_template(
        "manage/dashboard.html",
        user=user,
        mine=board.mine,
        review=board.review,
        sent_back=board.sent_back,
        stale=board.stale,
        reports=board.reports,
        months=months,
        action_form=ActionForm(),
    )


# --- audit trail -----------------------------------------------------------------------------


@bp.get("/audit")
@role_required(Role.ADMIN, Role.EDITOR)
def audit() -> str:
    """Show the audit trail, filterable by entry (entity, id), person and action; paged."""
    filters = history.HistoryFilter(
        entity_type=request.args.get("entity", ""),
        entity_id=request.args.get("id", ""),
        actor=request.args.get("user", "").strip(),
        action=request.args.get("action", ""),
    )
    page_number = request.args.get("pagina", 1, type=int) or 1
    try:
        page = history.load_history(db.session, logged_in_user(), filters, page_number)
    except Forbidden:
        abort(403)
    return render_template(
        "manage/audit.html",
        entries=page.entries,
        page=page,
        entity=filters.entity_type,
        entity_id=filters.entity_id,
        who=filters.actor,
        action=filters.action,
        actions=ACTION_LABELS,
        entity_name=page.name_of,
        title=page.title,
    )


# --- freshness ---------------------------------------------------------------------------------


@bp.get("/verouderd")
@role_required(Role.ADMIN, Role.EDITOR)
def stale() -> str | FlaskResponse:
    """List the entries not checked for STALE_MONTHS months; ?csv=1 downloads them."""
    months = request.args.get("maanden", type=int) or int(current_app.config["STALE_MONTHS"])
    months = max(1, min(months, 120))
    rows = overview.list_stale(db.session, logged_in_user(), months)
    if request.args.get("csv"):
        return FlaskResponse(
            "\ufeff" + freshness.stale_csv(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=verouderd.csv"},
        )
    return render_template("manage/stale.html", rows=rows, months=months, action_form=ActionForm())


# --- reports -----------------------------------------------------------------------------------


@bp.get("/meldingen")
@role_required(Role.ADMIN, Role.EDITOR)
def reports() -> str:
    """List the open "klopt er iets niet?" reports about the user's services."""
    found = overview.list_open_reports(db.session, logged_in_user())
    return render_template(
        "manage/reports.html",
        reports=found.reports,
        services=found.services,
        action_form=ActionForm(),
    )


@bp.post("/meldingen/<report_id>/afgehandeld")
@role_required(Role.ADMIN, Role.EDITOR)
def report_resolve(report_id: str) -> Response:
    """Mark a report as handled."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        overview.resolve_report(db.session, logged_in_user(), report_id)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    flash(_("De melding is afgehandeld."))
    return redirect(url_for("manage.reports"))
