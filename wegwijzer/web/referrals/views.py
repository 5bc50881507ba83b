"""Making a referral, the overview and inboxes, one referral and its status, intake settings."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from ...domain.hours import today as local_today
from ...extensions import db
from ...models import NotStartedReason, Referral, Role, Urgency
from ...services.permissions import is_beheerder, may_refer, may_set_intakes
from ...services.referral import handover_sheet, public_service
from ...services.referrals import (
    NotAllowed,
    NotFound,
    ReferralError,
    TooManyLookups,
    intake,
    labels,
    lists,
)
from ...services.referrals.codes import format_code
from ...services.referrals.records import (
    NewReferral,
    StatusUpdate,
    create_referral,
    set_status,
)
from ..auth import role_required
from ..i18n import url_lang
from ..manage.blueprint import logged_in_user
from .blueprint import bp, referral_url
from .forms import CodeForm, IntakeForm, NewReferralForm, StatusForm

ALL_ROLES = (Role.ADMIN, Role.EDITOR, Role.HELPER)


def _page_url(referral: Referral, **values: Any) -> str:
    return url_lang("referrals.detail", code=format_code(referral.code), **values)


def _look_up(code: str) -> Referral:
    """Return the referral with ``code`` for this account: 404 if not theirs, 429 if guessing."""
    try:
        return lists.look_up(db.session, logged_in_user(), code)
    except TooManyLookups:
        abort(429)
    except NotFound:
        abort(404)


def _field_error(form: Any, exc: ReferralError) -> None:
    """Show a refused choice next to its field (or at the top when it has none)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None:
        flash(str(exc))
        return
    field.errors = [*list(field.errors or []), str(exc)]


# --- overview ----------------------------------------------------------------------------------


@bp.get("/")
@role_required(*ALL_ROLES)
def index() -> str:
    """The start: referrals sent, inboxes of receiving services, the municipality's referrals."""
    user = logged_in_user()
    today = local_today()
    referrer = may_refer(user)
    inboxes = [
        lists.inbox(db.session, user, svc.id, today)
        for svc in intake.receiving_services(db.session, user)
    ]
    return render_template(
        "referrals/index.html",
        may_refer=referrer,
        sent=lists.sent_referrals(db.session, user, today) if referrer else [],
        referable=intake.referable_services(db.session, user) if referrer else [],
        inboxes=inboxes,
        municipality=(
            lists.municipality_referrals(db.session, user, today) if is_beheerder(user) else []
        ),
        is_beheerder=is_beheerder(user),
        may_set_intake=may_set_intakes(user),
        code_form=CodeForm(),
    )


@bp.route("/code", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def find() -> Response | tuple[str, int]:
    """Open a referral by its code (from the handover sheet or a phone call)."""
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            referral = lists.look_up(db.session, logged_in_user(), form.code.data or "")
        except TooManyLookups:
            abort(429)
        except NotFound:
            form.code.errors = [
                _("Er is geen overdracht met deze code die u mag zien. Kijk de code na.")
            ]
            status = 404
        else:
            return redirect(_page_url(referral))
    elif request.method == "POST":
        status = 400
    return render_template("referrals/find.html", form=form), status


@bp.get("/inbox/<service_id>")
@role_required(*ALL_ROLES)
def inbox(service_id: str) -> str:
    """The referrals to one service: new and urgent first, signals marked."""
    try:
        box = lists.inbox(db.session, logged_in_user(), service_id, local_today())
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    return render_template("referrals/inbox.html", box=box)


# --- a new referral ----------------------------------------------------------------------------


def _fill_new_form(form: NewReferralForm, choices: intake.ReferralChoices) -> None:
    form.organisatie.choices = [SelectChoice(v, n) for v, n in choices.organizations]
    form.gemeente.choices = [SelectChoice(v, n) for v, n in choices.municipalities]
    form.voorbereid.choices = [SelectChoice(i, item) for i, item in enumerate(choices.checklist)]
    form.urgentie.choices = [SelectChoice(u.value, labels.urgency_label(u)) for u in Urgency]


@bp.route("/nieuw/<service_key>", methods=["GET", "POST"])
@role_required(Role.EDITOR, Role.HELPER)
def new(service_key: str) -> Response | tuple[str, int]:
    """Make a referral to a service that accepts them: only choices, no personal data."""
    user = logged_in_user()
    if not may_refer(user):
        abort(403)
    service = public_service(db.session, service_key, display=False)
    if service is None or not intake.accepts_referrals(db.session, service):
        abort(404)
    choices = intake.referral_choices(db.session, user, service)
    form = NewReferralForm()
    _fill_new_form(form, choices)
    if request.method == "GET":
        known = [code for code, _name in choices.municipalities]
        mine = sorted(set(known) & user.gm_codes)
        form.gemeente.data = known[0] if len(known) == 1 else (mine[0] if mine else None)
    status = 200
    if form.validate_on_submit():
        data = NewReferral(
            service_id=service.id,
            organization_id=form.organisatie.data or "",
            gm_code=form.gemeente.data or "",
            urgency=form.urgentie.data or "",
            prepared=list(form.voorbereid.data or []),
            feedback_consent=form.toestemming.data == "ja",
            mail_updates=bool(form.mail.data),
        )
        try:
            referral = create_referral(db.session, user, data, link=referral_url)
        except ReferralError as exc:
            _field_error(form, exc)
            status = 400
        else:
            return redirect(_page_url(referral, nieuw=1))
    elif request.method == "POST":
        status = 400
    page = render_template("referrals/new.html", form=form, service=service, choices=choices)
    return page, status


# --- one referral ------------------------------------------------------------------------------


def _status_form(view: lists.ReferralView, form: StatusForm | None = None) -> StatusForm:
    form = form or StatusForm()
    form.status.choices = [
        SelectChoice(s.value, labels.status_label(s)) for s in view.next_statuses
    ]
    form.reden.choices = [
        SelectChoice("", _("Kies een reden")),
        *(SelectChoice(r.value, labels.reason_label(r)) for r in NotStartedReason),
    ]
    services = lists.forward_choices(db.session, view.referral) if view.may_handle else []
    form.doorverwezen_naar.choices = [
        SelectChoice("", _("Niet bekend of niet van toepassing")),
        *(SelectChoice(s.id, f"{s.name} ({s.organization.name})") for s in services),
    ]
    return form


def _detail(referral: Referral, form: StatusForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    view = lists.referral_view(db.session, logged_in_user(), referral, local_today())
    form = _status_form(view, form) if view.may_handle else None
    page = render_template(
        "referrals/detail.html", view=view, form=form, is_new=bool(request.args.get("nieuw"))
    )
    return page, status


@bp.get("/<code>")
@role_required(*ALL_ROLES)
def detail(code: str) -> tuple[str, int]:
    """One referral: for the receiving side with its status form, for the helper its feedback."""
    return _detail(_look_up(code))


@bp.post("/<code>/status")
@role_required(*ALL_ROLES)
def status(code: str) -> Response | tuple[str, int]:
    """Set the next status of a referral (receiving side only)."""
    referral = _look_up(code)
    view = lists.referral_view(db.session, logged_in_user(), referral, local_today())
    if not view.may_handle:
        abort(403)
    form = _status_form(view)
    if not form.validate_on_submit():
        return _detail(referral, form, 400)
    change = StatusUpdate(
        status=form.status.data or "",
        conversation_on=form.gesprek_op.data,
        reason=form.reden.data or None,
        forwarded_to_service_id=form.doorverwezen_naar.data or None,
    )
    try:
        set_status(db.session, logged_in_user(), referral, change, link=referral_url)
    except NotAllowed:
        abort(403)
    except ReferralError as exc:
        referral = _look_up(code)
        _field_error(form, exc)
        return _detail(referral, form, 400)
    flash(_("De status is opgeslagen."))
    return redirect(_page_url(referral))


@bp.get("/<code>/formulier")
@role_required(*ALL_ROLES)
def sheet(code: str) -> str:
    """The printable handover sheet of the receiving service, with the referral code on it."""
    referral = _look_up(code)
    found = handover_sheet(db.session, referral.receiving_service.slug, helper=True)
    if found is None:
        abort(404)
    return render_template(
        "route/handover.html",
        sheet=found,
        lang=get_locale(),
        referral_code=format_code(referral.code),
    )


# --- which services accept referrals ----------------------------------------------------------


@bp.get("/ontvangen")
@role_required(Role.ADMIN, Role.EDITOR)
def intakes() -> str:
    """Say per service whether it accepts referrals through Wegwijzer, and mails new ones."""
    settings = intake.intake_settings(db.session, logged_in_user())
    forms = {}
    for setting in settings:
        form = IntakeForm(prefix=setting.service.id[:8])
        form.neemt_aan.data = setting.accepts
        form.mail.data = setting.notify
        forms[setting.service.id] = form
    return render_template("referrals/intakes.html", settings=settings, forms=forms)


@bp.post("/ontvangen/<service_id>")
@role_required(Role.ADMIN, Role.EDITOR)
def intake_save(service_id: str) -> Response:
    """Save one service's intake setting."""
    service = intake.service_for_intake(db.session, service_id)
    if service is None:
        abort(404)
    form = IntakeForm(prefix=service.id[:8])
    if not form.validate_on_submit():
        abort(400)
    try:
        intake.set_intake(
            db.session, logged_in_user(), service, bool(form.neemt_aan.data), bool(form.mail.data)
        )
    except NotAllowed:
        abort(403)
    flash(_("Opgeslagen voor %(name)s.", name=service.name))
    return redirect(url_lang("referrals.intakes"))
