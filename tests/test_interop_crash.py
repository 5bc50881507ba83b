"""A killed import (SIGKILL halfway, rows already flushed) leaves the database as it was."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.interop_support import DEMO, ROOT, as_bytes, service_obj

CHILD = textwrap.dedent(
    """
    import sys, time
    from wegwijzer import create_app
    from wegwijzer.extensions import db
    from wegwijzer.interop import import_file
    from sqlalchemy import text

    db_path, source, stop_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x" * 32, "DATABASE_URL": f"sqlite:///{db_path}",
         "INDEX_DIR": db_path + ".index"},
        instance_path=db_path + ".instance",
    )

    def progress(done, total):
        if done == stop_at:
            # The writer has flushed: rows sit in the open, uncommitted transaction.
            seen = db.session.execute(text("SELECT count(*) FROM services")).scalar()
            print(f"READY {seen}", flush=True)
            time.sleep(600)

    with app.app_context():
        import_file(source, "hsds", dry_run=False, actor="crash", progress=progress)
    print("FINISHED", flush=True)
    """
)


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return list(conn.iterdump())
    finally:
        conn.close()


def _run(db_path: Path, source: Path, stop_at: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path), str(source), str(stop_at)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def test_killed_import_leaves_the_database_as_before(tmp_path: Path, template_db: Path) -> None:
    db_path = tmp_path / "crash.sqlite3"
    shutil.copy(template_db, db_path)
    # A directory that already holds data, so "as before" is more than "empty".
    first = _run(db_path, DEMO, stop_at=0)
    out, err = first.communicate(timeout=120)
    assert "FINISHED" in out, err
    before = _dump(db_path)
    services_before = sum(1 for line in before if line.startswith('INSERT INTO "services"'))
    assert services_before == 79

    big = tmp_path / "groot.json"
    big.write_bytes(as_bytes([service_obj(n) for n in range(1, 451)]))
    child = _run(db_path, big, stop_at=420)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("READY"), child.stderr.read() if child.stderr else line
        # The killed process had written (uncommitted) rows: the test can tell the difference.
        assert int(line.split()[1]) >= services_before + 400
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL
    assert _dump(db_path) == before

    # And the database is not left locked: the same import now completes.
    again = _run(db_path, big, stop_at=0)
    out, err = again.communicate(timeout=120)
    assert "FINISHED" in out, err
    after = _dump(db_path)
    assert sum(1 for line in after if line.startswith('INSERT INTO "services"')) == 79 + 450
