"""Helpers shared by the public-site tests and the page-weight benchmark."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent

HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def assert_private_response(response: Any) -> None:
    """Check the privacy and security headers every public response must carry."""
    assert "Set-Cookie" not in response.headers, response.headers.get("Set-Cookie")
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value
    csp = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] in ("'self'", "'none'")


def inline_scripts_have_nonce(html: str, response: Any) -> bool:
    """Return True when every inline ``<script>`` carries this response's CSP nonce."""
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    for tag in re.findall(r"<script\b[^>]*>", html):
        if "src=" in tag:
            continue
        if nonce is None or f'nonce="{nonce.group(1)}"' not in tag:
            return False
    return True


def page_weight(client: FlaskClient, url: str) -> tuple[int, dict[str, int]]:
    """Return the HTML size and the size of each stylesheet, script and image it loads."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assets: dict[str, int] = {}
    for ref in re.findall(r'<(?:link|script|img)\b[^>]*(?:href|src)="([^"]+)"', html):
        if not ref.startswith("/static/"):
            continue
        with client.get(ref) as asset:
            assert asset.status_code == 200, ref
            body = asset.get_data()
        assets[ref] = len(body)
        if ref.endswith(".css"):
            # Images a stylesheet uses (Leaflet's marker icons) count too.
            base = ref.rsplit("/", 1)[0]
            for img in re.findall(r"url\(([^)\"']+\.png)\)", body.decode("utf-8")):
                with client.get(f"{base}/{img}") as extra:
                    if extra.status_code == 200:
                        assets[f"{base}/{img}"] = len(extra.get_data())
    response.close()
    return len(response.data), assets


def build_live_app(tmp: Path, **config: Any) -> Flask:
    """Create an app in ``tmp`` with taxonomy, municipalities, the demo set and a search index."""
    from wegwijzer import create_app
    from wegwijzer.devtools.demo import load_demo
    from wegwijzer.domain.places import gazetteer
    from wegwijzer.extensions import db
    from wegwijzer.infra.database import upgrade_database
    from wegwijzer.search import ensure_index
    from wegwijzer.services.municipalities import load_municipalities
    from wegwijzer.services.taxonomy import load_taxonomies

    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret-key-not-for-production",
            "DATABASE_URL": f"sqlite:///{tmp / 'wegwijzer.sqlite3'}",
            "INDEX_DIR": str(tmp / "index"),
            "SESSION_COOKIE_SECURE": False,
            **config,
        },
        instance_path=str(tmp / "instance"),
    )
    with app.app_context():
        upgrade_database(app)
        load_taxonomies(db.session, ROOT / "data" / "taxonomy.json")
        load_municipalities(db.session, gazetteer())
        load_demo(app, db.session)
        ensure_index(app)
    return app
