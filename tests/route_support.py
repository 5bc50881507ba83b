"""Test clients for the route tests: every request starts with a clean ``g``."""

from __future__ import annotations

from typing import Any

from flask import Flask, g

from tests.manage_support import FreshClient


class RouteClient(FreshClient):
    """Also forget Flask-Babel's cached locale, so ``?lang=`` counts on every request.

    The ``app`` fixture keeps one application context (and one ``g``) open for a whole test.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        g.pop("_flask_babel", None)
        return super().open(*args, **kwargs)


def route_client(app: Flask) -> RouteClient:
    """Return a client with its own cookies and a clean ``g`` for every request."""
    app.test_client_class = RouteClient
    return app.test_client()  # type: ignore[return-value]
