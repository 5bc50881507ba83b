"""JSON API (v1): search the directory.

``GET /api/v1/search?q=&near=&radius_km=&thema=&thema=&fase=&doelgroep=&toegang=
&organisatietype=&open_now=&walk_in=&page=&per_page=&lang=`` — filters repeat (OR within a
taxonomy, AND across). A bad parameter gives ``400 {"error": "…", "parameter": "…"}``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from ...extensions import db
from ...search import search
from ...search.results import SearchResult
from ...services.taxonomy import list_taxonomies

bp = Blueprint("api", __name__, url_prefix="/api/v1")

FILTERS = ("fase", "thema", "doelgroep", "toegang", "organisatietype")
MAX_QUERY = 200
MAX_PAGE = 1000
MAX_PER_PAGE = 100
MAX_RADIUS_KM = 300.0
_TRUE = {"1", "true", "ja", "yes", "on"}
_FALSE = {"0", "false", "nee", "no", "off", ""}


class ApiError(BadRequest):
    """A request parameter the API cannot use."""

    def __init__(self, parameter: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.extra = extra


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest) -> ResponseReturnValue:
    if isinstance(error, ApiError):
        body = {"error": error.description, "parameter": error.parameter, **error.extra}
    else:
        lang = request.args.get("lang")
        parameter = getattr(error, "parameter", None)
        if parameter is None and lang not in (None, "nl", "en"):
            parameter = "lang"
        body = {"error": error.description, "parameter": parameter}
    return jsonify(body), 400


def _int(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(name, _("'%(name)s' moet een heel getal zijn.", name=name)) from None
    if not low <= value <= high:
        raise ApiError(
            name,
            _("'%(name)s' moet tussen %(low)s en %(high)s liggen.", name=name, low=low, high=high),
        )
    return value


def _bool(args: MultiDict[str, str], name: str) -> bool:
    raw = (args.get(name) or "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ApiError(name, _("'%(name)s' moet true of false zijn.", name=name))


def _radius(args: MultiDict[str, str]) -> float | None:
    raw = args.get("radius_km")
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ApiError("radius_km", _("'radius_km' moet een getal zijn (kilometers).")) from None
    if not 0 < value <= MAX_RADIUS_KM:
        limit = format(MAX_RADIUS_KM, "g")
        raise ApiError("radius_km", _("'radius_km' moet tussen 0 en %(max)s liggen.", max=limit))
    return value


def _filters(args: MultiDict[str, str]) -> dict[str, list[str]]:
    known = {t.facet: {term.code for term in t.terms} for t in list_taxonomies(db.session)}
    out: dict[str, list[str]] = {}
    for name in FILTERS:
        values = [v.strip() for v in args.getlist(name) if v.strip()]
        for value in values:
            if value not in known.get(name, set()):
                raise ApiError(
                    name,
                    _("'%(name)s' kent de code '%(code)s' niet.", name=name, code=value[:40]),
                    allowed=sorted(known.get(name, set())),
                )
        if values:
            out[name] = list(dict.fromkeys(values))
    return out


def _text(args: MultiDict[str, str], name: str) -> str:
    value = " ".join((args.get(name) or "").split())
    if len(value) > MAX_QUERY:
        raise ApiError(name, _("'%(name)s' is langer dan %(n)s tekens.", name=name, n=MAX_QUERY))
    return value


@bp.get("/search")
def search_services() -> ResponseReturnValue:
    """Search published services; the JSON mirrors the public search page."""
    args = request.args
    lang = args.get("lang") or "nl"
    if lang not in ("nl", "en"):
        raise ApiError("lang", _("'lang' moet nl of en zijn."))
    q = _text(args, "q")
    near = _text(args, "near")
    radius_km = _radius(args)
    if radius_km is not None and not near:
        raise ApiError("radius_km", _("'radius_km' werkt alleen samen met 'near'."))
    filters = _filters(args)
    result = search(
        query=q,
        filters=filters or None,
        near=near or None,
        page=_int(args, "page", 1, 1, MAX_PAGE),
        per_page=_int(args, "per_page", 20, 1, MAX_PER_PAGE),
        lang=lang,
        radius_km=radius_km,
        open_now=_bool(args, "open_now"),
        walk_in=_bool(args, "walk_in"),
    )
    if result.location_error is not None:
        err = result.location_error
        raise ApiError(
            "near",
            _("'%(place)s' is geen plaats of postcode die we kennen.", place=near[:100]),
            suggestions=list(err.suggestions),
        )
    return jsonify(_payload(result, lang))


def _payload(result: SearchResult, lang: str) -> dict[str, Any]:
    loc = result.location
    extra = {"lang": "en"} if lang == "en" else {}
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "location": (
            {
                "name": loc.name,
                "municipality": loc.municipality,
                "gm_code": loc.gm_code,
                "lat": loc.lat,
                "lon": loc.lon,
            }
            if loc is not None
            else None
        ),
        "suggestion": result.suggestion,
        "urgent": result.urgent,
        "results": [
            {
                "id": hit.service_id,
                "name": hit.name,
                "organization": {"id": hit.organization_id, "name": hit.organization_name},
                "snippet": str(hit.snippet),
                "distance_km": hit.distance_km,
                "is_national": hit.is_national,
                "is_urgent_pick": hit.is_urgent_pick,
                "municipalities": hit.gm_codes,
                "themes": hit.themes,
                "url": url_for("public.service", key=hit.service_id, _external=True, **extra),
            }
            for hit in result.results
        ],
        "facets": result.facets,
    }
