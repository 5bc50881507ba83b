"""Measure import and export of a generated directory (HSDS JSON, data package, flat CSV).

Run: ``.venv/bin/python bench/bench_interop.py [--services 2000] [--rounds 5]``.

Builds a temporary SQLite instance with taxonomy and municipalities, generates ``--services``
HSDS services (one organisation per three services, shared locations, terms, hours, areas in
Zwolle, Kampen and Dalfsen) and times each step on a fresh copy of the database. Prints
p50/p95 per step. The baseline of the same run is ``json.loads`` plus ``json.dumps`` of the
same file: the cost any importer pays just to read and write the bytes.
"""

from __future__ import annotations

import argparse
import io
import json
import random
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

PLACES = [
    ("GM0193", "8011 AB", "Zwolle", 52.5125, 6.0944),
    ("GM0166", "8261 AB", "Kampen", 52.555, 5.911),
    ("GM0148", "7721 AB", "Dalfsen", 52.508, 6.258),
]
#: A beheerder of all generated municipalities: every row is checked, none refused.
BEHEERDER = {gm for gm, *_rest in PLACES}
THEMES = ["schulden", "budget", "brieven-formulieren", "regelingen", "maatje", "wonen-energie"]


def generate(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Return ``n`` plausible HSDS services with Wegwijzer extensions."""
    from wegwijzer.models import stable_id

    rng = random.Random(seed)
    services = []
    for i in range(n):
        gm, postcode, city, lat, lon = PLACES[i % 3]
        org = i // 3
        loc = i // 2
        sid = stable_id("bench", "service", str(i))
        services.append(
            {
                "id": sid,
                "name": f"Dienst {i}",
                "description": "Hulp bij geldzaken, brieven en rekeningen. " * 3,
                "status": "active",
                "organization": {
                    "id": stable_id("bench", "org", str(org)),
                    "name": f"Organisatie {org}",
                    "description": "Een organisatie.",
                },
                "phones": [{"id": stable_id("bench", "phone", str(i)), "number": f"038-{i:07d}"}],
                "schedules": [
                    {
                        "id": stable_id("bench", "schedule", str(i), str(d)),
                        "freq": "WEEKLY",
                        "byday": day,
                        "opens_at": "09:00",
                        "closes_at": "12:00",
                        "attending_type": "inloop",
                    }
                    for d, day in enumerate(("MO", "WE"))
                ],
                "service_areas": [{"extent_type": "cbs_gemeentecode", "extent": gm}],
                "service_at_locations": [
                    {
                        "location": {
                            "id": stable_id("bench", "location", str(loc)),
                            "location_type": "physical",
                            "name": f"Locatie {loc}",
                            "latitude": lat + rng.uniform(-0.01, 0.01),
                            "longitude": lon + rng.uniform(-0.01, 0.01),
                            "addresses": [
                                {
                                    "id": stable_id("bench", "address", str(loc)),
                                    "address_1": f"Straat {loc}",
                                    "city": city,
                                    "state_province": "Overijssel",
                                    "postal_code": postcode,
                                    "country": "NL",
                                    "address_type": "physical",
                                }
                            ],
                        }
                    }
                ],
                "attributes": [
                    {"taxonomy_term": {"taxonomy": "wegwijzer-thema", "code": code}}
                    for code in rng.sample(THEMES, 2)
                ]
                + [{"taxonomy_term": {"taxonomy": "wegwijzer-fase", "code": "voor-aanmelding"}}],
                "x_wegwijzer": {
                    "publication_status": "gepubliceerd",
                    "last_verified_at": "2026-10-01",
                },
            }
        )
    return services


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from wegwijzer import create_app
    from wegwijzer.domain.places import gazetteer
    from wegwijzer.extensions import Database, db
    from wegwijzer.infra.database import upgrade_database
    from wegwijzer.interop import export_flat_csv, export_hsds_csv, export_hsds_json, import_file
    from wegwijzer.services.municipalities import load_municipalities
    from wegwijzer.services.taxonomy import load_taxonomies

    tmp = Path(tempfile.mkdtemp(prefix="wegwijzer-bench-"))
    services = generate(args.services)
    data = json.dumps(services, ensure_ascii=False).encode("utf-8")
    changed = json.loads(data)
    for svc in changed[::20]:
        svc["phones"][0]["number"] = "038-9999999"
    changed_data = json.dumps(changed).encode("utf-8")

    def make_app(name: str) -> Any:
        path = tmp / name
        path.mkdir(exist_ok=True)
        return create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-secret-key",
                "DATABASE_URL": f"sqlite:///{path / 'db.sqlite3'}",
                "INDEX_DIR": str(path / "index"),
            },
            instance_path=str(path / "instance"),
        )

    template = make_app("template")
    with template.app_context():
        upgrade_database(template)
        load_taxonomies(db.session, ROOT / "data" / "taxonomy.json")
        load_municipalities(db.session, gazetteer())
        db.remove()
    Database.engine(template).dispose()

    timings: dict[str, list[float]] = {}

    def timed(label: str, func: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = func()
        timings.setdefault(label, []).append((time.perf_counter() - start) * 1000)
        return result

    def run(**kw: Any) -> Any:
        report = import_file(kw.pop("source"), "hsds", actor="bench", **kw)
        assert report.ok, report.problems[:3]
        return report

    for r in range(args.rounds):
        timed("baseline: json.loads + json.dumps", lambda: json.dumps(json.loads(data)))
        work = tmp / f"round{r}"
        work.mkdir()
        shutil.copy(tmp / "template" / "db.sqlite3", work / "db.sqlite3")
        app = make_app(f"round{r}")
        with app.app_context():
            timed("dry run (empty database)", lambda: run(source=data, dry_run=True))
            timed("import, all new (incl. index pass)", lambda: run(source=data, dry_run=False))
            report = timed("re-import, nothing changed", lambda: run(source=data, dry_run=False))
            assert report.counts["service"].unchanged == args.services
            timed("dry run, 5% changed", lambda: run(source=changed_data, dry_run=True))
            timed(
                "dry run, 5% changed, beheerder's scope",
                lambda: run(source=changed_data, dry_run=True, allowed_gm_codes=BEHEERDER),
            )
            report = timed("re-import, 5% changed", lambda: run(source=changed_data, dry_run=False))
            assert report.counts["service"].updated >= args.services // 20
            timed("export HSDS JSON (public)", lambda: export_hsds_json(db.session))
            timed(
                "export HSDS data package (zip)", lambda: export_hsds_csv(db.session, io.BytesIO())
            )
            timed("export flat CSV", lambda: export_flat_csv(db.session, io.StringIO()))
            db.remove()
        Database.engine(app).dispose()
        shutil.rmtree(work)

    size_mb = len(data) / 1_048_576
    print(f"\n{args.services} services, {size_mb:.1f} MB JSON, {args.rounds} rounds (ms)\n")
    print(f"{'step':40} {'p50':>9} {'p95':>9} {'per service':>12}")
    for label, values in timings.items():
        p50 = statistics.median(values)
        print(f"{label:40} {p50:9.0f} {percentile(values, 95):9.0f} {p50 / args.services:11.2f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
