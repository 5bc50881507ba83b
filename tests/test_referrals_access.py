"""Role by role on every referral route: who sees a referral, who sets its status.

Only the referring organisation, the receiving organisation (for the municipality's own debt
help: its beheerders) and the municipality's beheerders see a referral; everyone else gets
the same 404 as for a code that does not exist. Like tests/test_manage_access.py, the
routes come from the app's url_map, so a new route without an expectation fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from wegwijzer.extensions import db
from wegwijzer.models import LoginAttempt, Referral
from wegwijzer.services.referrals.codes import LOOKUP_FAILURES, format_code

from .manage_support import csrf_token, new_client
from .referrals_support import (
    HELPER,
    HELPER_EDITOR,
    KAMPEN_ADMIN,
    KAMPEN_EDITOR,
    LOOSE_HELPER,
    RECEIVER,
    ZWOLLE_ADMIN,
    build_world,
    logged_in,
    refer,
)

LANG_SWITCH = re.compile(r'<nav class="lang-switch".*?</nav>', re.S)
ACCOUNTS = (
    HELPER,
    HELPER_EDITOR,
    RECEIVER,
    ZWOLLE_ADMIN,
    KAMPEN_ADMIN,
    KAMPEN_EDITOR,
    LOOSE_HELPER,
)
ORG_ACCOUNTS = {HELPER, HELPER_EDITOR, RECEIVER, KAMPEN_EDITOR}
REFERRING = {HELPER, HELPER_EDITOR}
REDACTEUREN = {HELPER_EDITOR, RECEIVER, KAMPEN_EDITOR}
ADMINS = {ZWOLLE_ADMIN, KAMPEN_ADMIN}


def _expected(endpoint: str, method: str, email: str) -> int:
    """The status each account gets (POSTs carry only a valid CSRF token)."""
    sees = email in REFERRING | {ZWOLLE_ADMIN}
    if endpoint in ("referrals.index", "referrals.find") and method == "GET":
        return 200
    if endpoint == "referrals.find":  # POST with the code of the referral
        return 302 if sees else 404
    if endpoint == "referrals.inbox":
        return 200 if email == ZWOLLE_ADMIN else 403
    if endpoint == "referrals.new":
        if email not in ORG_ACCOUNTS:
            return 403
        return 200 if method == "GET" else 400
    if endpoint in ("referrals.detail", "referrals.sheet"):
        return 200 if sees else 404
    if endpoint == "referrals.status":
        if not sees:
            return 404
        return 400 if email == ZWOLLE_ADMIN else 403
    if endpoint == "referrals.intakes":
        return 200 if email in REDACTEUREN | ADMINS else 403
    if endpoint == "referrals.intake_save":
        return 302 if email == ZWOLLE_ADMIN else 403
    if endpoint == "referrals.figures_page":
        return 403 if email == LOOSE_HELPER else 200
    raise AssertionError(f"no expectation for {endpoint} {method}: add one")


@pytest.fixture
def world(app: Flask, make_organization, make_service) -> dict[str, Any]:
    w = build_world(make_organization, make_service)
    referral = refer(w)
    return {
        "world": w,
        "code": format_code(referral.code),
        "service_id": w.debt_help.id,
        "service_key": w.debt_help.slug,
    }


def _routes(app: Flask, values: dict[str, Any]) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("referrals."):
            continue
        url = rule.build({arg: values[arg] for arg in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


def test_route_list_covers_the_referral_area(app: Flask, world) -> None:
    endpoints = {e for e, _m, _u in _routes(app, world)}
    assert {"referrals.new", "referrals.inbox", "referrals.status", "referrals.figures_page"} <= (
        endpoints
    )
    assert len(endpoints) >= 10


def test_anonymous_is_sent_to_login_everywhere(app: Flask, world) -> None:
    client = new_client(app)
    token = csrf_token(client, "/beheer/login")
    for endpoint, method, url in _routes(app, world):
        resp = client.open(url, method=method, data={"csrf_token": token})
        assert resp.status_code == 302, (endpoint, method, resp.status_code)
        assert "/beheer/login" in resp.headers["Location"], endpoint


@pytest.mark.parametrize("email", ACCOUNTS)
def test_every_route_with_every_role(app: Flask, world, email: str) -> None:
    client = logged_in(app, email)
    token = csrf_token(client, "/beheer/account")
    code = world["code"]
    for endpoint, method, url in _routes(app, world):
        data: dict[str, Any] = {"csrf_token": token}
        if endpoint == "referrals.find" and method == "POST":
            data["code"] = code
        resp = client.open(url, method=method, data=data)
        expected = _expected(endpoint, method, email)
        assert resp.status_code == expected, (email, endpoint, method, resp.status_code)
        if resp.status_code in (403, 404):
            # The language switch repeats the address asked for; the page itself says nothing.
            page = LANG_SWITCH.sub("", resp.get_data(as_text=True))
            assert "Geldmaatjes" not in page, (email, endpoint)
            if endpoint != "referrals.find":  # the form shows the code typed, nothing more
                assert code not in page, (email, endpoint)


@pytest.mark.parametrize("email", [RECEIVER, KAMPEN_ADMIN, KAMPEN_EDITOR, LOOSE_HELPER])
def test_outsiders_see_no_trace_of_the_referral(app: Flask, world, email: str) -> None:
    client = logged_in(app, email)
    for url in ("/beheer/overdrachten/", "/beheer/overdrachten/cijfers"):
        html = client.get(url).get_data(as_text=True)
        assert world["code"] not in html, (email, url)
        assert "Geldmaatjes Zwolle" not in html or email == RECEIVER, (email, url)


def test_every_post_without_csrf_token_is_refused(app: Flask, world) -> None:
    client = logged_in(app, ZWOLLE_ADMIN)
    for endpoint, method, url in _routes(app, world):
        if method == "POST":
            assert client.post(url, data={"code": world["code"]}).status_code == 400, endpoint
    referral = db.session.scalar(select(Referral))
    assert referral.status == "nieuw" and len(referral.changes) == 1


def test_no_get_changes_a_referral(app: Flask, world) -> None:
    client = logged_in(app, ZWOLLE_ADMIN)
    for _endpoint, method, url in _routes(app, world):
        if method == "GET":
            client.get(url)
    referral = db.session.scalar(select(Referral))
    assert referral.status == "nieuw" and referral.received_at is None


def test_guessing_codes_is_rate_limited_per_account(app: Flask, world) -> None:
    client = logged_in(app, KAMPEN_EDITOR)
    for i in range(LOOKUP_FAILURES):
        assert (
            client.get(f"/beheer/overdrachten/{'23456789A'[:8]}{'BCDEFGHJKM'[i]}").status_code
            == 404
        )
    # The limit holds even for a real code the account could see, and for the form.
    assert client.get(f"/beheer/overdrachten/{world['code']}").status_code == 429
    token = csrf_token(client, "/beheer/overdrachten/code")
    resp = client.post("/beheer/overdrachten/code", data={"csrf_token": token, "code": "X"})
    assert resp.status_code == 429
    assert "Te veel pogingen" in resp.get_data(as_text=True)
    rows = db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key.startswith("r:"))
    )
    assert rows == LOOKUP_FAILURES
    # Another account is not affected.
    helper = logged_in(app, HELPER)
    assert helper.get(f"/beheer/overdrachten/{world['code']}").status_code == 200
