"""The search state of the public results page: the one SearchQuery plus view and print."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ...domain.facets import SEARCH_FACETS
from ...search import SearchParameterError, SearchQuery, parse_search_query
from ...services.taxonomy import TaxonomyInfo
from ..errors import BadParameter

#: Facets residents can filter on, in the order the filter form shows them.
FILTER_FACETS = tuple(SEARCH_FACETS)
VIEWS = ("lijst", "kaart")


@dataclass
class SearchParams:
    """A results page: what is searched for (``query``), shown as list or map, or printed."""

    query: SearchQuery = field(default_factory=SearchQuery)
    view: str = "lijst"
    printing: bool = False

    @property
    def q(self) -> str:
        return self.query.text

    @property
    def plaats(self) -> str:
        return self.query.place

    @property
    def filters(self) -> dict[str, list[str]]:
        return {facet: list(codes) for facet, codes in self.query.filters.items()}

    @property
    def open_now(self) -> bool:
        return self.query.open_now

    @property
    def walk_in(self) -> bool:
        return self.query.walk_in

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def has_filters(self) -> bool:
        return self.query.has_filters

    @property
    def filter_count(self) -> int:
        """Return how many filters are ticked (each term, "nu open" and "inloop" count one)."""
        return sum(len(codes) for codes in self.filters.values()) + self.open_now + self.walk_in

    @property
    def is_empty(self) -> bool:
        return self.query.is_empty

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return URL parameters for this search, with ``changes`` applied (None drops one)."""
        values: dict[str, Any] = {
            "q": self.q or None,
            "plaats": self.plaats or None,
            **{facet: list(codes) for facet, codes in self.filters.items() if codes},
            "straal_km": format(self.query.radius_km, "g") if self.query.radius_km else None,
            "nu_open": "1" if self.open_now else None,
            "inloop": "1" if self.walk_in else None,
            "pagina": self.page if self.page > 1 else None,
            "weergave": self.view if self.view != "lijst" else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", [])}

    def is_checked(self, facet: str, code: str) -> bool:
        return code in self.filters.get(facet, [])


def parse_search_params(
    args: MultiDict[str, str], taxonomies: list[TaxonomyInfo], per_page: int, print_per_page: int
) -> SearchParams:
    """Turn the request arguments into SearchParams; raise BadParameter naming the problem."""
    printing = args.get("print", "")
    if printing not in ("", "0", "1"):
        raise BadParameter(_("‘%(name)s’ moet 1 (ja) of 0 (nee) zijn.", name="print"), "print")
    view = args.get("weergave", "lijst") or "lijst"
    if view not in VIEWS:
        raise BadParameter(_("Kies als weergave ‘lijst’ of ‘kaart’."), "weergave")
    known = {t.facet: {term.code for term in t.terms} for t in taxonomies}
    try:
        query = parse_search_query(
            args, known, per_page=print_per_page if printing == "1" else per_page
        )
    except SearchParameterError as exc:
        raise BadParameter(exc.message, exc.parameter, **exc.extra) from None
    return SearchParams(query=query, view=view, printing=printing == "1")
