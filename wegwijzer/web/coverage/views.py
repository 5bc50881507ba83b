"""Coverage (dekking): where the local offer overlaps and where help is missing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ... import maps
from ...domain.hours import today
from ...extensions import db
from ...models import Role
from ...services import coverage
from ...services.permissions import manages_municipality
from ...services.taxonomy import TaxonomyInfo, list_taxonomies
from ..auth import role_required
from .cells import CellRenderer
from .export import inventory_csv, scope_label

bp = Blueprint("coverage", __name__, url_prefix="/beheer/dekking")


#: Organisations listed in the freshness table; the inventarisatie has all of them.
MAX_FRESH_ROWS = 100


class BadRequest(ValueError):
    """A parameter the page cannot use; the message names it in plain Dutch."""


@bp.errorhandler(401)
def _unauthorised(exc: HTTPException) -> Response | tuple[str, int]:
    """Send people who are not logged in to the login page, and back afterwards."""
    if "manage.login" in current_app.view_functions:
        return redirect(url_for("manage.login", next=request.full_path.rstrip("?")))
    return render_template("coverage/refused.html", status=401), 401


@bp.errorhandler(403)
def _forbidden(exc: HTTPException) -> tuple[str, int]:
    return render_template("coverage/refused.html", status=403), 403


@bp.errorhandler(BadRequest)
def _bad_request(exc: BadRequest) -> tuple[str, int]:
    return render_template("coverage/bad_request.html", message=str(exc)), 400


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "lang": _lang(),
        "lang_url": _lang_url,
        "cells": CellRenderer(int(current_app.config["OVERLAP_THRESHOLD"]), _lang()),
        "day": _day,
        "scope_label": scope_label,
        "max_fresh_rows": MAX_FRESH_ROWS,
    }


def _lang_url(endpoint: str, **values: Any) -> str:
    """Build a URL that keeps the page language (``?lang=en``)."""
    if _lang() == "en":
        values["lang"] = "en"
    return url_for(endpoint, **values)


def _day(value: date | datetime) -> str:
    """Return a date as ``3 maart 2025`` in the page language."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    return format_date(value, format="long")


def _selected_municipalities(*, single: bool = False) -> list[str]:
    """Return the ``gm`` parameters, checked against the municipalities the user manages."""
    codes = [c.strip().upper() for c in request.args.getlist("gm") if c.strip()]
    if not codes:
        if single:
            raise BadRequest(_("Kies een gemeente (parameter gm)."))
        return sorted(current_user.gm_codes)
    if single and len(set(codes)) > 1:
        raise BadRequest(_("Kies één gemeente (parameter gm)."))
    for code in codes:
        if not manages_municipality(current_user, code):
            # Also for codes that do not exist: do not reveal which ones do.
            abort(403)
    return list(dict.fromkeys(codes))


def _config_ints() -> tuple[int, int]:
    return int(current_app.config["OVERLAP_THRESHOLD"]), int(current_app.config["STALE_MONTHS"])


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> str:
    """Show phases x themes, target groups, access, roles, activities, maps and freshness."""
    gm_codes = _selected_municipalities()
    managed = coverage.municipality_names(db.session, current_user.gm_codes)
    if not gm_codes:
        return render_template("coverage/index.html", cov=None, managed=managed, selected=[])
    threshold, stale_months = _config_ints()
    cov = coverage.compute_coverage(
        db.session,
        gm_codes,
        overlap_threshold=threshold,
        stale_months=stale_months,
        # Service locations are drawn only on the map of a single municipality.
        with_points=len(gm_codes) == 1,
    )
    map_parts, legend = _map(cov)
    return render_template(
        "coverage/index.html",
        cov=cov,
        managed=managed,
        selected=gm_codes,
        map_parts=map_parts,
        map_legend=legend,
        # The heat map shows colours and the number of organisations; on demand every cell
        # also shows its local, regional and national counts (always on paper).
        precise=request.args.get("cijfers") == "alle",
    )


def _map(cov: coverage.RegionCoverage) -> tuple[maps.MapParts, list[tuple[str, str]]]:
    """Draw one municipality with its service places, or a region as a choropleth."""
    features = coverage.municipality_boundaries(m.gm_code for m in cov.municipalities)
    if len(cov.municipalities) == 1:
        muni = cov.municipalities[0]
        parts = maps.boundary_map(
            features,
            [(p.lat, p.lon, p.label) for p in muni.points],
            _("Kaart van %(name)s met de adressen van de hulp", name=muni.name),
        )
        return parts, []
    maximum = cov.municipalities[0].matrices["thema"].size
    legend = []
    ranges = maps.choropleth_ranges(maximum)
    for colour, (low, high) in zip(maps.CHOROPLETH_COLOURS, ranges, strict=True):
        if low == high:
            legend.append((colour, _("%(n)s vakjes met aanbod", n=low)))
        elif low < high:
            legend.append((colour, _("%(low)s tot en met %(high)s vakjes", low=low, high=high)))
    parts = maps.choropleth_map(
        features,
        {m.gm_code: (m.name, m.matrices["thema"].covered) for m in cov.municipalities},
        maximum,
        _("Kaart van de regio: dekking per gemeente"),
        # The placeholders are filled per municipality by the map module.
        _("{name}: {value} van {maximum} vakjes met aanbod"),
    )
    return parts, legend


@bp.get("/cel")
@role_required(Role.ADMIN)
def cell() -> str:
    """List the organisations and services behind one cell of a table."""
    gm_code = _selected_municipalities(single=True)[0]
    taxonomies = {t.facet: t for t in _taxonomies()}
    terms: dict[str, str] = {}
    for facet in coverage.CELL_FACETS:
        value = request.args.get(facet)
        if value is None:
            continue
        tax = taxonomies.get(facet)
        if tax is None or tax.term(value) is None:
            raise BadRequest(
                _("Onbekende waarde '%(value)s' voor %(field)s.", value=value[:60], field=facet)
            )
        terms[facet] = value
    if not terms:
        raise BadRequest(_("Kies minstens een fase, thema, doelgroep, toegang, rol of activiteit."))
    entries = coverage.list_cell(db.session, gm_code, terms)
    names = coverage.municipality_names(db.session, [gm_code])
    return render_template(
        "coverage/cell.html",
        gm_code=gm_code,
        municipality=names[gm_code],
        terms=[(taxonomies[f], taxonomies[f].term(code)) for f, code in terms.items()],
        entries=entries,
        threshold=_config_ints()[0],
        organisations=len({e.organization_id for e in entries if e.scope != coverage.NATIONAL}),
    )


def _taxonomies() -> list[TaxonomyInfo]:
    return list_taxonomies(db.session)


def _inventory(gm_codes: list[str]) -> coverage.Inventory:
    """Return the inventarisatie of the chosen municipalities, with the configured staleness."""
    _threshold, stale_months = _config_ints()
    return coverage.compute_inventory(db.session, gm_codes, stale_months=stale_months)


@bp.get("/inventarisatie.csv")
@role_required(Role.ADMIN)
def inventory_download() -> Response:
    """Download the inventarisatie as a CSV that Excel opens (UTF-8 with BOM, semicolons)."""
    gm_codes = _selected_municipalities()
    body = inventory_csv(_inventory(gm_codes), lang=_lang())
    name = "inventarisatie-" + "-".join(gm_codes or ["leeg"]) + f"-{today():%Y%m%d}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/inventarisatie")
@role_required(Role.ADMIN)
def inventory_report() -> str:
    """Show the inventarisatie as a report that prints on A4."""
    inv = _inventory(_selected_municipalities())
    return render_template("coverage/inventory.html", inv=inv, today=today())


def _lang() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "nl"
