"""Create and edit organisations; a redacteur's edit waits for a beheerder's review."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ...models import Organization, PublicationStatus, User, utcnow
from ..audit import add_audit, diff
from ..permissions import edits_wait_for_review, is_redacteur
from .base import check_version, touch_organization, unique_slug, unit_of_work
from .snapshots import ORGANIZATION_FIELDS, organization_snapshot


def create_organization(session: Session, actor: User, fields: dict[str, Any]) -> Organization:
    """Create an organisation; log it; commit."""
    org = Organization(
        slug=unique_slug(session, Organization, fields["name"]),
        publication_status=PublicationStatus.PUBLISHED,
        last_verified_at=utcnow(),
    )
    for name in ORGANIZATION_FIELDS:
        setattr(org, name, fields.get(name))
    org.description = fields.get("description") or ""
    with unit_of_work(session, org, organization_snapshot):
        session.add(org)
        session.flush()
        created = diff({}, organization_snapshot(org))
        add_audit(session, actor, "organization", org.id, "create", created)
        if is_redacteur(actor):
            # A redacteur who adds an organisation edits it from then on.
            actor.organizations.append(org)
        touch_organization(session, org)
    return org


def update_organization(
    session: Session, actor: User, org: Organization, fields: dict[str, Any], expected_version: int
) -> Organization:
    """Save an organisation edit; EditConflict on a concurrent save; log changed fields.

    A redacteur's edit waits in ``pending_changes`` for a beheerder (review before
    publication); the site keeps showing the current values until it is approved.
    """
    before = organization_snapshot(org)
    mine = {**before, **{k: fields.get(k) for k in ORGANIZATION_FIELDS}}
    mine["description"] = mine["description"] or ""
    check_version(org, expected_version, organization_snapshot, lambda: mine)
    changes = diff(before, mine)
    if not changes:
        session.rollback()
        return org
    waits = edits_wait_for_review(actor)
    with unit_of_work(session, org, organization_snapshot, lambda: mine, sync=not waits):
        if waits:
            org.pending_changes = {name: new for name, (_old, new) in changes.items()}
            org.pending_by = actor.email
        else:
            for name in ORGANIZATION_FIELDS:
                setattr(org, name, mine[name])
            touch_organization(session, org)
        action = "submit" if waits else "update"
        add_audit(session, actor, "organization", org.id, action, changes)
    return org


def approve_organization_changes(
    session: Session, actor: User, org: Organization, *, expected_version: int | None = None
) -> None:
    """Put a redacteur's waiting organisation edit live; log it; commit."""
    check_version(org, expected_version, organization_snapshot)
    with unit_of_work(session, org, organization_snapshot):
        before = organization_snapshot(org)
        for name, value in (org.pending_changes or {}).items():
            if name in ORGANIZATION_FIELDS:
                setattr(org, name, value)
        org.pending_changes = None
        org.pending_by = None
        changes = diff(before, organization_snapshot(org))
        add_audit(session, actor, "organization", org.id, "publish", changes)
        touch_organization(session, org)


def reject_organization_changes(
    session: Session,
    actor: User,
    org: Organization,
    comment: str,
    *,
    expected_version: int | None = None,
) -> None:
    """Drop a redacteur's waiting organisation edit, with a comment for them; commit."""
    check_version(org, expected_version, organization_snapshot)
    if not org.pending_changes:
        return
    changes = {name: [None, value] for name, value in org.pending_changes.items()}
    with unit_of_work(session, org, organization_snapshot, sync=False):
        add_audit(session, actor, "organization", org.id, "send-back", changes, comment=comment)
        org.pending_changes = None
        org.pending_by = None
