"""Response headers (CSP with nonces), login loading and the privacy defaults."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask, Response, g, session
from markupsafe import Markup

from .extensions import db, login_manager
from .models import User


def csp_nonce() -> str:
    """Return this request's CSP nonce for inline ``<script nonce=…>`` and ``<style>`` blocks."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_security(app: Flask) -> None:
    """Install security headers, the login loader and session settings."""
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    login_manager.login_view = "manage.login"
    login_manager.session_protection = "strong"
    login_manager.login_message = None

    @login_manager.user_loader
    def _load_user(key: str) -> object | None:
        user_id, _, token = key.partition(":")
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or (user.session_token or "") != token:
            return None
        return user

    @app.after_request
    def _headers(response: Response) -> Response:
        tile_host = app.config.get("TILE_HOST") or ""
        nonce = g.get("csp_nonce")
        with_nonce = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
        policy = [
            "default-src 'self'",
            f"script-src {with_nonce}",
            # No style="" attributes and no <style> without the nonce: every page's styles are
            # in the stylesheet. Leaflet positions tiles and markers through element.style
            # (the CSS object model), which style-src does not govern, so the map needs no
            # exception.
            f"style-src {with_nonce}",
            f"img-src 'self' data: {tile_host}".strip(),
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
        response.headers["Content-Security-Policy"] = "; ".join(policy)
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        return response

    @app.before_request
    def _refresh_idle_timeout() -> None:
        # Only logged-in people have a session; anonymous visitors get no cookie at all.
        if "_user_id" in session:
            session.permanent = True


def nonce_attr() -> Markup:
    """Return `` nonce="…"`` for templates."""
    return Markup(f' nonce="{csp_nonce()}"')
