"""Load on the served site: residents with think time, saturation, memory per worker.

Run: ``.venv/bin/python bench/bench_load.py [--base /tmp/perf-base] [--db sqlite,postgres]
[--services 20000] [--workers 2] [--seconds 40]`` (needs the ``bench`` extra: locust).

For each database a temporary instance is filled once with ``wegwijzer generate``'s
synthetic services (seed 7). Then, for this checkout and (with ``--base``) an older checkout
of the project used as the baseline, interleaved scenario by scenario, ``wegwijzer serve
--workers N`` runs on 127.0.0.1 with its own index directory and locust (headless, bounded
in time) drives it with the residents of ``bench/locustfile.py`` (results pages, map views,
service pages, ``/api/v1/search``):

* ``residents``: 50 residents with 0.5-1.5 s think time;
* ``saturation``: no think time, 2, 4, 8, 16, 32 users; the most requests per second while
  p95 stays at or below 1 s;
* ``memory``: PSS (``/proc/<pid>/smaps_rollup``) of every gunicorn process after a short
  load, with 1 and with 4 workers: what each extra worker costs.

Worker restarts are counted from the worker pids seen during a run. Load generator and
server share the machine's cores, so figures are lower than on a separate host; compare the
two columns of one run, not figures of different runs.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
SECRET = "bench-secret-key-0123456789abcdef"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_NAME = "wegwijzer_bench_load"
SATURATION_USERS = (2, 4, 8, 16, 32)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(code: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "wegwijzer.cli", *args],
        env=env | {"PYTHONPATH": str(code)},
        cwd=code,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare(kind: str, services: int, work: Path, code: Path) -> dict[str, str]:
    """Create and fill the instance for ``kind``; return the environment to serve it."""
    instance = work / kind
    instance.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, WEGWIJZER_SECRET_KEY=SECRET)
    if kind == "postgres":
        from sqlalchemy import create_engine, text

        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
        admin.dispose()
        env["WEGWIJZER_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_NAME
    env["BENCH_INSTANCE"] = str(instance)
    started = time.perf_counter()
    cli(code, env, "init", "--instance", str(instance))
    cli(code, env, "generate", "--count", str(services), "--seed", "7", "--instance", str(instance))
    print(f"# {kind}: {services} services generated in {time.perf_counter() - started:.0f} s")
    return env


def drop_postgres() -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
    admin.dispose()


class Server:
    """``wegwijzer serve`` of one checkout, with its own index directory."""

    def __init__(self, code: Path, env: dict[str, str], index: Path, workers: int) -> None:
        self.port = free_port()
        instance = env["BENCH_INSTANCE"]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wegwijzer.cli", "serve", "--host", "127.0.0.1"]
            + ["--port", str(self.port), "--workers", str(workers), "--instance", instance],
            env=env | {"PYTHONPATH": str(code), "WEGWIJZER_INDEX_DIR": str(index)},
            cwd=code,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers = workers
        self.seen: set[int] = set()
        deadline = time.time() + 600
        while time.time() < deadline:
            try:
                self.get("/api/v1/search?q=schulden")
                if len(self.worker_pids()) >= workers:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("server stopped during start")
            time.sleep(0.5)
        self.stop()
        raise RuntimeError("server did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=30) as resp:
            return bytes(resp.read())

    def worker_pids(self) -> list[int]:
        pid = self.proc.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_locust(server: Server, users: int, seconds: int, think: str, out: Path) -> dict[str, Any]:
    """Run locust headless; return p50/p95/p99 (ms), req/s, errors and worker restarts."""
    prefix = out / f"u{users}-{think}-{server.port}"
    seen = set(server.worker_pids())
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.5):
            seen.update(server.worker_pids())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
        + ["-u", str(users), "-r", str(users), "-t", f"{seconds}s", "-H", server.url]
        + ["--csv", str(prefix), "--only-summary", "--loglevel", "ERROR"],
        env=dict(os.environ, WEGWIJZER_THINK=think),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=seconds + 120,
    )
    stop.set()
    watcher.join()
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = {r["Name"]: r for r in csv.DictReader(fh)}
    agg = rows["Aggregated"]
    return {
        "p50": float(agg["50%"]),
        "p95": float(agg["95%"]),
        "p99": float(agg["99%"]),
        "rps": float(agg["Requests/s"]),
        "requests": int(agg["Request Count"]),
        "errors": int(agg["Failure Count"]),
        "restarts": max(0, len(seen) - server.workers),
        "pss": [round(pss_mb(p)) for p in server.worker_pids()],
        "pages": {name: float(r["95%"]) for name, r in rows.items() if name not in ("Aggregated",)},
    }


def memory(code: Path, env: dict[str, str], index: Path, out: Path) -> dict[int, list[float]]:
    """PSS of the master and each worker after a short load, with 1 and with 4 workers."""
    found = {}
    if not index.exists():
        # Built beforehand: a build in the master would count its garbage as memory.
        cli(
            code,
            env | {"WEGWIJZER_INDEX_DIR": str(index)},
            "reindex",
            "--instance",
            env["BENCH_INSTANCE"],
        )
    for workers in (1, 4):
        server = Server(code, env, index, workers)
        try:
            run_locust(server, 8, 15, "0", out)
            time.sleep(1)
            found[workers] = [pss_mb(server.proc.pid)] + [pss_mb(p) for p in server.worker_pids()]
        finally:
            server.stop()
    return found


def fmt_run(r: dict[str, Any]) -> str:
    return (
        f"p50 {r['p50']:.0f} / p95 {r['p95']:.0f} / p99 {r['p99']:.0f} ms, "
        f"{r['rps']:.1f} req/s, {r['errors']} errors, {r['restarts']} restarts, "
        f"PSS/worker {'/'.join(str(p) for p in r['pss'])} MB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, help="checkout of the baseline (git worktree)")
    ap.add_argument("--db", default="sqlite,postgres")
    ap.add_argument("--services", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=40)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--only-memory", action="store_true", help="no locust runs: memory only")
    args = ap.parse_args()
    versions = [("new", ROOT)] + ([("base", args.base.resolve())] if args.base else [])
    work = Path(tempfile.mkdtemp(prefix="wegwijzer-load-"))
    lines = [f"# {args.services} services, wegwijzer serve --workers {args.workers}"]
    try:
        for kind in args.db.split(","):
            env = prepare(kind, args.services, work, ROOT)
            index = {name: work / f"index-{kind}-{name}" for name, _ in versions}
            out = work / "locust"
            out.mkdir(exist_ok=True)
            residents: dict[str, dict[str, Any]] = {}
            saturation: dict[str, list[tuple[int, dict[str, Any]]]] = {n: [] for n, _ in versions}
            servers: dict[str, Server] = {}
            try:
                for n, code in versions if not args.only_memory else ():
                    servers[n] = Server(code, env, index[n], args.workers)
                for name in servers:
                    residents[name] = run_locust(
                        servers[name], args.users, args.seconds, "0.5-1.5", out
                    )
                    print(f"{kind} {name} residents: {fmt_run(residents[name])}", flush=True)
                for users in SATURATION_USERS if servers else ():
                    for name in servers:
                        r = run_locust(servers[name], users, max(15, args.seconds // 2), "0", out)
                        saturation[name].append((users, r))
                        print(f"{kind} {name} {users} users no think: {fmt_run(r)}", flush=True)
            finally:
                for server in servers.values():
                    server.stop()
            mem = {}
            if not args.skip_memory:
                for name, code in versions:
                    mem[name] = memory(code, env, index[name], out)
            lines.append(f"\n## {kind}")
            lines.append(
                "| scenario | version | p50 ms | p95 ms | p99 ms | req/s | errors | restarts |"
                " PSS per worker MB |"
            )
            lines.append("|---|---|---|---|---|---|---|---|---|")
            for name in residents:
                r = residents[name]
                lines.append(
                    f"| {args.users} residents, 0.5-1.5 s think | {name} | {r['p50']:.0f} |"
                    f" {r['p95']:.0f} | {r['p99']:.0f} | {r['rps']:.1f} | {r['errors']} |"
                    f" {r['restarts']} | {' / '.join(str(p) for p in r['pss'])} |"
                )
            for name in residents:
                ok = [(u, r) for u, r in saturation[name] if r["p95"] <= 1000 and not r["errors"]]
                best = max(ok, key=lambda x: x[1]["rps"]) if ok else None
                if best:
                    u, r = best
                    lines.append(
                        f"| saturation (best: {u} users, no think) | {name} | {r['p50']:.0f} |"
                        f" {r['p95']:.0f} | {r['p99']:.0f} | **{r['rps']:.1f}** | {r['errors']}"
                        f" | {r['restarts']} | {' / '.join(str(p) for p in r['pss'])} |"
                    )
            for name, _ in versions:
                for workers, values in mem.get(name, {}).items():
                    lines.append(
                        f"| memory, {workers} worker(s), after load | {name} | | | | | | |"
                        f" master {values[0]:.0f}, workers"
                        f" {' / '.join(f'{v:.0f}' for v in values[1:])} (total"
                        f" {sum(values):.0f}) |"
                    )
                if 1 in mem.get(name, {}) and 4 in mem[name]:
                    extra = (sum(mem[name][4]) - sum(mem[name][1])) / 3
                    lines.append(f"| each extra worker costs | {name} | | | | | | | {extra:.0f} |")
            p95s = {n: [round(r["p95"]) for _, r in saturation[n]] for n, _ in versions}
            lines.append(f"\nsaturation p95 ms at {SATURATION_USERS} users: {p95s}")
            rps = {n: [round(r["rps"], 1) for _, r in saturation[n]] for n, _ in versions}
            lines.append(f"saturation req/s at {SATURATION_USERS} users: {rps}")
            pages = {n: residents[n]["pages"] for n in residents}
            lines.append(f"residents p95 ms per page: {pages}")
            if kind == "postgres":
                drop_postgres()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
