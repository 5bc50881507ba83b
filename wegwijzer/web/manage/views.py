"""Beheer: management pages for municipalities and organisations.

The routes live in one module per area; importing them here registers them on ``bp``.
"""

from __future__ import annotations

from . import account_views, dashboard_views  # noqa: F401  (registers the routes)
from .blueprint import bp

__all__ = ["bp"]
