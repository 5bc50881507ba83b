"""Rate limits: attempts counted per key in the ``login_attempts`` table.

Logins, referral code look-ups and resident reports each count their attempts here. A key is
a keyed hash (``private_key``) with a prefix per kind, so no address or account can be read
back, and each kind forgets its rows once they are older than its window.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import LoginAttempt, utcnow


def private_key(*parts: str) -> str:
    """Return a keyed hash of ``parts`` (e.g. an IP address) that cannot be reversed by trying
    all addresses without the app's secret key."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, "|".join(parts).encode(), hashlib.sha256).hexdigest()


def count_attempts(session: Session, key: str, window: timedelta) -> int:
    """Return how many attempts ``key`` made within the last ``window``."""
    count = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.key == key, LoginAttempt.at >= utcnow() - window)
    )
    return count or 0


def add_attempt(session: Session, key: str, *, prefix: str, window: timedelta) -> None:
    """Count one attempt for ``key`` and forget the ``prefix`` rows older than ``window``.

    Does not commit: the caller commits with the rest of its work.
    """
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.key.startswith(prefix), LoginAttempt.at < utcnow() - window
        )
    )
    session.add(LoginAttempt(key=key))
