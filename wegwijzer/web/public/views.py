"""Public pages for residents and helpers: search, service pages, map, print and statements."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ...extensions import db
from ...search import search as search_directory
from ...services import directory
from ...services.demo import is_demo
from ...services.hours import today
from ...services.places import gazetteer
from ...services.taxonomy import list_taxonomies
from ..auth import is_helper
from .i18n import LANGUAGES, get_locale, init_template_globals
from .params import FILTER_FACETS, BadParameter, parse_search_params

bp = Blueprint("public", __name__)

#: A printed list carries more results per page: paper has no "next page" link.
PRINT_PER_PAGE = 50


@bp.record_once
def _register(state: Any) -> None:
    app = state.app
    init_template_globals(app)
    app.jinja_env.globals["is_demo_site"] = _is_demo_site


def _is_demo_site() -> bool:
    if current_app.config.get("DEMO"):
        return True
    try:
        return is_demo(db.session)
    except SQLAlchemyError:
        # The error page must still render when the database is the problem.
        db.session.rollback()
        return False


@bp.before_app_request
def _check_lang() -> None:
    lang = request.args.get("lang")
    if lang is not None and lang not in LANGUAGES:
        raise BadParameter(_("De taal ‘%(lang)s’ kennen we niet. Kies nl of en.", lang=lang[:20]))


@bp.get("/")
def home() -> str:
    """Show the start page: search, themes, the guided route and the debt-help number."""
    taxonomies = list_taxonomies(db.session)
    themes = next((t for t in taxonomies if t.facet == "thema"), None)
    plaats = " ".join(request.args.get("plaats", "").split())[:100]
    place = gazetteer().resolve(plaats) if plaats else None
    debt_help = directory.debt_help_for(db.session, place.gm_code) if place else None
    return render_template(
        "public/home.html",
        themes=themes,
        plaats=plaats,
        place=place,
        debt_help=debt_help,
        debt_help_list=[] if debt_help else directory.debt_help_list(db.session),
        lang=get_locale(),
    )


@bp.get("/zoeken")
def search() -> str:
    """Show search results as a list, a map or a printable page."""
    taxonomies = list_taxonomies(db.session)
    params = parse_search_params(request.args, taxonomies)
    lang = get_locale()
    per_page = PRINT_PER_PAGE if params.printing else current_app.config["PER_PAGE"]
    result = search_directory(
        query=params.q,
        filters={k: v for k, v in params.filters.items() if v} or None,
        near=params.plaats or None,
        page=params.page,
        per_page=per_page,
        lang=lang,
        open_now=params.open_now,
        walk_in=params.walk_in,
    )
    cards = directory.result_cards(db.session, result.results, result.location, lang)
    location = result.location
    debt_help = directory.debt_help_for(db.session, location.gm_code) if location else None
    context: dict[str, Any] = {
        "params": params,
        "result": result,
        "cards": cards,
        "taxonomies": [t for t in taxonomies if t.facet in FILTER_FACETS],
        "facet_order": FILTER_FACETS,
        "debt_help": debt_help,
        "debt_help_list": [] if debt_help else directory.debt_help_list(db.session),
        "lang": lang,
        "today": today(),
    }
    if params.printing:
        return render_template("public/results_print.html", **context)
    if params.view == "kaart":
        from ...maps import results_map

        context["map"] = results_map(cards, location, lang)
    return render_template("public/results.html", **context)


@bp.get("/hulp/<key>")
def service(key: str) -> str:
    """Show one service: what it does, how to get there, and how to refer someone."""
    svc = directory.get_public_service(db.session, key)
    if svc is None:
        abort(404)
    lang = get_locale()
    page = directory.service_page(
        db.session,
        svc,
        lang,
        helper=is_helper(current_user),
        url=url_for("public.service", key=svc.slug, _external=True),
    )
    printing = request.args.get("print") == "1"
    map_html = None
    if page.points and not printing:
        from ...maps import service_map

        map_html = service_map(page, lang)
    return render_template(
        "public/service_print.html" if printing else "public/service.html",
        page=page,
        map=map_html,
        debt_help=directory.debt_help_for(db.session, svc.gm_codes[0]) if svc.gm_codes else None,
        lang=lang,
    )


@bp.get("/organisatie/<key>")
def organization(key: str) -> str:
    """Show an organisation and the help it offers."""
    org = directory.get_public_organization(db.session, key)
    if org is None:
        abort(404)
    services = directory.organization_services(db.session, org)
    return render_template(
        "public/organization.html",
        org=org,
        cards=directory.result_cards(db.session, None, None, get_locale(), services=services),
        lang=get_locale(),
    )


@bp.get("/toegankelijkheid")
def accessibility() -> str:
    """Show the accessibility statement."""
    return render_template("public/accessibility.html")


@bp.get("/privacy")
def privacy() -> str:
    """Show the privacy statement."""
    return render_template("public/privacy.html")


# --- error pages in the site's style ---------------------------------------------------------


def _error_page(error: HTTPException, template: str) -> ResponseReturnValue:
    code = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k == "Allow"}
    if isinstance(error, BadParameter):
        message = error.description
    elif isinstance(error, CSRFError):
        message = _(
            "Het formulier is verlopen. Ga terug, laad de pagina opnieuw en probeer het nog eens."
        )
    else:
        message = None
    if request.path.startswith("/api/"):
        # API clients get JSON, even for addresses that match no route.
        body = {"error": message or error.name}
        if hasattr(error, "parameter"):
            body["parameter"] = error.parameter
        return jsonify(body), code, headers
    is_form = isinstance(error, CSRFError)
    return render_template(template, message=message, is_form=is_form), code, headers


@bp.app_errorhandler(400)
def bad_request(error: HTTPException) -> ResponseReturnValue:
    """Explain what was wrong with the address or form, in plain words."""
    return _error_page(error, "errors/400.html")


@bp.app_errorhandler(404)
def not_found(error: HTTPException) -> ResponseReturnValue:
    """Say the page does not exist and offer the way back."""
    return _error_page(error, "errors/404.html")


@bp.app_errorhandler(405)
def method_not_allowed(error: HTTPException) -> ResponseReturnValue:
    """Treat a wrong method like a wrong address."""
    return _error_page(error, "errors/404.html")


@bp.app_errorhandler(413)
def too_large(error: HTTPException) -> ResponseReturnValue:
    """Say the upload or form is over the size limit, and what to do."""
    # The import page has its own, lower limit for the file; name that one there.
    key = "MAX_IMPORT_BYTES" if request.endpoint == "manage.import_export" else "MAX_CONTENT_LENGTH"
    limit_mb = int(current_app.config[key] or 0) // (1024 * 1024)
    if request.path.startswith("/api/"):
        message = _("Wat u stuurt is te groot: hoogstens %(mb)s MB.", mb=limit_mb)
        return jsonify(error=message), 413
    return render_template("errors/413.html", limit_mb=limit_mb), 413


@bp.app_errorhandler(500)
def server_error(error: Exception) -> ResponseReturnValue:
    """Apologise and give the ways to get help without the site."""
    if request.path.startswith("/api/"):
        return jsonify(error="Internal Server Error"), 500
    return render_template("errors/500.html"), 500
