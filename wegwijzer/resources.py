"""Where the read-only files shipped with Wegwijzer are found, in a checkout and in a wheel.

The project's top-level ``data/`` and ``translations/`` folders are the source. In a checkout
``wegwijzer/data`` and ``wegwijzer/translations`` are symbolic links to them; a built wheel
carries real copies at the same place, so one path works in both.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: Taxonomy, synonyms, signals, route, gazetteer, demo directory, HSDS schemas.
DATA_DIR = PACKAGE_DIR / "data"

#: Compiled message catalogues (``<lang>/LC_MESSAGES/messages.mo``).
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"

#: Alembic migrations.
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
