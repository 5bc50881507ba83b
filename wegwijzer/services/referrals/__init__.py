"""Referrals (overdrachten): a helper hands a resident over, the service reports back.

No personal data of residents enters here: see ``models.referral``. The modules:
``codes`` (the short code and its look-up limit), ``terms`` (the legal terms and signals),
``intake`` (which services accept referrals, and who receives them), ``records`` (making a
referral and setting its status), ``lists`` (inbox, sent referrals, one referral),
``figures`` (counts for the yearly talk, CSV), ``retention`` (deleting the history) and
``notify`` (mail without personal data).
"""

from __future__ import annotations


class ReferralError(ValueError):
    """Input the service refuses; ``field`` names the form field, the message says why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(PermissionError):
    """This account may not do this with this referral or service (the page answers 403)."""


class NotFound(LookupError):
    """No such referral or service, or none this account may see (the page answers 404)."""


class TooManyLookups(RuntimeError):
    """The account tried too many wrong codes; it waits before trying again (429)."""
