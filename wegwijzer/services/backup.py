"""Back up and restore an instance: the database and the instance's own files.

A backup is a directory::

    manifest.json        what it holds: version, schema revision, database kind, files
    wegwijzer.sqlite3    SQLite, copied with SQLite's online backup API (safe while serving)
    wegwijzer.pgdump     PostgreSQL, ``pg_dump --format=custom`` (restored with pg_restore)
    instance/            config.py and any other file of the instance directory

The search index is not in it: it is derived from the database and rebuilt after a restore.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session

from ..models import ChangeLog, Organization, Service, User
from ..search.positions import highest_seq, read_positions
from .changes import add_marker

MANIFEST = "manifest.json"
SQLITE_FILE = "wegwijzer.sqlite3"
PG_FILE = "wegwijzer.pgdump"
INSTANCE_DIR = "instance"
FORMAT = 1


class BackupError(RuntimeError):
    """The backup or restore cannot go ahead; the message says why and what to do."""


@dataclass
class BackupSummary:
    database: str
    path: Path
    files: list[str] = field(default_factory=list)
    services: int = 0


def _version() -> str:
    try:
        return version("wegwijzer")
    except PackageNotFoundError:
        return "onbekend"


def _skip_in_instance(
    instance: Path, database: Path | None, index_dir: Path, target: Path
) -> set[Path]:
    skip = {index_dir.resolve(), target.resolve()}
    if database is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            skip.add(Path(f"{database.resolve()}{suffix}"))
    return skip


def _copy_instance(instance: Path, dest: Path, skip: set[Path]) -> list[str]:
    """Copy the instance's own files (config.py, uploads) except database and index."""
    copied: list[str] = []
    if not instance.is_dir():
        return copied
    for item in sorted(instance.iterdir()):
        if item.resolve() in skip or any(item.resolve().is_relative_to(s) for s in skip):
            continue
        dest.mkdir(parents=True, exist_ok=True)
        if item.is_dir():
            shutil.copytree(item, dest / item.name, symlinks=True)
        else:
            shutil.copy2(item, dest / item.name)
        copied.append(item.name)
    return copied


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("Een SQLite-database in het geheugen heeft geen bestand om te bewaren.")
    return Path(url.database)


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq connection string for pg_dump/pg_restore, and the password as env."""
    env = {}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(
            f"{args[0]} ontbreekt op deze computer; installeer de PostgreSQL-clientprogramma's "
            "(Debian/Ubuntu: apt install postgresql-client) in dezelfde versie als de server."
        )
    done = subprocess.run(
        [tool, *args[1:]], env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        raise BackupError(f"{what} mislukt: {lines[-1] if lines else done.returncode}")


def count_services(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Service)) or 0)


def backup_instance(
    engine: Engine, session: Session, instance: Path, index_dir: Path, target: Path
) -> BackupSummary:
    """Write a backup of the database and the instance files into the new directory ``target``."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} bestaat al en is niet leeg; kies een nieuwe map.")
    url = engine.url
    kind = url.get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"Reservekopie van een {kind}-database kan Wegwijzer niet maken.")
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
    services = count_services(session)
    session.rollback()
    target.mkdir(parents=True, exist_ok=True)
    database: Path | None = None
    try:
        if kind == "sqlite":
            database = _sqlite_path(url)
            _sqlite_copy(database, target / SQLITE_FILE)
            files = [SQLITE_FILE]
        else:
            dsn, env = libpq(url)
            out = str(target / PG_FILE)
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", out, dsn], env, "pg_dump")
            files = [PG_FILE]
        skip = _skip_in_instance(instance, database, index_dir, target)
        copied = _copy_instance(instance, target / INSTANCE_DIR, skip)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "wegwijzer": _version(),
            "schema_revision": revision,
            "database": kind,
            "database_file": files[0],
            "instance_files": copied,
            "services": services,
        }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    for path in target.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    target.chmod(0o700)
    return BackupSummary(kind, target, files + [f"{INSTANCE_DIR}/{n}" for n in copied], services)


def _sqlite_copy(source: Path, dest: Path) -> None:
    """Copy a SQLite database page by page with its online backup API (readers and writers
    of ``source`` carry on; the copy is one consistent state)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst, pages=1024)
        if dst.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError(f"De kopie van {source} is niet in orde.")
    finally:
        dst.close()
        src.close()


def read_manifest(source: Path) -> dict[str, object]:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(
            f"{source} is geen reservekopie van Wegwijzer ({MANIFEST} ontbreekt)."
        ) from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source / MANIFEST} is onleesbaar: {exc}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is gemaakt met een onbekende versie van de reservekopie.")
    return manifest


def has_data(engine: Engine, session: Session) -> bool:
    """Return whether the database holds services, organisations or accounts already."""
    if not inspect(engine).has_table(Service.__tablename__):
        return False
    for model in (Service, Organization, User):
        if session.scalar(select(func.count()).select_from(model)):
            return True
    return False


def _position_before(engine: Engine, session: Session) -> int:
    """Return the highest change-log number any index may have applied from this database."""
    if not inspect(engine).has_table(ChangeLog.__tablename__):
        return 0
    seqs = [highest_seq(session)] + [p.seq for p in read_positions(session)]
    session.rollback()
    return max(seqs)


def restore_instance(
    engine: Engine, session: Session, instance: Path, source: Path, force: bool
) -> dict[str, object]:
    """Restore the database and the instance files from the backup directory ``source``.

    Refuses a database that already holds data unless ``force``. Afterwards every search
    index, on every host, rebuilds (a change-log marker above all they applied).
    """
    manifest = read_manifest(source)
    kind = engine.url.get_backend_name()
    if manifest.get("database") != kind:
        raise BackupError(
            f"Deze reservekopie is van een {manifest.get('database')}-database; deze instance "
            f"gebruikt {kind}. Zet DATABASE_URL goed, of zet de gegevens over met export/import."
        )
    file = source / str(manifest.get("database_file"))
    if not file.is_file():
        raise BackupError(f"{file} ontbreekt in de reservekopie.")
    if has_data(engine, session) and not force:
        raise BackupError(
            "De database bevat al gegevens. Zet een reservekopie alleen terug in een lege "
            "database, of gebruik --force om alles te vervangen."
        )
    before = _position_before(engine, session)
    session.close()
    engine.dispose()
    if kind == "sqlite":
        dest = _sqlite_path(engine.url)
        src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        dst = sqlite3.connect(dest, timeout=30)
        try:
            src.backup(dst, pages=1024)
        finally:
            dst.close()
            src.close()
    else:
        dsn, env = libpq(engine.url)
        args = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run([*args, "--dbname", dsn, str(file)], env, "pg_restore")
    restored = _restore_instance_files(source / INSTANCE_DIR, instance)
    return {"manifest": manifest, "before": before, "instance_files": restored}


def _restore_instance_files(source: Path, instance: Path) -> list[str]:
    """Copy the backup's instance files into ``instance``; never overwrite a different file."""
    out: list[str] = []
    if not source.is_dir():
        return out
    instance.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        dest = instance / item.name
        if item.is_dir():
            shutil.copytree(item, dest, dirs_exist_ok=True)
            out.append(item.name)
        elif not dest.exists():
            shutil.copy2(item, dest)
            out.append(item.name)
        elif dest.read_bytes() != item.read_bytes():
            shutil.copy2(item, dest.with_name(dest.name + ".uit-reservekopie"))
            out.append(f"{item.name} (als {item.name}.uit-reservekopie: er stond al een andere)")
    return out


def mark_restored(session: Session, above: int) -> int:
    """Add a change-log marker above every number an index can have applied; return it.

    Indexes built from the database before the restore then find it and rebuild.
    """
    seq = add_marker(session, 0, above)
    session.commit()
    return seq


__all__ = [
    "BackupError",
    "BackupSummary",
    "backup_instance",
    "has_data",
    "mark_restored",
    "read_manifest",
    "restore_instance",
]
