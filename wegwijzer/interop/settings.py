"""Load each municipality's own settings (debt-help service, volunteer contact) from JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..models import Municipality, Service
from .report import ImportFailed
from .schema import max_length

_CONTACT_FIELDS = ("name", "phone", "email", "hours")
#: The column widths of ``Municipality.volunteer_contact_*``.
_LIMITS: dict[str, int] = {
    key: max_length(Municipality, f"volunteer_contact_{key}") or 0 for key in _CONTACT_FIELDS
}


def load_municipality_settings(session: Session, path: str | Path) -> int:
    """Set debt_help_service_id and volunteer_contact_* per municipality; return how many.

    The file maps GM codes to settings: ``{"GM0193": {"debt_help_service_id": "…",
    "volunteer_contact": {"name", "phone", "email", "hours"}}}`` (a list of objects with
    ``gm_code`` works too). Everything is checked first; ImportFailed names the bad entry and
    nothing is written. Commits.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ImportFailed(f"Kan {path} niet lezen: {exc.strerror or exc}.") from exc
    except (ValueError, RecursionError) as exc:
        raise ImportFailed(f"{path.name}: geen geldige JSON ({exc}).") from exc
    if isinstance(data, list):
        entries = {}
        for i, item in enumerate(data, 1):
            if not isinstance(item, dict) or not isinstance(item.get("gm_code"), str):
                raise ImportFailed(f"{path.name}: item {i} heeft geen gm_code.", row=i)
            entries[item["gm_code"]] = item
    elif isinstance(data, dict):
        entries = data
    else:
        raise ImportFailed(f"{path.name}: verwacht een object met GM-codes als sleutels.")
    updates: list[tuple[Municipality, dict[str, Any]]] = []
    for code, settings in entries.items():
        where = f"{path.name}: {code}"
        muni = session.get(Municipality, str(code).strip().upper())
        if muni is None:
            raise ImportFailed(f"{where}: onbekende gemeentecode.", field="gm_code")
        if not isinstance(settings, dict):
            raise ImportFailed(f"{where}: verwacht een object.")
        values: dict[str, Any] = {}
        if "debt_help_service_id" in settings:
            service_id = settings["debt_help_service_id"]
            if service_id is not None and (
                not isinstance(service_id, str) or session.get(Service, service_id) is None
            ):
                raise ImportFailed(
                    f"{where}: de dienst {service_id} (debt_help_service_id) bestaat niet.",
                    field="debt_help_service_id",
                )
            values["debt_help_service_id"] = service_id
        if "volunteer_contact" in settings:
            contact = settings["volunteer_contact"] or {}
            if not isinstance(contact, dict):
                raise ImportFailed(f"{where}: volunteer_contact moet een object zijn.")
            for key in _CONTACT_FIELDS:
                value = contact.get(key)
                if value is not None and (not isinstance(value, str) or len(value) > _LIMITS[key]):
                    raise ImportFailed(
                        f"{where}: volunteer_contact.{key} moet tekst zijn van hoogstens "
                        f"{_LIMITS[key]} tekens.",
                        field=f"volunteer_contact.{key}",
                    )
                values[f"volunteer_contact_{key}"] = value.strip() if value else None
        updates.append((muni, values))
    for muni, values in updates:
        for key, value in values.items():
            setattr(muni, key, value)
    session.commit()
    return len(updates)
