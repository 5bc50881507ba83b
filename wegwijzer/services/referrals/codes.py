"""Referral codes: short, unguessable, easy to read aloud, and looked up at a limited rate.

The alphabet leaves out the look-alikes 0/O, 1/I/L: 31 symbols. Nine of them carry
9 × log2(31) ≈ 44.6 bits, drawn with ``secrets``: about 2.6 × 10¹³ codes, so even with a
million referrals a guess hits one in 26 million times, and an account gets
LOOKUP_FAILURES wrong codes per LOOKUP_WINDOW. A code also opens nothing on its own: every
look-up checks that the account may see the referral.
"""

from __future__ import annotations

import math
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from ..throttle import add_attempt, count_attempts, private_key

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 9
GROUP = 3
#: Entropy of one code in bits (≈ 44.6).
CODE_BITS = CODE_LENGTH * math.log2(len(ALPHABET))
#: Wrong or foreign codes an account may try within LOOKUP_WINDOW before it gets a 429.
LOOKUP_FAILURES = 10
LOOKUP_WINDOW = timedelta(minutes=10)
#: Rows of the code throttle start with this (the login throttle shares the table).
KEY_PREFIX = "r:"
_SEPARATORS = str.maketrans("", "", " -.\t")


def new_code() -> str:
    """Return a fresh random code of CODE_LENGTH symbols from ALPHABET (without dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """Return the code in groups of three for people: ``K7M-4QX-9TR``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(text: str) -> str | None:
    """Return the stored form of a typed code (any case, with or without dashes), or None."""
    code = (text or "").translate(_SEPARATORS).upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def _key(user_id: str) -> str:
    # Only a keyed hash of the account is kept, and only for LOOKUP_WINDOW.
    return KEY_PREFIX + private_key("referral-code", user_id)[:62]


def lookup_throttled(session: Session, user_id: str) -> bool:
    """Return True when the account tried LOOKUP_FAILURES wrong codes within LOOKUP_WINDOW."""
    return count_attempts(session, _key(user_id), LOOKUP_WINDOW) >= LOOKUP_FAILURES


def record_failed_lookup(session: Session, user_id: str) -> None:
    """Count one wrong or foreign code for the account (forget old ones); commit."""
    add_attempt(session, _key(user_id), prefix=KEY_PREFIX, window=LOOKUP_WINDOW)
    session.commit()
