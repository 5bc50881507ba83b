"""Measure large directories: build time, cold start, search latency, memory of a process.

Run: ``.venv/bin/python bench/bench_scale.py [--sizes 100000,200000] [--base /tmp/perf-base]
[--keep /tmp/wegwijzer-scale] [--rounds 200] [--starts 5]``.

For each size an instance is filled with ``wegwijzer generate``'s synthetic services (seed 7;
with ``--keep`` the filled instance is reused by later runs). Then, for this checkout and
(with ``--base``) an older checkout used as the baseline, each with its own index directory:

* ``build``: ``wegwijzer reindex`` wall time; each version builds its own index (an older
  checkout may use another index schema), the baseline's time is shown with ``--build-base``;
* ``cold start``: a new process (interpreter start, imports, app, open the index) until its
  first search is answered, ``--starts`` times, the two versions interleaved; and how many
  SQL statements that process ran before the first answer;
* ``search``: ``search()`` in one process over the fixed query mix of ``bench_search.py``
  (total, facets, distance sort), ``--rounds`` calls after one warm-up pass;
* ``PSS``: the memory of that process afterwards (``/proc/self/smaps_rollup``).

Prints one table per size, medians and p95; milliseconds unless stated.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789abcdef"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def child(mode: str, rounds: int) -> None:
    """Run in a fresh process with the code under test on PYTHONPATH; print JSON."""
    from sqlalchemy import event

    from wegwijzer import create_app

    app = create_app({"SECRET_KEY": SECRET})
    app_ready = time.time()
    statements = [0]
    with app.app_context():
        from wegwijzer.extensions import Database
        from wegwijzer.search import search

        def count(*_args: Any) -> None:
            statements[0] += 1

        event.listen(Database.engine(app), "before_cursor_execute", count)
        search("schulden")
        now = time.time()
        first = {"ready_at": now, "search_s": now - app_ready, "statements": statements[0]}
        if mode == "cold":
            print(json.dumps(first))
            return
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_search import MIX, timed

        funcs = [(lambda q=q, f=f, n=n: search(q, filters=f or None, near=n)) for q, f, n in MIX]
        times = timed(funcs, rounds)
    pss = 0.0
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1]) / 1024
    print(json.dumps({"times": times, "pss_mb": pss}))


def run_child(code: Path, env: dict[str, str], mode: str, rounds: int = 0) -> dict[str, Any]:
    started = time.time()
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--rounds", str(rounds)],
        env=env | {"PYTHONPATH": str(code)},
        cwd=code,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    if "ready_at" in data:
        data["cold_s"] = data["ready_at"] - started
    return data


def cli(code: Path, env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "wegwijzer.cli", *args],
        env=env | {"PYTHONPATH": str(code)},
        cwd=code,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if args[0] == "generate":
        # "… zoekindex met N diensten (X s)": the build that followed the generation.
        found = re.search(r"zoekindex met \d+ diensten \(([\d.]+) s\)", out)
        if found:
            (Path(env["WEGWIJZER_INSTANCE"]) / "build_s").write_text(found.group(1))
    return time.perf_counter() - started


def run(size: int, work: Path, versions: list[tuple[str, Path]], args: Any) -> list[str]:
    instance = work / f"scale-{size}"
    env = dict(os.environ, WEGWIJZER_SECRET_KEY=SECRET, WEGWIJZER_INSTANCE=str(instance))
    lines = [f"\n## {size} services"]
    if not (instance / "generated").exists():
        instance.mkdir(parents=True, exist_ok=True)
        cli(ROOT, env, "init")
        took = cli(ROOT, env, "generate", "--count", str(size), "--seed", "7")
        (instance / "generated").write_text(str(size))
        lines.append(f"generated (and indexed once) in {took:.0f} s")

    def index(name: str) -> Path:
        if args.skip_build:
            return instance / "index"  # built by ``generate`` with this checkout
        # One index per version: an older checkout may use another index schema and would
        # otherwise rebuild the other's index inside its cold start.
        return work / f"index-{size}-{name}"

    envs = {n: env | {"WEGWIJZER_INDEX_DIR": str(index(n))} for n, _ in versions}
    def build(name: str, code: Path) -> float:
        if args.skip_build:
            # The build that followed ``generate`` (this checkout), when it was recorded.
            took = instance / "build_s"
            return float(took.read_text()) if name == "new" and took.exists() else float("nan")
        took = cli(code, envs[name], "reindex")
        return took if name == "new" or args.build_base else float("nan")

    builds = {n: build(n, code) for n, code in versions}
    cold: dict[str, list[dict[str, Any]]] = {n: [] for n, _ in versions}
    for _ in range(args.starts):
        for name, code in versions:
            cold[name].append(run_child(code, envs[name], "cold"))
    searched = {n: run_child(code, envs[n], "search", args.rounds) for n, code in versions}
    lines.append("| | " + " | ".join(n for n, _ in versions) + " |")
    lines.append("|---" * (len(versions) + 1) + "|")
    cells = " | ".join(f"{builds[n]:.0f}" for n, _ in versions)
    lines.append(f"| build (reindex), s | {cells} |")
    cells = []
    for n, _ in versions:
        secs = [c["cold_s"] for c in cold[n]]
        cells.append(f"{statistics.median(secs):.2f} (max {max(secs):.2f})")
    lines.append("| cold start to first answer, s, median | " + " | ".join(cells) + " |")
    cells = [f"{statistics.median(c['search_s'] for c in cold[n]):.2f}" for n, _ in versions]
    lines.append("| of which: app ready to first answer, s | " + " | ".join(cells) + " |")
    lines.append(
        "| SQL statements before the first answer | "
        + " | ".join(str(cold[n][0]["statements"]) for n, _ in versions)
        + " |"
    )
    for label, pct in (("median", 50), ("p95", 95), ("p99", 99)):
        lines.append(
            f"| search(), {label} ms | "
            + " | ".join(f"{percentile(searched[n]['times'], pct):.1f}" for n, _ in versions)
            + " |"
        )
    lines.append(
        "| PSS of the searching process, MB | "
        + " | ".join(f"{searched[n]['pss_mb']:.0f}" for n, _ in versions)
        + " |"
    )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default="100000,200000")
    ap.add_argument("--base", type=Path, help="checkout of the baseline (git worktree)")
    ap.add_argument("--keep", type=Path, help="keep filled instances here for later runs")
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--build-base", action="store_true", help="time the baseline's build too")
    ap.add_argument("--skip-build", action="store_true", help="search the index of generate")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.rounds)
        return
    versions = [("new", ROOT)] + ([("base", args.base.resolve())] if args.base else [])
    work = args.keep or Path(tempfile.mkdtemp(prefix="wegwijzer-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    lines = ["# bench_scale: " + ", ".join(f"{n} = {c}" for n, c in versions)]
    for size in (int(s) for s in args.sizes.split(",")):
        lines += run(size, work, versions, args)
        print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
