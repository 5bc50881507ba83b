"""The guided route (wegwijzer) and referral guidance for helpers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("route", __name__)
