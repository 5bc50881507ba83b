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


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Return the Damerau-Levenshtein distance (adjacent swaps count 1), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]
