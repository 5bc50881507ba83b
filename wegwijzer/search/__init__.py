"""Search: the only package that imports whoosh."""

from __future__ import annotations

from flask import Flask


def init_search(app: Flask) -> None:
    """Attach the search index to the app (built lazily on first use)."""


def ensure_index(app: Flask) -> int:
    """Make sure the index exists and is current; return the number of indexed services."""
    return 0
