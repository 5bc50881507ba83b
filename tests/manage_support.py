"""Helpers for the beheer tests: accounts, login through the real form, CSRF tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask
from flask.testing import FlaskClient

from wegwijzer.extensions import db
from wegwijzer.models import User
from wegwijzer.services import accounts

PASSWORD = "paarse olifant danst op het dak"
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


# The conftest's IsolatedClient already runs every request in its own application context.
FreshClient = FlaskClient


def new_client(app: Flask) -> FlaskClient:
    """Return a test client with its own cookies."""
    return app.test_client()


def make_user(
    email: str,
    role: str,
    *,
    gm_codes: Iterable[str] = (),
    organization_ids: Iterable[str] = (),
    password: str = PASSWORD,
) -> User:
    """Create an account with a password, as an invited person would have."""
    user = accounts.create_user(
        db.session, email, role, gm_codes=gm_codes, organization_ids=organization_ids
    )
    accounts.set_password(db.session, user, password)
    return user


def csrf_token(client: FlaskClient, url: str) -> str:
    """Return the CSRF token from the form on ``url``."""
    html = client.get(url).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no csrf token on {url}"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, email: str, password: str = PASSWORD):  # noqa: ANN201
    """Log in through the login form; return the response (not followed)."""
    token = csrf_token(client, "/beheer/login")
    return client.post(
        "/beheer/login", data={"csrf_token": token, "email": email, "password": password}
    )


def post(client: FlaskClient, url: str, data: dict | None = None, form_url: str | None = None):  # noqa: ANN201
    """POST with a valid CSRF token taken from ``form_url`` (default: the beheer start page)."""
    token = csrf_token(client, form_url or "/beheer/")
    return client.post(url, data={"csrf_token": token, **(data or {})})
