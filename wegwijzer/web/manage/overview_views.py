"""Dashboard, audit trail, stale entries and residents' reports."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from ...extensions import db
from ...models import AuditEntry, Location, Organization, Report, Role, Service, User
from ...services import freshness
from ..auth import can_edit_organization, can_edit_service, role_required
from .blueprint import bp, logged_in_user
from .forms import ActionForm
from .service_views import editable_services

#: Most audit entries shown on one page.
AUDIT_LIMIT = 200
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
    mine = editable_services(user)
    ids = {s.id for s in mine}
    return render_template(
        "manage/dashboard.html",
        user=user,
        mine=mine,
        review=[s for s in mine if s.publication_status == "ter-beoordeling"],
        sent_back=[s for s in mine if s.publication_status == "concept" and s.review_comment],
        stale=[s for s in freshness.stale_services(db.session, months) if s.id in ids],
        reports=freshness.open_reports(db.session, ids) if ids else [],
        months=months,
        action_form=ActionForm(),
    )


# --- audit trail -----------------------------------------------------------------------------


def _may_see(
    user: User, entity_type: str, entity_id: str, cache: dict[tuple[str, str], bool]
) -> bool:
    key = (entity_type, entity_id)
    if key in cache:
        return cache[key]
    allowed = False
    if entity_type == "service":
        svc = db.session.get(Service, entity_id)
        allowed = svc is not None and can_edit_service(user, svc)
    elif entity_type == "organization":
        org = db.session.get(Organization, entity_id)
        allowed = org is not None and can_edit_organization(user, org)
    elif entity_type == "location":
        loc = db.session.get(Location, entity_id)
        allowed = bool(loc and loc.organization and can_edit_organization(user, loc.organization))
        if loc is None:
            # A deleted location: who may see it follows from who deleted it (same scope).
            allowed = user.role == Role.ADMIN
    elif entity_type == "user":
        other = db.session.get(User, entity_id)
        allowed = (
            user.role == Role.ADMIN
            and other is not None
            and (
                other.id == user.id
                or bool(user.gm_codes & other.gm_codes)
                or any(can_edit_organization(user, o) for o in other.organizations)
            )
        )
    cache[key] = allowed
    return allowed


def entity_name(entity_type: str, entity_id: str) -> str:
    """Return a readable name for an audited entry."""
    model = {
        "service": Service,
        "organization": Organization,
        "location": Location,
        "user": User,
    }.get(entity_type)
    row = db.session.get(model, entity_id) if model else None
    if row is None:
        return entity_id
    return getattr(row, "name", None) or getattr(row, "email", None) or entity_id


@bp.get("/audit")
@role_required(Role.ADMIN, Role.EDITOR)
def audit() -> str:
    """Show the audit trail, filterable by entry (entity, id), person and action."""
    user = logged_in_user()
    entity = request.args.get("entity", "")
    entity_id = request.args.get("id", "")
    who = request.args.get("user", "").strip()
    action = request.args.get("action", "")
    if user.role != Role.ADMIN and not (entity and entity_id):
        abort(403)
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if entity:
        query = query.where(AuditEntry.entity_type == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if who:
        query = query.where(AuditEntry.actor.ilike(f"%{who}%"))
    if action:
        query = query.where(AuditEntry.action == action)
    cache: dict[tuple[str, str], bool] = {}
    if entity and entity_id and not _may_see(user, entity, entity_id, cache):
        abort(403)
    entries: list[AuditEntry] = []
    for entry in db.session.scalars(query.limit(AUDIT_LIMIT * 5)):
        if _may_see(user, entry.entity_type, entry.entity_id, cache):
            entries.append(entry)
        if len(entries) >= AUDIT_LIMIT:
            break
    return render_template(
        "manage/audit.html",
        entries=entries,
        entity=entity,
        entity_id=entity_id,
        who=who,
        action=action,
        actions=ACTION_LABELS,
        entity_name=entity_name,
        title=entity_name(entity, entity_id) if entity and entity_id else None,
    )


# --- freshness ---------------------------------------------------------------------------------


@bp.get("/verouderd")
@role_required(Role.ADMIN, Role.EDITOR)
def stale() -> str | FlaskResponse:
    """List the entries not checked for STALE_MONTHS months; ?csv=1 downloads them."""
    user = logged_in_user()
    months = request.args.get("maanden", type=int) or int(current_app.config["STALE_MONTHS"])
    months = max(1, min(months, 120))
    ids = {s.id for s in editable_services(user)}
    rows = [r for r in freshness.stale_report(db.session, months) if r.service.id in ids]
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
    services = {s.id: s for s in editable_services(logged_in_user())}
    items = freshness.open_reports(db.session, set(services)) if services else []
    return render_template(
        "manage/reports.html", reports=items, services=services, action_form=ActionForm()
    )


@bp.post("/meldingen/<report_id>/afgehandeld")
@role_required(Role.ADMIN, Role.EDITOR)
def report_resolve(report_id: str) -> Response:
    """Mark a report as handled."""
    if not ActionForm().validate_on_submit():
        abort(400)
    report = db.session.get(Report, report_id)
    if report is None:
        abort(404)
    svc = db.session.get(Service, report.service_id)
    if svc is None or not can_edit_service(logged_in_user(), svc):
        abort(403)
    freshness.resolve_report(db.session, logged_in_user(), report)
    flash(_("De melding is afgehandeld."))
    return redirect(url_for("manage.reports"))
