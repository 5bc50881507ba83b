"""The search change log: written in the same transaction as the change it describes, and
pruned once every live index has applied a row and it is older than the retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from ..models import ChangeLog, Setting
from ..search.positions import PREFIX, highest_seq, read_positions


def record_change(session: Session, entity_type: str, entity_id: str) -> None:
    """Note that ``entity_id`` changed, so every process's search index re-reads it."""
    session.add(ChangeLog(entity_type=entity_type, entity_id=entity_id))


@dataclass(frozen=True)
class PruneResult:
    """What :func:`prune_changes` did, for one line on the terminal."""

    deleted: int
    up_to: int
    remaining: int
    live_indexes: int
    forgotten_indexes: int


def prune_changes(
    session: Session, retention: timedelta, now: datetime | None = None
) -> PruneResult:
    """Delete change-log rows older than ``retention`` that every live index has applied.

    A live index is one whose position (see :mod:`wegwijzer.search.positions`) was recorded
    within the retention; positions older than that are forgotten. An index that was down
    longer finds the marker row this adds (``ChangeLog.PRUNED``, the highest deleted number)
    and rebuilds itself instead of missing the deleted changes. One transaction.
    """
    now = now or datetime.now(UTC)
    cutoff = now - retention
    positions = read_positions(session)
    live = [p for p in positions if _aware(p.at) >= cutoff]
    stale = [p for p in positions if _aware(p.at) < cutoff]
    limit = select(func.max(ChangeLog.seq)).where(ChangeLog.at < cutoff)
    up_to = int(session.scalar(limit) or 0)
    if live:
        up_to = min(up_to, min(p.seq for p in live))
    deleted = 0
    if up_to > 0 and session.scalar(select(func.min(ChangeLog.seq))) <= up_to:
        top = highest_seq(session)
        deleted = session.execute(delete(ChangeLog).where(ChangeLog.seq <= up_to)).rowcount or 0
        add_marker(session, up_to, above=top)
    for p in stale:
        session.execute(delete(Setting).where(Setting.key == PREFIX + p.index_id))
    session.commit()
    remaining = int(session.scalar(select(func.count()).select_from(ChangeLog)) or 0)
    return PruneResult(deleted, up_to if deleted else 0, remaining, len(live), len(stale))


def add_marker(session: Session, value: int, above: int) -> int:
    """Add a marker row (``ChangeLog.PRUNED``, ``value``) numbered above ``above``; return it.

    The number is given explicitly: SQLite would otherwise reuse the numbers of deleted rows,
    and an index that applied up to those would skip the new rows. PostgreSQL's sequence is
    moved past it.
    """
    seq = max(above, highest_seq(session)) + 1
    session.add(ChangeLog(seq=seq, entity_type=ChangeLog.PRUNED, entity_id=str(value or seq)))
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('change_log', 'seq'), :v)"), {"v": seq}
        )
    return seq


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
