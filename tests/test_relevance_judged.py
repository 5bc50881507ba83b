"""The judged relevance set: every query of tests/relevance_queries.py through the site's search.

Builds the fictional directory of tests/relevance_directory.py in the test database, indexes it
with the real index in tmp_path, runs each query as the results page does (a SearchQuery with
words and place) and prints precision@5, recall@5 and MRR, overall and per kind. Recall@5 is
the share of a query's relevant services (at most five) found in the first five results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from wegwijzer.domain.facets import meant_for_one_group
from wegwijzer.extensions import db
from wegwijzer.models import Language, Municipality, Service
from wegwijzer.search import make_query, search, sync_index

from .relevance_directory import DEBT_HELP, ENTRIES, KEYS, PLACES
from .relevance_queries import QUERIES, Judged

#: Floors the set must keep. Measured when written (recall@5, MRR): 0.779 and 0.832 on the
#: search before the vocabulary and ranking work, 0.931 and 0.966 after; 0.949 and 0.976
#: once aftercare-only services, words that only ask for help ("hulp met …"), broader
#: related words and more everyday words were handled. The target for recall@5 is 0.95;
#: the misses left are printed by the test.
FLOOR_RECALL = 0.945
FLOOR_MRR = 0.97


def build(make_service: Callable[..., Service]) -> dict[str, Service]:
    made: dict[str, Service] = {}
    for e in ENTRIES:
        kw: dict[str, Any] = {
            "description": e.description,
            "terms": {"thema": list(e.themes), **e.terms},
            "organization_name": e.organization or f"Stichting {e.name}",
            "keywords": e.keywords or None,
        }
        if e.where == "NL":
            kw["national"] = True
        else:
            gm, lat, lon = PLACES[e.where]
            kw["gm_codes"] = [gm]
            if e.km:
                kw.update(lat=lat, lon=lon + e.km / 67.7)
        svc = make_service(e.name, **kw)
        for name, code in e.languages:
            svc.languages.append(Language(name=name, code=code))
        made[e.key] = svc
    db.session.commit()
    for where, key in DEBT_HELP.items():
        db.session.get(Municipality, PLACES[where][0]).debt_help_service_id = made[key].id
    db.session.commit()
    from wegwijzer.search import rebuild_index

    rebuild_index()
    sync_index()
    return made


def one_group(entry_terms: dict[str, list[str]]) -> bool:
    return meant_for_one_group(frozenset(entry_terms.get("doelgroep", [])))


@pytest.fixture
def judged(app: Flask, make_service: Callable[..., Service]) -> dict[str, str]:
    made = build(make_service)
    return {svc.id: key for key, svc in made.items()}


def test_judgements_name_real_services() -> None:
    assert len(QUERIES) >= 150
    for q in QUERIES:
        assert q.relevant, q
        assert set(q.relevant) <= KEYS, (q.query, set(q.relevant) - KEYS)
    assert len({(q.query, q.place) for q in QUERIES}) == len(QUERIES)


def _measure(q: Judged, keys: dict[str, str]) -> tuple[float, float, float, list[str]]:
    result = search(make_query(q.query, place=q.place or "", per_page=10))
    ranked = [keys.get(h.service_id, "?") for h in result.results]
    top = ranked[:5]
    relevant = set(q.relevant)
    hits = sum(1 for k in top if k in relevant)
    precision = hits / 5
    recall = hits / min(5, len(relevant))
    rr = next((1 / (i + 1) for i, k in enumerate(ranked) if k in relevant), 0.0)
    return precision, recall, rr, ranked


def test_judged_set(judged: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    group_specific = {e.key for e in ENTRIES if one_group(e.terms)}
    per_kind: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    misses: list[str] = []
    generic_leaks: list[str] = []
    generic_top3: list[str] = []
    for q in QUERIES:
        p, r, rr, ranked = _measure(q, judged)
        per_kind[q.kind].append((p, r, rr))
        per_kind["all"].append((p, r, rr))
        if r < 1:
            where = f" [{q.place}]" if q.place else ""
            missing = sorted(set(q.relevant) - set(ranked[:5]))
            misses.append(f"{q.kind:9} {q.query!r}{where}: top {ranked[:5]}; missing {missing}")
        if q.kind == "generic":
            top3 = [k for k in ranked[:3] if k in group_specific and k not in q.relevant]
            if top3:
                generic_top3.append(f"{q.query!r} [{q.place}]: {ranked[:3]}")
            # A service for one group never comes before a general one.
            first = next((i for i, k in enumerate(ranked) if k in group_specific), None)
            if first is not None and any(k not in group_specific for k in ranked[first:]):
                generic_leaks.append(f"{q.query!r} [{q.place}]: {ranked}")
    rows = []
    for kind in [*sorted(k for k in per_kind if k != "all"), "all"]:
        values = per_kind[kind]
        n = len(values)
        rows.append(
            f"{kind:10} {n:4} {sum(v[0] for v in values) / n:8.3f} "
            f"{sum(v[1] for v in values) / n:9.3f} {sum(v[2] for v in values) / n:6.3f}"
        )
    overall = per_kind["all"]
    recall = sum(v[1] for v in overall) / len(overall)
    mrr = sum(v[2] for v in overall) / len(overall)
    with capsys.disabled():
        print("\njudged relevance set (tests/relevance_queries.py)")
        print(f"{'kind':10} {'n':>4} {'P@5':>8} {'recall@5':>9} {'MRR':>6}")
        print("\n".join(rows))
        for line in misses:
            print("  below full recall:", line)
        for line in generic_top3:
            print("  group service in top 3 of a general need:", line)
        for line in generic_leaks:
            print("  group service before a general one:", line)
    assert not generic_leaks, generic_leaks
    assert recall >= FLOOR_RECALL, misses
    assert mrr >= FLOOR_MRR
