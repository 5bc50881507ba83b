"""Measure building the maps of the site: a service map and a results map, uncached and cached.

Run: ``.venv/bin/python bench/bench_maps.py --base /tmp/wegwijzer-base [--rounds 40]``, where
``--base`` is a checkout of an earlier commit (``git clone`` it outside this tree) to compare
with in the same run; ``--this`` measures another checkout instead of this tree (to leave out
uncommitted work). Each version runs in its own process against a copy of one instance
(default ``/tmp/prof``, e.g. 20,000 services; the copy is deleted afterwards) and times
``maps.build_map`` inside a request context:

- service map: the places of one service (the small map on a service page), a different
  service each round; "uncached" empties the map cache first, "cached" asks for one map again;
- results map: 20 results with their places around a searched place, likewise.

With ``--pages`` it also times the pages with Flask's test client: a service page (a different
service each round, then one page again) and a results page in map view. It then checks that
both versions write the same map (same ids and nonce) and prints p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_PLACED_SQL = """
    select s.slug, s.name, l.latitude, l.longitude, l.name, o.name
    from services s
    join service_at_location sal on sal.service_id = s.id
    join locations l on l.id = sal.location_id
    join organizations o on o.id = s.organization_id
    where l.latitude is not null and s.publication_status = :published
"""
SERVICE_SQL = _PLACED_SQL + "    order by s.slug, l.id\n    limit :limit\n"
NEAR_SQL = _PLACED_SQL + (
    "    order by (l.latitude - :lat) * (l.latitude - :lat)"
    " + (l.longitude - :lon) * (l.longitude - :lon)\n    limit :limit\n"
)
#: The searched place of the results map: Zwolle.
NEAR = (52.5168, 6.0830)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _time(call: Any, rounds: int, before: Any = None) -> list[float]:
    timings = []
    for i in range(rounds):
        if before is not None:
            before()
        start = time.perf_counter()
        call(i)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def child(code: str, instance: str, rounds: int, pages: bool) -> dict[str, Any]:
    """Time one version (imported from ``code``) and return its figures."""
    sys.path.insert(0, code)
    import branca.element
    from flask import g
    from sqlalchemy import text

    from wegwijzer import create_app, maps
    from wegwijzer.extensions import db
    from wegwijzer.models.base import PublicationStatus

    assert Path(maps.__file__).resolve().is_relative_to(Path(code).resolve()), maps.__file__
    app = create_app(instance_path=instance)
    with app.app_context():
        rows = db.session.execute(
            text(SERVICE_SQL),
            {"limit": 40 * (rounds + 2), "published": PublicationStatus.PUBLISHED.value},
        ).all()
        nearest = db.session.execute(
            text(NEAR_SQL),
            {
                "lat": NEAR[0],
                "lon": NEAR[1],
                "limit": 10 * rounds + 40,
                "published": PublicationStatus.PUBLISHED.value,
            },
        ).all()
    services: dict[str, list[Any]] = {}
    for row in rows:
        services.setdefault(row[0], []).append(row)
    slugs = list(services)
    near = types.SimpleNamespace(lat=NEAR[0], lon=NEAR[1])

    def service_markers(i: int) -> list[Any]:
        return [maps.Marker(r[2], r[3], r[4] or r[1], f"/hulp/{r[0]}") for r in services[slugs[i]]]

    def results_markers(i: int) -> list[Any]:
        """A page of 20 results around the place, another page each round."""
        page = nearest[i * 10 : i * 10 + 20]
        return [maps.Marker(r[2], r[3], r[1], f"/hulp/{r[0]}", r[5]) for r in page]

    def service_map(i: int) -> Any:
        return maps.build_map(service_markers(i), None, height_class="folium-map--small")

    def results_map(i: int) -> Any:
        return maps.build_map(results_markers(i), near)

    cache = getattr(maps, "map_cache", None)
    result: dict[str, Any] = {"cache": cache is not None}
    with app.test_request_context("/"):
        maps.load_folium()
        clear = (lambda: maps.map_cache().clear()) if cache else None
        for name, build in (("service map", service_map), ("results map", results_map)):
            build(rounds + 1)  # warm up
            result[f"{name}, uncached"] = _time(build, rounds, clear)
            build(0)
            result[f"{name}, cached"] = _time(lambda _i, b=build: b(0), rounds)
        if cache:
            stats = maps.map_cache().stats()
            result["cache_bytes"] = stats.bytes
            result["cache_entries"] = stats.entries
        # The same map from both versions: fixed element ids and nonce.
        counter = itertools.count()
        branca.element.Element._generate_id = classmethod(lambda cls: f"{next(counter):032x}")
        if cache:
            maps.map_cache().clear()
        g.csp_nonce = "bench-nonce"
        digest = hashlib.sha256()
        sizes = []
        for parts in (service_map(0), results_map(0)):
            for part in (parts.header, parts.html, parts.script):
                digest.update(str(part).encode())
            sizes.append(len(parts.script))
        result["digest"] = digest.hexdigest()[:16]
        result["script_kb"] = [round(s / 1024, 1) for s in sizes]
    if pages:
        client = app.test_client()
        results_url = "/zoeken?plaats=Zwolle&weergave=kaart"
        client.get(f"/hulp/{slugs[-1]}").close()
        result["service page, new"] = _time(
            lambda i: client.get(f"/hulp/{slugs[i]}").close(), rounds
        )
        result["service page, again"] = _time(lambda _i: client.get(f"/hulp/{slugs[0]}"), rounds)
        client.get(results_url).close()
        result["results map page, again"] = _time(lambda _i: client.get(results_url), rounds)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="checkout of the version to compare with")
    parser.add_argument("--this", help="checkout to measure instead of this tree")
    parser.add_argument("--instance", default="/tmp/prof", help="instance directory to copy")
    parser.add_argument("--rounds", type=int, default=40, help="maps or pages per figure")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each version, in turn")
    parser.add_argument("--pages", action="store_true", help="also time whole pages")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("WEGWIJZER_SECRET_KEY", "bench-secret-key-0123456789abcdef")
    if args.child:
        print(json.dumps(child(args.child, args.instance, args.rounds, args.pages)))
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="wegwijzer-bench-maps-"))
    try:
        instance = tmp / "instance"
        shutil.copytree(args.instance, instance)
        versions = [("base", args.base)] if args.base else []
        versions.append(("this", args.this or str(ROOT)))
        figures: dict[str, dict[str, Any]] = {}
        # Versions take turns, so a busy moment on the machine does not fall on one of them.
        for _ in range(args.repeat):
            for label, code in versions:
                command = [sys.executable, __file__, "--child", code, "--instance", str(instance)]
                command += ["--rounds", str(args.rounds)] + (["--pages"] if args.pages else [])
                out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
                run = json.loads(out.stdout.strip().splitlines()[-1])
                merged = figures.setdefault(label, run)
                if merged is not run:
                    for name, value in run.items():
                        if isinstance(value, list) and name != "script_kb":
                            merged[name] += value
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    names = [k for k, v in figures["this"].items() if isinstance(v, list) and k != "script_kb"]
    header = f"{f'ms, {args.rounds} x {args.repeat} rounds':<26}"
    for label in figures:
        header += f" {label + ' p50':>9} {label + ' p95':>9}"
    print(header + ("  p50 change" if "base" in figures else ""))
    for name in names:
        line = f"{name:<26}"
        for label in figures:
            timings = figures[label][name]
            line += f" {statistics.median(timings):>9.2f} {_percentile(timings, 95):>9.2f}"
        if "base" in figures:
            before = statistics.median(figures["base"][name])
            after = statistics.median(figures["this"][name])
            line += f"  {(after - before) / before:>+10.0%}"
        print(line)
    this = figures["this"]
    print(f"map script KB (service, results): {this['script_kb']}")
    if this.get("cache"):
        print(f"map cache after the run: {this['cache_entries']} maps, {this['cache_bytes']} bytes")
    if "base" in figures:
        same = figures["base"]["digest"] == this["digest"]
        print(f"same map HTML as the base (fixed ids and nonce): {'yes' if same else 'NO'}")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
