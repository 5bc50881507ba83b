"""Measure what --skip-invalid and --publish cost on top of a plain import check.

Run: ``.venv/bin/python bench/bench_import_options.py [--services 1000] [--rounds 3]``.

Uses the generated directory of ``bench_interop.py``; 1% of the services get a location in
Paris (refused). Each step is a dry run on a fresh database, so only the checking is timed.
The baseline of the same run is the plain dry run of the valid file. Prints p50/p95 (ms).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_interop import generate, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from wegwijzer import create_app
    from wegwijzer.domain.places import gazetteer
    from wegwijzer.extensions import Database, db
    from wegwijzer.infra.database import upgrade_database
    from wegwijzer.interop import import_file
    from wegwijzer.services.municipalities import load_municipalities
    from wegwijzer.services.taxonomy import load_taxonomies

    tmp = Path(tempfile.mkdtemp(prefix="wegwijzer-bench-options-"))
    services = generate(args.services)
    valid = json.dumps(services).encode("utf-8")
    for n, svc in enumerate(services[::100]):
        loc = svc["service_at_locations"][0]["location"]
        loc.update(id=f"parijs-{n}", latitude=48.8566, longitude=2.3522, addresses=[])
    mixed = json.dumps(services).encode("utf-8")
    bad = len(services[::100])

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "INDEX_DIR": str(tmp / "index"),
        },
        instance_path=str(tmp / "instance"),
    )
    timings: dict[str, list[float]] = {}

    def timed(label: str, func: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = func()
        timings.setdefault(label, []).append((time.perf_counter() - start) * 1000)
        return result

    with app.app_context():
        upgrade_database(app)
        load_taxonomies(db.session, ROOT / "data" / "taxonomy.json")
        load_municipalities(db.session, gazetteer())

        def check(data: bytes, **kw: Any) -> Any:
            return import_file(data, "hsds", dry_run=True, actor="bench", **kw)

        for _round in range(args.rounds):
            report = timed("baseline: dry run, all valid", lambda: check(valid))
            assert report.ok
            report = timed(f"dry run, {bad} invalid (all or nothing)", lambda: check(mixed))
            assert not report.ok
            report = timed(
                f"dry run, {bad} invalid, --skip-invalid",
                lambda: check(mixed, skip_invalid=True),
            )
            assert report.ok and len(report.rejected) == bad
            report = timed("dry run, all valid, --publish", lambda: check(valid, publish=True))
            assert report.ok
            timed("dry run, invalid file, grouped report", lambda: check(mixed).grouped())
        db.remove()
    Database.engine(app).dispose()

    print(f"\n{args.services} services, {bad} invalid, {args.rounds} rounds (ms)\n")
    print(f"{'step':44} {'p50':>8} {'p95':>8}")
    for label, values in timings.items():
        print(f"{label:44} {statistics.median(values):8.0f} {percentile(values, 95):8.0f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
