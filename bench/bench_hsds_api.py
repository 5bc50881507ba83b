"""Measure the HSDS API: time per request for each path, with /api/v1/search as the baseline.

Run: ``.venv/bin/python bench/bench_hsds_api.py [--services 2000] [--rounds 30]``. Builds a
temporary instance with the demo directory plus ``--services`` synthetic published services
and its search index, then requests each path with Flask's test client (no network). Prints
p50/p95 in ms and the answer's size; the search API's page of 50 is the baseline of the run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.public_support import build_live_app  # noqa: E402

PATHS = [
    ("search API, 50 (baseline)", "/api/v1/search?q=schulden&per_page=50"),
    ("services, 50", "/api/hsds/services"),
    ("services, 100 full", "/api/hsds/services?per_page=100&full=true"),
    ("services, last page", "/api/hsds/services?page={last}"),
    ("services, search", "/api/hsds/services?search=schulden"),
    ("services, search + filter", "/api/hsds/services?search=schulden&taxonomy_id={taxonomy}"),
    ("services, term", "/api/hsds/services?taxonomy_term_id={term}"),
    ("service by id", "/api/hsds/services/{service}"),
    ("services, search + org", "/api/hsds/services?search=schulden&organization_id={organization}"),
    ("services, search + changed", "/api/hsds/services?search=schulden&modified_after={since}"),
    ("services, search + role", "/api/hsds/services?search=schulden&taxonomy_term_id={role}"),
    ("locations, postcode 10 km", "/api/hsds/service_at_locations?postcode=8011&proximity=10000"),
    ("locations, search", "/api/hsds/service_at_locations?search=schulden"),
    ("organizations, 50", "/api/hsds/organizations"),
    ("organizations, search", "/api/hsds/organizations?search=schulden"),
    ("organization by id", "/api/hsds/organizations/{organization}"),
    ("taxonomy terms", "/api/hsds/taxonomy_terms"),
    ("304 (If-None-Match)", "etag:/api/hsds/services"),
]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=2000, help="synthetic services to add")
    parser.add_argument("--rounds", type=int, default=30, help="requests per path")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from wegwijzer.devtools.generate import generate_services
    from wegwijzer.domain.places import gazetteer
    from wegwijzer.extensions import db
    from wegwijzer.models import Service, TaxonomyTerm
    from wegwijzer.search import sync_index

    tmp = Path(tempfile.mkdtemp(prefix="wegwijzer-bench-"))
    try:
        app = build_live_app(tmp)
        with app.app_context():
            if args.services:
                generate_services(db.session, gazetteer(), args.services)
                sync_index(app)
            public = db.session.scalar(select(func.count()).where(Service.is_public)) or 0
            svc = db.session.scalars(select(Service).where(Service.is_public)).first()
            term = db.session.scalars(
                select(TaxonomyTerm).where(TaxonomyTerm.code == "budget")
            ).one()
            role = db.session.scalars(
                select(TaxonomyTerm).where(TaxonomyTerm.code == "praktische-steun")
            ).one()
            keys = {
                "since": "2020-01-01T00:00:00Z",
                "role": role.id,
                "service": svc.id,
                "organization": svc.organization_id,
                "term": term.id,
                "taxonomy": term.taxonomy_id,
                "last": max(1, -(-public // 50)),
            }
        client = app.test_client()
        print(f"{public} public services; {args.rounds} requests per path")
        print(f"{'path':<28} {'status':>6} {'KB':>7} {'p50 ms':>7} {'p95 ms':>7}")
        for name, url in PATHS:
            headers = {}
            if url.startswith("etag:"):
                url = url.removeprefix("etag:")
                headers = {"If-None-Match": client.get(url).headers["ETag"]}
            url = url.format(**keys)
            resp = client.get(url, headers=headers)
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                client.get(url, headers=headers)
                times.append((time.perf_counter() - start) * 1000)
            print(
                f"{name:<28} {resp.status_code:>6} {len(resp.data) / 1024:>7.1f} "
                f"{statistics.median(times):>7.1f} {_percentile(times, 95):>7.1f}"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
