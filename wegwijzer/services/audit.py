"""Audit trail helpers: who changed what, field by field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from ..models import AuditEntry, User

#: Actions written to the audit trail, with their Dutch labels for the beheer pages.
ACTIONS = (
    "create",
    "update",
    "submit",
    "publish",
    "send-back",
    "archive",
    "delete",
    "restore",
    "verify",
    "conflict",
    "password-set",
    "token-created",
    "totp",
    "import",
)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for every field whose value differs."""
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = [old, new]
    return changes


def add_audit(
    session: Session,
    actor: User | str | None,
    entity_type: str,
    entity_id: str,
    action: str,
    changes: Mapping[str, list[Any]] | None = None,
    comment: str | None = None,
) -> AuditEntry:
    """Add one audit entry to the session (the caller commits with the change itself)."""
    if isinstance(actor, User):
        user_id, name = actor.id, actor.email
    else:
        user_id, name = None, actor or "systeem"
    entry = AuditEntry(
        user_id=user_id,
        actor=name,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        changes=dict(changes or {}),
        comment=comment or None,
    )
    session.add(entry)
    return entry
