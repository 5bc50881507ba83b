"""The public site: search, service and organisation pages, the handover sheet, the map,
the "klopt er iets niet?" form and the statements. Importing ``report`` registers its route.
"""

from __future__ import annotations

from . import report  # noqa: F401
from .views import bp

__all__ = ["bp"]
