"""Read HSDS 3.0 JSON: an array of service objects, or a paged list with ``contents``."""

from __future__ import annotations

import json
from typing import Any

from .reading import decode_text
from .records import RawService
from .report import ImportFailed


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is geen geldig JSON-getal")


def parse_hsds_json(data: bytes) -> tuple[list[RawService], list[str]]:
    """Return the service objects in an HSDS JSON file and any file-level warnings.

    Raises ImportFailed when the file is not JSON or not a list of services.
    """
    text, warning = decode_text(data)
    warnings = [warning] if warning else []
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            f"Geen geldige JSON: {exc.msg} (regel {exc.lineno}, kolom {exc.colno}). Is het "
            "bestand afgebroken of met de hand bewerkt?",
            row=None,
        ) from exc
    except RecursionError as exc:
        raise ImportFailed("De JSON is te diep genest; dit is geen HSDS-bestand.") from exc
    except ValueError as exc:
        # Huge integers (more than 4300 digits) and NaN/Infinity end up here.
        raise ImportFailed(f"Geen geldige JSON: {exc}.") from exc
    return services_from_json(value), warnings


def services_from_json(value: Any) -> list[RawService]:
    """Return the service objects of parsed HSDS JSON (array, paged list or one service)."""
    if isinstance(value, dict):
        if "contents" in value:
            items = value["contents"]
            if not isinstance(items, list):
                raise ImportFailed("'contents' moet een lijst met diensten zijn.", field="contents")
        elif "name" in value and ("id" in value or "organization" in value):
            items = [value]
        else:
            raise ImportFailed(
                "Verwacht een lijst met diensten (HSDS 'service'-objecten) of een object met "
                "'contents'."
            )
    elif isinstance(value, list):
        items = value
    else:
        raise ImportFailed("Verwacht een lijst met diensten (HSDS 'service'-objecten).")
    services: list[RawService] = []
    bad: list[int] = []
    for i, item in enumerate(items, 1):
        if isinstance(item, dict):
            services.append(RawService(i, item))
        else:
            bad.append(i)
    if bad:
        rows = ", ".join(str(i) for i in bad[:10]) + (" …" if len(bad) > 10 else "")
        raise ImportFailed(
            f"Item {rows} in de lijst is geen object; verwacht HSDS 'service'-objecten.",
            row=bad[0],
        )
    return services
