"""Referrals (overdrachten): make one, the inbox of a receiving service, feedback, figures.

The routes live in ``views`` and ``figure_views``; importing them registers them on ``bp``.
"""

from __future__ import annotations

from . import figure_views, views  # noqa: F401  (each import registers its routes)
from .blueprint import bp

__all__ = ["bp"]
