"""Run one search: location, query understanding, scoring, facets, ranking and hits."""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..services.hours import TZ
from .categories import Categories
from .engine import SearchEngine
from .query import ParsedQuery, parse_query
from .results import EXTRA_OPEN_NOW, EXTRA_WALK_IN, Hit, SearchResult
from .schema import CATEGORY_BOOST, FACETS, FLAG_WALK_IN, NATIONAL
from .snippets import make_snippet
from .view import View, bits_from

MAX_QUERY = 200
MAX_PER_PAGE = 100
#: Relevance bands when sorting near a place: within a band, the nearest comes first.
TIERS = 3
#: Share of the score kept by a document that matches only some of the query's words.
COORD_FLOOR = 0.4


def run_search(
    engine: SearchEngine,
    *,
    query: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    near: str | None = None,
    page: int = 1,
    per_page: int = 20,
    lang: str = "nl",
    radius_km: float | None = None,
    open_now: bool = False,
    walk_in: bool = False,
    now: datetime | None = None,
    gazetteer: Any = None,
    debt_help_id: Any = None,
) -> SearchResult:
    """Search the index; see ``wegwijzer.search.search`` for the contract."""
    query = " ".join((query or "").split())[:MAX_QUERY]
    page = max(1, int(page))
    per_page = min(max(1, int(per_page)), MAX_PER_PAGE)
    filters = _check_filters(filters)
    when = (now or datetime.now(TZ)).astimezone(TZ)
    view, live = engine.view()
    result = SearchResult(query=query, page=page, per_page=per_page)

    # Where: an explicit place or postcode, else a place named in the query.
    text = query
    location = None
    if near and near.strip():
        found = gazetteer.resolve(near.strip()[:MAX_QUERY])
        if found:
            location = found
        else:
            result.location_error = found
    elif text and gazetteer is not None:
        place, rest = gazetteer.find_place_in_text(text)
        if place is not None:
            location, text = place, " ".join(rest.split())
    result.location = location
    result.text = text

    spell = engine.spell(view, live)
    cats = engine.categories(live)
    parsed = parse_query(
        text,
        live.analyzer,
        engine.synonyms(),
        engine.signals(),
        is_known=lambda term: bool(view.term(term)[0] or cats.get(term)),
        correct=spell.correct,
        is_surface=spell.__contains__,
    )
    result.suggestion = parsed.suggestion(query)
    result.signals = parsed.signals
    result.urgent = bool(parsed.signals)

    scores, match_bits = _score(view, parsed, cats)
    restrictions = _restrictions(view, filters, location, radius_km, open_now, walk_in, when)

    def combined(exclude: str | None = None) -> int:
        bits = match_bits
        for key, (_, b) in restrictions.items():
            if key != exclude:
                bits &= b
        return bits

    final_bits = combined()
    total = final_bits.bit_count()
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        base = combined(facet)
        facets[facet] = {
            code: (base & view.keyword(facet, code)[1]).bit_count() for code in view.values(facet)
        }
    facets["extra"] = {
        EXTRA_OPEN_NOW: (combined(EXTRA_OPEN_NOW) & view.open_at(when)[1]).bit_count(),
        EXTRA_WALK_IN: (
            combined(EXTRA_WALK_IN) & view.keyword("flags", FLAG_WALK_IN)[1]
        ).bit_count(),
    }
    result.facets = facets

    pick = None
    if result.urgent and location is not None:
        pick = _urgent_pick(view, location.gm_code, scores, debt_help_id)
    need = page * per_page + 1
    ordered, distances = _rank(view, scores, restrictions, location, need)
    if pick is not None:
        ordered = [pick] + [d for d in ordered if d != pick]
        if not (final_bits >> pick) & 1:
            total += 1
    result.total = total
    result.pages = math.ceil(total / per_page) if total else 0
    start = (page - 1) * per_page
    terms = parsed.highlight_terms
    reader = view.reader
    for d in ordered[start : start + per_page]:
        rec = view.record(d)
        if location is not None and d not in distances:
            distances[d] = _distance(rec, location)
        stored = reader.stored_fields(d).get("data") or {}
        result.results.append(
            Hit(
                service_id=rec.id,
                name=rec.name,
                organization_id=rec.org_id,
                organization_name=rec.org,
                snippet=make_snippet(stored.get("d", ""), terms, live.analyzer),
                distance_km=_round(distances.get(d)),
                is_national=rec.national,
                gm_codes=list(rec.gm),
                themes=list(rec.themes),
                is_urgent_pick=d == pick,
                score=round(scores.get(d, 0.0), 4) if scores else 0.0,
            )
        )
    return result


def _check_filters(filters: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, codes in (filters or {}).items():
        if key not in FACETS:
            raise ValueError(f"unknown search filter {key!r}; use one of {', '.join(FACETS)}")
        if isinstance(codes, str):
            codes = [codes]
        values = [c for c in codes if c]
        if values:
            out[key] = values
    return out


def _score(
    view: View, parsed: ParsedQuery, cats: Categories
) -> tuple[dict[int, float] | None, int]:
    """Return (docnum → score, bitset of matching live documents); None scores = no query."""
    groups = [g for g in parsed.groups if g.terms]
    if not groups:
        return None, view.live_bits
    totals: dict[int, float] = {}
    counts: dict[int, int] = {}
    bits = 0
    for group in groups:
        group_scores: dict[int, float] = {}
        get = group_scores.get
        categories: dict[str, float] = {}
        for term, weight in group.terms.items():
            for cat in cats.get(term):
                categories[cat] = max(categories.get(cat, 0.0), weight)
            postings, term_bits = view.term(term)
            if not postings:
                continue
            bits |= term_bits
            factor = weight * view.idf(term)
            for d, w in postings.items():
                group_scores[d] = get(d, 0.0) + factor * w
        for cat, weight in categories.items():
            docs, cat_bits = view.keyword("cat", cat)
            if not docs:
                continue
            bits |= cat_bits
            factor = weight * CATEGORY_BOOST * _idf(view.count, len(docs))
            for d in docs:
                group_scores[d] = get(d, 0.0) + factor
        get_total = totals.get
        get_count = counts.get
        for d, s in group_scores.items():
            totals[d] = get_total(d, 0.0) + s
            counts[d] = get_count(d, 0) + 1
    n = len(groups)
    if n > 1:
        # Documents matching more of the meaningful words rank higher (sentence queries).
        spread = (1 - COORD_FLOOR) / n
        totals = {d: s * (COORD_FLOOR + spread * counts[d]) for d, s in totals.items()}
    return totals, bits & view.live_bits


def _idf(total: int, df: int) -> float:
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def _restrictions(
    view: View,
    filters: dict[str, list[str]],
    location: Any,
    radius_km: float | None,
    open_now: bool,
    walk_in: bool,
    when: datetime,
) -> dict[str, tuple[frozenset[int], int]]:
    out: dict[str, tuple[frozenset[int], int]] = {}
    for facet, codes in filters.items():
        ids: set[int] = set()
        bits = 0
        for code in codes:
            s, b = view.keyword(facet, code)
            ids |= s
            bits |= b
        out[facet] = (frozenset(ids), bits)
    if location is not None:
        local, local_bits = view.keyword("area", location.gm_code)
        national, national_bits = view.keyword("area", NATIONAL)
        if radius_km is not None:
            local = frozenset(
                d
                for d in local
                if (dist := _distance(view.record(d), location)) is None or dist <= radius_km
            )
            local_bits = bits_from(local)
        out["location"] = (local | national, local_bits | national_bits)
    if open_now:
        out[EXTRA_OPEN_NOW] = view.open_at(when)
    if walk_in:
        out[EXTRA_WALK_IN] = view.keyword("flags", FLAG_WALK_IN)
    return out


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _distance(rec: Any, location: Any) -> float | None:
    """Kilometres to the nearest location of a local service; None for national/phone-only."""
    if rec.national or not rec.geo:
        return None
    return min(_haversine(location.lat, location.lon, lat, lon) for lat, lon in rec.geo)


def _round(km: float | None) -> float | None:
    return None if km is None else round(km, 1)


def _rank(
    view: View,
    scores: dict[int, float] | None,
    restrictions: dict[str, tuple[frozenset[int], int]],
    location: Any,
    need: int,
) -> tuple[list[int], dict[int, float | None]]:
    """Return at least ``need`` docnums in result order (fewer if there are fewer)."""
    sets = sorted((s for s, _ in restrictions.values()), key=len)
    deleted = view.deleted
    distances: dict[int, float | None] = {}
    if scores is None:
        if sets:
            base = set(sets[0]).intersection(*sets[1:]) - deleted
            docs = [d for d in view.name_order() if d in base] if location is None else list(base)
        else:
            docs = view.name_order() if location is None else view.live_ids()
        if location is None:
            return docs[:need], distances
        cands = [(0.0, d) for d in docs]
    else:
        cands = [
            (s, d) for d, s in scores.items() if d not in deleted and all(d in r for r in sets)
        ]
    if not cands:
        return [], distances

    def name(d: int) -> str:
        return view.record(d).sortkey

    if location is None:
        top = heapq.nlargest(need, cands)
        threshold = top[-1][0]
        tied = [c for c in cands if c[0] >= threshold] if len(top) == need else top
        tied.sort(key=lambda c: (-c[0], name(c[1])))
        return [d for _, d in tied[:need]], distances

    best = max(s for s, _ in cands) or 1.0
    bands: dict[int, list[tuple[float, int]]] = {}
    for s, d in cands:
        tier = min(TIERS - 1, int(TIERS * s / best)) if s > 0 else 0
        bands.setdefault(tier, []).append((s, d))
    ordered: list[int] = []
    for tier in sorted(bands, reverse=True):
        members = bands[tier]
        keyed = []
        for s, d in members:
            dist = _distance(view.record(d), location)
            distances[d] = dist
            # National and phone-only services follow the local ones of the same band.
            keyed.append((dist is None, dist or 0.0, -s, name(d), d))
        keyed.sort()
        ordered.extend(k[-1] for k in keyed)
        if len(ordered) >= need:
            break
    return ordered[:need], distances


def _urgent_pick(
    view: View, gm_code: str, scores: dict[int, float] | None, debt_help_id: Any
) -> int | None:
    """Return the docnum of the municipality's debt-help service, if it is in the index."""
    service_id = debt_help_id(gm_code) if debt_help_id else None
    if service_id:
        try:
            docnum = view.reader.first_id("id", service_id)
        except Exception:  # Whoosh raises TermNotFound subclasses of several kinds
            docnum = None
        if docnum is not None and docnum not in view.deleted:
            return docnum
    municipal = view.keyword("organisatietype", "gemeente")[0]
    debts = view.keyword("thema", "schulden")[0]
    local = view.keyword("area", gm_code)[0]
    cands = (municipal & debts & local) - view.deleted
    if not cands:
        return None
    return min(cands, key=lambda d: (-(scores or {}).get(d, 0.0), view.record(d).sortkey))
