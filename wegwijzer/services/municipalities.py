"""The municipalities table, filled from the gazetteer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.geo import Gazetteer
from ..models import Municipality, ServiceArea


def load_municipalities(session: Session, gaz: Gazetteer) -> int:
    """Insert or update all municipalities from the gazetteer; return how many there are."""
    existing = {m.gm_code: m for m in session.scalars(select(Municipality))}
    for m in gaz.municipalities():
        row = existing.get(m.gm_code)
        if row is None:
            row = Municipality(gm_code=m.gm_code)
            session.add(row)
        row.name = m.name
        row.province = m.province
        row.lat = m.lat
        row.lon = m.lon
    session.commit()
    return len(gaz.municipalities())


def municipalities_with_services(session: Session) -> list[tuple[str, str]]:
    """Return ``(gm_code, name)`` of every municipality some service covers, by name."""
    rows = session.execute(
        select(Municipality.gm_code, Municipality.name)
        .where(Municipality.gm_code.in_(select(ServiceArea.gm_code)))
        .order_by(Municipality.name)
    )
    return [(code, name) for code, name in rows]
