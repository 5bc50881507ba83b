"""Load on the served site: residents with think time, saturation, memory per worker.

Run: ``.venv/bin/python bench/bench_load.py [--base /tmp/perf-base] [--db sqlite,postgres]
[--services 20000] [--workers 2] [--seconds 40]`` (needs the ``bench`` extra: locust).

Each version, this checkout (*new*) and with ``--base`` an older checkout of the project
used as the baseline (*base*), fills its own instance with its own ``wegwijzer init`` and
``wegwijzer generate`` (the same synthetic services: seed 7), so the baseline may have
another database schema or index format than this version: on SQLite each version has its
own instance directory, on PostgreSQL its own database (``wegwijzer_bench_load_new``,
``wegwijzer_bench_load_base``). Then, interleaved scenario by scenario, each version's
``wegwijzer serve --workers N`` runs on 127.0.0.1 on its own instance and locust (headless,
bounded in time) drives it with the residents of ``bench/locustfile.py`` (results pages, map
views, service pages, ``/api/v1/search``):

* ``warm-up`` (not measured, ``--warmup`` seconds): 8 users without think time, so the
  workers' caches are filled as on a server that has been running;
* ``residents``: 50 residents with 0.5-1.5 s think time;
* ``saturation``: no think time, 2, 4, 8, 16, 32 users; the most requests per second while
  p95 stays at or below 1 s;
* ``memory``: PSS (``/proc/<pid>/smaps_rollup``) of every gunicorn process after a short
  load, with 1 and with 4 workers: what each extra worker costs.

Worker restarts are counted from the worker pids seen during a run. CPU time per request is
read from ``/proc/<pid>/stat`` of the server's processes and from locust's own usage: on a
machine shared with other work it says more than the latencies do. Load generator and
server share the machine's cores, so figures are lower than on a separate host; compare the
two columns of one run, not figures of different runs. Servers, instances and databases are
removed afterwards, also after an error, Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
SECRET = "bench-secret-key-0123456789abcdef"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_PREFIX = "wegwijzer_bench_load"  # + "_new" / "_base"
SEED = 7
SATURATION_USERS = (2, 4, 8, 16, 32)


def free_port() -> int:
    """A free port below Linux's ephemeral range (32768-60999).

    A port from that range can be taken as the local end of an outgoing connection (the
    server's own database connections, other people's tests) before the server listens on it.
    """
    for port in random.sample(range(20_000, 32_000), 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


def cli(code: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "wegwijzer.cli", *args],
        env=env | {"PYTHONPATH": str(code)},
        cwd=code,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass
class Site:
    """One version's own filled instance and the checkout that serves it."""

    name: str
    code: Path
    instance: Path
    env: dict[str, str] = field(default_factory=dict)
    database: str = ""  # PostgreSQL: this version's own database, dropped afterwards

    @property
    def index(self) -> Path:
        return self.instance / "index"


def admin_sql(*statements: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        admin.dispose()


def make_site(kind: str, name: str, code: Path, work: Path) -> Site:
    """Say where version ``name`` keeps its instance for ``kind``; nothing is filled yet."""
    instance = work / f"{kind}-{name}"
    env = dict(os.environ, WEGWIJZER_SECRET_KEY=SECRET, WEGWIJZER_INDEX_DIR=str(instance / "index"))
    env.pop("WEGWIJZER_DATABASE_URL", None)  # SQLite: the file inside the instance
    site = Site(name, code, instance, env)
    if kind == "postgres":
        site.database = f"{PG_PREFIX}_{name}"
        env["WEGWIJZER_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + site.database
    return site


def fill(site: Site, kind: str, services: int) -> None:
    """Create the schema with the version's own ``init`` and add the synthetic services."""
    site.instance.mkdir(parents=True, exist_ok=True)
    if site.database:
        admin_sql(
            f'DROP DATABASE IF EXISTS "{site.database}" WITH (FORCE)',
            f'CREATE DATABASE "{site.database}"',
        )
    started = time.perf_counter()
    cli(site.code, site.env, "init", "--instance", str(site.instance))
    cli(
        site.code,
        site.env,
        "generate",
        "--count",
        str(services),
        "--seed",
        str(SEED),
        "--instance",
        str(site.instance),
    )
    took = time.perf_counter() - started
    print(f"# {kind} {site.name}: {services} services generated in {took:.0f} s", flush=True)


def discard(site: Site) -> None:
    """Drop the version's database (if any) and remove its instance."""
    if site.database:
        admin_sql(f'DROP DATABASE IF EXISTS "{site.database}" WITH (FORCE)')
    shutil.rmtree(site.instance, ignore_errors=True)


class Server:
    """``wegwijzer serve`` of one version on its own instance; stopped if it fails to start."""

    def __init__(self, site: Site, workers: int) -> None:
        self.port = free_port()
        self.log = site.instance / f"serve-{self.port}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "wegwijzer.cli", "serve", "--host", "127.0.0.1"]
                + ["--port", str(self.port), "--workers", str(workers)]
                + ["--instance", str(site.instance)],
                env=site.env | {"PYTHONPATH": str(site.code)},
                cwd=site.code,
                stdout=subprocess.DEVNULL,  # the access log: one line per request
                stderr=log,
            )
        self.name = site.name
        self.workers = workers
        try:
            self._wait_ready()
        except BaseException:  # also Ctrl+C while it starts: never leave it running
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.time() + 600
        while time.time() < deadline:
            try:
                self.get("/api/v1/search?q=schulden")
                if len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: server stopped during start{self.tail()}")
            time.sleep(0.5)
        raise RuntimeError(f"{self.name}: server did not start{self.tail()}")

    def tail(self) -> str:
        """The last lines the server wrote, to say why it failed."""
        lines = self.log.read_text(errors="replace").splitlines()[-15:]
        return "".join(f"\n  {line}" for line in lines)

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
        if self.proc.poll() is not None:
            return
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


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes ``pids`` have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK


def run_locust(server: Server, users: int, seconds: int, think: str, out: Path) -> dict[str, Any]:
    """Run locust headless; return p50/p95/p99 (ms), req/s, errors and worker restarts, and
    the CPU time per request of the server (master and workers) and of locust."""
    prefix = out / f"u{users}-{think}-{server.port}"
    seen = set(server.worker_pids())
    server_cpu = cpu_seconds([server.proc.pid, *seen])
    locust_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.5):
            seen.update(server.worker_pids())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
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
    finally:
        stop.set()
        watcher.join()
    server_cpu = cpu_seconds([server.proc.pid, *server.worker_pids()]) - server_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    locust_cpu_s = (after.ru_utime + after.ru_stime) - (locust_cpu.ru_utime + locust_cpu.ru_stime)
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
        "cpu_ms": 1000 * server_cpu / max(1, int(agg["Request Count"])),
        "locust_cpu_ms": 1000 * locust_cpu_s / max(1, int(agg["Request Count"])),
    }


def memory(site: Site, out: Path) -> dict[int, list[float]]:
    """PSS of the master and each worker after a short load, with 1 and with 4 workers."""
    found = {}
    if not site.index.exists():
        # Built beforehand (``generate`` does): a build in the master would count its
        # garbage as memory.
        cli(site.code, site.env, "reindex", "--instance", str(site.instance))
    for workers in (1, 4):
        server = Server(site, workers)
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
        f"PSS/worker {'/'.join(str(p) for p in r['pss'])} MB, "
        f"CPU per request: server {r['cpu_ms']:.1f} ms, locust {r['locust_cpu_ms']:.1f} ms"
    )


def measure(sites: list[Site], kind: str, args: Any, out: Path) -> dict[str, Any]:
    """Run the scenarios on every version's server, interleaved; then memory per version."""
    residents: dict[str, dict[str, Any]] = {}
    saturation: dict[str, list[tuple[int, dict[str, Any]]]] = {s.name: [] for s in sites}
    with contextlib.ExitStack() as running:
        servers: dict[str, Server] = {}
        for site in sites if not args.only_memory else ():
            servers[site.name] = Server(site, args.workers)
            running.callback(servers[site.name].stop)
        for server in servers.values():
            # Not measured: a worker's first requests fill its caches (search terms, maps,
            # compiled statements); a server runs for days, and a cold process is what the
            # cold-start figure of bench_scale.py is about.
            run_locust(server, 8, args.warmup, "0", out)
        for name, server in servers.items():
            residents[name] = run_locust(server, args.users, args.seconds, "0.5-1.5", out)
            print(f"{kind} {name} residents: {fmt_run(residents[name])}", flush=True)
        for users in SATURATION_USERS if servers else ():
            for name, server in servers.items():
                r = run_locust(server, users, max(15, args.seconds // 2), "0", out)
                saturation[name].append((users, r))
                print(f"{kind} {name} {users} users no think: {fmt_run(r)}", flush=True)
    mem = {}
    if not args.skip_memory:
        for site in sites:
            mem[site.name] = memory(site, out)
    return {"residents": residents, "saturation": saturation, "memory": mem}


def table(kind: str, names: list[str], found: dict[str, Any], users: int) -> list[str]:
    """The markdown table of one database kind, a row per scenario and version."""
    residents, saturation, mem = found["residents"], found["saturation"], found["memory"]
    lines = [f"\n## {kind}"]
    lines.append(
        "| scenario | version | p50 ms | p95 ms | p99 ms | req/s | errors | restarts |"
        " PSS per worker MB |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for name in residents:
        r = residents[name]
        lines.append(
            f"| {users} residents, 0.5-1.5 s think | {name} | {r['p50']:.0f} |"
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
    for name in names:
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
    p95s = {n: [round(r["p95"]) for _, r in saturation[n]] for n in names}
    lines.append(f"\nsaturation p95 ms at {SATURATION_USERS} users: {p95s}")
    rps = {n: [round(r["rps"], 1) for _, r in saturation[n]] for n in names}
    lines.append(f"saturation req/s at {SATURATION_USERS} users: {rps}")
    pages = {n: residents[n]["pages"] for n in residents}
    lines.append(f"residents p95 ms per page: {pages}")
    cpu = {n: f"{residents[n]['cpu_ms']:.1f}" for n in residents}
    lines.append(f"residents: server CPU ms per request (master + workers): {cpu}")
    gen = {n: f"{residents[n]['locust_cpu_ms']:.1f}" for n in residents}
    lines.append(f"residents: locust CPU ms per request: {gen}")
    return lines


def interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--base", type=Path, help="checkout of an older commit: the baseline (clone or worktree)"
    )
    ap.add_argument("--db", default="sqlite,postgres")
    ap.add_argument("--services", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=20, help="unmeasured seconds per server first")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--only-memory", action="store_true", help="no locust runs: memory only")
    args = ap.parse_args()
    versions = [("new", ROOT)] + ([("base", args.base.resolve())] if args.base else [])
    # A stopped run (kill) cleans up like Ctrl+C: servers stopped, databases dropped.
    signal.signal(signal.SIGTERM, interrupt)
    work = Path(tempfile.mkdtemp(prefix="wegwijzer-load-"))
    lines = [
        f"# {args.services} services (seed {SEED}, each version its own instance),"
        f" wegwijzer serve --workers {args.workers}"
    ]
    try:
        out = work / "locust"
        out.mkdir()
        for kind in args.db.split(","):
            with contextlib.ExitStack() as filled:
                sites = []
                for name, code in versions:
                    site = make_site(kind, name, code, work)
                    filled.callback(discard, site)
                    fill(site, kind, args.services)
                    sites.append(site)
                found = measure(sites, kind, args, out)
            lines += table(kind, [name for name, _ in versions], found, args.users)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
