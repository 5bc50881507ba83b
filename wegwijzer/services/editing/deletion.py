"""Soft delete and restore of services and organisations (the audit trail keeps both)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ...models import Organization, Service, User, utcnow
from ..audit import add_audit
from ..permissions import may_spread_organization, organization_gm_codes
from .base import (
    SPREADS_ORGANIZATION,
    EditError,
    check_version,
    touch_organization,
    touch_service,
    unit_of_work,
)
from .snapshots import organization_snapshot, service_snapshot


def _set_deleted(
    session: Session,
    actor: User,
    entity: Service | Organization,
    deleted: bool,
    expected_version: int | None,
) -> None:
    """Soft-delete or restore ``entity``, log it, note it for search and commit."""
    snapshot = service_snapshot if isinstance(entity, Service) else organization_snapshot
    check_version(entity, expected_version, snapshot)
    if (entity.deleted_at is not None) == deleted:
        return
    with unit_of_work(session, entity, snapshot):
        old = entity.deleted_at.isoformat() if entity.deleted_at else None
        entity.deleted_at = utcnow() if deleted else None
        new = entity.deleted_at.isoformat() if entity.deleted_at else None
        action = "delete" if deleted else "restore"
        if isinstance(entity, Service):
            add_audit(session, actor, "service", entity.id, action, {"deleted_at": [old, new]})
            touch_service(session, entity)
        else:
            add_audit(session, actor, "organization", entity.id, action, {"deleted_at": [old, new]})
            touch_organization(session, entity)


def delete_service(
    session: Session, actor: User, svc: Service, *, expected_version: int | None = None
) -> None:
    """Soft-delete a service (it can be restored); EditConflict when it changed; commit."""
    _set_deleted(session, actor, svc, True, expected_version)


def restore_service(
    session: Session, actor: User, svc: Service, *, expected_version: int | None = None
) -> None:
    """Undo a soft delete; the service keeps its publication status; commit."""
    check_version(svc, expected_version, service_snapshot)
    if svc.deleted_at is not None and svc.organization is not None:
        before = organization_gm_codes(svc.organization)
        after = before if svc.is_national else before | set(svc.gm_codes)
        if not may_spread_organization(actor, svc.organization, before, after):
            raise EditError(SPREADS_ORGANIZATION)
    _set_deleted(session, actor, svc, False, expected_version)


def delete_organization(
    session: Session, actor: User, org: Organization, *, expected_version: int | None = None
) -> None:
    """Soft-delete an organisation and hide its services; EditConflict when it changed; commit."""
    _set_deleted(session, actor, org, True, expected_version)


def restore_organization(
    session: Session, actor: User, org: Organization, *, expected_version: int | None = None
) -> None:
    """Undo a soft delete of an organisation; EditConflict when it changed; commit."""
    _set_deleted(session, actor, org, False, expected_version)
