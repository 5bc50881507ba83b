"""Facts about the whole site stored in the database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Setting

#: Setting that marks a database holding the fictional demo directory.
DEMO_FLAG = "demo"


def is_demo(session: Session) -> bool:
    """Return True when the demo directory has been loaded into this database."""
    row = session.get(Setting, DEMO_FLAG)
    return row is not None and row.value == "1"
