"""Health endpoints for load balancers and monitoring: ``/healthz`` and ``/readyz``.

Both answer JSON without cookies, without personal data and without echoing the request;
``Cache-Control: no-store`` keeps proxies from answering for the process.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ...extensions import db
from ...services.health import readiness

bp = Blueprint("health", __name__)


def _json(body: dict[str, Any], status: int) -> Response:
    resp = jsonify(body)
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive and answers requests (no database, no index)."""
    return _json({"status": "alive"}, 200)


@bp.get("/readyz")
def readyz() -> Response:
    """The process can serve: database reachable, index open; with the index's lag."""
    ready, body = readiness(db.session)
    return _json(body, 200 if ready else 503)
