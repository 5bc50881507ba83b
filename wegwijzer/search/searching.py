"""Run one search: location, query understanding, scoring, facets, ranking and hits."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np

from ..domain.facets import EVERYONE, ONE_GROUP
from ..domain.hours import TZ
from .analysis import REQUEST_WORDS, is_stop
from .categories import Categories
from .engine import SearchEngine
from .places import locate
from .query import ParsedQuery, parse_query
from .results import EXTRA_OPEN_NOW, EXTRA_WALK_IN, Hit, SearchResult
from .schema import CATEGORY_BOOST, FACETS, FLAG_WALK_IN, NATIONAL
from .snippets import make_snippet
from .synonyms import LANGUAGE_PREFIX
from .view import View, idf

MAX_QUERY = 200
MAX_PER_PAGE = 100
#: Relevance bands when sorting near a place: a band holds scores down to this share of
#: the band's top; within a band, the nearest comes first.
RELEVANCE_BAND = 0.75
#: Result order classes, before relevance: services that match some query word directly;
#: then services meant for one group (young people, entrepreneurs, newcomers, …) that the
#: query, a filter or the caller did not name; then matches on compound parts only. When
#: the query names a language, services that speak it come before all of these.
GENERAL, OTHER_GROUP, FRAGMENT_ONLY = 0, 1, 2
#: The facet of target groups.
GROUP_FACET = "doelgroep"
#: Share of the score kept by a document that matches only some of the query's words.
COORD_FLOOR = 0.4
#: The phase facet, its aftercare code, and the share of the score an aftercare-only
#: service keeps when the query or a filter does not ask for aftercare: it helps people who
#: finished a debt trajectory, not someone looking for help now.
PHASE_FACET, AFTERCARE = "fase", "nazorg"
AFTERCARE_WEIGHT = 0.5
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
    ids_only: bool = False,
) -> SearchResult:
    """Search the index; see ``wegwijzer.search.search`` for the contract.

    ``ids_only``: fill ``result.ids`` with every matching service id in result order and
    skip what only a page of results needs (facet counts, hits, snippets); ``page`` and
    ``per_page`` are then ignored.
    """
    query = " ".join((query or "").split())[:MAX_QUERY]
    page = max(1, int(page))
    per_page = min(max(1, int(per_page)), MAX_PER_PAGE)
    filters = _check_filters(filters)
    when = (now or datetime.now(TZ)).astimezone(TZ)
    view, live = engine.view()
    result = SearchResult(query=query, page=page, per_page=per_page)

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

    # Where: an explicit place or postcode, else a place named in the query.
    where = locate(
        query,
        near,
        gazetteer,
        is_word=lambda word: is_stop(word) or is_surface(word),
        correct=spell.correct,
        limit=MAX_QUERY,
    )
    location, text = where.location, where.text
    result.location, result.location_error, result.text = location, where.error, text
    result.location_source, result.place_typed = where.source, where.typed

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

    scored = _score(view, parsed, cats)
    scores, match = scored.values, scored.match
    if scores is not None:
        if AFTERCARE not in scored.named_phases and AFTERCARE not in filters.get(PHASE_FACET, ()):
            scores = _later_phase_down(view, scores)
        asked = {*groups, *filters.get(GROUP_FACET, ()), *scored.named_groups}
        order_class = _order_classes(view, scored, asked)
    else:
        order_class = None
    restrictions = _restrictions(view, filters, location, radius_km, open_now, walk_in, when)

    def combined(exclude: str | None = None) -> np.ndarray:
        mask = match
        for key, allowed in restrictions.items():
            if key != exclude:
                mask = mask & allowed
        return mask

    final = combined()
    total = int(np.count_nonzero(final))
    if not ids_only:
        result.facets = _facets(view, restrictions, combined, final, when)

    pick = None
    if result.urgent and location is not None:
        pick = _urgent_pick(view, location.gm_code, scores, debt_help_id)
    need = total + 1 if ids_only else page * per_page + 1
    ordered, distances = _rank(view, scores, order_class, final, location, need)
    if pick is not None:
        ordered = [pick] + [d for d in ordered if d != pick]
        if not final[pick]:
            total += 1
    result.total = total
    result.pages = math.ceil(total / per_page) if total else 0
    best = next((d for d in ordered if d != pick), None)
    result.weak = _is_weak(scored, best, bool(live.analyzer.query_words(text)))
    if ids_only:
        result.ids = [view.record(d).id for d in ordered]
        return result
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


def _facets(
    view: View,
    restrictions: dict[str, np.ndarray],
    combined: Callable[[str | None], np.ndarray],
    final: np.ndarray,
    when: datetime,
) -> dict[str, dict[str, int]]:
    """Count the matches per facet value; a facet's counts ignore that facet's own filter."""
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
    return facets


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


class Scores(NamedTuple):
    """Scores of one query: per document, which match, and how many words matched directly."""

    #: Score per document (None without query words: then every document matches).
    values: np.ndarray | None
    match: np.ndarray
    #: Per document: how many query words matched by themselves, a spelling correction, a
    #: synonym, a language or the taxonomy (not by compound parts alone).
    strong: np.ndarray | None
    words: int
    #: Target groups (doelgroep codes) the query's words name ("studieschuld": jongeren).
    named_groups: frozenset[str]
    #: Documents that speak a language the query names: asked for, whatever their group.
    language: np.ndarray | None
    #: The phase (fase code) a query word names by itself ("nazorg", "schuldenvrij").
    named_phases: frozenset[str] = frozenset()


def _term_scores(view: View, term: str) -> np.ndarray:
    out = np.zeros(view.size, dtype=np.float32)
    ids, weights = view.term(term)
    if len(ids):
        out[ids] = np.float32(view.idf(term)) * weights
    return out


def _score(view: View, parsed: ParsedQuery, cats: Categories) -> Scores:
    """Score every document for the query's words.

    Per word: its own terms add up; an alternative of several terms (a compound's parts, a
    synonym of several words) counts only where all occur, with the mean of their scores.
    """
    groups = [g for g in parsed.groups if not g.empty]
    # "hulp met brieven": the need is "brieven"; a word that only asks for help would
    # favour every service with "hulp" in its name.
    groups = [g for g in groups if g.word not in REQUEST_WORDS] or groups
    if not groups:
        return Scores(None, view.live, None, 0, frozenset(), None)
    totals = np.zeros(view.size, dtype=np.float32)
    matched = np.zeros(view.size, dtype=np.int8)
    strong = np.zeros(view.size, dtype=np.int8)
    named: set[str] = set()
    phases: set[str] = set()
    language = np.zeros(view.size, dtype=bool)
    for group in groups:
        group_scores = np.zeros(view.size, dtype=np.float32)
        categories: dict[str, float] = {}
        group_phases: set[str] = set()
        for term, weight in group.terms.items():
            for cat in cats.get(term):
                categories[cat] = max(categories.get(cat, 0.0), weight)
            ids, weights = view.term(term)
            if len(ids):
                group_scores[ids] += np.float32(weight * view.idf(term)) * weights
                if term.startswith(LANGUAGE_PREFIX):
                    language[ids] = True
        for cat, weight in categories.items():
            members = view.mask("cat", cat)
            df = int(np.count_nonzero(members))
            if df:
                group_scores[members] += np.float32(weight * CATEGORY_BOOST * idf(view.count, df))
            taxonomy, _, code = cat.partition(":")
            if taxonomy == FACETS[GROUP_FACET]:
                named.add(code)
            elif taxonomy == FACETS[PHASE_FACET]:
                group_phases.add(code)
        if len(group_phases) == 1:
            # A word of every phase ("schuld") names none; "nazorg" names one.
            phases |= group_phases
        direct = group_scores > 0
        for terms, weight in group.together.items():
            if any(not len(view.term(t)[0]) for t in terms):
                continue  # one of the words occurs nowhere: no document has them all
            parts = [_term_scores(view, t) for t in terms]
            every = np.logical_and.reduce([p > 0 for p in parts])
            if every.any():
                mean = np.add.reduce(parts) / np.float32(len(parts))
                group_scores += np.where(every, np.float32(weight) * mean, np.float32(0))
                if terms not in group.fragments:
                    direct |= every
        totals += group_scores
        matched += group_scores > 0
        strong += direct
    n = len(groups)
    if n > 1:
        # Documents matching more of the meaningful words rank higher (sentence queries).
        totals *= COORD_FLOOR + (1 - COORD_FLOOR) / n * matched
    return Scores(
        totals, (totals > 0) & view.live, strong, n, frozenset(named), language, frozenset(phases)
    )


def _later_phase_down(view: View, scores: np.ndarray) -> np.ndarray:
    """Lower the score of services only for aftercare (no other phase), see AFTERCARE_WEIGHT."""
    later = view.mask(PHASE_FACET, AFTERCARE)
    if not later.any():
        return scores
    for code in view.values(PHASE_FACET):
        if code != AFTERCARE:
            later = later & ~view.mask(PHASE_FACET, code)
    return np.where(later, scores * np.float32(AFTERCARE_WEIGHT), scores)


def _order_classes(view: View, scored: Scores, asked: set[str]) -> np.ndarray:
    """Return each document's order class (GENERAL, OTHER_GROUP or FRAGMENT_ONLY).

    ``asked``: doelgroep codes named by the caller (SearchQuery.groups), a filter or the
    query's words. A service that also serves everyone (``iedereen``), or one that speaks a
    language the query names, is never OTHER_GROUP. When the query names a language, the
    services that speak it come before all others.
    """
    specific = np.zeros(view.size, dtype=bool)
    wanted = np.zeros(view.size, dtype=bool)
    for code in ONE_GROUP:
        members = view.mask(GROUP_FACET, code)
        specific |= members
        if code in asked:
            wanted |= members
    other = specific & ~wanted & ~view.mask(GROUP_FACET, EVERYONE)
    if scored.language is not None:
        other &= ~scored.language
    classes = np.where(other, np.int8(OTHER_GROUP), np.int8(GENERAL))
    if scored.strong is not None:
        classes[scored.strong == 0] = FRAGMENT_ONLY
    if scored.language is not None and scored.language.any():
        # A language named in the query ("Turkse hulp met brieven"): who speaks it first.
        classes[~scored.language] += np.int8(FRAGMENT_ONLY + 1)
    return classes


def _is_weak(scored: Scores, best: int | None, has_words: bool) -> bool:
    """Say whether the best match is a weak one: nothing found for the words, a match only
    through parts of a compound, or on fewer than half of the query's meaningful words."""
    if not has_words:
        return False
    if scored.values is None or best is None:
        return True
    assert scored.strong is not None
    direct = int(scored.strong[best])
    return direct == 0 or 2 * direct < scored.words


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
    classes: np.ndarray | None,
    final: np.ndarray,
    location: Any,
    need: int,
) -> tuple[list[int], dict[int, float | None]]:
    """Return at least ``need`` docnums in result order (fewer if there are fewer).

    Order: the order class (see GENERAL), then relevance; near a place, relevance bands and
    within a band the distance.
    """
    distances: dict[int, float | None] = {}
    if location is None:
        if scores is None:
            order = view.name_order()
            return order[final[order]][:need].tolist(), distances
        cand = np.flatnonzero(final)
        s = scores[cand]
        if classes is not None and len(cand):
            # One key: a lower class always comes first, then the higher score.
            s = s - classes[cand].astype(np.float32) * np.float32(float(s.max()) + 1.0)
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
    if best > 0:
        # Bands of comparable relevance, each RELEVANCE_BAND of the one above: distance
        # orders services within a band, never across bands.
        ratio = np.maximum(s, np.float32(best * 1e-6)) / np.float32(best)
        band = np.floor(np.log(ratio) / math.log(RELEVANCE_BAND) + 1e-6)
    else:
        band = np.zeros(len(s))
    # National and phone-only services follow the local ones of the same relevance band.
    far = np.isnan(dist)
    cls = classes[cand] if classes is not None else np.zeros(len(cand), dtype=np.int8)
    keys = (view.sortkeys[cand], -s, np.where(far, 0.0, dist), far, band, cls)
    order = np.lexsort(keys)[:need]
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
