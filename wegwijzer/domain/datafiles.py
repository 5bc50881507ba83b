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


def new_code(entry: Any, seen: set[str], where: str, error: type[ValueError] = ValueError) -> str:
    """Return the ``code`` of a data file entry and add it to ``seen``: it must be there, in
    lower case, and not in ``seen`` yet; raise ``error`` naming ``where``."""
    code = entry.get("code") if isinstance(entry, dict) else None
    if not isinstance(code, str) or not code or code != code.strip().lower():
        raise error(f"{where}: 'code' ontbreekt of is niet in kleine letters.")
    if code in seen:
        raise error(f"{where}: code '{code}' komt twee keer voor.")
    seen.add(code)
    return code
