"""The public site in headless Chromium: accessibility, privacy, keyboard use, map, no-JS."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import Organization, Service, ServiceAtLocation


@pytest.fixture(scope="module")
def demo_keys(live_app: Flask) -> dict[str, str]:
    """Slugs of a demo service with an address and of its organisation."""
    with live_app.app_context():
        svc = db.session.scalars(
            select(Service)
            .join(ServiceAtLocation)
            .where(Service.publication_status == "gepubliceerd")
            .order_by(Service.name)
        ).first()
        assert svc is not None, "the demo set has no service with an address"
        org = db.session.get(Organization, svc.organization_id)
        return {"service": svc.slug, "organization": org.slug}


PAGES = {
    "home": "/",
    "results": "/zoeken?q=schulden&plaats=Zwolle",
    "no-results": "/zoeken?q=zzqqxxyy&plaats=Kampen",
    # A place taken from the words (with its notice), and a misspelt one ("Bedoelde u …?").
    "place-in-words": "/zoeken?q=ik+heb+geen+geld+voor+eten+kampen",
    "place-typo": "/zoeken?q=schuldhulpverlening+zwole",
    "filters": "/zoeken?plaats=Zwolle&thema=schulden&toegang=inloop",
    "map": "/zoeken?q=schulden&plaats=Zwolle&weergave=kaart",
    "print": "/zoeken?q=schulden&plaats=Zwolle&print=1",
    "service": "/hulp/{service}",
    "service-print": "/hulp/{service}?print=1",
    "organization": "/organisatie/{organization}",
    "privacy": "/privacy",
    "accessibility": "/toegankelijkheid",
    "not-found": "/bestaat-niet",
    "bad-request": "/zoeken?pagina=nul",
}
#: The map asks the tile server for tiles: the one configurable exception to "no other hosts".
TILE_HOST = "service.pdok.nl"


def _url(live_server: str, path: str, lang: str, keys: dict[str, str]) -> str:
    path = path.format(**keys)
    if lang != "nl":
        path += ("&" if "?" in path else "?") + f"lang={lang}"
    return live_server + path


def _wait_for_map(driver: Any) -> None:
    try:
        WebDriverWait(driver, 15).until(
            lambda d: (
                d.find_element(By.CSS_SELECTOR, ".folium-map").get_attribute(
                    "data-markers-rendered"
                )
                is not None
            )
        )
    except TimeoutException:
        pytest.fail("the map script did not run (see the browser console)")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_page_is_accessible_private_and_local(
    browser: Any,
    live_server: str,
    demo_keys: dict[str, str],
    axe_violations: Any,
    third_party_requests: Any,
    page: str,
    lang: str,
) -> None:
    browser.get(_url(live_server, PAGES[page], lang, demo_keys))
    if page in ("map", "service"):
        _wait_for_map(browser)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    violations = axe_violations(browser)
    assert violations == [], violations
    foreign = third_party_requests(browser)
    if page in ("map", "service"):
        foreign = [u for u in foreign if urlsplit(u).hostname != TILE_HOST]
    assert foreign == []
    assert browser.get_cookies() == []
    console = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    # Tiles cannot load here (no network): that is the offline case the map must survive.
    console = [e for e in console if TILE_HOST not in e["message"]]
    if page in ("not-found", "bad-request"):
        # The error page itself is logged as a failed load; nothing else may fail.
        console = [
            e for e in console if "the server responded with a status of 4" not in e["message"]
        ]
    assert console == [], console


def test_skip_link_moves_focus_to_the_content(browser: Any, live_server: str) -> None:
    browser.get(live_server + "/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip-link"
    assert active.is_displayed()
    active.send_keys(Keys.ENTER)
    assert browser.execute_script("return location.hash") == "#inhoud"
    assert browser.switch_to.active_element.get_attribute("id") == "inhoud"


def _tab_until(driver: Any, predicate: str, limit: int = 200) -> Any:
    """Press Tab until ``predicate`` (JS on ``el``) holds for the focused element."""
    for _ in range(limit):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        if driver.execute_script(f"var el = document.activeElement; return !!({predicate});"):
            return driver.switch_to.active_element
    pytest.fail(f"keyboard focus never reached: {predicate}")


def _has_visible_focus(driver: Any) -> bool:
    return bool(
        driver.execute_script(
            "var s = getComputedStyle(document.activeElement);"
            "return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)"
            " || s.boxShadow !== 'none';"
        )
    )


def test_keyboard_only_search_filter_result_service(browser: Any, live_server: str) -> None:
    browser.get(live_server + "/")
    field = _tab_until(browser, "el.id === 'q'")
    assert _has_visible_focus(browser)
    field.send_keys("schulden")
    _tab_until(browser, "el.id === 'plaats'").send_keys("Zwolle", Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: "/zoeken" in d.current_url)
    total_before = len(browser.find_elements(By.CSS_SELECTOR, ".result"))
    assert total_before > 0

    # The access filter is folded away: open it from the keyboard, then tick a box. (Its
    # panel is inside the filters, which stand open beside the list on a wide screen.)
    summary = _tab_until(
        browser,
        "el.tagName === 'SUMMARY' && !el.parentElement.matches('.filters-disclosure')"
        " && !!el.parentElement.querySelector('[name=toegang]')",
    )
    assert _has_visible_focus(browser)
    summary.send_keys(Keys.ENTER)
    box = _tab_until(browser, "el.type === 'checkbox' && el.name === 'toegang'")
    assert _has_visible_focus(browser)
    chosen = box.get_attribute("value")
    box.send_keys(Keys.SPACE)
    assert box.is_selected()
    _tab_until(browser, "el.tagName === 'BUTTON' && el.getAttribute('form') === 'zoekform'")
    assert _has_visible_focus(browser)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: f"toegang={chosen}" in d.current_url)
    assert "q=schulden" in browser.current_url and "plaats=Zwolle" in browser.current_url

    link = _tab_until(browser, "el.closest('.result h3') !== null")
    assert _has_visible_focus(browser)
    name = link.text
    link.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: "/hulp/" in d.current_url)
    assert browser.find_element(By.TAG_NAME, "h1").text == name


def test_labels_sit_above_their_fields(browser: Any, live_server: str) -> None:
    browser.get(live_server + "/zoeken?q=schulden")
    # After a search the form is folded into "Wijzig zoekopdracht".
    browser.find_element(By.CSS_SELECTOR, ".search-edit > summary").click()
    for field in ("q", "plaats"):
        label = browser.find_element(By.CSS_SELECTOR, f"label[for='{field}']").rect
        box = browser.find_element(By.ID, field).rect
        assert label["y"] + label["height"] <= box["y"]


def test_map_shows_one_marker_per_located_result(browser: Any, live_server: str) -> None:
    browser.get(live_server + "/zoeken?q=schulden&plaats=Zwolle&weergave=kaart")
    _wait_for_map(browser)
    the_map = browser.find_element(By.CSS_SELECTOR, ".folium-map")
    located = browser.find_elements(By.CSS_SELECTOR, ".results .result[data-lat]")
    shown = browser.find_elements(By.CSS_SELECTOR, ".results .result")
    assert located, "the demo results near Zwolle have addresses"
    assert int(the_map.get_attribute("data-markers-rendered")) == len(located)
    assert int(the_map.get_attribute("data-markers")) == len(located)
    # The list stays on the page under the map.
    assert len(shown) >= len(located)
    # Tiles cannot load here; the municipality boundaries keep the map readable.
    assert browser.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path")
    labels = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".municipality-label")]
    assert "Zwolle" in labels


def test_map_popup_links_to_the_service_page(browser: Any, live_server: str) -> None:
    browser.get(live_server + "/zoeken?q=schulden&plaats=Zwolle&weergave=kaart&lang=en")
    _wait_for_map(browser)
    # Zoom all the way in on the first result so its marker is not inside a cluster.
    first = browser.find_element(By.CSS_SELECTOR, ".results .result[data-lat]")
    lat, lon = first.get_attribute("data-lat"), first.get_attribute("data-lon")
    map_id = browser.find_element(By.CSS_SELECTOR, ".folium-map").get_attribute("id")
    browser.execute_script(f"window['{map_id}'].setView([{lat}, {lon}], 19, {{animate: false}});")
    marker = WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".leaflet-marker-icon:not(.marker-cluster)")
    )
    marker.send_keys(Keys.ENTER)
    link = WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".leaflet-popup-content a")
    )
    assert "/hulp/" in link.get_attribute("href") and "lang=en" in link.get_attribute("href")


def test_site_works_without_javascript(browser_nojs: Any, live_server: str) -> None:
    driver = browser_nojs
    driver.get(live_server + "/zoeken?q=schulden&plaats=Zwolle&weergave=kaart")
    notice = driver.find_element(By.CSS_SELECTOR, ".map-block noscript + p, .map-block .notice")
    assert "JavaScript" in notice.text
    assert driver.find_elements(By.CSS_SELECTOR, ".results .result")
    # Filters are a plain GET form, behind a disclosure that needs no script.
    driver.find_element(By.CSS_SELECTOR, ".filters-disclosure > summary").click()
    box = driver.find_element(By.CSS_SELECTOR, "input[name='thema']")
    box.click()
    driver.find_element(By.CSS_SELECTOR, "button[form='zoekform']:not([type='reset'])").click()
    WebDriverWait(driver, 10).until(lambda d: "thema=" in d.current_url)
    assert driver.find_elements(By.CSS_SELECTOR, ".results .result")
    # "Print deze lijst" is a link to a printable page, no script needed.
    driver.find_element(By.LINK_TEXT, "Print deze lijst").click()
    WebDriverWait(driver, 10).until(lambda d: "print=1" in d.current_url)
    assert driver.find_elements(By.CSS_SELECTOR, ".result")


def test_print_page_fits_a4_and_keeps_phones(browser: Any, live_server: str) -> None:
    browser.get(live_server + "/zoeken?q=schulden&plaats=Zwolle&print=1")
    # A4 minus 15 mm margins is 180 mm wide: about 680 CSS pixels.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 680, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        text = browser.find_element(By.TAG_NAME, "main").text
        assert "038-" in text
        assert not browser.find_element(By.CSS_SELECTOR, ".site-header nav").is_displayed()
        pdf = browser.execute_cdp_cmd(
            "Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": False}
        )
        assert pdf["data"]
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
