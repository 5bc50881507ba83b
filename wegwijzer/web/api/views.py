"""JSON API (v1): search the directory. Its OpenAPI description is ``/api/v1/openapi.json``.

``GET /api/v1/search?q=&near=&radius_km=&thema=&thema=&fase=&doelgroep=&toegang=
&organisatietype=&open_now=&walk_in=&page=&per_page=&lang=`` — filters repeat (OR within a
taxonomy, AND across). The site's names work too (``plaats``, ``straal_km``, ``nu_open``,
``inloop``, ``pagina``, ``per_pagina``): one parser reads both. Any other parameter is an
error, as is a bad value: ``400 {"error": "…", "parameter": "…"}`` names it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...domain.facets import SEARCH_FACETS
from ...extensions import db
from ...search import SearchParameterError, parse_search_query, search
from ...search.request import PARAMETERS, check_names
from ...services.taxonomy import list_taxonomies
from ..errors import BadParameter
from ..i18n import default_language, get_locale
from .hsds import bp as hsds_bp
from .openapi import search_openapi

#: Everything under ``/api/``: the search API (``/api/v1/``) and the HSDS API (``/api/hsds/``).
bp = Blueprint("api", __name__, url_prefix="/api")
bp.register_blueprint(hsds_bp)


@bp.get("/v1/openapi.json")
def search_openapi_document() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of the search API, with this site as its server."""
    base = (current_app.config.get("BASE_URL") or request.url_root).rstrip("/")
    known = {
        t.facet: [term.code for term in t.terms]
        for t in list_taxonomies(db.session)
        if t.facet in SEARCH_FACETS
    }
    return jsonify(search_openapi(base + "/api/v1", known))


@bp.get("/v1/search")
def search_services() -> ResponseReturnValue:
    """Search published services; the JSON mirrors the public search page."""
    known = {t.facet: {term.code for term in t.terms} for t in list_taxonomies(db.session)}
    try:
        check_names(request.args, also=("lang",))
        query = parse_search_query(request.args, known)
    except SearchParameterError as exc:
        raise BadParameter(exc.message, exc.parameter, **exc.extra) from None
    result = search(query)
    if result.location_error is not None:
        parameter = next((n for n in PARAMETERS["place"] if n in request.args), "near")
        raise BadParameter(
            _("‘%(place)s’ is geen plaats of postcode die we kennen.", place=query.place[:100]),
            parameter,
            suggestions=list(result.location_error.suggestions),
        )
    lang = get_locale()
    extra = {"lang": lang} if lang != default_language() else {}
    return jsonify(
        result.to_dict(
            lambda hit: url_for("public.service", key=hit.service_id, _external=True, **extra)
        )
    )
