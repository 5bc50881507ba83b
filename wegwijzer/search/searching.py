"""Run one search: location, query understanding, scoring, facets, ranking and hits."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from ..domain.hours import TZ
from .categories import Categories
from .engine import SearchEngine
from .query import ParsedQuery, parse_query
from .results import EXTRA_OPEN_NOW, EXTRA_WALK_IN, Hit, SearchResult
from .schema import CATEGORY_BOOST, FACETS, FLAG_WALK_IN, NATIONAL
from .snippets import make_snippet
from .view import View, idf

MAX_QUERY = 200
MAX_PER_PAGE = 100
#: Relevance bands when sorting near a place: within a band, the nearest comes first.
TIERS = 3
#: Share of the score kept by a document that matches only some of the query's words.
COORD_FLOOR = 0.4
EARTH_KM = 6371.0088


def run_search(
    engine: SearchEngine,
    *,
    query: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    near: str | None = None,
    page: int = 1,
    per_page: int = 20,
    radius_km: float | None = None,
    open_now: bool = False,
    walk_in: bool = False,
    groups: Sequence[str] = (),
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
    synonyms = engine.synonyms()
    signals = engine.signals()

    def is_surface(word: str) -> bool:
        # Words of the index, the taxonomy, the synonyms and the signals are never typos.
        return (
            word in spell
            or word in synonyms.surface
            or word in cats.words
            or any(word in phrase for s in signals for phrase in s.phrases)
        )

    parsed = parse_query(
        text,
        live.analyzer,
        synonyms,
        signals,
        is_known=lambda term: bool(len(view.term(term)[0]) or cats.get(term)),
        correct=spell.correct,
        is_surface=is_surface,
    )
    result.suggestion = parsed.suggestion(query)
    result.signals = parsed.signals
    result.urgent = bool(parsed.signals)

    scores, match = _score(view, parsed, cats)
    restrictions = _restrictions(view, filters, location, radius_km, open_now, walk_in, when)

    def combined(exclude: str | None = None) -> np.ndarray:
        mask = match
        for key, allowed in restrictions.items():
            if key != exclude:
                mask = mask & allowed
        return mask

    final = combined()
    total = int(np.count_nonzero(final))
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        base = combined(facet) if facet in restrictions else final
        facets[facet] = {
            code: int(np.count_nonzero(base & view.mask(facet, code)))
            for code in view.values(facet)
        }
    open_base = combined(EXTRA_OPEN_NOW) if EXTRA_OPEN_NOW in restrictions else final
    walk_base = combined(EXTRA_WALK_IN) if EXTRA_WALK_IN in restrictions else final
    facets["extra"] = {
        EXTRA_OPEN_NOW: int(np.count_nonzero(open_base & view.open_at(when))),
        EXTRA_WALK_IN: int(np.count_nonzero(walk_base & view.mask("flags", FLAG_WALK_IN))),
    }
    result.facets = facets

    pick = None
    if result.urgent and location is not None:
        pick = _urgent_pick(view, location.gm_code, scores, debt_help_id)
    need = page * per_page + 1
    ordered, distances = _rank(view, scores, final, location, need)
    if pick is not None:
        ordered = [pick] + [d for d in ordered if d != pick]
        if not final[pick]:
            total += 1
    result.total = total
    result.pages = math.ceil(total / per_page) if total else 0
    start = (page - 1) * per_page
    terms = parsed.highlight_terms
    reader = view.reader
    for d in ordered[start : start + per_page]:
        rec = view.record(d)
        if location is not None and d not in distances:
            distances[d] = _distance(view, d, location)
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
                score=round(float(scores[d]), 4) if scores is not None else 0.0,
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


def _score(view: View, parsed: ParsedQuery, cats: Categories) -> tuple[Any, np.ndarray]:
    """Return (score per document or None without a query, mask of matching live documents)."""
    groups = [g for g in parsed.groups if g.terms]
    if not groups:
        return None, view.live
    totals = np.zeros(view.size, dtype=np.float32)
    matched = np.zeros(view.size, dtype=np.int8)
    for group in groups:
        group_scores = np.zeros(view.size, dtype=np.float32)
        categories: dict[str, float] = {}
        for term, weight in group.terms.items():
            for cat in cats.get(term):
                categories[cat] = max(categories.get(cat, 0.0), weight)
            ids, weights = view.term(term)
            if len(ids):
                group_scores[ids] += np.float32(weight * view.idf(term)) * weights
        for cat, weight in categories.items():
            members = view.mask("cat", cat)
            df = int(np.count_nonzero(members))
            if df:
                group_scores[members] += np.float32(weight * CATEGORY_BOOST * idf(view.count, df))
        totals += group_scores
        matched += group_scores > 0
    n = len(groups)
    if n > 1:
        # Documents matching more of the meaningful words rank higher (sentence queries).
        totals *= COORD_FLOOR + (1 - COORD_FLOOR) / n * matched
    return totals, (totals > 0) & view.live


def _restrictions(
    view: View,
    filters: dict[str, list[str]],
    location: Any,
    radius_km: float | None,
    open_now: bool,
    walk_in: bool,
    when: datetime,
) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for facet, codes in filters.items():
        allowed = view.mask(facet, codes[0])
        for code in codes[1:]:
            allowed = allowed | view.mask(facet, code)
        out[facet] = allowed
    if location is not None:
        local = view.mask("area", location.gm_code)
        if radius_km is not None:
            ids = np.flatnonzero(local)
            dist = _distances(view, ids, location)
            # Services without an address (phone, online) stay: they have no distance.
            keep = ids[np.isnan(dist) | (dist <= radius_km)]
            local = np.zeros(view.size, dtype=bool)
            local[keep] = True
        out["location"] = local | view.mask("area", NATIONAL)
    if open_now:
        out[EXTRA_OPEN_NOW] = view.open_at(when)
    if walk_in:
        out[EXTRA_WALK_IN] = view.mask("flags", FLAG_WALK_IN)
    return out


def _distances(view: View, ids: np.ndarray, location: Any) -> np.ndarray:
    """Kilometres from ``location`` to each document's nearest address (NaN: none)."""
    lat = np.radians(view.lat[ids])
    lon = np.radians(view.lon[ids])
    lat0 = math.radians(location.lat)
    lon0 = math.radians(location.lon)
    a = np.sin((lat - lat0) / 2) ** 2 + math.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
    dist = 2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
    extra = view.extra_geo
    if extra:
        for i, d in enumerate(ids.tolist()):
            points = extra.get(d)
            if points:
                dist[i] = min(_haversine(location.lat, location.lon, p, q) for p, q in points)
    return dist


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _distance(view: View, docnum: int, location: Any) -> float | None:
    """Kilometres to the nearest address of a local service; None for national/phone-only."""
    rec = view.record(docnum)
    if rec.national or not rec.geo:
        return None
    return min(_haversine(location.lat, location.lon, lat, lon) for lat, lon in rec.geo)


def _round(km: float | None) -> float | None:
    return None if km is None else round(km, 1)


def _rank(
    view: View,
    scores: np.ndarray | None,
    final: np.ndarray,
    location: Any,
    need: int,
) -> tuple[list[int], dict[int, float | None]]:
    """Return at least ``need`` docnums in result order (fewer if there are fewer)."""
    distances: dict[int, float | None] = {}
    if location is None:
        if scores is None:
            order = view.name_order()
            return order[final[order]][:need].tolist(), distances
        cand = np.flatnonzero(final)
        s = scores[cand]
        if len(cand) > need:
            # Keep everything tied with the last place, so the name decides among equals.
            threshold = np.partition(s, len(s) - need)[len(s) - need]
            keep = s >= threshold
            cand, s = cand[keep], s[keep]
        order = np.lexsort((view.sortkeys[cand], -s))
        return cand[order][:need].tolist(), distances
    cand = np.flatnonzero(final)
    if not len(cand):
        return [], distances
    s = scores[cand] if scores is not None else np.zeros(len(cand), dtype=np.float32)
    dist = _distances(view, cand, location)
    dist[view.mask("area", NATIONAL)[cand]] = np.nan
    best = float(s.max())
    tier = np.minimum(TIERS - 1, np.floor(TIERS * s / best)) if best > 0 else np.zeros(len(s))
    # National and phone-only services follow the local ones of the same relevance band.
    far = np.isnan(dist)
    order = np.lexsort((view.sortkeys[cand], -s, np.where(far, 0.0, dist), far, -tier))[:need]
    top = cand[order]
    for d, km in zip(top.tolist(), dist[order].tolist(), strict=True):
        distances[d] = None if math.isnan(km) else km
    return top.tolist(), distances


def _urgent_pick(view: View, gm_code: str, scores: Any, debt_help_id: Any) -> int | None:
    """Return the docnum of the municipality's debt-help service, if it is in the index."""
    service_id = debt_help_id(gm_code) if debt_help_id else None
    if service_id:
        try:
            docnum = view.reader.first_id("id", service_id)
        except Exception:  # Whoosh raises TermNotFound subclasses of several kinds
            docnum = None
        if docnum is not None and view.live[docnum]:
            return int(docnum)
    cand = np.flatnonzero(
        view.mask("organisatietype", "gemeente")
        & view.mask("thema", "schulden")
        & view.mask("area", gm_code)
    )
    if not len(cand):
        return None
    s = scores[cand] if scores is not None else np.zeros(len(cand), dtype=np.float32)
    return int(cand[np.lexsort((view.sortkeys[cand], -s))[0]])
