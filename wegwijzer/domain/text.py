"""Small text helpers shared by services."""

from __future__ import annotations

import re
import unicodedata


def ascii_fold(text: str) -> str:
    """Return ``text`` without accents or other non-ASCII: ``coördinator`` → ``coordinator``."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slugify(text: str, max_length: int = 80) -> str:
    """Return a lowercase ASCII slug for URLs: ``Schuldhulp Zwolle`` → ``schuldhulp-zwolle``."""
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


#: A spreadsheet treats a cell starting with one of these as a formula (Excel, LibreOffice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Return ``value`` as text a spreadsheet shows as-is, never runs (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unsafe_cell(text: str) -> str:
    """Undo :func:`safe_cell`, so exported files import back unchanged."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text
