"""Create and edit services; the review queue. The buttons on a service: service_actions."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from ...domain.readability import readability_hints
from ...extensions import db
from ...models import PublicationStatus, Role, Service, User
from ...services import editing, overview, scope
from ...services.permissions import can_publish, edits_wait_for_review
from ..auth import role_required
from .actions import fields_error, posted_version
from .blueprint import bp, editable_or_abort, logged_in_user
from .forms import ActionForm, SendBackForm, ServiceForm

#: Blank rows shown after the filled ones, so more can be added without JavaScript.
EXTRA_ROWS = {"phones": 1, "contacts": 1, "weekly": 2, "exceptions": 1}


def status_label(status: str) -> str:
    """Return the Dutch label of a publication status."""
    labels = {
        PublicationStatus.CONCEPT: _("concept"),
        PublicationStatus.REVIEW: _("ter beoordeling"),
        PublicationStatus.PUBLISHED: _("gepubliceerd"),
        PublicationStatus.ARCHIVED: _("gearchiveerd"),
    }
    return labels.get(status, status)


@bp.app_context_processor
def _service_globals() -> dict[str, Any]:
    return {"status_label": status_label}


def service_or_404(service_id: str) -> Service:
    """Return the service the user may edit; 404 when it does not exist, else 403."""
    return editable_or_abort(scope.get_editable_service, service_id)


def _check_organization(form: ServiceForm, user: User, svc: Service | None) -> bool:
    """Refuse an organisation that is not offered (a forged form), with a message on the field."""
    chosen = form.organization_id.data
    current = svc.organization if svc else None
    try:
        scope.choose_organization(db.session, user, chosen, current)
    except scope.NotFound:
        form.organization_id.errors = [_("Kies een organisatie uit de lijst.")]
        return False
    except scope.Forbidden:
        form.organization_id.errors = [
            _(
                "U kunt deze organisatie niet kiezen: zij werkt (ook) buiten uw gemeente(n), "
                "of u beheert haar niet. Kies een organisatie uit de lijst."
            )
        ]
        return False
    return True


def _validate(form: ServiceForm, user: User, svc: Service | None) -> bool:
    """Validate the posted form, including the right to use the chosen organisation."""
    valid = form.validate_on_submit()
    # Checked after validate(), which resets the errors, so this message is the one shown.
    return _check_organization(form, user, svc) and valid


def _prepare_form(form: ServiceForm, user: User, svc: Service | None) -> list[Any]:
    """Fill the choices of the form; return the taxonomies for the term checkboxes."""
    choices = scope.load_service_form_choices(db.session, user, svc)
    orgs = choices.organizations
    form.organization_id.choices = [SelectChoice(o.id, o.name) for o in orgs]
    form.municipalities.choices = [SelectChoice(m.gm_code, m.name) for m in choices.municipalities]
    by_org = {o.id: o.name for o in orgs}
    form.locations.choices = [
        SelectChoice(
            loc.id,
            f"{loc.name or ''} – {loc.address.one_line() if loc.address else ''} "
            f"({by_org.get(loc.organization_id, '')})",
        )
        for loc in choices.locations
    ]
    return list(choices.taxonomies)


def _pad(form: ServiceForm) -> None:
    for name, extra in EXTRA_ROWS.items():
        field_list = getattr(form, name)
        for _i in range(extra):
            field_list.append_entry()


def _fill_from_service(form: ServiceForm, svc: Service) -> None:
    for name in editing.SERVICE_FIELDS:
        if name in ("handover_needs", "warm_handover"):
            continue
        getattr(form, name).data = getattr(svc, name)
    form.handover_needs.data = "\n".join(svc.handover_needs or [])
    form.warm_handover.data = {True: "ja", False: "nee"}.get(svc.warm_handover, "")
    form.funding_source.data = svc.funding_source or ""
    form.collaboration_agreement.data = svc.collaboration_agreement or ""
    form.organization_id.data = svc.organization_id
    form.version.data = str(svc.version)
    form.is_national.data = svc.is_national
    form.municipalities.data = svc.gm_codes
    form.locations.data = [sal.location_id for sal in svc.service_at_locations]
    form.languages.data = ", ".join(x.name or "" for x in svc.languages)
    form.is_free.data = any(c.is_free for c in svc.cost_options)
    for name in ("phones", "contacts", "weekly", "exceptions"):
        while len(getattr(form, name)):
            getattr(form, name).pop_entry()
    for p in svc.phones:
        form.phones.append_entry(
            {"number": p.number, "description": p.description, "is_public": p.is_public}
        )
    for c in svc.contacts:
        form.contacts.append_entry(
            {
                "name": c.name,
                "title": c.title,
                "email": c.email,
                "phone": c.phones[0].number if c.phones else "",
                "is_public": c.is_public,
            }
        )
    for s in svc.schedules:
        if s.valid_from is None:
            form.weekly.append_entry(
                {
                    "days": s.days,
                    "opens_at": s.opens_at,
                    "closes_at": s.closes_at,
                    "attending_type": s.attending_type or "inloop",
                }
            )
        else:
            form.exceptions.append_entry(
                {
                    "valid_from": s.valid_from,
                    "valid_to": s.valid_to,
                    "is_closed": s.is_closed,
                    "opens_at": s.opens_at,
                    "closes_at": s.closes_at,
                    "description": s.description,
                }
            )
    _pad(form)


def _none(value: Any) -> Any:
    return value.strip() or None if isinstance(value, str) else value


def _service_input(form: ServiceForm, term_ids: list[str]) -> editing.ServiceInput:
    fields = {
        name: _none(getattr(form, name).data)
        for name in editing.SERVICE_FIELDS
        if name not in ("handover_needs", "warm_handover")
    }
    fields["name"] = form.name.data.strip()
    fields["description"] = form.description.data.strip()
    fields["handover_needs"] = [
        x.strip() for x in (form.handover_needs.data or "").splitlines() if x.strip()
    ]
    fields["warm_handover"] = {"ja": True, "nee": False}.get(form.warm_handover.data)
    gm_codes = list(form.municipalities.data or [])
    gm_codes += editing.resolve_municipalities(db.session, form.other_municipalities.data or "")
    return editing.ServiceInput(
        organization_id=form.organization_id.data,
        fields=fields,
        phones=[
            editing.PhoneInput(
                p.form.number.data.strip(),
                (p.form.description.data or "").strip(),
                bool(p.form.is_public.data),
            )
            for p in form.phones
            if (p.form.number.data or "").strip()
        ],
        contacts=[
            editing.ContactInput(
                (c.form.name.data or "").strip(),
                (c.form.title.data or "").strip(),
                (c.form.email.data or "").strip(),
                (c.form.phone.data or "").strip(),
                bool(c.form.is_public.data),
            )
            for c in form.contacts
            if any((c.form[f].data or "").strip() for f in ("name", "email", "phone"))
        ],
        is_national=bool(form.is_national.data),
        gm_codes=gm_codes,
        term_ids=term_ids,
        weekly=[
            editing.WeeklyInput(
                w.form.days.data,
                w.form.opens_at.data,
                w.form.closes_at.data,
                w.form.attending_type.data,
            )
            for w in form.weekly
            if w.form.days.data
        ],
        exceptions=[
            editing.ExceptionInput(
                e.form.valid_from.data,
                e.form.valid_to.data,
                bool(e.form.is_closed.data),
                e.form.opens_at.data or "",
                e.form.closes_at.data or "",
                (e.form.description.data or "").strip(),
            )
            for e in form.exceptions
            if e.form.valid_from.data
        ],
        location_ids=list(form.locations.data or []),
        languages=[x.strip() for x in (form.languages.data or "").split(",") if x.strip()],
        is_free=bool(form.is_free.data),
    )


def _selected_terms(taxonomies: list[Any]) -> list[str]:
    valid = {t.id for tax in taxonomies for t in tax.terms}
    return [t for t in request.form.getlist("terms") if t in valid]


def _hints(form: ServiceForm) -> dict[str, list[str]]:
    return {
        name: readability_hints(getattr(form, name).data or "")
        for name in ("description", "application_process", "eligibility_description", "alert")
    }


def _render_form(
    form: ServiceForm,
    svc: Service | None,
    taxonomies: list[Any],
    selected: set[str],
    error: str | None = None,
    conflict: editing.EditConflict | None = None,
) -> str | tuple[str, int]:
    html = render_template(
        "manage/service_form.html",
        form=form,
        service=svc,
        taxonomies=taxonomies,
        selected_terms=selected,
        error=error,
        conflict=conflict,
        hints=_hints(form),
        action_form=ActionForm(),
        send_back_form=SendBackForm(),
        may_publish=bool(svc and can_publish(logged_in_user(), svc)),
    )
    return (html, 409) if conflict else html


@bp.get("/diensten")
@role_required(Role.ADMIN, Role.EDITOR)
def services() -> str:
    """List the services the user may edit, with their status."""
    status = request.args.get("status", "")
    found = overview.list_services(db.session, logged_in_user(), status)
    return render_template(
        "manage/services.html",
        services=found.live,
        deleted=found.deleted,
        status=status,
        action_form=ActionForm(),
    )


@bp.route("/diensten/nieuw", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.EDITOR)
def service_new() -> str | Response | tuple[str, int]:
    """Create a service (it starts as a concept)."""
    user = logged_in_user()
    form = ServiceForm()
    taxonomies = _prepare_form(form, user, None)
    if not form.organization_id.choices:
        flash(_("Maak eerst een organisatie aan."))
        return redirect(url_for("manage.organization_new"))
    selected = set(_selected_terms(taxonomies))
    error = None
    if request.method == "GET":
        form.municipalities.data = sorted(user.gm_codes)
        _pad(form)
    elif _validate(form, user, None):
        try:
            svc = editing.create_service(db.session, user, _service_input(form, sorted(selected)))
        except editing.EditError as exc:
            error = str(exc)
        else:
            flash(_("De dienst is opgeslagen als concept."))
            return redirect(url_for("manage.service_edit", service_id=svc.id))
    else:
        error = fields_error()
    return _render_form(form, None, taxonomies, selected, error)


@bp.route("/diensten/<service_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.EDITOR)
def service_edit(service_id: str) -> str | Response | tuple[str, int]:
    """Edit a service; a save after someone else's save shows both versions."""
    user = logged_in_user()
    svc = service_or_404(service_id)
    form = ServiceForm()
    taxonomies = _prepare_form(form, user, svc)
    if request.method == "GET":
        _fill_from_service(form, svc)
        return _render_form(form, svc, taxonomies, {t.id for t in svc.terms})
    selected = set(_selected_terms(taxonomies))
    if svc.deleted_at is not None:
        return _render_form(
            form, svc, taxonomies, selected, _("Deze dienst is verwijderd. Zet hem eerst terug.")
        )
    if not _validate(form, user, svc):
        return _render_form(
            form,
            svc,
            taxonomies,
            selected,
            fields_error(),
        )
    try:
        editing.update_service(
            db.session, user, svc, _service_input(form, sorted(selected)), posted_version() or 0
        )
    except editing.EditConflict as conflict:
        db.session.refresh(svc)
        form.version.data = str(conflict.version)
        return _render_form(form, svc, taxonomies, selected, conflict=conflict)
    except editing.EditError as exc:
        db.session.refresh(svc)
        return _render_form(form, svc, taxonomies, selected, str(exc))
    waits = svc.publication_status == PublicationStatus.REVIEW and edits_wait_for_review(user)
    waiting = _(
        "Opgeslagen. Een beheerder van de gemeente bekijkt uw wijziging "
        "voordat die op de site komt."
    )
    flash(waiting if waits else _("Opgeslagen."))
    return redirect(url_for("manage.service_edit", service_id=svc.id))


@bp.get("/beoordelen")
@role_required(Role.ADMIN)
def review() -> str:
    """List the services and organisation edits waiting for this beheerder's review."""
    queue = overview.load_review_queue(db.session, logged_in_user())
    return render_template(
        "manage/review.html",
        organizations=queue.organizations,
        services=queue.services,
        action_form=ActionForm(),
        send_back_form=SendBackForm(),
    )
