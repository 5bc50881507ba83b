"""Reading the audit trail: pages of the entries an account may see, with readable names.

Who may see what is decided in SQL before the LIMIT (``permissions.visible_history_filter``),
so a beheerder of one small municipality gets full pages of their own entries, however busy
the other municipalities are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditEntry, Location, Organization, Service, User
from .permissions import may_browse_history, visible_history_filter
from .scope import Forbidden

#: Audit entries on one page.
AUDIT_PAGE_SIZE = 200

#: Entry kinds with a name to show, and the columns that hold it (the first one filled in).
_NAMES = {
    "service": (Service, (Service.name,)),
    "organization": (Organization, (Organization.name,)),
    "location": (Location, (Location.name,)),
    "user": (User, (User.name, User.email)),
}


@dataclass
class HistoryFilter:
    """The filters of the audit page; empty strings filter nothing."""

    entity_type: str = ""
    entity_id: str = ""
    actor: str = ""
    action: str = ""


@dataclass
class HistoryPage:
    """One page of audit entries, newest first, and the names of the entries they are about."""

    entries: list[AuditEntry]
    page: int
    has_next: bool
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    title: str | None = None

    def name_of(self, entity_type: str, entity_id: str) -> str:
        """Return a readable name for an audited entry (its id when it is gone)."""
        return self.names.get((entity_type, entity_id)) or entity_id


def load_history(
    session: Session, user: User, filters: HistoryFilter, page: int = 1
) -> HistoryPage:
    """Return page ``page`` (from 1) of the audit entries ``user`` may see; Forbidden if none.

    Without a whole-trail right (a redacteur), only one entry's history can be asked for.
    """
    one = bool(filters.entity_type and filters.entity_id)
    if not may_browse_history(user) and not one:
        raise Forbidden("audit")
    if one and not session.scalar(
        select(visible_history_filter(user, filters.entity_type, filters.entity_id))
    ):
        raise Forbidden(filters.entity_id)
    page = max(1, page)
    query = (
        select(AuditEntry)
        .where(visible_history_filter(user, AuditEntry.entity_type, AuditEntry.entity_id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * AUDIT_PAGE_SIZE)
        .limit(AUDIT_PAGE_SIZE + 1)
    )
    if filters.entity_type:
        query = query.where(AuditEntry.entity_type == filters.entity_type)
    if filters.entity_id:
        query = query.where(AuditEntry.entity_id == filters.entity_id)
    if filters.actor:
        query = query.where(
            func.lower(AuditEntry.actor).contains(filters.actor.lower(), autoescape=True)
        )
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    entries = list(session.scalars(query))
    shown = entries[:AUDIT_PAGE_SIZE]
    wanted = {(e.entity_type, e.entity_id) for e in shown}
    if one:
        wanted.add((filters.entity_type, filters.entity_id))
    names = entry_names(session, wanted)
    return HistoryPage(
        entries=shown,
        page=page,
        has_next=len(entries) > AUDIT_PAGE_SIZE,
        names=names,
        title=(names.get((filters.entity_type, filters.entity_id)) or filters.entity_id)
        if one
        else None,
    )


def entry_names(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Return readable names of audited entries, one query per kind of entry."""
    ids: dict[str, set[str]] = defaultdict(set)
    for entity_type, entity_id in keys:
        if entity_type in _NAMES:
            ids[entity_type].add(entity_id)
    names: dict[tuple[str, str], str] = {}
    for entity_type, wanted in ids.items():
        model, columns = _NAMES[entity_type]
        rows = session.execute(select(model.id, *columns).where(model.id.in_(sorted(wanted))))
        for key, *values in rows:
            name = next((v for v in values if v), None)
            if name:
                names[(entity_type, key)] = name
    return names
