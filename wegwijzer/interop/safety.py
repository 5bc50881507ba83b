"""Spreadsheet safety: cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

#: A cell starting with one of these is a formula (or becomes one) in Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Prefix a quote to text a spreadsheet would treat as a formula (CSV injection)."""
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def unsafe_cell(text: str) -> str:
    """Undo :func:`safe_cell`, so exported files import back unchanged."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text
