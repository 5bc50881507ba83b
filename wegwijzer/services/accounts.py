"""Accounts: creating users, passwords (argon2id), one-time links and login throttling."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Municipality,
    Organization,
    Role,
    Token,
    User,
    UserMunicipality,
    utcnow,
)
from .audit import add_audit, diff
from .throttle import add_attempt, count_attempts, private_key
from .totp import verify_totp

PASSWORD_MIN = 12
#: Long passphrases are welcome; the cap only stops absurd inputs from costing hashing time.
PASSWORD_MAX = 128
#: Failures per account+IP within THROTTLE_WINDOW before the next attempt gets a 429.
THROTTLE_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=1)
#: Failed logins from one address, whatever the accounts, within ADDRESS_WINDOW before the
#: next attempt gets a 429: one address cannot try a password on many accounts.
ADDRESS_FAILURES = 20
ADDRESS_WINDOW = timedelta(minutes=10)
#: Per-address rows start with this, so they can be forgotten after ADDRESS_WINDOW.
ADDRESS_KEY_PREFIX = "a:"
INVITE_HOURS = 72
RESET_HOURS = 2


@functools.cache
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    """Return the argon2id hasher with the configured cost (RFC 9106 defaults)."""
    cfg = current_app.config
    return _hasher_for(
        cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"]
    )


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SEQUENCES = (
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_EDGE = string.digits + string.punctuation + " "


class AccountError(ValueError):
    """A request about an account cannot be done; the message says why, in Dutch."""


class PasswordPolicyError(AccountError):
    """The new password does not meet the policy."""


class TokenError(AccountError):
    """A password link is unknown, used or expired."""


class Throttled(AccountError):
    """Too many failed logins for this account, or from this address; try again later."""


@functools.cache
def _common_passwords(path: str) -> frozenset[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().lower() for s in lines if s.strip() and not s.startswith("#"))


def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords and password cores (lowercase)."""
    from flask import current_app

    return _common_passwords(str(Path(current_app.config["DATA_DIR"]) / "common-passwords.txt"))


def _repeating_unit(text: str) -> str:
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _is_sequence(text: str) -> bool:
    return any(text in seq or text in seq[::-1] for seq in _SEQUENCES)


def is_common_password(password: str) -> bool:
    """Return True for well-known passwords, also with digits or signs around them."""
    lowered = password.lower().strip()
    if len(set(lowered)) <= 2 or _is_sequence(lowered):
        return True
    unit = _repeating_unit(lowered)
    core = unit.strip(_EDGE)
    known = common_passwords()
    candidates = {lowered, unit, core, core.translate(_LEET), unit.translate(_LEET)}
    if any(c in known for c in candidates):
        return True
    if not core:
        # Only digits and signs: refuse the predictable ones (sequences, repeats).
        return _is_sequence(unit) or len(set(unit)) <= 2
    # Two known words glued together ("welkomwelkom2024", "qwertypassword").
    for i in range(3, len(core) - 2):
        if core[:i] in known and core[i:].strip(_EDGE) in known:
            return True
    return _is_sequence(core)


def check_password(password: str, email: str | None = None) -> None:
    """Raise PasswordPolicyError with a Dutch message when ``password`` is not allowed."""
    if len(password) < PASSWORD_MIN:
        raise PasswordPolicyError(
            f"Het wachtwoord is te kort: gebruik minstens {PASSWORD_MIN} tekens. "
            "Een zin van een paar woorden werkt goed."
        )
    if len(password) > PASSWORD_MAX:
        raise PasswordPolicyError(
            f"Het wachtwoord is te lang: gebruik hoogstens {PASSWORD_MAX} tekens."
        )
    if is_common_password(password):
        raise PasswordPolicyError(
            "Dit wachtwoord wordt veel gebruikt en is makkelijk te raden. "
            "Kies een ander wachtwoord."
        )
    local = (email or "").split("@")[0].lower()
    if len(local) >= 4 and local in password.lower():
        raise PasswordPolicyError(
            "Het wachtwoord lijkt op uw e-mailadres. Kies een ander wachtwoord."
        )


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    """Return True when ``password`` matches; upgrade the hash when parameters changed."""
    if not user.password_hash:
        # Spend the same time as a real check, so unknown accounts are not revealed by timing.
        _dummy_verify(password)
        return False
    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    return True


def _dummy_hash() -> str:
    return _dummy_hash_for(_hasher())


@functools.cache
def _dummy_hash_for(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def _dummy_verify(password: str) -> None:
    with contextlib.suppress(VerificationError):
        _hasher().verify(_dummy_hash(), password)


def normalise_email(email: str) -> str:
    """Return the e-mail address trimmed and in lowercase."""
    return (email or "").strip().lower()


def find_user(session: Session, email: str) -> User | None:
    """Return the account with this e-mail address, or None."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session,
    email: str,
    role: str,
    *,
    gm_codes: Iterable[str] = (),
    organization_ids: Iterable[str] = (),
    name: str = "",
    actor: User | str | None = None,
) -> User:
    """Create an account without a password (it gets an invitation link); commit it."""
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise AccountError(f"'{email}' is geen geldig e-mailadres.")
    if role not in {r.value for r in Role}:
        raise AccountError(f"Onbekende rol '{role}': kies beheerder, redacteur of verwijzer.")
    if find_user(session, email) is not None:
        raise AccountError(f"Er is al een account met e-mailadres {email}.")
    user = User(email=email, role=role, name=name.strip(), session_token=secrets.token_hex(16))
    _set_scope(session, user, gm_codes, organization_ids)
    session.add(user)
    session.flush()
    add_audit(
        session,
        actor,
        "user",
        user.id,
        "create",
        {
            "email": [None, email],
            "role": [None, role],
            "gemeenten": [None, sorted(user.gm_codes)],
            "organisaties": [None, sorted(user.organization_ids)],
        },
    )
    session.commit()
    return user


def _set_scope(
    session: Session, user: User, gm_codes: Iterable[str], organization_ids: Iterable[str]
) -> None:
    codes = sorted({c.strip().upper() for c in gm_codes if c and c.strip()})
    org_ids = sorted({o.strip() for o in organization_ids if o and o.strip()})
    known = set(
        session.scalars(select(Municipality.gm_code).where(Municipality.gm_code.in_(codes)))
    )
    missing = [c for c in codes if c not in known]
    if missing:
        raise AccountError(f"Onbekende gemeentecode: {', '.join(missing)}.")
    orgs = list(session.scalars(select(Organization).where(Organization.id.in_(org_ids))))
    missing = sorted(set(org_ids) - {o.id for o in orgs})
    if missing:
        raise AccountError(f"Onbekende organisatie: {', '.join(missing)}.")
    if user.role == Role.ADMIN and not codes:
        raise AccountError("Een beheerder hoort bij minstens één gemeente.")
    if user.role == Role.EDITOR and not org_ids:
        raise AccountError("Een redacteur hoort bij minstens één organisatie.")
    user.municipalities = [UserMunicipality(gm_code=c) for c in codes]
    user.organizations = orgs


def update_user(
    session: Session,
    user: User,
    *,
    role: str,
    name: str,
    gm_codes: Iterable[str],
    organization_ids: Iterable[str],
    is_active: bool,
    actor: User | str | None,
) -> None:
    """Change an account's role, scope or active state; log it; commit."""
    if role not in {r.value for r in Role}:
        raise AccountError(f"Onbekende rol '{role}'.")
    before = _user_snapshot(user)
    user.role = role
    user.name = name.strip()
    user.is_active = is_active
    try:
        _set_scope(session, user, gm_codes, organization_ids)
    except AccountError:
        session.rollback()
        raise
    if not is_active or before["rol"] != role:
        # A blocked account or a new role ends every open session of that person.
        user.session_token = secrets.token_hex(16)
    after = _user_snapshot(user)
    changes = diff(before, after)
    if changes:
        add_audit(session, actor, "user", user.id, "update", changes)
    session.commit()


def _user_snapshot(user: User) -> dict[str, object]:
    return {
        "naam": user.name,
        "rol": user.role,
        "actief": user.is_active,
        "gemeenten": sorted(user.gm_codes),
        "organisaties": sorted(user.organization_ids),
    }


def set_password(
    session: Session, user: User, password: str, actor: User | str | None = None
) -> None:
    """Check the policy, store an argon2id hash, end other sessions; commit."""
    check_password(password, user.email)
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)
    add_audit(session, actor or user, "user", user.id, "password-set")
    session.commit()


# --- one-time links ---------------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    session: Session, user: User, purpose: str, actor: User | str | None = None
) -> str:
    """Return a new one-time link token (only its hash is stored); older links stop working."""
    if purpose not in ("invite", "reset"):
        raise AccountError(f"Onbekend doel '{purpose}'.")
    now = utcnow()
    for old in session.scalars(
        select(Token).where(Token.user_id == user.id, Token.used_at.is_(None))
    ):
        old.used_at = now
    raw = secrets.token_urlsafe(32)
    hours = INVITE_HOURS if purpose == "invite" else RESET_HOURS
    session.add(
        Token(
            user_id=user.id,
            token_hash=_token_hash(raw),
            purpose=purpose,
            expires_at=now + timedelta(hours=hours),
        )
    )
    add_audit(session, actor or "systeem", "user", user.id, "token-created", comment=purpose)
    session.commit()
    return raw


def _valid_token(session: Session, raw: str) -> Token:
    token = session.scalar(select(Token).where(Token.token_hash == _token_hash(raw or "")))
    if token is None or token.used_at is not None:
        raise TokenError("Deze link werkt niet (meer). Vraag een nieuwe link aan.")
    if token.expires_at < utcnow():
        raise TokenError("Deze link is verlopen. Vraag een nieuwe link aan.")
    return token


def token_user(session: Session, raw: str) -> User:
    """Return the account of a valid, unused link; raise TokenError otherwise."""
    token = _valid_token(session, raw)
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise TokenError("Deze link werkt niet (meer). Vraag een nieuwe link aan.")
    return user


def set_password_with_token(session: Session, raw: str, password: str) -> User:
    """Set the password through a one-time link and use the link up, in one transaction."""
    token = _valid_token(session, raw)
    user = token_user(session, raw)
    check_password(password, user.email)
    token.used_at = utcnow()
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)
    add_audit(session, user, "user", user.id, "password-set", comment=token.purpose)
    session.commit()
    return user


# --- login and throttling ---------------------------------------------------------------------


def _throttle_key(email: str, ip: str) -> str:
    return private_key("login", normalise_email(email), ip)


def is_throttled(session: Session, email: str, ip: str) -> bool:
    """Return True when this account+IP had THROTTLE_FAILURES failures in the last minute."""
    return count_attempts(session, _throttle_key(email, ip), THROTTLE_WINDOW) >= THROTTLE_FAILURES


def record_failure(session: Session, email: str, ip: str) -> None:
    """Remember one failed login (and forget failures older than a day); commit."""
    add_attempt(session, _throttle_key(email, ip), prefix="", window=timedelta(days=1))
    session.commit()


def _address_key(ip: str) -> str:
    # Only a keyed hash of the address is kept, and only for ADDRESS_WINDOW.
    return ADDRESS_KEY_PREFIX + private_key("login-address", ip)[:62]


def _check_throttle(session: Session, email: str, ip: str) -> None:
    """Raise Throttled when this account+IP, or this IP over all accounts, failed too often."""
    if is_throttled(session, email, ip):
        raise Throttled("Te veel mislukte pogingen. Wacht een minuut en probeer het opnieuw.")
    if count_attempts(session, _address_key(ip), ADDRESS_WINDOW) >= ADDRESS_FAILURES:
        raise Throttled(
            "Te veel mislukte pogingen vanaf dit adres. Wacht tien minuten en probeer het opnieuw."
        )


def _record_login_failure(session: Session, email: str, ip: str) -> None:
    """Count a failed login for the account+IP and for the IP alone; commit."""
    add_attempt(session, _address_key(ip), prefix=ADDRESS_KEY_PREFIX, window=ADDRESS_WINDOW)
    record_failure(session, email, ip)


@dataclass
class LoginCheck:
    user: User | None
    needs_totp: bool = False


def check_login(session: Session, email: str, password: str, ip: str) -> LoginCheck:
    """Check e-mail and password; raise Throttled on too many failures; record failures."""
    _check_throttle(session, email, ip)
    user = find_user(session, email)
    if user is None:
        _dummy_verify(password)
        ok = False
    else:
        ok = verify_password(user, password)
    if not ok or user is None or not user.is_active:
        _record_login_failure(session, email, ip)
        return LoginCheck(None)
    session.commit()  # keeps an upgraded hash
    return LoginCheck(user, needs_totp=bool(user.totp_secret))


def check_totp(session: Session, user: User, code: str, ip: str) -> bool:
    """Check a TOTP code for a user who passed the password step; failures count for throttling."""
    _check_throttle(session, user.email, ip)
    if user.totp_secret and verify_totp(user.totp_secret, code):
        return True
    _record_login_failure(session, user.email, ip)
    return False


def mark_logged_in(session: Session, user: User) -> None:
    """Record the login time and make sure the account has a session token; commit."""
    user.last_login_at = utcnow()
    if not user.session_token:
        user.session_token = secrets.token_hex(16)
    session.commit()


def end_sessions(session: Session, user: User) -> None:
    """End every login session of ``user`` (logout); commit."""
    user.session_token = secrets.token_hex(16)
    session.commit()
