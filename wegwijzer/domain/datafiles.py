"""The JSON data files (taxonomy, signals): reading one and the messages when that fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_json_list(path: Path, key: str, error: type[ValueError] = ValueError) -> list[Any]:
    """Return the list ``key`` of the JSON object in ``path``; raise ``error`` naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: kan het bestand niet lezen ({exc}).") from exc
    except json.JSONDecodeError as exc:
        raise error(f"{path}: geen geldige JSON (regel {exc.lineno}).") from exc
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise error(f"{path}: verwacht een object met een lijst '{key}'.")
    return items
