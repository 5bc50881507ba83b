"""Beheer: management pages for municipalities and organisations.

The routes live in one module per area; importing them here registers them on ``bp``.
"""

from __future__ import annotations

from . import (  # noqa: F401  (each import registers its routes)
    account_views,
    interop_views,
    organization_views,
    overview_views,
    service_actions,
    service_views,
)
from .blueprint import bp

__all__ = ["bp"]
