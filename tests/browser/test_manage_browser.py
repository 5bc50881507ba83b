"""Beheer pages in headless Chromium: axe on the login and main pages, keyboard login."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import Location, Service, User
from wegwijzer.services import accounts

EMAIL = "browser-beheer@zwolle.nl"
PASSWORD = "lange wachtzin voor de browsertest"


@pytest.fixture(scope="module")
def ids(live_app: Flask) -> dict[str, str]:
    """A beheerder of the demo municipalities and a demo service, location and organisation."""
    with live_app.app_context():
        if db.session.scalar(select(User).where(User.email == EMAIL)) is None:
            user = accounts.create_user(
                db.session, EMAIL, "beheerder", gm_codes=["GM0193", "GM0166", "GM0148"]
            )
            accounts.set_password(db.session, user, PASSWORD)
        svc = db.session.scalars(
            select(Service)
            .where(Service.service_areas.any(gm_code="GM0193"))
            .order_by(Service.name)
        ).first()
        loc = db.session.scalars(
            select(Location).where(Location.organization_id == svc.organization_id)
        ).first()
        result = {"service": svc.id, "org": svc.organization_id, "slug": svc.slug}
        if loc is not None:
            result["location"] = loc.id
        return result


@pytest.fixture
def logged_in(browser: Any, live_server: str, ids: dict[str, str]) -> Iterator[Any]:
    """The browser, logged in through the real form with the keyboard; logged out afterwards."""
    browser.get(f"{live_server}/beheer/login")
    browser.find_element(By.ID, "email").send_keys(EMAIL)
    password = browser.find_element(By.ID, "password")
    password.send_keys(PASSWORD)
    password.send_keys(Keys.ENTER)
    assert browser.current_url.rstrip("/").endswith("/beheer"), browser.current_url
    yield browser
    browser.get(f"{live_server}/beheer/")
    buttons = browser.find_elements(By.XPATH, "//button[normalize-space()='Uitloggen']")
    if buttons:
        buttons[0].click()
    browser.delete_all_cookies()


def _clean(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in ("serious", "critical", "moderate")]


def test_login_page_is_accessible(browser: Any, live_server: str, axe_violations) -> None:
    browser.get(f"{live_server}/beheer/login")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Inloggen voor beheer"
    assert _clean(axe_violations(browser)) == []


def test_main_beheer_pages_are_accessible(
    logged_in: Any, live_server: str, ids: dict[str, str], axe_violations, third_party_requests
) -> None:
    pages = [
        "/beheer/",
        "/beheer/diensten",
        f"/beheer/diensten/{ids['service']}",
        "/beheer/diensten/nieuw",
        "/beheer/organisaties",
        f"/beheer/organisaties/{ids['org']}",
        "/beheer/beoordelen",
        "/beheer/verouderd",
        "/beheer/meldingen",
        "/beheer/audit",
        "/beheer/gebruikers",
        "/beheer/gebruikers/nieuw",
        "/beheer/account",
        "/beheer/import-export",
    ]
    if "location" in ids:
        pages.append(f"/beheer/locaties/{ids['location']}")
    problems = {}
    for path in pages:
        logged_in.get(f"{live_server}{path}")
        assert "Geen toegang" not in logged_in.page_source, path
        found = _clean(axe_violations(logged_in))
        if found:
            problems[path] = found
    assert problems == {}
    # The location map loads Leaflet from the app itself; tiles are not requested in tests.
    assert [u for u in third_party_requests(logged_in) if "pdok" not in u] == []
