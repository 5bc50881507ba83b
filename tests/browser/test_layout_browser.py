"""Phone first, in headless Chromium: every page type at 320, 360 and 1280 px.

For each page and width: nothing scrolls sideways, links and buttons that stand on their own
are at least 44 x 44 px, and the Content-Security-Policy (no 'unsafe-inline' for styles)
blocks nothing. On a results page at 360 x 740 the number of results and the first result
are on the first screen.

"Sideways" is measured against ``clientWidth`` (the width without the scroll bar), a little
stricter than ``innerWidth``: on a phone the scroll bar takes no room at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import Location, Organization, Service, ServiceAtLocation, User
from wegwijzer.services import accounts

WIDTHS = (320, 360, 1280)
PHONE = (360, 740)
PASSWORD = "lange wachtzin voor de layouttest"
ADMIN = "layout-beheer@zwolle.nl"
HELPER = "layout-verwijzer@zwolle.nl"
REGION = "gm=GM0193&gm=GM0166&gm=GM0148"

PUBLIC = {
    "home": "/",
    "results": "/zoeken?q=schulden&plaats=Zwolle",
    "results-urgent": "/zoeken?q=deurwaarder&plaats=Kampen",
    "no-results": "/zoeken?q=zzqqxxyy&plaats=Kampen",
    "filters": "/zoeken?plaats=Zwolle&thema=schulden&toegang=inloop",
    "map": "/zoeken?q=schulden&plaats=Zwolle&weergave=kaart",
    "results-print": "/zoeken?q=schulden&plaats=Zwolle&print=1",
    "service": "/hulp/{service}",
    "service-long-address": "/hulp/{long_url}",
    "service-print": "/hulp/{service}?print=1",
    "organization": "/organisatie/{organization}",
    "privacy": "/privacy",
    "accessibility": "/toegankelijkheid",
    "not-found": "/bestaat-niet",
    "bad-request": "/zoeken?pagina=nul",
    "route-step": "/wegwijzer",
    "route-step-2": "/wegwijzer/stap/2?situatie=brieven",
    "route-result": "/wegwijzer/resultaat?situatie=brieven&situatie=deurwaarder&plaats=8011"
    "&hulp=binnenlopen",
    "route-print": "/wegwijzer/resultaat?situatie=brieven&plaats=8011&hulp=binnenlopen"
    "&weergave=print",
    "handover": "/hulp/{service}/overdracht",
    "signals": "/signalen?plaats=Zwolle",
    "login": "/beheer/login",
    "password-reset": "/beheer/wachtwoord-vergeten",
}
HELPER_PAGES = {
    "helper-service": "/hulp/{debt_help}",
    "helper-handover": "/hulp/{debt_help}/overdracht",
    "helper-signals": "/signalen",
}
MANAGE = {
    "dashboard": "/beheer/",
    "services": "/beheer/diensten",
    "service-form": "/beheer/diensten/{service_id}",
    "new-service": "/beheer/diensten/nieuw",
    "organizations": "/beheer/organisaties",
    "organization-form": "/beheer/organisaties/{organization_id}",
    "location-form": "/beheer/locaties/{location_id}",
    "review": "/beheer/beoordelen",
    "stale": "/beheer/verouderd",
    "reports": "/beheer/meldingen",
    "audit": "/beheer/audit",
    "users": "/beheer/gebruikers",
    "new-user": "/beheer/gebruikers/nieuw",
    "account": "/beheer/account",
    "import-export": "/beheer/import-export",
    "coverage": "/beheer/dekking/?gm=GM0193",
    "coverage-region": f"/beheer/dekking/?{REGION}",
    "coverage-cell": "/beheer/dekking/cel?gm=GM0193&fase=voor-aanmelding&thema=schulden",
    "inventory": f"/beheer/dekking/inventarisatie?{REGION}",
}

#: Sideways overflow, and the elements that stick out (text included), for the message.
SIDEWAYS_JS = """
var root = document.documentElement, width = root.clientWidth, out = [];
if (root.scrollWidth <= width) { return []; }
function clipped(el) {
  for (var p = el.parentElement; p; p = p.parentElement) {
    var x = getComputedStyle(p).overflowX;
    if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') { return true; }
  }
  return false;
}
document.querySelectorAll('body *').forEach(function (el) {
  var r = el.getBoundingClientRect();
  if (r.width > 0 && r.right > width + 0.5 && !clipped(el) && out.length < 5) {
    out.push(el.tagName.toLowerCase() + '.' + el.className + ': ' +
             (el.textContent || '').trim().slice(0, 40));
  }
});
return ['scrollWidth ' + root.scrollWidth + ' > ' + width].concat(out);
"""

#: Links, buttons and summaries smaller than 44 x 44 px that are not links inside a sentence:
#: a link counts as running text when the block around it holds more text than the link.
TAP_TARGETS_JS = """
function inSentence(el) {
  if (el.tagName !== 'A') { return false; }
  var block = el.parentElement;
  while (block && getComputedStyle(block).display.indexOf('inline') === 0) {
    block = block.parentElement;
  }
  var own = (el.textContent || '').replace(/\\s+/g, ' ').trim();
  var all = block ? (block.textContent || '').replace(/\\s+/g, ' ').trim() : own;
  return all.length > own.length + 1;
}
var out = [];
var selector = 'a[href], button, summary, input[type=submit], input[type=button], select';
document.querySelectorAll(selector).forEach(function (el) {
  if (el.closest('.leaflet-container, .skip-link, .visually-hidden')) { return; }
  if (!el.checkVisibility({visibilityProperty: true})) { return; }
  var r = el.getBoundingClientRect();
  if ((r.width < 43.5 || r.height < 43.5) && !inSentence(el)) {
    out.push(el.tagName.toLowerCase() + ' ' + Math.round(r.width) + 'x' + Math.round(r.height)
             + ' ' + (el.textContent || el.value || '').trim().slice(0, 40));
  }
});
return out;
"""

#: Installed before any page script runs: every Content-Security-Policy violation is kept.
CSP_WATCH_JS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' '
                              + (e.sample || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


@pytest.fixture(scope="module")
def keys(live_app: Flask) -> dict[str, str]:
    """Slugs and ids of demo records, and two accounts: a beheerder and a verwijzer."""
    with live_app.app_context():
        for email, role in ((ADMIN, "beheerder"), (HELPER, "verwijzer")):
            if db.session.scalar(select(User).where(User.email == email)) is None:
                user = accounts.create_user(
                    db.session, email, role, gm_codes=["GM0193", "GM0166", "GM0148"]
                )
                accounts.set_password(db.session, user, PASSWORD)
        located = db.session.scalars(
            select(Service)
            .join(ServiceAtLocation)
            .where(Service.publication_status == "gepubliceerd")
            .order_by(Service.name)
        ).first()
        with_url = [
            s
            for s in db.session.scalars(select(Service).where(Service.url.is_not(None)))
            if s.is_public
        ]
        long_url = max(with_url, key=lambda s: len(s.url or ""))
        debt_help = db.session.scalars(
            select(Service).where(Service.slug.like("schuldhulp%zwolle%"))
        ).first()
        location = db.session.scalars(select(Location).order_by(Location.id)).first()
        org = db.session.get(Organization, located.organization_id)
        return {
            "service": located.slug,
            "service_id": located.id,
            "organization": org.slug,
            "organization_id": org.id,
            "location_id": location.id,
            "long_url": long_url.slug,
            "debt_help": (debt_help or located).slug,
        }


@pytest.fixture
def watched(browser: Any) -> Iterator[Any]:
    """The browser with a CSP-violation recorder on every page; phone metrics reset after."""
    script = browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": CSP_WATCH_JS}
    )
    yield browser
    browser.execute_cdp_cmd(
        "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
    )
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.delete_all_cookies()
    # The error pages above leave "failed to load" lines in the console; the next test reads
    # the console as its own.
    browser.get_log("browser")


def set_size(driver: Any, width: int, height: int = 740) -> None:
    """Give the page a ``width`` x ``height`` viewport (CSS pixels, like a phone's)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def log_in(driver: Any, live_server: str, email: str) -> None:
    """Log in through the real form, with the keyboard."""
    driver.get(f"{live_server}/beheer/login")
    driver.find_element(By.ID, "email").send_keys(email)
    password = driver.find_element(By.ID, "password")
    password.send_keys(PASSWORD)
    password.send_keys(Keys.ENTER)
    WebDriverWait(driver, 20).until(lambda d: "/beheer/login" not in d.current_url)


def page_problems(driver: Any) -> list[str]:
    """Return what is wrong with the loaded page at its current width (empty: nothing)."""
    if "Er ging iets mis" in driver.title or "Geen toegang" in driver.page_source:
        return [f"not the page itself: {driver.title}"]
    problems = list(driver.execute_script(SIDEWAYS_JS))
    problems += [f"small target: {t}" for t in driver.execute_script(TAP_TARGETS_JS)]
    problems += [f"CSP: {v}" for v in driver.execute_script("return window.__cspViolations")]
    return problems


def check_pages(driver: Any, base: str, pages: dict[str, str], keys: dict[str, str]) -> dict:
    """Load every page at every width; return ``{"name@width": problems}`` for failures."""
    failures = {}
    for width in WIDTHS:
        set_size(driver, width)
        for name, path in pages.items():
            driver.get(base + path.format(**keys))
            problems = page_problems(driver)
            if problems:
                failures[f"{name}@{width}"] = problems
    return failures


def test_public_pages_fit_every_width_without_csp_violations(
    watched: Any, live_server: str, keys: dict[str, str]
) -> None:
    assert check_pages(watched, live_server, PUBLIC, keys) == {}


def test_helper_pages_fit_every_width(watched: Any, live_server: str, keys: dict[str, str]) -> None:
    log_in(watched, live_server, HELPER)
    assert check_pages(watched, live_server, HELPER_PAGES, keys) == {}


def test_manage_pages_fit_every_width(watched: Any, live_server: str, keys: dict[str, str]) -> None:
    log_in(watched, live_server, ADMIN)
    assert check_pages(watched, live_server, MANAGE, keys) == {}


def _first_screen(driver: Any) -> dict[str, float]:
    return driver.execute_script(
        "var count = document.querySelector('.result-count');"
        "var first = document.querySelector('.results .result h3');"
        "return {count: count.getBoundingClientRect().top,"
        "        first: first.getBoundingClientRect().top,"
        "        height: window.innerHeight};"
    )


@pytest.mark.parametrize(
    "path", ["/zoeken?q=schulden&plaats=Zwolle", "/zoeken?plaats=Zwolle&thema=schulden"]
)
def test_results_start_on_the_first_screen_of_a_phone(
    watched: Any, browser_nojs: Any, live_server: str, path: str
) -> None:
    for driver in (watched, browser_nojs):
        set_size(driver, *PHONE)
        try:
            driver.get(live_server + path)
            place = _first_screen(driver)
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        assert place["height"] == PHONE[1]
        assert place["count"] < PHONE[1], place
        assert place["first"] < PHONE[1], place


def test_search_form_and_filters_fold_away_and_open_without_javascript(
    browser_nojs: Any, live_server: str
) -> None:
    driver = browser_nojs
    set_size(driver, *PHONE)
    try:
        driver.get(live_server + "/zoeken?q=schulden&plaats=Zwolle")
        edit = driver.find_element(By.CSS_SELECTOR, "details.search-edit")
        filters = driver.find_element(By.CSS_SELECTOR, "details.filters-disclosure")
        assert edit.get_attribute("open") is None and filters.get_attribute("open") is None
        assert not driver.find_element(By.ID, "q").is_displayed()
        edit.find_element(By.TAG_NAME, "summary").click()
        assert driver.find_element(By.ID, "q").get_attribute("value") == "schulden"
        assert driver.find_element(By.ID, "q").is_displayed()
        filters.find_element(By.TAG_NAME, "summary").click()
        box = driver.find_element(By.CSS_SELECTOR, "input[name='thema']")
        box.click()
        driver.find_element(By.CSS_SELECTOR, ".filters button[form='zoekform']").click()
        WebDriverWait(driver, 10).until(lambda d: "thema=" in d.current_url)
        summary = driver.find_element(By.CSS_SELECTOR, "details.filters-disclosure > summary")
        assert "(1 gekozen)" in summary.text
        # Without a search the form stands open: there is nothing to fold away yet.
        driver.get(live_server + "/zoeken")
        assert driver.find_element(By.ID, "q").is_displayed()
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_filters_stand_open_beside_the_results_on_a_wide_screen(
    browser: Any, live_server: str
) -> None:
    set_size(browser, 1280, 900)
    try:
        browser.get(live_server + "/zoeken?q=schulden&plaats=Zwolle")
        WebDriverWait(browser, 10).until(
            lambda d: (
                d.find_element(By.CSS_SELECTOR, "details.filters-disclosure").get_attribute("open")
                is not None
            )
        )
        filters = browser.find_element(By.CSS_SELECTOR, ".filters").rect
        results = browser.find_element(By.CSS_SELECTOR, ".results-section").rect
        assert filters["x"] + filters["width"] <= results["x"]
        assert browser.find_element(By.CSS_SELECTOR, "input[name='thema']").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


PHONE_AXE_PAGES = {
    "results": "/zoeken?q=schulden&plaats=Zwolle",
    "service": "/hulp/{service}",
    "handover": "/hulp/{service}/overdracht",
}
MANAGE_AXE_PAGES = {
    "dashboard": "/beheer/",
    "services": "/beheer/diensten",
    "coverage": "/beheer/dekking/?gm=GM0193",
}


def test_folded_menus_and_tables_on_a_phone_have_no_axe_violations(
    watched: Any, live_server: str, keys: dict[str, str], axe_violations: Any
) -> None:
    set_size(watched, *PHONE)
    found = {}
    for name, path in PHONE_AXE_PAGES.items():
        watched.get(live_server + path.format(**keys))
        found[name] = axe_violations(watched)
    log_in(watched, live_server, ADMIN)
    set_size(watched, *PHONE)
    for name, path in MANAGE_AXE_PAGES.items():
        watched.get(live_server + path.format(**keys))
        # On a phone the beheer menu is folded into its button.
        assert (
            watched.find_element(By.CSS_SELECTOR, ".beheer-nav__menu").get_attribute("open") is None
        )
        found[name] = axe_violations(watched)
    assert {name: v for name, v in found.items() if v} == {}
