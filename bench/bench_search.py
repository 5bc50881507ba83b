"""Measure search: build time, index size, search() and /api/v1/search latency, edit latency.

Run: ``.venv/bin/python bench/bench_search.py [--sizes 2000,20000] [--with-100k] [--rounds 200]``.

For each corpus size a temporary instance is filled with ``wegwijzer generate``'s synthetic
services (real gazetteer, seed 7), the index is built in one pass, and a fixed mix of
queries (keywords, sentences, typos, with and without filters and a place) is timed:

* ``search()`` in-process (always with total and all facet counts, distance sort);
* ``GET /api/v1/search`` over HTTP against a real server (``wegwijzer serve``: gunicorn,
  one worker, on 127.0.0.1) started as a separate process;
* the baseline in the same run: SQLite FTS5 over the same services, doing top-20 by bm25,
  the total, per-taxonomy counts and the same filters and area limit (no stemming, no
  compound parts, no typo handling, no synonyms).

Then a single edit: change one service, commit, and time until ``search()`` finds the new
word in this process (commit → ``sync_index()`` → search), and until another process (the
HTTP server, which checks the change log at most once a second) returns it.
Prints one table; figures are milliseconds unless stated.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-key-0123456789abcdef"

# (query, filters, near): a fixed mix of what residents and helpers type.
MIX: list[tuple[str, dict[str, list[str]], str | None]] = [
    ("schulden", {}, None),
    ("huur", {}, None),
    ("formulieren", {}, "Kampen"),
    ("budget", {"doelgroep": ["jongeren"]}, None),
    ("deurwaarder", {}, "8011"),
    ("energie", {}, "Amsterdam"),
    ("toeslagen", {"toegang": ["inloop"]}, None),
    ("maatje", {}, "Utrecht"),
    ("kwijtschelding", {}, None),
    ("thuisadministratie", {"fase": ["voor-aanmelding"]}, "Groningen"),
    ("belastingaangifte", {}, None),
    ("beslag", {}, "3511"),
    ("ik kan mijn rekeningen niet meer betalen", {}, None),
    ("er staat een deurwaarder voor de deur", {}, "Zwolle"),
    ("mijn oma vergeet haar rekeningen te betalen", {}, "Eindhoven"),
    ("ik snap mijn brieven niet", {}, None),
    ("hulp bij formulieren in Kampen", {}, None),
    ("wie helpt mij met mijn administratie", {"thema": ["thuisadministratie"]}, None),
    ("schuldhulpverleenig", {}, None),
    ("thuisadminstratie", {}, "Rotterdam"),
    ("kwijtscheling", {}, None),
    ("budgetcoahc", {"organisatietype": ["vrijwilligersorganisatie"]}, None),
    ("formulierne", {}, "Den Haag"),
    ("", {"thema": ["schulden"]}, "Zwolle"),
    ("", {"thema": ["budget", "maatje"], "doelgroep": ["ouderen"]}, None),
    ("", {}, "9711"),
    ("geldzorgen", {"thema": ["schulden", "budget"], "toegang": ["telefonisch"]}, "Leeuwarden"),
    ("hulp bij schulden en een huurachterstand", {}, "Almere"),
    ("afsluiting energie", {}, None),
    ("zzp", {"doelgroep": ["ondernemers"]}, None),
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(funcs: list[Callable[[], Any]], rounds: int) -> list[float]:
    """Run the mix ``rounds`` times after one warm-up pass; return milliseconds per call."""
    for func in funcs:
        func()
    out = []
    for i in range(rounds):
        func = funcs[i % len(funcs)]
        start = time.perf_counter()
        func()
        out.append((time.perf_counter() - start) * 1000)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def make_app(tmp: Path) -> Any:
    from wegwijzer import create_app

    return create_app(
        {"SECRET_KEY": SECRET, "DATABASE_URL": f"sqlite:///{tmp / 'wegwijzer.sqlite3'}"},
        instance_path=str(tmp),
    )


def build(tmp: Path, size: int) -> dict[str, float]:
    """Fill a fresh instance with ``size`` services and build the index once."""
    from wegwijzer.devtools.generate import generate_services
    from wegwijzer.domain.places import gazetteer
    from wegwijzer.extensions import db
    from wegwijzer.infra.database import upgrade_database
    from wegwijzer.search import rebuild_index
    from wegwijzer.services.municipalities import load_municipalities
    from wegwijzer.services.taxonomy import load_taxonomies

    app = make_app(tmp)
    with app.app_context():
        upgrade_database(app)
        load_taxonomies(db.session, ROOT / "data" / "taxonomy.json")
        load_municipalities(db.session, gazetteer())
        start = time.perf_counter()
        generate_services(db.session, gazetteer(), size, seed=7)
        generated = time.perf_counter() - start
        start = time.process_time()
        wall = time.perf_counter()
        rebuild_index(app)
        build_wall = time.perf_counter() - wall
        build_cpu = time.process_time() - start
    return {
        "generate_s": generated,
        "build_s": build_wall,
        "build_cpu_s": build_cpu,
        "index_mb": dir_size(tmp / "index") / 1e6,
    }


def bench_search(tmp: Path, rounds: int) -> dict[str, Any]:
    from wegwijzer.search import ensure_index, search

    app = make_app(tmp)
    with app.app_context():
        start = time.perf_counter()
        ensure_index(app)
        search("schulden")
        warm = (time.perf_counter() - start) * 1000
        funcs = [(lambda q=q, f=f, n=n: search(q, filters=f or None, near=n)) for q, f, n in MIX]
        times = timed(funcs, rounds)
        sample = search("ik kan mijn rekeningen niet meer betalen")
    return {"times": times, "warm_ms": warm, "sample_total": sample.total}


def start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = dict(os.environ, WEGWIJZER_SECRET_KEY=SECRET)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wegwijzer.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--instance",
            str(tmp),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            get(port, "/api/v1/search?q=schulden")
            return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start")


def get(port: int, path: str) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{path}: HTTP {resp.status} {body[:200]!r}")
        return json.loads(body)
    finally:
        conn.close()


def api_path(q: str, filters: dict[str, list[str]], near: str | None) -> str:
    params: list[tuple[str, str]] = [("q", q)]
    if near:
        params.append(("near", near))
    for facet, codes in filters.items():
        params.extend((facet, c) for c in codes)
    return "/api/v1/search?" + urlencode(params)


def bench_api(port: int, rounds: int) -> list[float]:
    funcs = [(lambda p=api_path(q, f, n): get(port, p)) for q, f, n in MIX]
    # The gthread worker has four threads, each with its own searcher: warm them all.
    for _ in range(4):
        for func in funcs:
            func()
    return timed(funcs, rounds)


def bench_edit(tmp: Path, port: int, edits: int) -> dict[str, list[float]]:
    from sqlalchemy import select

    from wegwijzer.extensions import db
    from wegwijzer.models import Service
    from wegwijzer.search import ensure_index, search, sync_index
    from wegwijzer.services.changes import record_change

    app = make_app(tmp)
    local: list[float] = []
    other: list[float] = []
    with app.app_context():
        ensure_index(app)
        ids = db.session.scalars(select(Service.id).order_by(Service.id).limit(edits)).all()
        for i, sid in enumerate(ids):
            word = f"bench{i}x{int(time.time() * 1000) % 100000}"
            svc = db.session.get(Service, sid)
            svc.description = f"{svc.description} {word}"
            record_change(db.session, "service", sid)
            db.session.commit()
            start = time.perf_counter()
            sync_index()
            found = search(word).total
            local.append((time.perf_counter() - start) * 1000)
            assert found == 1, word
            start = time.perf_counter()
            while get(port, f"/api/v1/search?q={word}")["total"] != 1:
                time.sleep(0.01)
            other.append((time.perf_counter() - start) * 1000)
    return {"local": local, "other": other}


# --- SQLite FTS5 baseline ---------------------------------------------------------------------

FACETS = ("fase", "thema", "doelgroep", "toegang", "organisatietype")


def build_fts(tmp: Path) -> tuple[sqlite3.Connection, float]:
    """Copy the same published services into an FTS5 table with term and area tables."""
    src = sqlite3.connect(tmp / "wegwijzer.sqlite3")
    dst = sqlite3.connect(tmp / "fts.sqlite3")
    start = time.perf_counter()
    dst.executescript(
        """
        CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT, name TEXT, org TEXT, body TEXT,
                          national INTEGER);
        CREATE VIRTUAL TABLE fts USING fts5(name, org, body, content='docs',
                          content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
        CREATE TABLE terms(rowid INTEGER, facet TEXT, code TEXT);
        CREATE TABLE areas(rowid INTEGER, gm TEXT);
        """
    )
    rows = src.execute(
        """
        SELECT s.id, s.name, o.name, coalesce(s.description,'') || ' ' ||
               coalesce(s.application_process,'') || ' ' || coalesce(s.eligibility_description,'')
        FROM services s JOIN organizations o ON o.id = s.organization_id
        WHERE s.publication_status = 'gepubliceerd' AND s.deleted_at IS NULL
        """
    ).fetchall()
    rowid = {sid: i + 1 for i, (sid, *_r) in enumerate(rows)}
    dst.executemany(
        "INSERT INTO docs VALUES (?,?,?,?,?,0)",
        [(rowid[sid], sid, name, org, body) for sid, name, org, body in rows],
    )
    terms = src.execute(
        """
        SELECT a.link_id, substr(t.name, 11), tt.code FROM attributes a
        JOIN taxonomy_terms tt ON tt.id = a.taxonomy_term_id
        JOIN taxonomies t ON t.id = tt.taxonomy_id
        """
    ).fetchall()
    dst.executemany(
        "INSERT INTO terms VALUES (?,?,?)",
        [(rowid[s], f, c) for s, f, c in terms if s in rowid and f in FACETS],
    )
    areas = src.execute("SELECT service_id, extent_type, gm_code FROM service_areas").fetchall()
    dst.executemany(
        "INSERT INTO areas VALUES (?,?)",
        [
            (rowid[s], g if kind == "gemeente" else "landelijk")
            for s, kind, g in areas
            if s in rowid
        ],
    )
    dst.executescript(
        """
        INSERT INTO fts(fts) VALUES ('rebuild');
        CREATE INDEX ix_terms ON terms(facet, code, rowid);
        CREATE INDEX ix_terms_row ON terms(rowid);
        CREATE INDEX ix_areas ON areas(gm, rowid);
        """
    )
    dst.commit()
    src.close()
    return dst, time.perf_counter() - start


_STOP_TEXT = "ik mijn de het een er en te voor niet meer haar wie mij met bij in kan staat"
STOP = set(_STOP_TEXT.split())


def fts_search(
    conn: sqlite3.Connection,
    gm_of: Callable[[str], str | None],
    q: str,
    filters: dict[str, list[str]],
    near: str | None,
) -> tuple[int, list[str]]:
    """Top 20 + total + counts per taxonomy for one query, the plain SQL way."""
    where = []
    args: list[Any] = []
    words = [w for w in re.findall(r"\w+", q.lower()) if w not in STOP]
    if near is None and " in " in f" {q.lower()} ":
        near = q.rsplit(" in ", 1)[1]
        words = [w for w in words if w != near.lower()]
    for facet, codes in filters.items():
        marks = ",".join("?" * len(codes))
        where.append(f"d.rowid IN (SELECT rowid FROM terms WHERE facet=? AND code IN ({marks}))")
        args.extend([facet, *codes])
    gm = gm_of(near) if near else None
    if gm:
        where.append("d.rowid IN (SELECT rowid FROM areas WHERE gm IN (?, 'landelijk'))")
        args.append(gm)
    cond = " AND ".join(where) or "1"
    conn.execute("DROP TABLE IF EXISTS temp.hits")
    if words:
        match = " OR ".join(f'"{w}"' for w in words)
        conn.execute(
            "CREATE TEMP TABLE hits AS SELECT d.rowid AS rowid, bm25(fts, 3.0, 1.5, 1.0) AS score "
            f"FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ? AND {cond}",
            [match, *args],
        )
    else:
        conn.execute(
            f"CREATE TEMP TABLE hits AS SELECT d.rowid AS rowid, 0 AS score "
            f"FROM docs d WHERE {cond}",
            args,
        )
    top = [
        r[0]
        for r in conn.execute(
            "SELECT d.name FROM hits h JOIN docs d ON d.rowid = h.rowid ORDER BY h.score LIMIT 20"
        )
    ]
    total = conn.execute("SELECT count(*) FROM hits").fetchone()[0]
    conn.execute(
        "SELECT t.facet, t.code, count(*) FROM hits h JOIN terms t ON t.rowid = h.rowid "
        "GROUP BY t.facet, t.code"
    ).fetchall()
    return total, top


def bench_fts(tmp: Path, rounds: int) -> tuple[list[float], float]:
    from wegwijzer.domain.geo import Gazetteer

    gaz = Gazetteer.load(ROOT / "data" / "gazetteer")

    def gm_of(text: str) -> str | None:
        found = gaz.resolve(text)
        return found.gm_code if found else None

    conn, build_s = build_fts(tmp)
    funcs = [(lambda q=q, f=f, n=n: fts_search(conn, gm_of, q, f, n)) for q, f, n in MIX]
    times = timed(funcs, rounds)
    conn.close()
    return times, build_s


def row(label: str, values: list[float]) -> str:
    return f"{label:<44} {percentile(values, 50):>9.1f} {percentile(values, 95):>9.1f}"


def run(size: int, rounds: int, edits: int) -> list[str]:
    lines = [f"\n== {size:,} services ==".replace(",", ".")]
    with tempfile.TemporaryDirectory(prefix=f"bench-search-{size}-") as name:
        tmp = Path(name)
        built = build(tmp, size)
        lines.append(f"generate (bulk insert)                       {built['generate_s']:>8.1f} s")
        lines.append(
            f"index build, one pass                        {built['build_s']:>8.1f} s "
            f"(CPU {built['build_cpu_s']:.1f} s)"
        )
        lines.append(f"index size                                   {built['index_mb']:>8.1f} MB")
        result = bench_search(tmp, rounds)
        lines.append(f"open + first search (cold process)           {result['warm_ms']:>8.0f} ms")
        lines.append(f"{'':<44} {'p50 ms':>9} {'p95 ms':>9}")
        lines.append(row("search() in-process, total + facets", result["times"]))
        server, port = start_server(tmp)
        try:
            lines.append(row("GET /api/v1/search over HTTP (gunicorn)", bench_api(port, rounds)))
            fts_times, fts_build = bench_fts(tmp, rounds)
            lines.append(row("baseline: SQLite FTS5 top-20 + total + facets", fts_times))
            lines.append(
                f"  (FTS5 build {fts_build:.1f} s; no stemming, compounds, typos, synonyms)"
            )
            edit = bench_edit(tmp, port, edits)
            lines.append(row("edit → searchable, same process", edit["local"]))
            lines.append(row("edit → searchable, other process (API)", edit["other"]))
        finally:
            server.terminate()
            server.wait(timeout=30)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000", help="comma-separated corpus sizes")
    parser.add_argument("--with-100k", action="store_true", help="also measure 100,000")
    parser.add_argument("--rounds", type=int, default=200, help="timed queries per measurement")
    parser.add_argument("--edits", type=int, default=20, help="single edits to time")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.with_100k:
        sizes.append(100_000)
    print(
        f"query mix: {len(MIX)} queries (keywords, sentences, typos, filters, places); "
        f"{args.rounds} timed per row; load average {os.getloadavg()[0]:.1f}"
    )
    for size in sizes:
        for line in run(size, args.rounds, args.edits):
            print(line, flush=True)


if __name__ == "__main__":
    main()
