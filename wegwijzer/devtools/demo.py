"""Load the fictional demo directory shipped in ``data/demo``."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from ..interop import import_file, load_municipality_settings
from ..models import Setting
from ..services.site import DEMO_FLAG


def load_demo(app: Flask, session: Session) -> str:
    """Import the demo services and municipality settings; return a one-line summary."""
    demo_dir = Path(app.config["DATA_DIR"]) / "demo"
    report = import_file(
        demo_dir / "services.json",
        "hsds",
        dry_run=False,
        actor="demo",
        user_id=None,
        max_bytes=app.config["MAX_IMPORT_BYTES"],
    )
    if not report.ok:
        problems = "; ".join(str(p) for p in report.problems[:3])
        raise RuntimeError(f"De voorbeeldgegevens konden niet worden geladen: {problems}")
    load_municipality_settings(session, demo_dir / "municipalities.json")
    row = session.get(Setting, DEMO_FLAG) or Setting(key=DEMO_FLAG)
    row.value = "1"
    session.add(row)
    session.commit()
    return report.summary()
