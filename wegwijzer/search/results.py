"""What ``search()`` returns: plain values that views and the API render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

#: Facet keys of the "extra" group.
EXTRA_OPEN_NOW = "open_now"
EXTRA_WALK_IN = "inloop"
#: Seconds after which a visitor may try again while a damaged index is being rebuilt.
RETRY_AFTER = 30


class SearchUnavailable(RuntimeError):
    """The index is missing or damaged and a new one is being built; try again shortly.

    The web layer answers 503 with ``Retry-After``; saves are never refused because of it.
    """

    retry_after = RETRY_AFTER


@dataclass(frozen=True)
class Hit:
    """One service in a result list; views load the Service row by ``service_id``."""

    service_id: str
    name: str
    organization_id: str
    organization_name: str
    snippet: Markup
    distance_km: float | None
    is_national: bool
    gm_codes: list[str]
    themes: list[str]
    is_urgent_pick: bool
    score: float


@dataclass
class SearchResult:
    """Results, counts per facet, the understood location and spelling suggestion.

    ``facets`` = ``{"thema": {"schulden": 12, ...}, ..., "extra": {"open_now": n,
    "inloop": n}}``. A taxonomy's counts ignore that taxonomy's own filter (they say what
    adding that option would give); every other filter, the query and the location apply.
    """

    query: str
    results: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 20
    pages: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    location: Any = None
    location_error: Any = None
    suggestion: str | None = None
    urgent: bool = False
    #: The urgent signals found (objects from ``wegwijzer.search.signals``).
    signals: list[Any] = field(default_factory=list)
    #: The query text without the place name that was taken out of it.
    text: str = ""
    #: How the location was found: "parameter", "text" (named in the query), "typo" (a
    #: misspelt place name in the query) or "" (none); see ``search.places``.
    location_source: str = ""
    #: The misspelt place name as typed, when the location was guessed from it ("zwole").
    place_typed: str = ""
    #: The best match is a weak one (nothing found, only parts of a compound, or only some of
    #: the words): pages show general help first and say so.
    weak: bool = False
    #: Every matching service id in result order, filled only by ``search_ids()``.
    ids: list[str] = field(default_factory=list)

    def to_dict(self, service_url: Callable[[Hit], str]) -> dict[str, Any]:
        """Return the result as JSON-ready data: the one shape of the API and the CLI."""
        loc = self.location
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "location": (
                {
                    "name": loc.name,
                    "municipality": loc.municipality,
                    "gm_code": loc.gm_code,
                    "lat": loc.lat,
                    "lon": loc.lon,
                    "source": self.location_source,
                    "typed": self.place_typed or None,
                }
                if loc is not None
                else None
            ),
            "suggestion": self.suggestion,
            "urgent": self.urgent,
            "weak": self.weak,
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
                    "score": hit.score,
                    "url": service_url(hit),
                }
                for hit in self.results
            ],
            "facets": self.facets,
        }
