"""Public pages for residents and helpers."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    """Show the start page."""
    return render_template("public/home.html")
