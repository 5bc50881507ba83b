"""One search request: the value every caller builds, and the one parser of its parameters.

The results page, the JSON API, the command line and the guided route all describe a search
as a :class:`SearchQuery`. :func:`parse_search_query` reads one from request-style arguments
(a mapping with ``getlist``), for the site and the API alike. Each field has one Dutch and one
English name; both work everywhere (``plaats`` or ``near``, ``pagina`` or ``page``, …), so a
link written for the site also works against the API and the other way round.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask_babel import gettext as _

from .schema import FACETS

MAX_TEXT = 200
MAX_PLACE = 100
MAX_PAGE = 1000
MAX_PER_PAGE = 100
MAX_RADIUS_KM = 300.0
_TRUE = {"1", "true", "ja", "yes", "on"}
_FALSE = {"0", "false", "nee", "no", "off", ""}

#: The names of each parameter: the first is the site's (Dutch) name, the second the API's.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "text": ("q",),
    "place": ("plaats", "near"),
    "radius_km": ("straal_km", "radius_km"),
    "open_now": ("nu_open", "open_now"),
    "walk_in": ("inloop", "walk_in"),
    "page": ("pagina", "page"),
    "per_page": ("per_pagina", "per_page"),
}


class Args(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[str]: ...
    def __contains__(self, key: object) -> bool: ...


@dataclass(frozen=True)
class SearchQuery:
    """What someone asks for: words, a place, filters, and which page of the answer."""

    text: str = ""
    place: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    radius_km: float | None = None
    open_now: bool = False
    walk_in: bool = False
    page: int = 1
    per_page: int = 20
    #: Target groups (``doelgroep`` codes) the asker named, e.g. in the guided route: services
    #: meant for one of these groups are not ranked below general services. A ``doelgroep``
    #: filter counts as named as well. Not read from URLs; callers set it.
    groups: tuple[str, ...] = ()

    @property
    def has_filters(self) -> bool:
        return bool(any(self.filters.values()) or self.open_now or self.walk_in)

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.place or self.has_filters)


class SearchParameterError(ValueError):
    """A parameter that cannot be used; ``parameter`` is its name as the caller wrote it."""

    def __init__(self, parameter: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.extra = extra


def make_query(
    text: str = "",
    filters: Mapping[str, Sequence[str] | str] | None = None,
    **values: Any,
) -> SearchQuery:
    """Build a SearchQuery from plain values (filters as lists or single codes)."""
    clean: dict[str, tuple[str, ...]] = {}
    for key, codes in (filters or {}).items():
        if key not in FACETS:
            raise ValueError(f"unknown search filter {key!r}; use one of {', '.join(FACETS)}")
        values_ = (codes,) if isinstance(codes, str) else tuple(codes)
        kept = tuple(dict.fromkeys(c for c in values_ if c))
        if kept:
            clean[key] = kept
    if "groups" in values:
        values["groups"] = tuple(dict.fromkeys(g for g in values["groups"] or () if g))
    return SearchQuery(text=text or "", filters=clean, **values)


def _name(args: Args, key: str) -> str:
    """Return the name under which ``key`` was given (or its site name)."""
    names = PARAMETERS[key]
    return next((n for n in names if n in args), names[0])


def _raw(args: Args, key: str) -> str | None:
    for name in PARAMETERS[key]:
        value = args.get(name)
        if value is not None and value != "":
            return str(value)
    return None


def _text(args: Args, key: str, limit: int) -> str:
    value = " ".join((_raw(args, key) or "").split())
    if len(value) > limit:
        raise SearchParameterError(
            _name(args, key),
            _(
                "‘%(name)s’ is te lang: gebruik hoogstens %(n)s tekens.",
                name=_name(args, key),
                n=limit,
            ),
        )
    return value


def _flag(args: Args, key: str) -> bool:
    raw = (_raw(args, key) or "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    name = _name(args, key)
    raise SearchParameterError(name, _("‘%(name)s’ moet 1 (ja) of 0 (nee) zijn.", name=name))


def _int(args: Args, key: str, default: int, high: int) -> int:
    raw = _raw(args, key)
    if raw is None:
        return default
    name = _name(args, key)
    if not raw.strip().isdigit() or not 1 <= int(raw) <= high:
        raise SearchParameterError(
            name, _("‘%(name)s’ moet een getal van 1 tot en met %(n)s zijn.", name=name, n=high)
        )
    return int(raw)


def _radius(args: Args) -> float | None:
    raw = _raw(args, "radius_km")
    if raw is None:
        return None
    name = _name(args, "radius_km")
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_RADIUS_KM:
        limit = format(MAX_RADIUS_KM, "g")
        raise SearchParameterError(
            name, _("‘%(name)s’ moet een aantal kilometers tot %(max)s zijn.", name=name, max=limit)
        )
    return value


def _filters(args: Args, known: Mapping[str, Collection[str]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        codes = [c.strip() for c in args.getlist(facet) if c and c.strip()]
        allowed = known.get(facet, ())
        for code in codes:
            if code not in allowed:
                raise SearchParameterError(
                    facet,
                    _(
                        "Het filter ‘%(facet)s’ kent de keuze ‘%(code)s’ niet.",
                        facet=facet,
                        code=code[:40],
                    ),
                    allowed=sorted(allowed),
                )
        if codes:
            out[facet] = tuple(dict.fromkeys(codes))
    return out


def check_names(args: Args, also: Collection[str] = ()) -> None:
    """Raise SearchParameterError naming the first parameter that is no search parameter.

    The API calls this, so a misspelt or unsupported name (``plaatss``, ``city``) is an error
    instead of a silently wider search; ``also`` are other names the caller reads (``lang``).
    """
    names = {n for names in PARAMETERS.values() for n in names} | set(FACETS) | set(also)
    for name in args:
        if name not in names:
            raise SearchParameterError(
                str(name)[:40],
                _(
                    "De parameter ‘%(name)s’ kennen we niet. Gebruik: %(names)s.",
                    name=str(name)[:40],
                    names=", ".join(sorted(names)),
                ),
            )


def parse_search_query(
    args: Args, known: Mapping[str, Collection[str]], *, per_page: int | None = None
) -> SearchQuery:
    """Read a SearchQuery from request arguments; raise SearchParameterError naming the problem.

    ``known`` maps each facet to its codes. With ``per_page`` (the site) the page size is fixed
    and not read from the arguments; without it, ``per_page`` may be given (1 to 100, default 20).
    """
    place = _text(args, "place", MAX_PLACE)
    radius_km = _radius(args)
    if radius_km is not None and not place:
        raise SearchParameterError(
            _name(args, "radius_km"),
            _(
                "‘%(name)s’ werkt alleen samen met ‘%(place)s’.",
                name=_name(args, "radius_km"),
                place=_name(args, "place"),
            ),
        )
    return SearchQuery(
        text=_text(args, "text", MAX_TEXT),
        place=place,
        filters=_filters(args, known),
        radius_km=radius_km,
        open_now=_flag(args, "open_now"),
        walk_in=_flag(args, "walk_in"),
        page=_int(args, "page", 1, MAX_PAGE),
        per_page=per_page if per_page is not None else _int(args, "per_page", 20, MAX_PER_PAGE),
    )
