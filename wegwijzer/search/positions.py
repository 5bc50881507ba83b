"""Where each index directory is in the change log, kept in the database for pruning.

Every index directory has an id (a file ``id`` in it). After applying change-log rows a
process records ``{"seq": ..., "at": ...}`` under the setting ``index-position:<id>``, so
``wegwijzer prune-changes`` on any host knows what the live indexes have applied. Writing
the position is best effort: it never delays a search by more than a fraction of a second,
and a missing position only means that index rebuilds once after a prune.
"""

from __future__ import annotations

import errno
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..models import ChangeLog, Setting
from .store import read_applied

log = logging.getLogger(__name__)

PREFIX = "index-position:"
ID_FILE = "id"
#: Milliseconds a position write may wait for a database lock before giving up.
WRITE_WAIT_MS = 200
#: Record an index's change-log position in the database at most this often (seconds).
REPORT_INTERVAL = 30.0
#: Write errors that mean the index directory is read-only or full, not damaged.
UNWRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class ChangesMissed(RuntimeError):
    """The change log was pruned past what a generation applied: it must be rebuilt."""


@dataclass(frozen=True)
class Position:
    index_id: str
    seq: int
    at: datetime


def index_id(root: Path) -> str:
    """Return the id of the index directory ``root``, creating it on first use."""
    path = root / ID_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    root.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(8)
    try:
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(value + "\n")
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    return value


def report_position(engine: Engine, ident: str, seq: int) -> bool:
    """Record that index ``ident`` applied the change log up to ``seq``; False if it failed."""
    value = json.dumps({"seq": seq, "at": datetime.now(UTC).isoformat(timespec="seconds")})
    key = PREFIX + ident
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.begin() as conn:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {WRITE_WAIT_MS}")
            else:
                conn.execute(text(f"SET LOCAL lock_timeout = '{WRITE_WAIT_MS}ms'"))
            try:
                table = Setting.__table__
                done = conn.execute(table.update().where(table.c.key == key).values(value=value))
                if not done.rowcount:
                    conn.execute(table.insert().values(key=key, value=value))
            finally:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA busy_timeout = 30000")
    except SQLAlchemyError as exc:
        log.info("Positie van de zoekindex niet opgeslagen (volgt later): %s", type(exc).__name__)
        return False
    return True


def read_positions(session: Session) -> list[Position]:
    """Return the recorded position of every index directory (skipping unreadable ones)."""
    out = []
    for key, value in session.execute(
        select(Setting.key, Setting.value).where(Setting.key.startswith(PREFIX))
    ):
        try:
            data = json.loads(value)
            at = datetime.fromisoformat(data["at"])
            out.append(Position(key[len(PREFIX) :], int(data["seq"]), at))
        except (ValueError, KeyError, TypeError):
            continue
    return out


def pruned_marks(session: Session) -> set[tuple[int, int]]:
    """Return the pruning and restore markers in the change log: (row number, value).

    A marker with value ``n`` says: rows up to ``n`` are gone or stand for another database.
    An index that applied neither row ``n`` nor the marker row itself (a build made after the
    marker covers it, though its watermark may stay below ``n`` for a while) must be rebuilt.
    """
    marks = session.execute(
        select(ChangeLog.seq, ChangeLog.entity_id).where(ChangeLog.entity_type == ChangeLog.PRUNED)
    )
    return {(int(seq), int(value)) for seq, value in marks if value.isdigit()}


def highest_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(ChangeLog.seq))) or 0)


class Tracker:
    """One process's bookkeeping of its index directory against the change log."""

    def __init__(self, engine: Engine, root: Path) -> None:
        self._engine = engine
        self._root = root
        self._reported: tuple[int, float] = (-1, 0.0)
        #: Why the last index update could not be written (read-only or full), or None.
        self.write_problem: str | None = None
        self._logged = 0.0

    def report(self, seq: int, force: bool = False) -> None:
        """Record this index directory's change-log position (at most every 30 s)."""
        last_seq, last_at = self._reported
        now = time.monotonic()
        if seq == last_seq or (not force and now - last_at < REPORT_INTERVAL):
            return
        try:
            ident = index_id(self._root)
        except OSError:  # a read-only index directory: its position stays unknown
            return
        if report_position(self._engine, ident, seq):
            self._reported = (seq, now)

    def missed(self, session: Callable[[], Session], gen: Path) -> bool:
        """Return whether the change log was pruned past what generation ``gen`` applied."""
        with session() as s:
            applied = read_applied(gen)
            missed = any(applied.lacks(seq, value) for seq, value in pruned_marks(s))
        if missed:
            log.warning(
                "Zoekindex %s mist wijzigingen die al uit het wijzigingenlog zijn opgeschoond; "
                "hij wordt opnieuw gebouwd.",
                gen.name,
            )
        return missed

    def unwritable(self, gen: Path, exc: OSError) -> None:
        """Note a read-only or full index directory, with one clear log line a minute."""
        code = errno.errorcode.get(exc.errno or 0, "?")
        self.write_problem = f"{exc.strerror or type(exc).__name__} ({code})"
        now = time.monotonic()
        if now - self._logged >= 60:
            self._logged = now
            log.error(
                "Zoekindex %s is niet schrijfbaar: %s. Zoeken gebruikt de laatste goede versie; "
                "wijzigingen staan veilig in de database en volgen zodra de map weer "
                "schrijfbaar is (de achterstand staat in /readyz).",
                gen,
                self.write_problem,
            )

    def writable_again(self) -> None:
        if self.write_problem is not None:
            log.warning("Zoekindex is weer schrijfbaar; de wijzigingen zijn bijgewerkt.")
            self.write_problem = None
