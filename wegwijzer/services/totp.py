"""The TOTP second factor of beheerders: secrets, the authenticator app link, codes."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy.orm import Session

from ..models import User
from .audit import add_audit
from .permissions import may_use_totp

TOTP_ISSUER = "Wegwijzer"


class TotpError(ValueError):
    """The second factor cannot be turned on or off; the message says why, in Dutch."""


def new_totp_secret() -> str:
    """Return a fresh base32 TOTP secret."""
    return pyotp.random_base32()


def totp_uri(email: str, secret: str) -> str:
    """Return the otpauth:// URI an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def verify_totp(secret: str, code: str) -> bool:
    """Return True for a valid 6-digit code (one step of clock drift allowed)."""
    code = re.sub(r"\s+", "", code or "")
    if not code.isdigit() or len(code) != 6:
        return False
    return pyotp.TOTP(secret).verify(code, valid_window=1)


def enable_totp(session: Session, user: User, secret: str, code: str) -> None:
    """Turn on the second factor after the user proved the app works; commit."""
    if not may_use_totp(user):
        raise TotpError("Alleen beheerders kunnen een tweede stap aanzetten.")
    if not verify_totp(secret, code):
        raise TotpError("De code klopt niet. Kijk of de tijd op uw telefoon goed staat.")
    user.totp_secret = secret
    add_audit(session, user, "user", user.id, "totp", {"tweede stap": [False, True]})
    session.commit()


def disable_totp(session: Session, user: User, code: str) -> None:
    """Turn off the second factor; needs a valid current code; commit."""
    if not user.totp_secret or not verify_totp(user.totp_secret, code):
        raise TotpError("De code klopt niet.")
    user.totp_secret = None
    add_audit(session, user, "user", user.id, "totp", {"tweede stap": [True, False]})
    session.commit()
