"""Load rows by id in batches, so a large file stays within the database's parameter limits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

#: Ids per ``IN (…)`` query.
BATCH = 500


def batches(ids: Iterable[str]) -> Iterator[list[str]]:
    """Yield the ids in lists of at most BATCH."""
    id_list = list(ids)
    for start in range(0, len(id_list), BATCH):
        yield id_list[start : start + BATCH]


def load_by_id(
    session: Session, model: type[Any], ids: Iterable[str], *options: Any
) -> dict[str, Any]:
    """Return the existing rows of ``model`` with these ids (with loader ``options``) by id."""
    found: dict[str, Any] = {}
    for chunk in batches(ids):
        stmt = select(model).where(model.id.in_(chunk)).options(*options)
        found.update((obj.id, obj) for obj in session.scalars(stmt))
    return found


def existing_ids(session: Session, model: type[Any], ids: Iterable[str]) -> set[str]:
    """Return which of ``ids`` exist in the table of ``model``."""
    found: set[str] = set()
    for chunk in batches(ids):
        found.update(session.scalars(select(model.id).where(model.id.in_(chunk))))
    return found
