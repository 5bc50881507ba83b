"""Measure the public pages: weight (HTML, assets, gzip) against the budgets, and render time.

Run: ``.venv/bin/python bench/bench_pages.py [--rounds 30]``. Builds a temporary instance with
the demo directory and its search index, then requests each page with Flask's test client
(no network, no browser). Budgets from the public-site issue: results HTML <= 60 KB, a page
without the map <= 150 KB in total, the map page <= 400 KB excluding tiles. Render times are
printed as p50/p95 with the static privacy page as the baseline of the same run.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.public_support import build_live_app, page_weight  # noqa: E402

KB = 1024
PAGES = [
    # name, url, html budget, total budget
    ("home", "/", None, 150 * KB),
    ("results", "/zoeken?q=schulden&plaats=Zwolle", 60 * KB, 150 * KB),
    ("results, all help", "/zoeken?plaats=Zwolle", 60 * KB, 150 * KB),
    ("results, filters", "/zoeken?plaats=Zwolle&thema=schulden&toegang=inloop", 60 * KB, 150 * KB),
    ("results, none", "/zoeken?q=zzqqxxyy", 60 * KB, 150 * KB),
    ("results, en", "/zoeken?q=debts&plaats=Zwolle&lang=en", 60 * KB, 150 * KB),
    ("print list", "/zoeken?q=schulden&plaats=Zwolle&print=1", None, 150 * KB),
    ("map", "/zoeken?q=schulden&plaats=Zwolle&weergave=kaart", None, 400 * KB),
    ("map, all help", "/zoeken?plaats=Zwolle&weergave=kaart", None, 400 * KB),
    ("service", "/hulp/{service}", None, 400 * KB),
    ("service print", "/hulp/{service}?print=1", None, 150 * KB),
    ("organisation", "/organisatie/{organization}", None, 150 * KB),
    ("privacy (baseline)", "/privacy", None, 150 * KB),
]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="requests per page for timing")
    args = parser.parse_args()

    from sqlalchemy import select

    from wegwijzer.extensions import db
    from wegwijzer.models import Service, ServiceAtLocation

    tmp = Path(tempfile.mkdtemp(prefix="wegwijzer-bench-"))
    try:
        app = build_live_app(tmp)
        client = app.test_client()
        with app.app_context():
            svc = db.session.scalars(
                select(Service).join(ServiceAtLocation).order_by(Service.name)
            ).first()
            keys = {"service": svc.slug, "organization": svc.organization.slug}
        print(
            f"{'page':<20} {'HTML KB':>8} {'assets KB':>10} {'total KB':>9} "
            f"{'gzip KB':>8} {'budget':>12} {'p50 ms':>7} {'p95 ms':>7}"
        )
        failures = 0
        for name, url, html_budget, total_budget in PAGES:
            url = url.format(**keys)
            html_size, assets = page_weight(client, url)
            html = client.get(url).data
            gz = (
                len(gzip.compress(html))
                + sum(
                    len(gzip.compress(client.get(a).data)) for a in assets if not a.endswith(".png")
                )
                + sum(size for a, size in assets.items() if a.endswith(".png"))
            )
            total = html_size + sum(assets.values())
            ok = total <= total_budget and (html_budget is None or html_size <= html_budget)
            failures += not ok
            budget = f"{total_budget // KB}" + (f"/{html_budget // KB}" if html_budget else "")
            timings = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                client.get(url).close()
                timings.append((time.perf_counter() - start) * 1000)
            print(
                f"{name:<20} {html_size / KB:>8.1f} {sum(assets.values()) / KB:>10.1f} "
                f"{total / KB:>9.1f} {gz / KB:>8.1f} {budget + (' ok' if ok else ' OVER'):>12} "
                f"{statistics.median(timings):>7.1f} {_percentile(timings, 95):>7.1f}"
            )
        print("budget column: total KB / HTML KB; tiles are not counted.")
        return 1 if failures else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
