"""The ``wegwijzer`` command: thin click commands that call services.

``base`` holds the group and what all commands share; each other module adds its commands.
"""

from __future__ import annotations

from . import admin, data, ops, referrals, searching, site
from .base import CliError, main

__all__ = ["CliError", "admin", "data", "main", "ops", "referrals", "searching", "site"]
