"""Freshness: stale entries, "nog steeds juist" reminders, and residents' reports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain.text import safe_cell as _neutralise
from ..infra.mail import send_mail
from ..models import PublicationStatus, Report, Service, User, utcnow
from .audit import add_audit
from .permissions import can_edit_service, editable_services_filter, is_beheerder, is_redacteur
from .throttle import add_attempt, count_attempts, private_key

#: Longest report message kept; longer text is refused, not cut.
REPORT_MAX = 2000
#: Reports per address per window.
REPORT_LIMIT = 5
REPORT_WINDOW = timedelta(minutes=10)
#: Reports' rate-limit rows start with this, so they can be forgotten after the window.
REPORT_KEY_PREFIX = "r:"


class ReportError(ValueError):
    """A report cannot be stored; the message says why, in Dutch."""


class ReportLimited(ReportError):
    """This address sent REPORT_LIMIT reports within REPORT_WINDOW."""


def stale_cutoff(months: int) -> datetime:
    """Return the moment before which a check counts as stale (a month = 30 days)."""
    return utcnow() - timedelta(days=30 * months)


def stale_services(session: Session, months: int, user: User | None = None) -> list[Service]:
    """Return live services not checked for ``months`` months, oldest check first.

    With ``user``: only the services they may edit.
    """
    cutoff = stale_cutoff(months)
    query = (
        select(Service)
        .where(
            Service.deleted_at.is_(None),
            Service.publication_status != PublicationStatus.ARCHIVED,
            or_(Service.last_verified_at.is_(None), Service.last_verified_at < cutoff),
        )
        .options(joinedload(Service.organization), selectinload(Service.service_areas))
        .order_by(Service.last_verified_at.is_not(None), Service.last_verified_at, Service.name)
    )
    if user is not None:
        query = query.where(editable_services_filter(user))
    return list(session.scalars(query))


@dataclass
class StaleRow:
    service: Service
    editors: list[str]
    admins: list[str]


def stale_report(session: Session, months: int, user: User | None = None) -> list[StaleRow]:
    """Return stale services with the e-mail addresses of their redacteuren and beheerders.

    With ``user``: only the services they may edit. Those who may edit a service check it.
    """
    users = list(session.scalars(select(User).where(User.is_active.is_(True))))
    editors = [u for u in users if is_redacteur(u)]
    admins = [u for u in users if is_beheerder(u)]
    return [
        StaleRow(
            svc,
            sorted(u.email for u in editors if can_edit_service(u, svc)),
            sorted(u.email for u in admins if can_edit_service(u, svc)),
        )
        for svc in stale_services(session, months, user)
    ]


def stale_csv(rows: list[StaleRow]) -> str:
    """Return the stale list as CSV (semicolons, for Dutch spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        ["dienst_id", "dienst", "organisatie", "laatst_gecontroleerd", "redacteuren", "beheerders"]
    )
    for row in rows:
        checked = row.service.last_verified_at
        writer.writerow(
            [
                row.service.id,
                _neutralise(row.service.name),
                _neutralise(row.service.organization.name),
                checked.date().isoformat() if checked else "",
                _neutralise(" ".join(row.editors)),
                _neutralise(" ".join(row.admins)),
            ]
        )
    return out.getvalue()


def reminders(rows: list[StaleRow]) -> dict[str, list[Service]]:
    """Group stale services by the address that should check them (redacteur, else beheerder)."""
    by_person: dict[str, list[Service]] = {}
    for row in rows:
        for email in row.editors or row.admins:
            by_person.setdefault(email, []).append(row.service)
    return by_person


def send_reminders(rows: list[StaleRow], base_url: str) -> int:
    """Mail each editor one reminder listing their stale services; return how many were sent."""
    sent = 0
    for email, services in sorted(reminders(rows).items()):
        lines = [f"- {s.name}: {base_url.rstrip('/')}/beheer/diensten/{s.id}" for s in services]
        body = (
            "Goedendag,\n\n"
            "Deze diensten op Wegwijzer zijn al een tijd niet gecontroleerd:\n\n"
            + "\n".join(lines)
            + "\n\nKlopt alles nog? Klik dan op de pagina van de dienst op 'Nog steeds juist'. "
            "Is er iets veranderd? Pas het dan aan.\n\nDank u wel."
        )
        send_mail(email, "Wegwijzer: kloppen uw gegevens nog?", body)
        sent += 1
    return sent


# --- reports ("klopt er iets niet?") ----------------------------------------------------------


def _new_report(service: Service, message: str) -> Report:
    text = (message or "").strip()
    if len(text) < 3:
        raise ReportError("Schrijf kort wat er niet klopt.")
    if len(text) > REPORT_MAX:
        raise ReportError(f"Uw bericht is te lang: hoogstens {REPORT_MAX} tekens.")
    return Report(service_id=service.id, message=text)


def create_report(session: Session, service: Service, message: str) -> Report:
    """Store a resident's report about a service; commit."""
    report = _new_report(service, message)
    session.add(report)
    session.commit()
    return report


def _limit_key(address: str) -> str:
    # Only a keyed hash of the address is kept, and only for REPORT_WINDOW.
    return REPORT_KEY_PREFIX + private_key("report", address)[:60]


def is_report_limited(session: Session, address: str) -> bool:
    """Return True when ``address`` sent REPORT_LIMIT reports within REPORT_WINDOW."""
    return count_attempts(session, _limit_key(address), REPORT_WINDOW) >= REPORT_LIMIT


def receive_report(session: Session, service: Service, message: str, address: str) -> Report:
    """Store a report from ``address`` and count it for the rate limit; commit.

    Raises ReportLimited when the address sent too many, ReportError for a bad message.
    Rate-limit rows older than the window are dropped: no lasting link to any address.
    """
    if is_report_limited(session, address):
        raise ReportLimited("Te veel meldingen vanaf dit adres.")
    report = _new_report(service, message)
    session.add(report)
    add_attempt(session, _limit_key(address), prefix=REPORT_KEY_PREFIX, window=REPORT_WINDOW)
    session.commit()
    return report


def resolve_report(session: Session, actor: User, report: Report) -> None:
    """Mark a report as handled; commit."""
    if report.resolved_at is not None:
        return
    report.resolved_at = utcnow()
    report.resolved_by = actor.id
    add_audit(
        session,
        actor,
        "service",
        report.service_id,
        "report-resolved",
        comment=report.message[:200],
    )
    session.commit()


def open_reports(session: Session, service_ids: set[str] | None = None) -> list[Report]:
    """Return unhandled reports, newest first, optionally only for ``service_ids``."""
    query = select(Report).where(Report.resolved_at.is_(None)).order_by(Report.created_at.desc())
    if service_ids is not None:
        query = query.where(Report.service_id.in_(sorted(service_ids)))
    return list(session.scalars(query))
