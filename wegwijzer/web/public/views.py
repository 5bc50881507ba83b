"""Public pages for residents and helpers: search, service pages, map, print and statements."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user

from ...domain.hours import today
from ...domain.places import gazetteer
from ...extensions import db
from ...maps import results_map, service_map
from ...search import make_query
from ...search import search as search_directory
from ...services import directory, referral
from ...services.cards import cards_for, result_cards
from ...services.taxonomy import list_taxonomies
from ..auth import is_helper
from ..i18n import get_locale
from .params import FILTER_FACETS, parse_search_params

bp = Blueprint("public", __name__)

#: A printed list carries more results per page: paper has no "next page" link.
PRINT_PER_PAGE = 50
#: The organisation type of national helplines, shown first when a search finds no good match.
HELPLINE = "landelijke-hulplijn"


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
        debt_help_list=[] if debt_help else directory.short_debt_help_list(db.session),
        lang=get_locale(),
    )


@bp.get("/zoeken")
def search() -> str:
    """Show search results as a list, a map or a printable page."""
    taxonomies = list_taxonomies(db.session)
    params = parse_search_params(
        request.args, taxonomies, current_app.config["PER_PAGE"], PRINT_PER_PAGE
    )
    lang = get_locale()
    result = search_directory(params.query)
    cards = result_cards(db.session, result.results, result.location, lang)
    helplines = []
    if result.weak and not params.printing:
        # A weak match is no answer: general help comes first (see results.html).
        lines = search_directory(make_query(filters={"organisatietype": [HELPLINE]}, per_page=5))
        helplines = result_cards(db.session, lines.results, None, lang)
    location = result.location
    debt_help = directory.debt_help_for(db.session, location.gm_code) if location else None
    context: dict[str, Any] = {
        "params": params,
        "result": result,
        "cards": cards,
        "taxonomies": [t for t in taxonomies if t.facet in FILTER_FACETS],
        "facet_order": FILTER_FACETS,
        "debt_help": debt_help,
        "debt_help_list": [] if debt_help else directory.short_debt_help_list(db.session),
        "helplines": helplines,
        "lang": lang,
        "today": today(),
    }
    if params.printing:
        return render_template("public/results_print.html", **context)
    if params.view == "kaart":
        context["map"] = results_map(cards, location, lang)
    return render_template("public/results.html", **context)


@bp.get("/hulp/<key>")
def service(key: str) -> str:
    """Show one service: what it does, how to get there, and how to refer someone."""
    svc = directory.get_public_service(db.session, key)
    if svc is None:
        abort(404)
    lang = get_locale()
    helper = is_helper(current_user)
    page = directory.service_page(
        db.session,
        svc,
        lang,
        helper=helper,
        url=url_for("public.service", key=svc.slug, _external=True),
    )
    printing = request.args.get("print") == "1"
    map_html = None
    if page.points and not printing:
        map_html = service_map(page, lang)
    return render_template(
        "public/service_print.html" if printing else "public/service.html",
        page=page,
        map=map_html,
        debt_help=directory.debt_help_for(db.session, svc.gm_codes[0]) if svc.gm_codes else None,
        signals_contact=referral.signals_contact_of(db.session, svc, helper),
        lang=lang,
    )


@bp.get("/organisatie/<key>")
def organization(key: str) -> str:
    """Show an organisation and the help it offers."""
    org = directory.get_public_organization(db.session, key)
    if org is None:
        abort(404)
    lang = get_locale()
    return render_template(
        "public/organization.html",
        org=org,
        cards=cards_for(db.session, directory.organization_service_ids(db.session, org), lang),
        lang=lang,
    )


@bp.get("/toegankelijkheid")
def accessibility() -> str:
    """Show the accessibility statement."""
    return render_template("public/accessibility.html")


@bp.get("/privacy")
def privacy() -> str:
    """Show the privacy statement."""
    return render_template("public/privacy.html")


@bp.get("/hulp/<key>/overdracht")
def handover(key: str) -> str:
    """Show the printable handover sheet of one service; typed notes stay in the browser."""
    sheet = referral.handover_sheet(db.session, key, helper=is_helper(current_user))
    if sheet is None:
        abort(404)
    return render_template("route/handover.html", sheet=sheet, lang=get_locale())
