"""The app's offline gazetteer: places, postcodes and municipalities from the data directory."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from .geo import Gazetteer


def gazetteer() -> Gazetteer:
    """Return the app's gazetteer (loaded once per process and data directory)."""
    return Gazetteer.load(Path(current_app.config["DATA_DIR"]) / "gazetteer")
