"""Login, logout, password links, the own account page with TOTP, and user management."""

from __future__ import annotations

import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from ...extensions import db
from ...infra.mail import MailError, mail_configured, send_mail
from ...models import Role, User
from ...services import account_admin, accounts, totp
from ..auth import role_required
from ..client import client_ip
from .blueprint import bp, editable_or_abort, logged_in_user, safe_next
from .forms import (
    ActionForm,
    ChangePasswordForm,
    LoginForm,
    ResetRequestForm,
    SetPasswordForm,
    TotpForm,
    UserForm,
)

#: Seconds between the password step and the TOTP step before the person must start again.
TOTP_STEP_SECONDS = 300


def _finish_login(user: User, nxt: str | None) -> Response:
    # A fresh session at login: nothing from before the login survives (session fixation).
    session.clear()
    accounts.mark_logged_in(db.session, user)
    login_user(user)
    session.permanent = True
    session["_seen"] = int(time.time())
    return redirect(safe_next(nxt) or url_for("manage.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Log in with e-mail address and password."""
    form = LoginForm()
    nxt = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        try:
            check = accounts.check_login(
                db.session, form.email.data, form.password.data, client_ip()
            )
        except accounts.Throttled as exc:
            return render_template("manage/login.html", form=form, error=str(exc)), 429
        if check.user is None:
            return render_template(
                "manage/login.html",
                form=form,
                error=_("Het e-mailadres of het wachtwoord klopt niet."),
            )
        if check.needs_totp:
            session.clear()
            session["_totp_uid"] = check.user.id
            session["_totp_at"] = int(time.time())
            session["_totp_next"] = nxt
            return redirect(url_for("manage.login_code"))
        return _finish_login(check.user, nxt)
    idle = session.pop("_idle", False)
    return render_template("manage/login.html", form=form, idle=idle)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> str | Response | tuple[str, int]:
    """Second login step for accounts with TOTP."""
    uid = session.get("_totp_uid")
    started = session.get("_totp_at")
    if not uid or not isinstance(started, int) or time.time() - started > TOTP_STEP_SECONDS:
        session.clear()
        return redirect(url_for("manage.login"))
    user = account_admin.find_active_user(db.session, uid)
    if user is None:
        session.clear()
        return redirect(url_for("manage.login"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            ok = accounts.check_totp(db.session, user, form.code.data, client_ip())
        except accounts.Throttled as exc:
            return render_template("manage/login_code.html", form=form, error=str(exc)), 429
        if ok:
            return _finish_login(user, session.get("_totp_next"))
        return render_template("manage/login_code.html", form=form, error=_("De code klopt niet."))
    return render_template("manage/login_code.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """End the login session (also on other devices)."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    user = logged_in_user()
    if getattr(user, "is_authenticated", False):
        accounts.end_sessions(db.session, user)
    logout_user()
    session.clear()
    flash(_("U bent uitgelogd."))
    return redirect(url_for("manage.login"))


@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
def set_password(token: str) -> str | Response | tuple[str, int]:
    """Set a password through a one-time invitation or reset link."""
    try:
        user = accounts.token_user(db.session, token)
    except accounts.TokenError as exc:
        return render_template("manage/token_invalid.html", error=str(exc)), 404
    form = SetPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            accounts.set_password_with_token(db.session, token, form.password.data)
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            session.clear()
            flash(_("Uw wachtwoord is opgeslagen. U kunt nu inloggen."))
            return redirect(url_for("manage.login"))
    return render_template("manage/set_password.html", form=form, user=user, error=error)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def reset_request() -> str | tuple[str, int]:
    """Ask for a reset link by e-mail; the answer never reveals whether the account exists."""
    form = ResetRequestForm()
    sent = False
    if form.validate_on_submit():
        key = "reset:" + form.email.data
        if accounts.is_throttled(db.session, key, client_ip()):
            return render_template(
                "manage/reset_request.html",
                form=form,
                error=_("Te veel aanvragen. Wacht een minuut en probeer het opnieuw."),
            ), 429
        accounts.record_failure(db.session, key, client_ip())
        user = accounts.find_user(db.session, form.email.data)
        if user is not None and user.is_active and mail_configured():
            raw = accounts.create_token(db.session, user, "reset")
            link = url_for("manage.set_password", token=raw, _external=True)
            try:
                send_mail(
                    user.email,
                    _("Nieuw wachtwoord voor Wegwijzer"),
                    _(
                        "U vroeg een nieuw wachtwoord aan voor Wegwijzer.\n\n"
                        "Kies een nieuw wachtwoord via deze link "
                        "(2 uur geldig, één keer te gebruiken):\n"
                        "%(link)s\n\nVroeg u dit niet aan? Dan hoeft u niets te doen.",
                        link=link,
                    ),
                )
            except MailError as exc:
                # Same answer as always (no account enumeration); the log tells the admin.
                current_app.logger.warning("%s", exc)
        sent = True
    return render_template(
        "manage/reset_request.html", form=form, sent=sent, mail=mail_configured()
    )


# --- own account ------------------------------------------------------------------------------


@bp.route("/account", methods=["GET", "POST"])
@role_required()
def account() -> str | Response:
    """Show the own account: change password, second factor."""
    user = logged_in_user()
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        if not accounts.verify_password(user, form.current.data):
            error = _("Het huidige wachtwoord klopt niet.")
        else:
            try:
                accounts.set_password(db.session, user, form.password.data)
            except accounts.AccountError as exc:
                error = str(exc)
            else:
                # The password change ended all sessions; keep this one going with the new token.
                return _finish_login(user, url_for("manage.account"))
    return render_template("manage/account.html", form=form, error=error, action_form=ActionForm())


@bp.route("/account/tweede-stap", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def totp_setup() -> str | Response:
    """Turn the TOTP second factor on (beheerders) or off."""
    user = logged_in_user()
    form = TotpForm()
    error = None
    if user.totp_secret:
        if form.validate_on_submit():
            try:
                totp.disable_totp(db.session, user, form.code.data)
            except totp.TotpError as exc:
                error = str(exc)
            else:
                flash(_("De tweede stap staat uit."))
                return redirect(url_for("manage.account"))
        return render_template("manage/totp.html", form=form, enabled=True, error=error)
    secret = session.get("_totp_setup")
    if not isinstance(secret, str) or request.method == "GET":
        secret = totp.new_totp_secret()
        session["_totp_setup"] = secret
    if form.validate_on_submit():
        try:
            totp.enable_totp(db.session, user, secret, form.code.data)
        except totp.TotpError as exc:
            error = str(exc)
        else:
            session.pop("_totp_setup", None)
            flash(_("De tweede stap staat aan. U heeft voortaan ook de code uit uw app nodig."))
            return redirect(url_for("manage.account"))
    return render_template(
        "manage/totp.html",
        form=form,
        enabled=False,
        secret=secret,
        uri=totp.totp_uri(user.email, secret),
        error=error,
    )


# --- user management (beheerders) ---------------------------------------------------------------


def _fill_choices(form: UserForm, admin: User) -> tuple[set[str], set[str]]:
    choices = account_admin.load_account_choices(db.session, admin)
    form.municipalities.choices = [SelectChoice(m.gm_code, m.name) for m in choices.municipalities]
    form.organizations.choices = [SelectChoice(o.id, o.name) for o in choices.organizations]
    return {m.gm_code for m in choices.municipalities}, {o.id for o in choices.organizations}


def _managed_account_or_404(user_id: str) -> User:
    return editable_or_abort(account_admin.get_managed_account, user_id)


def _check_scope_choice(form: UserForm) -> str | None:
    if form.role.data == "beheerder" and not form.municipalities.data:
        return _("Kies minstens één gemeente voor een beheerder.")
    if form.role.data == "redacteur" and not form.organizations.data:
        return _("Kies minstens één organisatie voor een redacteur.")
    if form.role.data == "verwijzer" and not form.municipalities.data:
        return _("Kies minstens één gemeente voor een verwijzer.")
    return None


@bp.get("/gebruikers")
@role_required(Role.ADMIN)
def users() -> str:
    """List the accounts in the beheerder's municipalities and organisations."""
    return render_template(
        "manage/users.html",
        users=account_admin.list_managed_accounts(db.session, logged_in_user()),
    )


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_new() -> str | Response:
    """Create an account and show its one-time invitation link."""
    admin = logged_in_user()
    form = UserForm()
    _fill_choices(form, admin)
    error = None
    if form.validate_on_submit():
        error = _check_scope_choice(form)
        if error is None:
            role = form.role.data
            try:
                user = accounts.create_user(
                    db.session,
                    form.email.data,
                    role,
                    gm_codes=form.municipalities.data if role != "redacteur" else [],
                    organization_ids=form.organizations.data if role == "redacteur" else [],
                    name=form.name.data or "",
                    actor=admin,
                )
            except accounts.AccountError as exc:
                error = str(exc)
            else:
                return _show_link(user, "invite", admin)
    return render_template("manage/user_form.html", form=form, error=error, user=None)


def _show_link(user: User, purpose: str, admin: User) -> str:
    raw = accounts.create_token(db.session, user, purpose, actor=admin)
    link = url_for("manage.set_password", token=raw, _external=True)
    mailed = False
    if mail_configured():
        try:
            send_mail(
                user.email,
                _("Uw account voor Wegwijzer"),
                _(
                    "Er is een account voor u gemaakt op Wegwijzer, "
                    "of u kunt een nieuw wachtwoord kiezen.\n\n"
                    "Kies uw wachtwoord via deze link (één keer te gebruiken):\n%(link)s",
                    link=link,
                ),
            )
            mailed = True
        except MailError as exc:
            current_app.logger.warning("%s", exc)
    return render_template(
        "manage/user_link.html", user=user, link=link, mailed=mailed, purpose=purpose
    )


@bp.route("/gebruikers/<user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_edit(user_id: str) -> str | Response:
    """Change an account's role, scope or active state."""
    admin = logged_in_user()
    other = _managed_account_or_404(user_id)
    form = UserForm()
    my_munis, my_orgs = _fill_choices(form, admin)
    if request.method == "GET":
        form.email.data = other.email
        form.name.data = other.name
        form.role.data = other.role
        form.is_active.data = other.is_active
        form.municipalities.data = sorted(other.gm_codes & my_munis)
        form.organizations.data = sorted(other.organization_ids & my_orgs)
    error = None
    if form.validate_on_submit():
        error = _check_scope_choice(form)
        if (
            error is None
            and other.id == admin.id
            and (form.role.data != "beheerder" or not form.is_active.data)
        ):
            error = _("U kunt uw eigen rol niet veranderen en uzelf niet blokkeren.")
        if error is None:
            # Keep what this beheerder cannot see; change only what is theirs to give.
            role = form.role.data
            gm = (other.gm_codes - my_munis) | set(
                form.municipalities.data if role != "redacteur" else []
            )
            orgs = (other.organization_ids - my_orgs) | set(
                form.organizations.data if role == "redacteur" else []
            )
            try:
                accounts.update_user(
                    db.session,
                    other,
                    role=role,
                    name=form.name.data or "",
                    gm_codes=gm,
                    organization_ids=orgs if role == "redacteur" else [],
                    is_active=bool(form.is_active.data),
                    actor=admin,
                )
            except accounts.AccountError as exc:
                error = str(exc)
            else:
                flash(_("De gegevens van %(email)s zijn opgeslagen.", email=other.email))
                return redirect(url_for("manage.users"))
    return render_template(
        "manage/user_form.html", form=form, error=error, user=other, action_form=ActionForm()
    )


@bp.post("/gebruikers/<user_id>/link")
@role_required(Role.ADMIN)
def user_link(user_id: str) -> str:
    """Make a new one-time link so the person can choose a (new) password."""
    admin = logged_in_user()
    other = _managed_account_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _show_link(other, "reset" if other.password_hash else "invite", admin)
