"""What ``search()`` returns: plain values that views and the API render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

#: Facet keys of the "extra" group.
EXTRA_OPEN_NOW = "open_now"
EXTRA_WALK_IN = "inloop"


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
