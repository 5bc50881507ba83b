"""The search change log: written in the same transaction as the change it describes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import ChangeLog


def record_change(session: Session, entity_type: str, entity_id: str) -> None:
    """Note that ``entity_id`` changed, so every process's search index re-reads it."""
    session.add(ChangeLog(entity_type=entity_type, entity_id=entity_id))
