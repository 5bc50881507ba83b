"""Spreadsheet safety for imports and exports (the guard itself lives in services.text)."""

from __future__ import annotations

from ..domain.text import FORMULA_STARTS, safe_cell, unsafe_cell

__all__ = ["FORMULA_STARTS", "safe_cell", "unsafe_cell"]
