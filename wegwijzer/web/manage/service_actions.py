"""The buttons on a service: the status flow (submit, publish, send back, archive, bring back),
delete, restore and "nog steeds juist".

Each button carries the version of the service its page showed. When someone else changed the
service meanwhile, nothing happens and the conflict page (409) links to the service as it is now.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Role, Service
from ...services import editing
from ...services.permissions import can_publish
from ..auth import role_required
from .actions import conflict_page, posted_version, require_action_form
from .blueprint import bp, logged_in_user
from .forms import SendBackForm
from .service_views import service_or_404, status_label

#: Per step of the status flow: the button's label (named on the conflict page), and what is
#: said when it is done.
STATUS_ACTIONS = {
    "submit": (
        _l("Indienen ter beoordeling"),
        _l("Ingediend. Een beheerder van de gemeente bekijkt de dienst."),
    ),
    "publish": (_l("Publiceren"), _l("Gepubliceerd. De dienst staat nu op de site.")),
    "send-back": (_l("Terugsturen naar de redacteur"), _l("Teruggestuurd naar de redacteur.")),
    "archive": (_l("Archiveren"), _l("Gearchiveerd. De dienst staat niet meer op de site.")),
    "unarchive": (_l("Uit het archief halen"), _l("De dienst is weer een concept.")),
}


#: The step each status button's route takes (one view serves them all).
_STEPS = {
    "manage.service_submit": "submit",
    "manage.service_publish": "publish",
    "manage.service_archive": "archive",
    "manage.service_unarchive": "unarchive",
}


def _back_url(svc: Service) -> str:
    """Return the beheer page the button was on (its ``next`` field), else the service's page."""
    nxt = request.form.get("next", "")
    return nxt if nxt.startswith("/beheer/") else url_for("manage.service_edit", service_id=svc.id)


def _act(
    svc: Service,
    label: str,
    run: Callable[..., object],
    done: str,
    to: str | None = None,
    on_error: str | None = None,
) -> ResponseReturnValue:
    """Run one button, an editing operation on ``svc`` that checks the posted version: say
    ``done`` and go on to ``to``, or show why nothing happened."""
    try:
        run(db.session, logged_in_user(), svc, expected_version=posted_version())
    except editing.EditConflict:
        db.session.refresh(svc)
        state = _("Status: %(s)s", s=status_label(svc.publication_status))
        if svc.deleted_at is not None:
            state = f"{state} – {_('verwijderd')}"
        back = url_for("manage.service_edit", service_id=svc.id)
        return conflict_page(str(label), svc.name, back, state)
    except editing.EditError as exc:
        flash(str(exc))
        return redirect(on_error or _back_url(svc))
    flash(str(done))
    return redirect(to or _back_url(svc))


def _change_status(service_id: str, action: str, comment: str | None = None) -> ResponseReturnValue:
    user = logged_in_user()
    svc = service_or_404(service_id)
    if action in editing.REVIEW_ACTIONS and not can_publish(user, svc):
        abort(403)
    label, done = STATUS_ACTIONS[action]
    run = functools.partial(editing.change_status, action=action, comment=comment)
    return _act(svc, label, run, done)


@bp.post("/diensten/<service_id>/indienen", endpoint="service_submit")
@bp.post("/diensten/<service_id>/publiceren", endpoint="service_publish")
@bp.post("/diensten/<service_id>/archiveren", endpoint="service_archive")
@bp.post("/diensten/<service_id>/terughalen", endpoint="service_unarchive")
@role_required(Role.ADMIN, Role.EDITOR)
def service_status(service_id: str) -> ResponseReturnValue:
    """Submit a concept, publish it (beheerders), archive it or bring it back as a concept."""
    require_action_form()
    return _change_status(service_id, _STEPS[request.endpoint or ""])


@bp.post("/diensten/<service_id>/terugsturen")
@role_required(Role.ADMIN)
def service_send_back(service_id: str) -> ResponseReturnValue:
    """Send a submitted service back to its editor with a comment."""
    if not can_publish(logged_in_user(), service_or_404(service_id)):
        abort(403)
    form = SendBackForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Schrijf kort wat er anders moet."))
        return redirect(url_for("manage.service_edit", service_id=service_id))
    return _change_status(service_id, "send-back", form.comment.data)


def _beheerder_service(service_id: str) -> Service:
    """Return the service for delete or restore: only a beheerder of its area may."""
    require_action_form()
    svc = service_or_404(service_id)
    if not can_publish(logged_in_user(), svc):
        abort(403)
    return svc


@bp.post("/diensten/<service_id>/verwijderen")
@role_required(Role.ADMIN)
def service_delete(service_id: str) -> ResponseReturnValue:
    """Soft-delete a service (it can be restored)."""
    svc = _beheerder_service(service_id)
    done = _("Verwijderd. U kunt de dienst terugzetten vanuit de lijst met diensten.")
    return _act(svc, _("Verwijderen"), editing.delete_service, done, to=url_for("manage.services"))


@bp.post("/diensten/<service_id>/herstellen")
@role_required(Role.ADMIN)
def service_restore(service_id: str) -> ResponseReturnValue:
    """Undo the deletion of a service."""
    svc = _beheerder_service(service_id)
    back = url_for("manage.service_edit", service_id=svc.id)
    return _act(
        svc,
        _("Terugzetten"),
        editing.restore_service,
        _("Teruggezet."),
        to=back,
        on_error=url_for("manage.services"),
    )


@bp.post("/diensten/<service_id>/gecontroleerd")
@role_required(Role.ADMIN, Role.EDITOR)
def service_verify(service_id: str) -> ResponseReturnValue:
    """Mark a service as checked: "nog steeds juist"."""
    require_action_form()
    svc = service_or_404(service_id)
    done = _("Bedankt. De dienst is gemarkeerd als gecontroleerd.")
    return _act(svc, _("Nog steeds juist"), editing.verify_service, done)
