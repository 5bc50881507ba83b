"""Outgoing mail over SMTP (only when MAIL_SERVER is configured)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


class MailError(RuntimeError):
    """The mail server refused or could not be reached; the message says which."""


def mail_configured() -> bool:
    """Return True when an SMTP server is configured."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message; raise MailError when the server fails."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_FROM") or "wegwijzer@localhost"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    try:
        with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT") or 25), timeout=20) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"Mail naar {to} niet verstuurd via {cfg['MAIL_SERVER']}: {exc}") from exc
