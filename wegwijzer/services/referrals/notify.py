"""Mail about referrals, only when MAIL_SERVER is configured, and never with personal data.

A message names the code, the organisations, the urgency or status and a link that asks
for a login: nothing about the resident. It is always in Dutch, whatever the language of
the page that caused it. A mail that fails is logged; the change itself stands.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...infra.mail import MailError, mail_configured, send_mail
from ...models import (
    Referral,
    ReferralIntake,
    ReferralStatus,
    Role,
    User,
    UserMunicipality,
    utcnow,
)
from ..permissions import REFERRAL_ORGANISATION_ROLES
from .codes import format_code
from .intake import debt_help_of
from .labels import REASON_LABELS, URGENCY_SHORT, status_label
from .terms import Signal, signal_of

#: Builds the link to a referral's page from its code.
LinkFor = Callable[[str], str]

_FOOTER = (
    "\n\nIn deze mail staan bewust geen gegevens van de inwoner. "
    "Log in op Wegwijzer om de overdracht te zien.\n"
)


def receiving_addresses(session: Session, referral: Referral) -> list[str]:
    """Return the e-mail addresses of the active accounts that receive ``referral``."""
    service = referral.receiving_service
    org_accounts = select(User).where(
        User.is_active.is_(True),
        User.role.in_(sorted(REFERRAL_ORGANISATION_ROLES)),
        User.organizations.any(id=service.organization_id),
    )
    addresses = {u.email for u in session.scalars(org_accounts)}
    own = debt_help_of(session, service)
    if own:
        admins = select(User).where(
            User.is_active.is_(True),
            User.role == Role.ADMIN.value,
            User.municipalities.any(UserMunicipality.gm_code.in_(sorted(own))),
        )
        addresses |= {u.email for u in session.scalars(admins)}
    return sorted(addresses)


def _helper_address(session: Session, referral: Referral) -> str | None:
    if not (referral.feedback_consent and referral.mail_updates and referral.referring_user_id):
        return None
    user = session.get(User, referral.referring_user_id)
    return user.email if user is not None and user.is_active else None


def _send(to: list[str], subject: str, body: str) -> int:
    sent = 0
    for address in to:
        try:
            send_mail(address, subject, body + _FOOTER)
            sent += 1
        except MailError as exc:
            current_app.logger.warning("%s", exc)
    return sent


def _wants_new_mail(session: Session, referral: Referral) -> bool:
    intake = session.get(ReferralIntake, referral.receiving_service_id)
    return intake is not None and intake.notify


def mail_new_referral(session: Session, referral: Referral, link: LinkFor) -> int:
    """Tell the receiving side about a new referral, when its service asked for mail."""
    if not mail_configured() or not _wants_new_mail(session, referral):
        return 0
    code = format_code(referral.code)
    with force_locale("nl"):
        urgency = str(URGENCY_SHORT.get(referral.urgency, referral.urgency))  # type: ignore[call-overload]
    subject = (
        f"Nieuwe overdracht {code} van {referral.referring_organization.name}, spoed: {urgency}"
    )
    body = (
        f"Er is een nieuwe overdracht voor {referral.receiving_service.name}.\n\n"
        f"Code: {code}\nVan: {referral.referring_organization.name}\nSpoed: {urgency}\n"
        f"Eerste gesprek uiterlijk: {referral.term_ends_on:%d-%m-%Y}\n\n{link(referral.code)}"
    )
    return _send(receiving_addresses(session, referral), subject, body)


def mail_status(session: Session, referral: Referral, link: LinkFor) -> int:
    """Tell the referring helper the new status, when the resident agreed and they asked."""
    address = _helper_address(session, referral)
    if not mail_configured() or address is None:
        return 0
    code = format_code(referral.code)
    with force_locale("nl"):
        status = status_label(referral.status)
        reason = REASON_LABELS.get(referral.not_started_reason)  # type: ignore[call-overload]
        reason_text = f" ({reason})" if reason else ""
    subject = f"Overdracht {code}: {status.lower()}"
    body = (
        f"De overdracht {code} naar {referral.receiving_service.name} heeft een nieuwe status: "
        f"{status}{reason_text}.\n\n{link(referral.code)}"
    )
    if referral.status == ReferralStatus.NOT_STARTED:
        body += "\n\nHet traject is niet gestart. Misschien kunt u de inwoner nog helpen."
    return _send([address], subject, body)


def send_signals(session: Session, link: LinkFor, today: date) -> int:
    """Mail each referral whose term passed without a planned conversation, once; commit.

    The receiving side gets it when its service asked for mail; the helper when the resident
    agreed to feedback and they asked for mail. Returns the number of mails sent.
    """
    open_referrals = session.scalars(
        select(Referral)
        .where(
            Referral.signalled_at.is_(None),
            Referral.status.in_([ReferralStatus.NEW.value, ReferralStatus.RECEIVED.value]),
            Referral.term_ends_on < today,
        )
        .options(
            joinedload(Referral.receiving_service), joinedload(Referral.referring_organization)
        )
    ).all()
    sent = 0
    for referral in open_referrals:
        if signal_of(referral, today) != Signal.OVERDUE:
            continue
        code = format_code(referral.code)
        subject = f"Overdracht {code}: termijn voorbij, nog geen eerste gesprek"
        body = (
            f"Voor de overdracht {code} van {referral.referring_organization.name} naar "
            f"{referral.receiving_service.name} is de wettelijke termijn voor het eerste "
            f"gesprek voorbij ({referral.term_ends_on:%d-%m-%Y}), en er is nog geen "
            f"gesprek gepland.\n\n{link(referral.code)}"
        )
        if mail_configured():
            to = (
                receiving_addresses(session, referral) if _wants_new_mail(session, referral) else []
            )
            helper = _helper_address(session, referral)
            sent += _send(to + ([helper] if helper else []), subject, body)
        referral.signalled_at = utcnow()
    session.commit()
    return sent
