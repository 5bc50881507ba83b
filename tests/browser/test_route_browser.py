"""The guided route in headless Chromium: accessible, private, and working without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser_support import page_replaced

pytestmark = pytest.mark.browser


def _check(driver: Any, state: str, axe_violations: Callable[[Any], list]) -> None:
    violations = axe_violations(driver)
    assert violations == [], f"{state}: {violations}"


def _submit(driver: Any, value: str = "1") -> None:
    button = driver.find_element(By.CSS_SELECTOR, f'button[name="verder"][value="{value}"]')
    button.click()
    # Wait for the next page: the old button is gone once it has loaded.
    WebDriverWait(driver, 30).until(page_replaced(button))


def _choose(driver: Any, input_id: str) -> None:
    # Click the label, as a person would; it must be tied to the input.
    driver.find_element(By.CSS_SELECTOR, f'label[for="{input_id}"]').click()


def _walk_route(driver: Any, base: str, lang: str, check: Callable[[str], None]) -> None:
    suffix = "?lang=en" if lang == "en" else ""
    driver.get(f"{base}/wegwijzer{suffix}")
    check("stap 1")
    _submit(driver)
    check("stap 1 zonder antwoord")
    _choose(driver, "situatie-brieven")
    _choose(driver, "situatie-deurwaarder")
    _submit(driver)
    assert "/wegwijzer/stap/2" in driver.current_url
    check("stap 2")
    field = driver.find_element(By.ID, "plaats")
    field.send_keys("Zwole")
    _submit(driver)
    assert "/wegwijzer/stap/2" in driver.current_url
    check("stap 2 onbekende plaats")
    field = driver.find_element(By.ID, "plaats")
    field.clear()
    field.send_keys("8011")
    _submit(driver)
    assert "/wegwijzer/stap/3" in driver.current_url
    check("stap 3")
    _choose(driver, "hulp-binnenlopen")
    _submit(driver)
    assert "/wegwijzer/stap/4" in driver.current_url
    check("stap 4")
    _submit(driver, "overslaan")
    assert "/wegwijzer/resultaat" in driver.current_url
    if lang == "en":
        assert "lang=en" in driver.current_url
    check("resultaat")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_step_and_result_has_no_axe_violations(
    live_server: str,
    browser: Any,
    axe_violations: Callable[[Any], list],
    third_party_requests: Callable[[Any], list],
    lang: str,
) -> None:
    browser.delete_all_cookies()
    _walk_route(browser, live_server, lang, lambda state: _check(browser, state, axe_violations))
    best = browser.find_elements(By.CSS_SELECTOR, "section ol li h3")
    assert best, "no next steps on the result page"
    link = browser.find_element(By.CSS_SELECTOR, 'a[href*="weergave=print"]')
    link.click()
    WebDriverWait(browser, 30).until(page_replaced(link))
    _check(browser, "printversie", axe_violations)
    assert browser.find_element(By.ID, "print-knop").is_displayed()
    assert browser.get_cookies() == []
    assert third_party_requests(browser) == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_helper_pages_have_no_axe_violations(
    live_server: str,
    browser: Any,
    axe_violations: Callable[[Any], list],
    third_party_requests: Callable[[Any], list],
    lang: str,
) -> None:
    suffix = "&lang=en" if lang == "en" else ""
    browser.get(f"{live_server}/signalen?plaats=Zwolle{suffix}")
    _check(browser, "signalen", axe_violations)
    links = browser.find_elements(By.CSS_SELECTOR, 'a[href*="/overdracht"]')
    assert links, "the signals page links to the municipality's handover sheet"
    links[0].click()
    WebDriverWait(browser, 30).until(page_replaced(links[0]))
    _check(browser, "overdrachtsformulier", axe_violations)
    assert browser.find_element(By.ID, "print-knop").is_displayed()
    # Typing in the sheet stays in the browser: the fields have no name and no form.
    field = browser.find_element(By.ID, "veld-inwoner")
    field.send_keys("Mevrouw Voorbeeld")
    assert field.get_attribute("name") in (None, "")
    assert browser.find_elements(By.CSS_SELECTOR, "main form") == []
    assert browser.get_cookies() == []
    assert third_party_requests(browser) == []


def test_route_works_without_javascript_and_with_the_back_button(
    live_server: str, browser_nojs: Any
) -> None:
    driver = browser_nojs
    driver.get(f"{live_server}/wegwijzer")
    _choose(driver, "situatie-rekeningen")
    _submit(driver)
    driver.find_element(By.ID, "plaats").send_keys("Zwolle")
    _submit(driver)
    _choose(driver, "hulp-telefoon")
    _submit(driver)
    driver.back()
    assert "/wegwijzer/stap/3" in driver.current_url
    driver.forward()
    assert "/wegwijzer/stap/4" in driver.current_url
    _choose(driver, "over-u-ouder")
    _submit(driver)
    assert "/wegwijzer/resultaat" in driver.current_url
    assert "situatie=rekeningen" in driver.current_url
    heading = driver.find_element(By.TAG_NAME, "h1").text
    assert heading == "Dit kunt u nu doen"
    assert driver.find_elements(By.CSS_SELECTOR, "section ol li h3")
    result_url = driver.current_url
    link = driver.find_element(By.CSS_SELECTOR, 'a[href*="weergave=print"]')
    link.click()
    WebDriverWait(driver, 30).until(page_replaced(link))
    # The print button is made by a script; here there is none, so scripts are off.
    assert driver.find_elements(By.ID, "print-knop") == []
    assert "038-" in driver.find_element(By.TAG_NAME, "main").text
    # The link reproduces the route in a fresh visit.
    driver.delete_all_cookies()
    driver.get(result_url)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Dit kunt u nu doen"
    assert driver.get_cookies() == []
