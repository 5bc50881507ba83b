"""Referrals in headless Chromium: helper → receiving service → feedback, the term signal, axe.

A volunteer of Samen Rond Zwolle refers a resident to Zwolle's own debt help through the real
forms; a beheerder of Zwolle finds it in the inbox and sets statuses; the volunteer sees the
feedback. Every new page has no axe violations in Dutch and in English.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy import select

from tests.browser_support import page_replaced
from wegwijzer.domain.hours import today
from wegwijzer.extensions import db
from wegwijzer.models import Municipality, Organization, Referral, User
from wegwijzer.services import accounts
from wegwijzer.services.referrals.codes import format_code
from wegwijzer.services.referrals.records import NewReferral, create_referral

pytestmark = pytest.mark.browser

HELPER = "browser-vrijwilliger@samenrondzwolle.nl"
RECEIVER = "browser-schuldhulp@zwolle.nl"
PASSWORD = "lange wachtzin voor de overdrachttest"


@pytest.fixture(scope="module")
def setup(live_app: Flask) -> dict[str, str]:
    """Accounts, the debt help of Zwolle, and a referral nobody touched for ten days."""
    with live_app.app_context():
        org = db.session.scalar(
            select(Organization).where(Organization.name == "Samen Rond Zwolle")
        )
        for email, role, kw in (
            (HELPER, "verwijzer", {"organization_ids": [org.id], "gm_codes": ["GM0193"]}),
            (RECEIVER, "beheerder", {"gm_codes": ["GM0193"]}),
        ):
            if db.session.scalar(select(User).where(User.email == email)) is None:
                user = accounts.create_user(db.session, email, role, **kw)
                accounts.set_password(db.session, user, PASSWORD)
        debt_help = db.session.get(Municipality, "GM0193").debt_help_service
        helper = db.session.scalar(select(User).where(User.email == HELPER))
        stale = create_referral(
            db.session,
            helper,
            NewReferral(
                service_id=debt_help.id,
                organization_id=org.id,
                gm_code="GM0193",
                urgency="afsluiting",
                prepared=[0],
                feedback_consent=True,
            ),
            today=today() - timedelta(days=10),
        )
        return {
            "slug": debt_help.slug,
            "service_id": debt_help.id,
            "stale": format_code(stale.code),
        }


def _submit(driver: Any, form_css: str = "main form[method=post] button[type=submit]") -> None:
    buttons = [b for b in driver.find_elements(By.CSS_SELECTOR, form_css) if b.is_displayed()]
    button = buttons[-1]
    button.click()
    WebDriverWait(driver, 30).until(page_replaced(button))


def _login(driver: Any, base: str, email: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/beheer/login")
    driver.find_element(By.ID, "email").send_keys(email)
    password = driver.find_element(By.ID, "password")
    password.send_keys(PASSWORD)
    password.send_keys(Keys.ENTER)
    WebDriverWait(driver, 30).until(lambda d: d.current_url.rstrip("/").endswith("/beheer"))


def _choose(driver: Any, name: str, value: str) -> None:
    radio = driver.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]')
    driver.find_element(By.CSS_SELECTOR, f'label[for="{radio.get_attribute("id")}"]').click()
    assert radio.is_selected()


def _no_violations(driver: Any, axe: Callable[[Any], list], where: str) -> None:
    assert "Geen toegang" not in driver.page_source, where
    violations = axe(driver)
    assert violations == [], f"{where}: {violations}"


def test_helper_refers_service_reports_back_helper_sees_it(
    browser: Any, live_server: str, setup: dict[str, str], live_app: Flask, axe_violations
) -> None:
    _login(browser, live_server, HELPER)
    # From the service page to the referral form.
    browser.get(f"{live_server}/hulp/{setup['slug']}")
    browser.find_element(By.LINK_TEXT, "Overdracht met terugkoppeling maken").click()
    assert "/beheer/overdrachten/nieuw/" in browser.current_url
    _no_violations(browser, axe_violations, "nieuw")
    assert not browser.find_elements(By.CSS_SELECTOR, "textarea, input[type=text]")
    _choose(browser, "urgentie", "huisuitzetting")
    browser.find_element(By.CSS_SELECTOR, 'label[for="voorbereid-0"]').click()
    _choose(browser, "toestemming", "ja")
    _submit(browser)
    code = browser.find_element(By.CSS_SELECTOR, "h1 .overdracht-code").text
    assert "De overdracht is gemaakt" in browser.page_source
    _no_violations(browser, axe_violations, "gemaakt")
    # The handover sheet carries the code.
    browser.find_element(By.LINK_TEXT, "Overdrachtsformulier met deze code afdrukken").click()
    assert code in browser.find_element(By.CSS_SELECTOR, ".overdracht-code-blok").text

    # The municipality's beheerder receives it in the inbox of its own debt help.
    _login(browser, live_server, RECEIVER)
    browser.get(f"{live_server}/beheer/overdrachten/inbox/{setup['service_id']}")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.overdrachten tbody tr")
    codes = [
        r.find_element(By.CSS_SELECTOR, "th").text
        for r in rows
        if r.find_elements(By.CSS_SELECTOR, "th")
    ]
    # Urgency first: the eviction threat comes before the older disconnection threat.
    assert codes[:2] == [code, setup["stale"]], codes
    browser.find_element(By.LINK_TEXT, code).click()
    _choose(browser, "status", "ontvangen")
    _submit(browser)
    assert "De status is opgeslagen." in browser.page_source
    _choose(browser, "status", "gesprek-gepland")
    planned = today() + timedelta(days=1)
    browser.execute_script(
        "document.getElementById('gesprek_op').value = arguments[0];", planned.isoformat()
    )
    _submit(browser)
    assert "Eerste gesprek gepland" in browser.page_source

    # The helper sees the feedback, and the untouched referral flagged.
    _login(browser, live_server, HELPER)
    browser.get(f"{live_server}/beheer/overdrachten/")
    table = browser.find_element(By.CSS_SELECTOR, "table.overdrachten").text
    assert "Eerste gesprek gepland" in table
    flagged = browser.find_element(By.CSS_SELECTOR, "tr.met-signaal").text
    assert setup["stale"] in flagged
    assert "Termijn voorbij: nog geen eerste gesprek gepland" in flagged
    browser.get(f"{live_server}/beheer/overdrachten/{setup['stale']}")
    assert "Neem contact op met de inwoner en met de dienst" in browser.page_source
    with live_app.app_context():
        stored = db.session.scalar(select(Referral).where(Referral.code == code.replace("-", "")))
        assert stored.status == "gesprek-gepland" and stored.urgency == "huisuitzetting"
        assert stored.first_conversation_on == planned


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_referral_pages_have_no_axe_violations(
    browser: Any, live_server: str, setup: dict[str, str], axe_violations, lang: str
) -> None:
    code = setup["stale"]
    pages = {
        HELPER: [
            "/beheer/overdrachten/",
            f"/beheer/overdrachten/nieuw/{setup['slug']}",
            f"/beheer/overdrachten/{code}",
            f"/beheer/overdrachten/{code}/formulier",
            "/beheer/overdrachten/code",
            "/beheer/overdrachten/cijfers",
        ],
        RECEIVER: [
            "/beheer/overdrachten/",
            f"/beheer/overdrachten/inbox/{setup['service_id']}",
            f"/beheer/overdrachten/{code}",
            "/beheer/overdrachten/ontvangen",
            "/beheer/overdrachten/cijfers",
            "/beheer/overdrachten/cijfers?per=verwijzer&periode=kwartaal",
            "/beheer/overdrachten/cijfers?afdrukken=1",
        ],
    }
    problems = {}
    for email, paths in pages.items():
        _login(browser, live_server, email)
        for path in paths:
            joiner = "&" if "?" in path else "?"
            url = f"{live_server}{path}" + (f"{joiner}lang=en" if lang == "en" else "")
            browser.get(url)
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, url
            assert "Geen toegang" not in browser.page_source, url
            found = axe_violations(browser)
            if found:
                problems[f"{email} {path}"] = found
    assert problems == {}, json.dumps(problems, indent=1)[:4000]
    if lang == "en":
        assert "Referrals" in browser.page_source
