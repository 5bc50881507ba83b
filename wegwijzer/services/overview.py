"""Read models of the beheer lists: dashboard, services, organisations, review queue, reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Organization, PublicationStatus, Report, Service, User
from . import freshness
from .permissions import can_edit_service, editable_organizations_filter
from .scope import Forbidden, NotFound, editable_organizations, editable_services


@dataclass
class Dashboard:
    """What needs attention: my entries, the review queue, stale entries, open reports."""

    mine: list[Service] = field(default_factory=list)
    review: list[Service] = field(default_factory=list)
    sent_back: list[Service] = field(default_factory=list)
    stale: list[Service] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)


def load_dashboard(session: Session, user: User, stale_months: int) -> Dashboard:
    """Return the dashboard of ``user`` in a fixed number of queries."""
    mine = editable_services(session, user)
    ids = {s.id for s in mine}
    return Dashboard(
        mine=mine,
        review=[s for s in mine if s.publication_status == PublicationStatus.REVIEW],
        sent_back=[
            s
            for s in mine
            if s.publication_status == PublicationStatus.CONCEPT and s.review_comment
        ],
        stale=freshness.stale_services(session, stale_months, user) if ids else [],
        reports=freshness.open_reports(session, ids) if ids else [],
    )


_Entry = TypeVar("_Entry", Service, Organization)


@dataclass
class LiveAndDeleted(Generic[_Entry]):
    """The services or organisations page: the live entries shown and the deleted ones (to
    restore)."""

    live: list[_Entry]
    deleted: list[_Entry]

    @classmethod
    def split(
        cls, entries: list[_Entry], shown: Callable[[_Entry], bool] = lambda _entry: True
    ) -> LiveAndDeleted[_Entry]:
        """Sort ``entries`` into the live ones ``shown`` and the deleted ones."""
        return cls(
            live=[e for e in entries if e.deleted_at is None and shown(e)],
            deleted=[e for e in entries if e.deleted_at is not None],
        )


def list_services(session: Session, user: User, status: str = "") -> LiveAndDeleted[Service]:
    """Return the services ``user`` may edit, live ones filtered by ``status`` if given."""
    return LiveAndDeleted.split(
        editable_services(session, user, include_deleted=True),
        lambda s: not status or s.publication_status == status,
    )


def list_organizations(session: Session, user: User) -> LiveAndDeleted[Organization]:
    """Return the organisations ``user`` may edit, live and deleted."""
    return LiveAndDeleted.split(editable_organizations(session, user, include_deleted=True))


@dataclass
class ReviewQueue:
    """What waits for a beheerder: submitted services and redacteurs' organisation edits."""

    services: list[Service]
    organizations: list[Organization]


def load_review_queue(session: Session, user: User) -> ReviewQueue:
    """Return the services and organisation edits waiting for ``user``'s review."""
    waiting = [
        s
        for s in editable_services(session, user)
        if s.publication_status == PublicationStatus.REVIEW
    ]
    orgs = session.scalars(
        select(Organization)
        .where(
            Organization.pending_changes.is_not(None),
            Organization.deleted_at.is_(None),
            editable_organizations_filter(user),
        )
        .order_by(Organization.name, Organization.id)
    )
    return ReviewQueue(services=waiting, organizations=list(orgs))


def list_stale(session: Session, user: User, months: int) -> list[freshness.StaleRow]:
    """Return the stale services ``user`` may edit, with who should check them."""
    return freshness.stale_report(session, months, user)


@dataclass
class OpenReports:
    """Open reports about the user's services, and those services by id."""

    reports: list[Report]
    services: dict[str, Service]


def list_open_reports(session: Session, user: User) -> OpenReports:
    """Return the open reports about the services ``user`` may edit, newest first."""
    services = {s.id: s for s in editable_services(session, user)}
    reports = freshness.open_reports(session, set(services)) if services else []
    return OpenReports(reports=reports, services=services)


def resolve_report(session: Session, user: User, report_id: str) -> None:
    """Mark a report about a service ``user`` may edit as handled; NotFound or Forbidden."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(report_id)
    svc = session.get(Service, report.service_id)
    if svc is None or not can_edit_service(user, svc):
        raise Forbidden(report_id)
    freshness.resolve_report(session, user, report)
