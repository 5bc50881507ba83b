"""The HSDS 3.0 API at ``/api/hsds/``: the published directory for other sites, read-only.

Paths and parameters follow Open Referral's HSDS 3.0 OpenAPI description; the document this
API serves (``/api/hsds/openapi.json``) says exactly what is accepted. Answers use the HSDS
page wrapper and the export's serialisation; only public data. Every answer carries an ETag
and Last-Modified (a conditional GET gets ``304``) and may be read from any origin (CORS,
no credentials). A bad or unknown parameter gives ``400 {"error": "…", "parameter": "…"}``,
an unknown id ``404`` in the same shape.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...domain.places import gazetteer
from ...extensions import db
from ...interop import hsds_api
from ...interop.hsds_api import Near, Paging, ServiceFilter
from ..errors import BadParameter
from .openapi import HSDS_VERSION, PROFILE_URL, hsds_openapi

#: Registered inside the ``api`` blueprint (``/api``), so its endpoints are ``api.hsds.…``.
bp = Blueprint("hsds", __name__, url_prefix="/hsds")

MAX_PAGE = 10_000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50
MAX_SEARCH = 200
MAX_PROXIMITY_M = 300_000
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
_POSTCODE = re.compile(r"[1-9][0-9]{3} ?(?:[A-Za-z]{2})?")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
#: When this process started: a new version may write the same data differently.
_STARTED = datetime.now(UTC).replace(microsecond=0)


# -- reading parameters ---------------------------------------------------------------------

#: The parameters of the list paths (``lang`` is the site's own, everywhere).
PAGING = ("page", "per_page", "format")
SERVICE_FILTERS = ("search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after")


def _only(*names: str) -> None:
    """Refuse a parameter this path does not know, so a misspelt one never widens the answer."""
    allowed = (*names, "lang")
    for name in request.args:
        if name not in allowed:
            raise BadParameter(
                _(
                    "De parameter ‘%(name)s’ kennen we niet. Gebruik: %(names)s.",
                    name=name[:40],
                    names=", ".join(allowed),
                ),
                name[:40],
            )


def _arg(name: str) -> str | None:
    """Return the parameter as given; an empty value counts as given (and is checked)."""
    return request.args.get(name)


def _integer(name: str, default: int, high: int) -> int:
    raw = _arg(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[+-]?[0-9]{1,12}", raw) or not 1 <= int(raw) <= high:
        raise BadParameter(
            _(
                "‘%(name)s’ moet een heel getal zijn van %(low)s tot en met %(high)s.",
                name=name,
                low=1,
                high=high,
            ),
            name,
        )
    return int(raw)


def _paging() -> Paging:
    fmt = _arg("format")
    if fmt is not None and fmt != "json":
        raise BadParameter(
            _("‘%(name)s’ kan alleen %(choices)s zijn.", name="format", choices="json"), "format"
        )
    return Paging(
        _integer("page", 1, MAX_PAGE), _integer("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    )


def _boolean(name: str) -> bool:
    raw = _arg(name)
    if raw is None:
        return False
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise BadParameter(_("'%(name)s' moet true of false zijn.", name=name), name)


def _search() -> str:
    text = " ".join((request.args.get("search") or "").split())
    if len(text) > MAX_SEARCH:
        raise BadParameter(
            _(
                "‘%(name)s’ is te lang: gebruik hoogstens %(n)s tekens.",
                name="search",
                n=MAX_SEARCH,
            ),
            "search",
        )
    return text


def _uuid(name: str, value: str | None = None) -> str | None:
    raw = _arg(name) if value is None else value
    if raw is None:
        return None
    try:
        return str(uuid.UUID(raw)) if len(raw) == 36 else _bad_uuid(name)
    except ValueError:
        return _bad_uuid(name)


def _bad_uuid(name: str) -> str:
    raise BadParameter(
        _(
            "‘%(name)s’ moet een HSDS-id zijn: een UUID zoals %(example)s.",
            name=name,
            example="6f1d8d7e-8a4b-4f0e-9a53-2f1c3b7d9e10",
        ),
        name,
    )


def _datetime(name: str) -> datetime | None:
    """Read an RFC 3339 date-time (``2026-01-31T09:00:00Z``) as UTC."""
    raw = _arg(name)
    if raw is None:
        return None
    match = _DATETIME.fullmatch(raw)
    try:
        if match is None:
            raise ValueError(raw)
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        zone = match.group(8).upper()
        offset = timedelta(0)
        if zone != "Z":
            if int(zone[1:3]) > 23 or int(zone[4:6]) > 59:
                raise ValueError(zone)
            offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
            offset = -offset if zone[0] == "-" else offset
        if second > 60:
            raise ValueError(raw)
        # Year 0 is valid RFC 3339 but not in Python: it is before anything anyway. A leap
        # second (:60) counts as the second before.
        local = datetime(max(year, 1), month, day, hour, minute, min(second, 59))
    except ValueError:
        raise BadParameter(
            _(
                "‘%(name)s’ moet een datum en tijd zijn, zoals %(example)s.",
                name=name,
                example="2026-01-31T09:00:00Z",
            ),
            name,
        ) from None
    try:
        return (local - offset).replace(tzinfo=UTC)
    except OverflowError:
        # Just outside what Python counts (year 1 or 9999 with an offset).
        edge = datetime.min if local.year == 1 else datetime.max
        return edge.replace(tzinfo=UTC)


def _near() -> Near | None:
    raw_postcode = _arg("postcode")
    raw_proximity = _arg("proximity")
    if raw_postcode is None:
        if raw_proximity is not None:
            raise BadParameter(
                _(
                    "‘%(name)s’ werkt alleen samen met ‘%(place)s’.",
                    name="proximity",
                    place="postcode",
                ),
                "proximity",
            )
        return None
    place = gazetteer().postcode(raw_postcode) if _POSTCODE.fullmatch(raw_postcode) else None
    if place is None:
        raise BadParameter(
            _(
                "De postcode ‘%(postcode)s’ kennen we niet. Gebruik een Nederlandse postcode, "
                "zoals 8011 of 8011 AB.",
                postcode=raw_postcode[:20],
            ),
            "postcode",
        )
    meters = None
    if raw_proximity is not None:
        try:
            meters = float(raw_proximity)
        except ValueError:
            meters = math.nan
        if not 0 <= meters <= MAX_PROXIMITY_M:
            raise BadParameter(
                _(
                    "‘%(name)s’ moet een afstand in meters zijn van 0 tot en met %(high)s.",
                    name="proximity",
                    high=MAX_PROXIMITY_M,
                ),
                "proximity",
            )
    return Near(place.gm_code, place.lat, place.lon, meters)


def _service_filter() -> ServiceFilter:
    return ServiceFilter(
        search=_search(),
        taxonomy_term_id=_uuid("taxonomy_term_id"),
        taxonomy_id=_uuid("taxonomy_id"),
        organization_id=_uuid("organization_id"),
        modified_after=_datetime("modified_after"),
    )


# -- answering ------------------------------------------------------------------------------


def _answer(data: Any, *, of_data: bool = True) -> Response:
    """Return ``data`` as JSON with an ETag and Last-Modified; 304 when the client has it.

    Last-Modified is when the directory last changed (``of_data``) or this version started,
    whichever is later.
    """
    response = jsonify(data)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:40])
    stamp = hsds_api.changed_at(db.session) if of_data else None
    response.last_modified = max(stamp.replace(microsecond=0), _STARTED) if stamp else _STARTED
    response.cache_control.public = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


def _unknown(kind: str, key: str) -> ResponseReturnValue:
    # ``key`` is a well-formed UUID here, so it is safe to repeat.
    message = _("Er is geen openbare %(kind)s met id ‘%(id)s’.", kind=kind, id=key)
    return jsonify(error=message, parameter="id"), 404


def _by_id(kind: str, key: str, found: dict[str, Any] | None) -> ResponseReturnValue:
    return _answer(found) if found is not None else _unknown(kind, key)


@bp.after_app_request
def _cors(response: Response) -> Response:
    """Let any site read the public API (read-only, never with credentials)."""
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = (
                "Accept, Accept-Language, If-None-Match, If-Modified-Since"
            )
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.get("/")
def index() -> ResponseReturnValue:
    """What this API is: the HSDS version, the profile and where its OpenAPI document is."""
    _only()
    return _answer(
        {
            "version": HSDS_VERSION,
            "profile": PROFILE_URL,
            "openapi_url": url_for("api.hsds.openapi", _external=True),
        }
    )


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of this API, with this site as its server."""
    _only()
    base = (current_app.config.get("BASE_URL") or request.url_root).rstrip("/")
    return _answer(hsds_openapi(base + "/api/hsds"), of_data=False)


@bp.get("/services")
def services() -> ResponseReturnValue:
    _only(*SERVICE_FILTERS, *PAGING, "full")
    flt, paging, full = _service_filter(), _paging(), _boolean("full")
    return _answer(hsds_api.services_page(db.session, flt, paging, full=full))


@bp.get("/services/<key>")
def service(key: str) -> ResponseReturnValue:
    _only()
    sid = _uuid("id", key) or ""
    return _by_id("service", sid, hsds_api.service_by_id(db.session, sid))


@bp.get("/service_at_locations")
def service_at_locations() -> ResponseReturnValue:
    _only(*SERVICE_FILTERS, *PAGING, "full", "postcode", "proximity")
    flt, paging, full, near = _service_filter(), _paging(), _boolean("full"), _near()
    return _answer(
        hsds_api.service_at_locations_page(db.session, flt, paging, near=near, full=full)
    )


@bp.get("/service_at_locations/<key>")
def service_at_location(key: str) -> ResponseReturnValue:
    _only()
    sid = _uuid("id", key) or ""
    return _by_id("service_at_location", sid, hsds_api.service_at_location_by_id(db.session, sid))


@bp.get("/organizations")
def organizations() -> ResponseReturnValue:
    _only("search", *PAGING, "full", "full_service")
    text, paging = _search(), _paging()
    full, full_service = _boolean("full"), _boolean("full_service")
    return _answer(
        hsds_api.organizations_page(
            db.session, text, paging, full=full or full_service, full_service=full_service
        )
    )


@bp.get("/organizations/<key>")
def organization(key: str) -> ResponseReturnValue:
    _only("full_service")
    oid = _uuid("id", key) or ""
    found = hsds_api.organization_by_id(db.session, oid, full_service=_boolean("full_service"))
    return _by_id("organization", oid, found)


@bp.get("/taxonomies")
def taxonomies() -> ResponseReturnValue:
    _only("search", *PAGING)
    text, paging = _search(), _paging()
    return _answer(hsds_api.taxonomies_page(db.session, text, paging))


@bp.get("/taxonomies/<key>")
def taxonomy(key: str) -> ResponseReturnValue:
    _only()
    tid = _uuid("id", key) or ""
    return _by_id("taxonomy", tid, hsds_api.taxonomy_by_id(db.session, tid))


@bp.get("/taxonomy_terms")
def taxonomy_terms() -> ResponseReturnValue:
    _only("search", *PAGING, "taxonomy_id", "parent_id", "top_only")
    text, paging = _search(), _paging()
    page = hsds_api.taxonomy_terms_page(
        db.session,
        text,
        paging,
        taxonomy_id=_uuid("taxonomy_id"),
        parent_id=_uuid("parent_id"),
        top_only=_boolean("top_only"),
    )
    return _answer(page)


@bp.get("/taxonomy_terms/<key>")
def taxonomy_term(key: str) -> ResponseReturnValue:
    _only()
    tid = _uuid("id", key) or ""
    return _by_id("taxonomy_term", tid, hsds_api.taxonomy_term_by_id(db.session, tid))
