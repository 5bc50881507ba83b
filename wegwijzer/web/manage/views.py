"""Beheer: management pages for municipalities and organisations."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/beheer")
