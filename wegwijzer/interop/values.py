"""Plain helpers for import values and messages: ids, dates, counts, short quotes."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any
from urllib.parse import quote, unquote

from .report import Text, nl


def as_uuid(text: Any) -> str | None:
    """Return ``text`` as a canonical UUID string, or None."""
    if not isinstance(text, str) or len(text) > 45:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """Return a date from 2025-01-31 or 31-01-2025, or None."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if match:
        try:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return None
    return None


def type_nl(value: Any) -> Text | str:
    """Return the Dutch name of a JSON value's type, for messages."""
    if value is None:
        return nl("niets")
    if isinstance(value, bool):
        return nl("ja/nee")
    if isinstance(value, int | float):
        return nl("een getal")
    if isinstance(value, str):
        return nl("tekst")
    if isinstance(value, list):
        return nl("een lijst")
    if isinstance(value, dict):
        return nl("een object")
    return type(value).__name__


def number_nl(value: int) -> str:
    """Return a count the Dutch way: 10.000."""
    return f"{value:,}".replace(",", ".")


def too_long(length: int, limit: int) -> Text:
    """Return the message for a text of ``length`` characters over ``limit``."""
    return nl(
        "Te lang: %(length)s tekens, hoogstens %(limit)s.",
        length=number_nl(length),
        limit=number_nl(limit),
    )


def too_many(count: int, most: int) -> Text:
    """Return the message for a list of ``count`` items over ``most``."""
    return nl("Te veel items (%(count)s); hoogstens %(most)s.", count=number_nl(count), most=most)


def clip(value: Any, limit: int = 60) -> str:
    """Return a short printable form of a value, for messages."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Characters a URI may hold as they are (RFC 3986 reserved and unreserved, and ``%``).
_URI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"
_BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def encode_uri(url: str | None) -> str | None:
    """Return a web address with every character a URI may not hold percent-encoded
    (``’`` becomes ``%E2%80%99``, a space ``%20``); an encoded address stays the same."""
    if not url:
        return url
    return quote(_BARE_PERCENT.sub("%25", url.strip()), safe=_URI_SAFE)


_ENCODED_NON_ASCII = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def readable_uri(url: str) -> str:
    """Return a web address with percent-encoded letters outside ASCII decoded (``%E2%80%99``
    becomes ``’``), as people type it; ``encode_uri`` encodes them again on export."""

    def decode(match: re.Match[str]) -> str:
        try:
            return unquote(match.group(0), errors="strict")
        except UnicodeDecodeError:
            return match.group(0)

    return _ENCODED_NON_ASCII.sub(decode, url)
