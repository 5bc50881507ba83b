"""Coverage (dekking): where the local offer overlaps and where help is missing."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("coverage", __name__, url_prefix="/beheer/dekking")
