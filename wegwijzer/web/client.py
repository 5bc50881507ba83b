"""Who is asking: the client's address, for rate limits only (never logged or stored as is)."""

from __future__ import annotations

from flask import request


def client_ip() -> str:
    """Return the client's address (ProxyFix, if configured, sets it from the proxy)."""
    return request.remote_addr or "onbekend"
