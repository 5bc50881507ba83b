"""What the health endpoints report: is the process alive, can it serve (database, index)?

Nothing here names a person, a path, a host or a query: the answers are safe to show to a
load balancer or a monitoring system outside the municipality.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..models import ChangeLog
from ..search import index_status


def change_lag(session: Session, applied: int, extra: list[int]) -> dict[str, Any]:
    """Return how many change-log rows the index has not applied, and how old the oldest is."""
    pending = and_(ChangeLog.seq > applied, ChangeLog.entity_type != ChangeLog.PRUNED)
    if extra:
        pending = and_(pending, ChangeLog.seq.not_in(extra))
    count, oldest = session.execute(
        select(func.count(), func.min(ChangeLog.at)).select_from(ChangeLog).where(pending)
    ).one()
    seconds = 0.0
    if oldest is not None:
        at = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
        seconds = max(0.0, (datetime.now(UTC) - at).total_seconds())
    return {"changes": int(count or 0), "seconds": round(seconds, 1)}


def readiness(session: Session) -> tuple[bool, dict[str, Any]]:
    """Return whether this process can serve, with the database, index and lag details.

    Ready means: the database answers and the index has a generation it can search. A
    lagging index (read-only or full directory, a writer busy elsewhere) is still ready; the
    lag shows how far behind it is, for an alert.
    """
    database: dict[str, Any] = {"reachable": True, "kind": session.get_bind().dialect.name}
    lag: dict[str, Any] | None = None
    try:
        session.execute(text("SELECT 1"))
        index = index_status()
        if index["applied"] is not None:
            lag = change_lag(session, index["applied"], index["applied_extra"])
    except SQLAlchemyError as exc:
        session.rollback()
        database["reachable"] = False
        database["error"] = type(getattr(exc, "orig", None) or exc).__name__
        index = index_status(catch_up=False)
    ready = database["reachable"] and index["serving"]
    body = {
        "status": "ready" if ready else "unavailable",
        "database": database,
        "index": {
            "generation": index["generation"],
            "built_at": index["built_at"],
            "services": index["services"],
            "applied_change": index["applied"],
            "serving": index["serving"],
            "problem": index["problem"],
            "writable": index["write_problem"] is None,
            "write_problem": index["write_problem"],
        },
        "lag": lag,
    }
    return ready, body
