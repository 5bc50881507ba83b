"""Measure the guided route's result: compute_route() and GET /wegwijzer/resultaat.

Run: ``.venv/bin/python bench/bench_route.py [--services 0] [--rounds 60]``.

Builds a temporary SQLite instance with taxonomy, municipalities and the demo directory, plus
``--services`` generated services spread over the country (0 = the demo set only). Times a
fixed mix of routes (every first answer, in Zwolle, Kampen and Dalfsen, with and without
wishes) through the service function and over HTTP with Flask's test client, and prints
p50/p95. The baseline of the same run is a single ``search()`` with the same place and the
first filters: the cost of one search page, against which the route's tiers, ranking and
loading can be judged.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLACES = ("Zwolle", "8261", "Dalfsen")
WISHES = ({}, {"hulp": ("binnenlopen",)}, {"hulp": ("telefoon",), "over-u": ("jong",)})


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(funcs: list[Callable[[], Any]], rounds: int) -> list[float]:
    """Run the mix ``rounds`` times (after one warm-up pass); return milliseconds per call."""
    for func in funcs:
        func()
    times = []
    for i in range(rounds):
        func = funcs[i % len(funcs)]
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return times


def build(tmp: Path, services: int) -> Any:
    from wegwijzer import create_app
    from wegwijzer.devtools.demo import load_demo
    from wegwijzer.domain.places import gazetteer
    from wegwijzer.extensions import db
    from wegwijzer.infra.database import upgrade_database
    from wegwijzer.search import ensure_index, rebuild_index
    from wegwijzer.services.municipalities import load_municipalities
    from wegwijzer.services.taxonomy import load_taxonomies

    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key",
            "DATABASE_URL": f"sqlite:///{tmp / 'wegwijzer.sqlite3'}",
            "INDEX_DIR": str(tmp / "index"),
        },
        instance_path=str(tmp / "instance"),
    )
    with app.app_context():
        upgrade_database(app)
        load_taxonomies(db.session, ROOT / "data" / "taxonomy.json")
        load_municipalities(db.session, gazetteer())
        load_demo(app, db.session)
        if services:
            from wegwijzer.devtools.generate import generate_services

            generate_services(db.session, gazetteer(), services, seed=7)
            rebuild_index(app)
        ensure_index(app)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()

    from wegwijzer.extensions import db
    from wegwijzer.search import search
    from wegwijzer.services.route import Answers, load_route
    from wegwijzer.services.route_result import compute_route

    tmp = Path(tempfile.mkdtemp(prefix="wegwijzer-bench-route-"))
    try:
        app = build(tmp, args.services)
        with app.test_request_context("/wegwijzer/resultaat"):
            route = load_route()
            needs = [a.id for a in route.questions[0].answers]
            mixes = [
                ({"situatie": (need,), **wishes}, place)
                for i, need in enumerate(needs)
                for place in PLACES
                for wishes in (WISHES[i % len(WISHES)],)
            ]
            computes = [
                (lambda c=choices, p=place: compute_route(db.session, route, Answers(c, p)))
                for choices, place in mixes
            ]
            baseline = [
                (
                    lambda p=place, a=route.questions[0].answer(choices["situatie"][0]): search(
                        query=" ".join(a.words),
                        filters={k: list(v) for k, v in a.codes.items()} or None,
                        near=p,
                    )
                )
                for choices, place in mixes
            ]
            searches = timed(baseline, args.rounds)
            service_times = timed(computes, args.rounds)
        client = app.test_client()
        urls = [
            "/wegwijzer/resultaat?"
            + urlencode([(k, v) for k, vs in choices.items() for v in vs] + [("plaats", place)])
            for choices, place in mixes
        ]
        http_times = timed([lambda u=u: client.get(u) for u in urls], args.rounds)
        print(f"Route result, demo set + {args.services} generated services, {args.rounds} rounds")
        print(f"{'what':44} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
        for label, times in (
            ("baseline: one search() with the first filters", searches),
            ("compute_route() (tiers, ranking, loading)", service_times),
            ("GET /wegwijzer/resultaat (test client)", http_times),
        ):
            print(
                f"{label:44} {percentile(times, 50):8.1f} {percentile(times, 95):8.1f} "
                f"{statistics.mean(times):8.1f}"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
