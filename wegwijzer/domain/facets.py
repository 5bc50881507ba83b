"""The taxonomies shipped in ``data/taxonomy.json``: their facet names and the search filters.

Each taxonomy has a ``facet`` (its short name in URLs, the API and imports); those with a
``search_filter`` position are what residents filter on, in that order, and what the guided
route's answers may map to. Everything that lists facets takes them from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..resources import DATA_DIR

TAXONOMY_FILE = DATA_DIR / "taxonomy.json"


@dataclass(frozen=True)
class Facet:
    facet: str
    taxonomy: str
    search_filter: int | None
    #: The codes of the taxonomy's terms, in the file's order.
    codes: tuple[str, ...] = ()


def read_facets(path: Path = TAXONOMY_FILE) -> tuple[Facet, ...]:
    """Return the facets of a taxonomy file, in the file's order."""
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return tuple(
        Facet(
            t["facet"],
            t["name"],
            t.get("search_filter"),
            tuple(term["code"] for term in t.get("terms", [])),
        )
        for t in data.get("taxonomies", [])
    )


CORE = read_facets()
#: The shipped taxonomies (names) and their facets, in the file's order.
CORE_TAXONOMIES = tuple(f.taxonomy for f in CORE)
CORE_FACETS = tuple(f.facet for f in CORE)
#: Search filters, facet -> taxonomy name, in the order the filter form shows them.
SEARCH_FACETS: dict[str, str] = {
    f.facet: f.taxonomy
    for f in sorted((f for f in CORE if f.search_filter), key=lambda f: f.search_filter or 0)
}

#: Target groups (``doelgroep`` codes) of services meant for one group of people only. Such a
#: service comes after general help unless the asker named the group (a filter, a route answer).
ONE_GROUP = frozenset(
    {
        "jongeren",
        "ondernemers",
        "ouderen",
        "nieuwkomers",
        "levensbeschouwelijk",
        "culturele-gemeenschap",
    }
)
#: The ``doelgroep`` code that says a service is for every resident.
EVERYONE = "iedereen"


def meant_for_one_group(
    groups: set[str] | frozenset[str], named: set[str] | frozenset[str] = frozenset()
) -> bool:
    """Return True when ``groups`` (a service's doelgroep codes) mark it as meant for one group
    that is not among ``named`` (groups the asker named)."""
    specific = groups & ONE_GROUP
    return bool(specific) and EVERYONE not in groups and not (specific & named)
