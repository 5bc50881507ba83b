"""Measure the coverage page for a region of 10 municipalities in a directory of 20,000 services.

Run: ``.venv/bin/python bench/bench_coverage.py [--services 20000] [--rounds 15]
[--database-url postgresql+psycopg://postgres@127.0.0.1/test]``.

Builds a temporary instance (SQLite unless ``--database-url``), fills it, logs in a beheerder
of the 10 municipalities and requests the pages with Flask's test client. Prints p50/p95 per
page. The baseline of the same run counts one municipality's phase x theme matrix with one
query per cell and scope (120 queries), the design the set-based reads replace; compare it
with "counting only, GM0193 phase x theme".

Two directories: ``generate`` uses ``wegwijzer.devtools.generate`` (published services spread
over the country as ``wegwijzer generate`` makes them); ``dense`` puts half of all services in
the region, with every status and some deleted (the worst case for this page).

Target from the coverage issue: the region page in at most 1 s.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGION = [
    "GM0193", "GM0166", "GM0148", "GM0150", "GM0160",
    "GM0175", "GM0177", "GM1773", "GM0180", "GM1896",
]  # fmt: skip
TARGET_MS = 1000.0


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(func: Callable[[], Any], rounds: int) -> tuple[list[float], Any]:
    func()  # warm-up: templates compiled, caches filled
    times = []
    result = None
    for _ in range(rounds):
        start = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def generate(session: Any, count: int, seed: int) -> dict[str, int]:
    """Bulk-insert ``count`` services with organisations, areas, terms and locations."""
    from sqlalchemy import insert, select

    from wegwijzer.models import (
        Attribute,
        Location,
        Municipality,
        Organization,
        PublicationStatus,
        Service,
        ServiceArea,
        ServiceAtLocation,
        new_id,
        utcnow,
    )
    from wegwijzer.services.taxonomy import list_taxonomies

    rng = random.Random(seed)
    now = utcnow()
    munis = {gm: (lat, lon) for gm, lat, lon in session.execute(
        select(Municipality.gm_code, Municipality.lat, Municipality.lon))}  # fmt: skip
    elsewhere = sorted(set(munis) - set(REGION))
    terms = {t.facet: [term.id for term in t.terms] for t in list_taxonomies(session)}
    n_orgs = max(10, count // 7)
    orgs = [
        {"id": new_id(), "name": f"Organisatie {i}", "slug": f"organisatie-{i}",
         "description": "Helpt bij geldzorgen.",
         "publication_status": PublicationStatus.PUBLISHED.value,
         "version": 1, "created_at": now, "updated_at": now,
         "deleted_at": now if rng.random() < 0.01 else None}
        for i in range(n_orgs)
    ]  # fmt: skip
    services, areas, attrs, locations, links = [], [], [], [], []
    for i in range(count):
        sid = new_id()
        roll = rng.random()
        if roll < 0.45:
            gms = [rng.choice(REGION)]
        elif roll < 0.60:
            gms = rng.sample(REGION, rng.randint(2, 4))
        elif roll < 0.70:
            gms = []
        else:
            gms = [rng.choice(elsewhere)]
        status = rng.choices(
            [PublicationStatus.PUBLISHED, PublicationStatus.CONCEPT, PublicationStatus.REVIEW,
             PublicationStatus.ARCHIVED], [85, 5, 4, 6]
        )[0].value  # fmt: skip
        verified = None if rng.random() < 0.05 else now - timedelta(days=rng.randint(0, 400))
        services.append(
            {"id": sid, "organization_id": rng.choice(orgs)["id"], "name": f"Dienst {i}",
             "slug": f"dienst-{i}", "description": "Hulp bij geldzorgen.",
             "publication_status": status, "last_verified_at": verified,
             "deleted_at": now if rng.random() < 0.04 else None, "version": 1,
             "handover_needs": [], "created_at": now, "updated_at": now}
        )  # fmt: skip
        if not gms:
            areas.append({"id": new_id(), "service_id": sid, "name": "Nederland",
                          "extent_type": "landelijk", "gm_code": None})  # fmt: skip
        for gm in gms:
            areas.append({"id": new_id(), "service_id": sid, "name": gm,
                          "extent_type": "gemeente", "gm_code": gm})  # fmt: skip
        for facet, low, high in (("fase", 1, 2), ("thema", 1, 3), ("doelgroep", 1, 2),
                                 ("toegang", 1, 2), ("rol", 0, 2), ("activiteit", 0, 3),
                                 ("organisatietype", 1, 1)):  # fmt: skip
            for term in rng.sample(terms[facet], rng.randint(low, high)):
                attrs.append({"id": new_id(), "link_id": sid, "link_entity": "service",
                              "link_type": "service", "taxonomy_term_id": term})  # fmt: skip
        if gms and rng.random() < 0.4:
            lat, lon = munis[gms[0]]
            lid = new_id()
            locations.append(
                {"id": lid, "name": f"Locatie {i}", "location_type": "physical",
                 "latitude": lat + rng.uniform(-0.03, 0.03),
                 "longitude": lon + rng.uniform(-0.03, 0.03), "gm_code": gms[0],
                 "created_at": now, "updated_at": now}
            )  # fmt: skip
            links.append({"id": new_id(), "service_id": sid, "location_id": lid})
    for model, rows in ((Organization, orgs), (Service, services), (ServiceArea, areas),
                        (Attribute, attrs), (Location, locations),
                        (ServiceAtLocation, links)):  # fmt: skip
        for start in range(0, len(rows), 5000):
            session.execute(insert(model.__table__), rows[start : start + 5000])
    session.commit()
    return {"organisations": len(orgs), "services": len(services), "areas": len(areas),
            "term links": len(attrs), "locations": len(locations)}  # fmt: skip


def per_cell_baseline(session: Any, gm_code: str) -> int:
    """Count one municipality's phase x theme cells with one query per cell and scope."""
    from sqlalchemy import func, select

    from wegwijzer.models import Attribute, Taxonomy, TaxonomyTerm
    from wegwijzer.services.coverage import SCOPES
    from wegwijzer.services.coverage.areas import available
    from wegwijzer.services.taxonomy import list_taxonomies

    def service_terms(facet: str, name: str) -> Any:
        """Return a subquery of (service_id, code) for the terms of one facet."""
        return (
            select(Attribute.link_id.label("service_id"), TaxonomyTerm.code.label("code"))
            .join(TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id)
            .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
            .where(Attribute.link_entity == "service", Taxonomy.facet == facet)
            .subquery(name)
        )

    taxonomies = {t.facet: t for t in list_taxonomies(session)}
    avail = available([gm_code])
    ph = service_terms("fase", "ph")
    ct = service_terms("thema", "ct")
    total = 0
    for row in taxonomies["fase"].terms:
        for col in taxonomies["thema"].terms:
            for scope in SCOPES:
                total += session.scalar(
                    select(func.count(func.distinct(avail.c.service_id)))
                    .join(ph, ph.c.service_id == avail.c.service_id)
                    .join(ct, ct.c.service_id == avail.c.service_id)
                    .where(avail.c.scope == scope, ph.c.code == row.code, ct.c.code == col.code)
                )
    return total


def run_scenario(scenario: str, args: argparse.Namespace) -> float:
    """Build a directory for ``scenario``, time the pages, print a table; return region p95."""
    from sqlalchemy import create_engine, text

    from wegwijzer import create_app
    from wegwijzer.domain.places import gazetteer
    from wegwijzer.extensions import Database, db
    from wegwijzer.infra.database import upgrade_database
    from wegwijzer.models import User, UserMunicipality
    from wegwijzer.services import coverage
    from wegwijzer.services.municipalities import load_municipalities
    from wegwijzer.services.taxonomy import load_taxonomies

    tmp = Path(tempfile.mkdtemp(prefix="bench-coverage-"))
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    if args.database_url:
        # A database of our own on the server, dropped afterwards: never touch shared tables.
        url = args.database_url.rsplit("/", 1)[0] + f"/wegwijzer_bench_{tmp.name[-8:].lower()}"
        with create_engine(args.database_url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"'))
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "bench-only-secret-key-0123456789",
         "DATABASE_URL": url, "INDEX_DIR": str(tmp / "index"), "SESSION_COOKIE_SECURE": False},
        instance_path=str(tmp / "instance"),
    )  # fmt: skip
    try:
        with app.app_context():
            upgrade_database(app)
            load_taxonomies(db.session, ROOT / "data" / "taxonomy.json")
            load_municipalities(db.session, gazetteer())
            start = time.perf_counter()
            if scenario == "generate":
                from wegwijzer.devtools.generate import generate_services

                generate_services(db.session, gazetteer(), args.services, args.seed)
                how = "wegwijzer generate: published, spread over the country"
            else:
                generate(db.session, args.services, args.seed)
                how = "dense: half in the region, every status, some deleted"
            built = time.perf_counter() - start
            if args.database_url:
                # What autovacuum does shortly after a bulk load; without statistics the
                # planner guesses one row per table and picks nested loops (5 s instead of 0.5).
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            user = User(email="bench@example.org", role="beheerder", session_token="bench")
            user.municipalities = [UserMunicipality(gm_code=gm) for gm in REGION]
            db.session.add(user)
            db.session.commit()
            user_key = user.get_id()
            cov = coverage.compute_coverage(
                db.session, REGION, overlap_threshold=3, stale_months=6, with_points=False
            )
            in_region = sum(m.totals.local + m.totals.regional for m in cov.municipalities)
            national = cov.municipalities[0].totals.national
        print(f"\nScenario {scenario} ({how}); {url.split(':')[0]}, built in {built:.1f} s")
        print(f"{args.services:,} services; in the region: {in_region:,} local/regional rows "
              f"(per municipality), {national:,} national")  # fmt: skip

        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = user_key
            sess["_fresh"] = True
        region_q = "&".join(f"gm={gm}" for gm in REGION)
        cell = "/beheer/dekking/cel?gm=GM0193&fase=voor-aanmelding&thema=schulden"
        pages = [
            ("region page (10 municipalities)", f"/beheer/dekking/?{region_q}"),
            ("region page, en", f"/beheer/dekking/?{region_q}&lang=en"),
            ("one municipality (with map)", "/beheer/dekking/?gm=GM0193"),
            ("drill-down cell", cell),
            ("inventarisatie CSV (region)", f"/beheer/dekking/inventarisatie.csv?{region_q}"),
            ("inventarisatie A4 (region)", f"/beheer/dekking/inventarisatie?{region_q}"),
        ]
        rows: list[tuple[str, int, float, float, str]] = []
        region_p95 = 0.0
        for name, path in pages:

            def get(path: str = path) -> Any:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                return response

            times, response = timed(get, args.rounds)
            size = f"{len(response.data) / 1024:,.0f} KB"
            rows.append((name, args.rounds, statistics.median(times), percentile(times, 95), size))
            if name.startswith("region page (10"):
                region_p95 = percentile(times, 95)

        def count_region() -> Any:
            with app.app_context():
                return coverage.compute_coverage(
                    db.session, REGION, overlap_threshold=3, stale_months=6, with_points=False
                )

        times, _cov = timed(count_region, args.rounds)
        rows.append(("counting only, region", args.rounds, statistics.median(times),
                     percentile(times, 95), "-"))  # fmt: skip

        def count_one() -> Any:
            with app.app_context():
                return coverage.compute_coverage(
                    db.session, ["GM0193"], overlap_threshold=3, stale_months=6,
                    col_facets=["thema"], with_points=False,
                )  # fmt: skip

        times, one = timed(count_one, args.rounds)
        rows.append(("counting only, GM0193 phase x theme", args.rounds,
                     statistics.median(times), percentile(times, 95), "-"))  # fmt: skip
        if not args.skip_baseline:
            base_rounds = 3

            def baseline() -> int:
                with app.app_context():
                    return per_cell_baseline(db.session, "GM0193")

            times, total = timed(baseline, base_rounds)
            assert total == sum(
                c.total for c in one.municipalities[0].matrices["thema"].cells.values()
            )
            rows.append(("baseline: same, a query per cell", base_rounds,
                         statistics.median(times), percentile(times, 95), "-"))  # fmt: skip

        print(f"{'page':<36} {'runs':>5} {'p50 ms':>9} {'p95 ms':>9} {'size':>9}")
        for name, runs, p50, p95, size in rows:
            print(f"{name:<36} {runs:>5} {p50:>9.1f} {p95:>9.1f} {size:>9}")
        return region_p95
    finally:
        with app.app_context():
            Database.engine(app).dispose()
        shutil.rmtree(tmp, ignore_errors=True)
        if args.database_url:
            with create_engine(args.database_url, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(
                    text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--scenario", choices=["generate", "dense", "both"], default="both",
        help="generate: 'wegwijzer generate' data; dense: half the directory in the region",
    )  # fmt: skip
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL server (a database on it to connect to); the bench creates and drops "
        "its own database there. Default: SQLite in a temporary directory.",
    )
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    scenarios = ["generate", "dense"] if args.scenario == "both" else [args.scenario]
    worst = 0.0
    for scenario in scenarios:
        p95 = run_scenario(scenario, args)
        verdict = "OK" if p95 <= TARGET_MS else "TOO SLOW"
        print(
            f"Target, {scenario}: region page p95 <= {TARGET_MS:.0f} ms: {verdict} ({p95:.0f} ms)"
        )
        worst = max(worst, p95)
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
