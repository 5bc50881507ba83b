"""The personal result of the guided route: search with the answers, rank the next steps.

Needs (what is going on) become search filters, strict first and relaxed until there is
something near the resident; wishes (how to be helped, something about you) only reorder.
An urgent answer puts the municipality's own debt help first, and so does a general answer
("weet niet", "rondkomen"). Services meant for one group of people (youth, entrepreneurs,
newcomers, a faith, …) come after general help unless the resident picked that group. Nothing
is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..domain.facets import meant_for_one_group
from ..domain.geo import NotFound, Resolved
from ..models import Service
from ..search import make_query, search
from .referral import distance_to, find_debt_help, load_services
from .route import Answer, Answers, Question, Route, resolve_place

#: Candidates collected from search before ranking; enough for two best steps and options.
CANDIDATES = 12
#: Other options shown below the best next steps.
OTHER_OPTIONS = 8
#: What makes a service a general first step, per facet: walking in, the municipality or a
#: welfare organisation (money desk, social team), help before registering for debt help.
FIRST_STEPS: dict[str, set[str]] = {
    "toegang": {"inloop"},
    "organisatietype": {"gemeente", "welzijnsorganisatie"},
    "fase": {"voor-aanmelding"},
}


@dataclass
class Step:
    """One service on the result page, with the reasons it fits the resident."""

    service: Service
    distance_km: float | None
    reasons: tuple[str, ...]
    fits_need: bool
    is_debt_help: bool = False


@dataclass
class RouteResult:
    """The resident's short route: best next steps first, then other options."""

    location: Resolved
    is_urgent: bool
    debt_help: Service | None
    best: list[Step]
    others: list[Step]
    is_close_match: bool
    summary: list[tuple[Question, list[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class _Tier:
    filters: dict[str, list[str]]
    query: str
    #: 0 = fits everything the resident needs, 1 = fits part of it, 2 = only nearby.
    level: int


def _merge_codes(answers: Iterable[Answer]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for answer in answers:
        for facet, codes in answer.codes.items():
            bucket = merged.setdefault(facet, [])
            bucket.extend(c for c in codes if c not in bucket)
    return merged


def _tiers(need: dict[str, list[str]], words: str) -> list[_Tier]:
    """Return searches from strict to loose, so every route ends in something useful."""
    partial = {f: need[f] for f in ("thema", "doelgroep") if f in need}
    themes = {f: need[f] for f in ("thema",) if f in need}
    candidates = [
        (need, words),
        (need, ""),
        (partial, ""),
        (themes, ""),
        ({}, words),
        ({}, ""),
    ]
    tiers: list[_Tier] = []
    seen: list[tuple[dict[str, list[str]], str]] = []
    for filters, query in candidates:
        if (filters, query) in seen or (query and not words):
            continue
        seen.append((filters, query))
        if filters == need:
            level = 0
        elif filters:
            level = 1
        else:
            level = 2
        tiers.append(_Tier(filters, query, level))
    return tiers


def _codes_by_facet(service: Service) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {}
    for term in service.terms:
        codes.setdefault(term.taxonomy.facet, set()).add(term.code)
    return codes


def _reasons(service: Service, wanted: dict[str, list[str]], lang: str) -> tuple[str, ...]:
    """Return the labels of what the resident asked for that this service offers."""
    labels = []
    for facet in ("thema", "toegang", "doelgroep", "fase"):
        codes = wanted.get(facet, [])
        for term in service.terms:
            if term.taxonomy.facet == facet and term.code in codes:
                label = term.label(lang)
                if label not in labels:
                    labels.append(label)
    return tuple(labels[:4])


def compute_route(
    session: Session, route: Route, answers: Answers, lang: str = "nl"
) -> RouteResult:
    """Search with the mapped answers and rank the resident's next steps.

    Needs are filters (strict first, relaxed until there is something near the resident);
    wishes only reorder. With an urgent answer the municipality's debt help comes first.
    """
    location = resolve_place(answers.place)
    if isinstance(location, NotFound):
        raise ValueError("compute_route needs a place that the gazetteer knows")
    need_answers = [a for q in route.questions if q.kind == "need" for a in answers.chosen(q)]
    wish_answers = [a for q in route.questions if q.kind == "preference" for a in answers.chosen(q)]
    is_urgent = any(a.is_urgent for a in need_answers + wish_answers)
    need = _merge_codes(need_answers)
    words = " ".join(dict.fromkeys(w for a in need_answers for w in a.words))
    named = set(_merge_codes(need_answers + wish_answers).get("doelgroep", []))
    first_steps = not is_urgent and any(a.is_first_steps for a in need_answers)

    found: dict[str, tuple[int, int, int, float | None]] = {}
    for tier_index, tier in enumerate(_tiers(need, words)):
        result = search(
            make_query(
                tier.query,
                tier.filters,
                place=answers.place,
                per_page=CANDIDATES,
                groups=sorted(named),
            )
        )
        for position, hit in enumerate(result.results):
            if hit.service_id not in found:
                found[hit.service_id] = (tier.level, tier_index, position, hit.distance_km)
        if len(found) >= CANDIDATES:
            break

    services = load_services(session, list(found), display=False)
    wanted = _merge_codes(need_answers + wish_answers)

    def wish_score(service: Service) -> int:
        codes = _codes_by_facet(service)
        return sum(
            1
            for wish in wish_answers
            if any(set(c) & codes.get(facet, set()) for facet, c in wish.codes.items())
        )

    def for_one_group(service: Service) -> bool:
        return meant_for_one_group(_codes_by_facet(service).get("doelgroep", set()), named)

    def first_step_score(service: Service) -> int:
        # For a general answer: a walk-in, the municipality or the social team, before a
        # registration, beats help that comes later (a course, a job coach).
        if not first_steps:
            return 0
        codes = _codes_by_facet(service)
        return sum(
            bool(wanted & codes.get(facet, set())) for facet, wanted in FIRST_STEPS.items()
        )

    def rank(service: Service) -> tuple[int, int, int, int, int, int]:
        level, tier_index, position, _distance = found[service.id]
        return (
            int(for_one_group(service)),
            level,
            -wish_score(service),
            -first_step_score(service),
            tier_index,
            position,
        )

    ranked = sorted(services, key=rank)
    steps = [
        Step(
            service=s,
            distance_km=found[s.id][3],
            reasons=_reasons(s, wanted, lang),
            fits_need=found[s.id][0] < 2,
        )
        for s in ranked
    ]

    leading = (
        find_debt_help(session, location.gm_code, display=False)
        if is_urgent or first_steps
        else None
    )
    debt_help = leading if is_urgent else None
    best: list[Step] = []
    if leading is not None:
        distance = found[leading.id][3] if leading.id in found else None
        if distance is None and not leading.is_national:
            distance = distance_to(leading, location.lat, location.lon)
        best.append(
            Step(
                service=leading,
                distance_km=distance,
                reasons=_reasons(leading, wanted, lang),
                fits_need=True,
                is_debt_help=True,
            )
        )
        steps = [s for s in steps if s.service.id != leading.id]
    # General help that fits leads; help for one group only when nothing general is left.
    general = [s for s in steps if not for_one_group(s.service)]
    fitting = [s for s in general if s.fits_need]
    best.extend((fitting or general or steps)[: 2 - len(best)])
    best_ids = {s.service.id for s in best}
    others = [s for s in steps if s.service.id not in best_ids][:OTHER_OPTIONS]
    # Load phones, addresses and hours only for what the page shows.
    load_services(session, [s.service.id for s in best + others], display=True)
    first = next((s for s in best if not s.is_debt_help), None)
    is_close_match = first is None or found.get(first.service.id, (0,))[0] == 0

    summary: list[tuple[Question, list[str]]] = []
    for question in route.questions:
        if question.kind == "place":
            summary.append((question, [answers.place]))
        else:
            summary.append((question, [a.label(lang) for a in answers.chosen(question)]))
    return RouteResult(
        location=location,
        is_urgent=is_urgent,
        debt_help=debt_help,
        best=best,
        others=others,
        is_close_match=is_close_match,
        summary=summary,
    )
