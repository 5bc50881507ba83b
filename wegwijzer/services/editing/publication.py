"""The status flow of a service (concept → ter beoordeling → gepubliceerd → gearchiveerd)
and "nog steeds juist"."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ...models import PublicationStatus, Service, User, utcnow
from ..audit import add_audit
from ..permissions import can_publish
from .base import EditError, check_version, touch_service, unit_of_work
from .snapshots import service_snapshot

_TRANSITIONS = {
    "submit": ({PublicationStatus.CONCEPT}, PublicationStatus.REVIEW),
    "publish": ({PublicationStatus.CONCEPT, PublicationStatus.REVIEW}, PublicationStatus.PUBLISHED),
    "send-back": ({PublicationStatus.REVIEW}, PublicationStatus.CONCEPT),
    "archive": (
        {PublicationStatus.PUBLISHED, PublicationStatus.REVIEW, PublicationStatus.CONCEPT},
        PublicationStatus.ARCHIVED,
    ),
    "unarchive": ({PublicationStatus.ARCHIVED}, PublicationStatus.CONCEPT),
}
#: The actions only a beheerder of the service's area may take.
REVIEW_ACTIONS = frozenset({"publish", "send-back"})


def change_status(
    session: Session,
    actor: User,
    svc: Service,
    action: str,
    comment: str | None = None,
    *,
    expected_version: int | None = None,
) -> Service:
    """Move a service through the status flow; EditConflict when it changed meanwhile; commit."""
    if action not in _TRANSITIONS:
        raise EditError(f"Onbekende actie '{action}'.")
    check_version(svc, expected_version, service_snapshot)
    if svc.deleted_at is not None:
        raise EditError("Deze dienst is verwijderd. Zet hem eerst terug.")
    allowed_from, target = _TRANSITIONS[action]
    if svc.publication_status not in allowed_from:
        words = svc.publication_status.replace("-", " ")  # "ter-beoordeling": ter beoordeling
        raise EditError(f"Dit kan niet: de dienst staat op '{words}'.")
    if action in REVIEW_ACTIONS and not can_publish(actor, svc):
        raise EditError("Alleen een beheerder van de gemeente kan publiceren of terugsturen.")
    note = (comment or "").strip()
    if action == "send-back" and not note:
        raise EditError("Schrijf kort wat er anders moet.")
    changes: dict[str, list[Any]] = {"publication_status": [svc.publication_status, target.value]}
    with unit_of_work(session, svc, service_snapshot):
        svc.publication_status = target
        if action == "publish":
            if svc.review_comment:
                changes["review_comment"] = [svc.review_comment, None]
            svc.review_comment = None
            svc.last_verified_at = utcnow()
        elif action == "send-back":
            changes["review_comment"] = [svc.review_comment, note]
            svc.review_comment = note
        add_audit(session, actor, "service", svc.id, action, changes, comment)
        touch_service(session, svc)
    return svc


def verify_service(
    session: Session, actor: User, svc: Service, *, expected_version: int | None = None
) -> None:
    """Mark a service as checked today ("nog steeds juist"); EditConflict when it changed."""
    check_version(svc, expected_version, service_snapshot)
    with unit_of_work(session, svc, service_snapshot):
        old = svc.last_verified_at
        svc.last_verified_at = utcnow()
        changes = {
            "last_verified_at": [old.isoformat() if old else None, svc.last_verified_at.isoformat()]
        }
        add_audit(session, actor, "service", svc.id, "verify", changes)
        touch_service(session, svc)
