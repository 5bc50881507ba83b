"""Gazetteer cost: loading, resolving and distances (the work a results page does).

Run: .venv/bin/python bench/bench_geo.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from wegwijzer.domain.geo import Gazetteer, distance_km, distance_km_precise

DATA = Path(__file__).resolve().parent.parent / "data" / "gazetteer"
QUERIES = ["8011", "8011 AB", "Zwolle", "den haag", "IJsselmuiden", "Heerhugowaard", "Atlantis"]


def timed(func, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    rows = [("load gazetteer (cold)", *timed(lambda: Gazetteer(DATA), 10))]
    gaz = Gazetteer.load(DATA)
    rows.append(("resolve 7 queries", *timed(lambda: [gaz.resolve(q) for q in QUERIES], 50)))
    points = [(52.0 + i / 10000, 5.0) for i in range(3000)]
    rows.append(
        (
            "3,000 distances, great circle",
            *timed(lambda: [distance_km(*p, 52.5, 6.0) for p in points], 20),
        )
    )
    rows.append(
        (
            "3,000 distances, geodesic (baseline)",
            *timed(lambda: [distance_km_precise(*p, 52.5, 6.0) for p in points], 5),
        )
    )
    print(f"{'operation':40} {'p50 ms':>9} {'p95 ms':>9}")
    for name, p50, p95 in rows:
        print(f"{name:40} {p50:9.2f} {p95:9.2f}")


if __name__ == "__main__":
    main()
