"""Read and check the query parameters of the public search pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from ...services.taxonomy import TaxonomyInfo

#: Facets residents can filter on, in the order the filter form shows them.
FILTER_FACETS = ("thema", "fase", "doelgroep", "toegang", "organisatietype")
MAX_QUERY = 200
MAX_PLACE = 100
MAX_PAGE = 500
VIEWS = ("lijst", "kaart")


class BadParameter(BadRequest):
    """A query parameter that the site cannot use; the description says which and why."""


@dataclass
class SearchParams:
    q: str = ""
    plaats: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    open_now: bool = False
    walk_in: bool = False
    page: int = 1
    view: str = "lijst"
    printing: bool = False

    @property
    def has_filters(self) -> bool:
        return bool(any(self.filters.values()) or self.open_now or self.walk_in)

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.plaats or self.has_filters)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return URL parameters for this search, with ``changes`` applied (None drops one)."""
        values: dict[str, Any] = {
            "q": self.q or None,
            "plaats": self.plaats or None,
            **{facet: list(codes) for facet, codes in self.filters.items() if codes},
            "nu_open": "1" if self.open_now else None,
            "inloop": "1" if self.walk_in else None,
            "pagina": self.page if self.page > 1 else None,
            "weergave": self.view if self.view != "lijst" else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", [])}

    def is_checked(self, facet: str, code: str) -> bool:
        return code in self.filters.get(facet, [])


def _text(args: MultiDict[str, str], name: str, limit: int, label: str) -> str:
    # Control characters never belong in a search; drop them instead of failing later.
    value = " ".join("".join(c for c in args.get(name, "") if c.isprintable()).split())
    if len(value) > limit:
        raise BadParameter(
            _(
                "Het veld ‘%(field)s’ is te lang: gebruik hoogstens %(n)s tekens.",
                field=label,
                n=limit,
            )
        )
    return value


def _flag(args: MultiDict[str, str], name: str, label: str) -> bool:
    value = args.get(name, "")
    if value not in ("", "0", "1"):
        raise BadParameter(_("De keuze ‘%(field)s’ moet 0 of 1 zijn.", field=label))
    return value == "1"


def parse_search_params(args: MultiDict[str, str], taxonomies: list[TaxonomyInfo]) -> SearchParams:
    """Turn the request arguments into SearchParams; raise BadParameter naming the problem."""
    params = SearchParams(
        q=_text(args, "q", MAX_QUERY, _("Waar zoekt u hulp bij?")),
        plaats=_text(args, "plaats", MAX_PLACE, _("Postcode of woonplaats")),
        open_now=_flag(args, "nu_open", _("Nu open")),
        walk_in=_flag(args, "inloop", _("Inloop zonder afspraak")),
        printing=_flag(args, "print", _("Printversie")),
    )
    by_facet = {t.facet: t for t in taxonomies}
    for facet in FILTER_FACETS:
        codes = [c for c in args.getlist(facet) if c]
        tax = by_facet.get(facet)
        known = {t.code for t in tax.terms} if tax else set()
        for code in codes:
            if code not in known:
                raise BadParameter(
                    _(
                        "Het filter ‘%(facet)s’ kent de keuze ‘%(code)s’ niet.",
                        facet=facet,
                        code=code[:40],
                    )
                )
        if codes:
            params.filters[facet] = sorted(set(codes), key=codes.index)
    page = args.get("pagina", "1") or "1"
    if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
        raise BadParameter(
            _("Het paginanummer moet een getal van 1 tot en met %(n)s zijn.", n=MAX_PAGE)
        )
    params.page = int(page)
    view = args.get("weergave", "lijst") or "lijst"
    if view not in VIEWS:
        raise BadParameter(_("Kies als weergave ‘lijst’ of ‘kaart’."))
    params.view = view
    return params
