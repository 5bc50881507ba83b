"""Create and edit organisations and their locations (geocoded, with a correctable map pin)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain.readability import readability_hints
from ...extensions import db
from ...models import Location, Organization, Role
from ...services import editing, overview, scope
from ...services.permissions import edits_wait_for_review, may_review_organization
from ..auth import role_required
from .actions import conflict_page, fields_error, posted_version, require_action_form
from .blueprint import bp, editable_or_abort, logged_in_user
from .forms import ActionForm, LocationForm, OrganizationForm, SendBackForm


def _org_or_404(org_id: str) -> Organization:
    return editable_or_abort(scope.get_editable_organization, org_id)


def _location_or_404(location_id: str) -> Location:
    return editable_or_abort(scope.get_editable_location, location_id)


def _org_fields(form: OrganizationForm) -> dict[str, Any]:
    def clean(value: Any) -> Any:
        return (value.strip() or None) if isinstance(value, str) else value

    return {name: clean(getattr(form, name).data) for name in editing.ORGANIZATION_FIELDS}


@bp.get("/organisaties")
@role_required(Role.ADMIN, Role.EDITOR)
def organizations() -> str:
    """List the organisations the user may edit; deleted ones can be restored."""
    found = overview.list_organizations(db.session, logged_in_user())
    return render_template(
        "manage/organizations.html",
        organizations=found.live,
        deleted=found.deleted,
        action_form=ActionForm(),
    )


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def organization_new() -> str | Response:
    """Create an organisation (beheerders)."""
    form = OrganizationForm()
    error = None
    if form.validate_on_submit():
        org = editing.create_organization(db.session, logged_in_user(), _org_fields(form))
        flash(_("De organisatie is opgeslagen."))
        return redirect(url_for("manage.organization_edit", org_id=org.id))
    if request.method == "POST":
        error = fields_error()
    return render_template(
        "manage/organization_form.html", form=form, org=None, error=error, hints={}
    )


@bp.route("/organisaties/<org_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.EDITOR)
def organization_edit(org_id: str) -> str | Response | tuple[str, int]:
    """Edit an organisation; a save after someone else's save shows both versions."""
    org = _org_or_404(org_id)
    form = OrganizationForm(obj=org if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(org.version)
        form.funding_source.data = org.funding_source or ""
        form.collaboration_agreement.data = org.collaboration_agreement or ""
        if org.pending_changes and edits_wait_for_review(logged_in_user()):
            # The redacteur continues from their own waiting edit, not the live values.
            for name, value in org.pending_changes.items():
                if name in form:
                    form[name].data = value
    error = None
    conflict = None
    if request.method == "POST":
        if org.deleted_at is not None:
            error = _("Deze organisatie is verwijderd. Zet haar eerst terug.")
        elif not form.validate_on_submit():
            error = fields_error()
        else:
            try:
                editing.update_organization(
                    db.session, logged_in_user(), org, _org_fields(form), posted_version() or 0
                )
            except editing.EditConflict as exc:
                conflict = exc
                form.version.data = str(exc.version)
            else:
                waits = org.pending_changes and edits_wait_for_review(logged_in_user())
                waiting = _(
                    "Opgeslagen. Een beheerder kijkt uw wijzigingen na; tot dan blijft "
                    "de site de oude gegevens tonen."
                )
                flash(waiting if waits else _("Opgeslagen."))
                return redirect(url_for("manage.organization_edit", org_id=org.id))
    html = render_template(
        "manage/organization_form.html",
        form=form,
        org=org,
        error=error,
        conflict=conflict,
        hints={"description": readability_hints(form.description.data or "")},
        action_form=ActionForm(),
        send_back_form=SendBackForm(),
        is_admin=may_review_organization(logged_in_user(), org),
    )
    return (html, 409) if conflict else html


def _org_conflict(org: Organization, label: str) -> tuple[str, int]:
    """Return the conflict page for a button on ``org`` that was not done."""
    db.session.refresh(org)
    back = url_for("manage.organization_edit", org_id=org.id)
    return conflict_page(label, org.name, back, _("verwijderd") if org.deleted_at else None)


@bp.post("/organisaties/<org_id>/wijzigingen/goedkeuren")
@role_required(Role.ADMIN)
def organization_approve(org_id: str) -> ResponseReturnValue:
    """Put a redacteur's waiting organisation edit live."""
    require_action_form()
    org = _org_or_404(org_id)
    if not org.pending_changes:
        flash(_("Er wachten geen wijzigingen."))
        return redirect(url_for("manage.organization_edit", org_id=org.id))
    try:
        editing.approve_organization_changes(
            db.session, logged_in_user(), org, expected_version=posted_version()
        )
    except editing.EditConflict:
        return _org_conflict(org, _("Goedkeuren en publiceren"))
    flash(_("Goedgekeurd. De wijzigingen staan nu op de site."))
    return redirect(url_for("manage.organization_edit", org_id=org.id))


@bp.post("/organisaties/<org_id>/wijzigingen/terugsturen")
@role_required(Role.ADMIN)
def organization_reject(org_id: str) -> ResponseReturnValue:
    """Send a redacteur's waiting organisation edit back with a comment."""
    org = _org_or_404(org_id)
    form = SendBackForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Schrijf kort wat er anders moet."))
        return redirect(url_for("manage.organization_edit", org_id=org.id))
    try:
        editing.reject_organization_changes(
            db.session, logged_in_user(), org, form.comment.data, expected_version=posted_version()
        )
    except editing.EditConflict:
        return _org_conflict(org, _("Terugsturen"))
    flash(_("Teruggestuurd naar de redacteur."))
    return redirect(url_for("manage.organization_edit", org_id=org.id))


@bp.post("/organisaties/<org_id>/verwijderen", endpoint="organization_delete")
@bp.post("/organisaties/<org_id>/herstellen", endpoint="organization_restore")
@role_required(Role.ADMIN)
def organization_set_deleted(org_id: str) -> ResponseReturnValue:
    """Soft-delete an organisation (its services leave the site), or undo that."""
    require_action_form()
    org = _org_or_404(org_id)
    deleted = request.endpoint == "manage.organization_delete"
    change = editing.delete_organization if deleted else editing.restore_organization
    try:
        change(db.session, logged_in_user(), org, expected_version=posted_version())
    except editing.EditConflict:
        return _org_conflict(org, _("Organisatie verwijderen") if deleted else _("Terugzetten"))
    if deleted:
        flash(_("Verwijderd. U kunt de organisatie terugzetten vanuit de lijst."))
        return redirect(url_for("manage.organizations"))
    flash(_("Teruggezet."))
    return redirect(url_for("manage.organization_edit", org_id=org.id))


# --- locations ---------------------------------------------------------------------------------


def _location_input(form: LocationForm) -> editing.LocationInput:
    return editing.LocationInput(
        name=form.name.data.strip(),
        address_1=(form.address_1.data or "").strip(),
        postal_code=(form.postal_code.data or "").strip(),
        city=(form.city.data or "").strip(),
        description=(form.description.data or "").strip(),
        transportation=(form.transportation.data or "").strip(),
        wheelchair=form.wheelchair.data or "",
        accessibility_details=(form.accessibility_details.data or "").strip(),
        latitude=float(form.latitude.data) if form.latitude.data is not None else None,
        longitude=float(form.longitude.data) if form.longitude.data is not None else None,
    )


def _render_location(
    form: LocationForm, org: Organization, loc: Location | None, error: str | None
) -> str:
    return render_template(
        "manage/location_form.html",
        form=form,
        org=org,
        location=loc,
        error=error,
        tile_url=current_app.config.get("TILE_URL"),
        action_form=ActionForm(),
    )


def _location_conflict(
    conflict: editing.EditConflict, location_id: str, name: str, org: Organization, label: str
) -> tuple[str, int]:
    """Return the conflict page: back to the location, or to its organisation when it is gone."""
    if conflict.current:
        back = url_for("manage.location_edit", location_id=location_id)
    else:
        back = url_for("manage.organization_edit", org_id=org.id)
    return conflict_page(label, name, back, None if conflict.current else _("verwijderd"))


@bp.route("/organisaties/<org_id>/locaties/nieuw", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.EDITOR)
def location_new(org_id: str) -> str | Response:
    """Add a location; its address is placed on the map from the gazetteer."""
    org = _org_or_404(org_id)
    form = LocationForm()
    if not form.validate_on_submit():
        return _render_location(form, org, None, fields_error() if form.is_submitted() else None)
    try:
        loc = editing.create_location(db.session, logged_in_user(), org, _location_input(form))
    except editing.EditError as exc:
        return _render_location(form, org, None, str(exc))
    flash(_("De locatie is opgeslagen. Controleer het punt op de kaart."))
    return redirect(url_for("manage.location_edit", location_id=loc.id))


@bp.route("/locaties/<location_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.EDITOR)
def location_edit(location_id: str) -> ResponseReturnValue:
    """Edit a location's address and correct its map pin."""
    loc = _location_or_404(location_id)
    org = loc.organization
    form = LocationForm()
    if request.method == "GET":
        snap = editing.location_snapshot(loc)
        for name in (
            "name",
            "address_1",
            "postal_code",
            "city",
            "description",
            "transportation",
            "accessibility_details",
            "latitude",
            "longitude",
        ):
            getattr(form, name).data = snap[name]
        form.wheelchair.data = snap["wheelchair"] or ""
    if not form.validate_on_submit():
        return _render_location(form, org, loc, fields_error() if form.is_submitted() else None)
    name = loc.name or ""
    try:
        editing.update_location(db.session, logged_in_user(), loc, _location_input(form))
    except editing.EditConflict as conflict:
        return _location_conflict(conflict, location_id, name, org, _("Opslaan"))
    except editing.EditError as exc:
        return _render_location(form, org, loc, str(exc))
    flash(_("Opgeslagen."))
    return redirect(url_for("manage.location_edit", location_id=loc.id))


@bp.post("/locaties/<location_id>/verwijderen")
@role_required(Role.ADMIN, Role.EDITOR)
def location_delete(location_id: str) -> ResponseReturnValue:
    """Delete a location no service uses."""
    require_action_form()
    loc = _location_or_404(location_id)
    org, name = loc.organization, loc.name or ""
    try:
        editing.delete_location(db.session, logged_in_user(), loc)
    except editing.EditConflict as conflict:
        return _location_conflict(conflict, location_id, name, org, _("Locatie verwijderen"))
    except editing.EditError as exc:
        flash(str(exc))
        return redirect(url_for("manage.location_edit", location_id=location_id))
    flash(_("De locatie is verwijderd."))
    return redirect(url_for("manage.organization_edit", org_id=org.id))
