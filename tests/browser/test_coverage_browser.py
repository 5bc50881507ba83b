"""Coverage pages in headless Chromium: axe (nl and en), the map, keyboard, no JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import User
from wegwijzer.services import accounts

EMAIL = "browser-dekking@zwolle.nl"
PASSWORD = "lange wachtzin voor de dekkingstest"
#: The map asks the tile server for tiles: the one configurable exception to "no other hosts".
TILE_HOST = "service.pdok.nl"
REGION = "gm=GM0193&gm=GM0166&gm=GM0148"

PAGES = [
    ("municipality", "/beheer/dekking/?gm=GM0193"),
    ("region", f"/beheer/dekking/?{REGION}"),
    ("cell", "/beheer/dekking/cel?gm=GM0193&fase=voor-aanmelding&thema=schulden"),
    ("gap cell", "/beheer/dekking/cel?gm=GM0148&fase=nazorg&doelgroep=ondernemers"),
    ("inventarisatie", f"/beheer/dekking/inventarisatie?{REGION}"),
]


@pytest.fixture(scope="module")
def account(live_app: Flask) -> str:
    """A beheerder of the three demo municipalities, with a password."""
    with live_app.app_context():
        if db.session.scalar(select(User).where(User.email == EMAIL)) is None:
            user = accounts.create_user(
                db.session, EMAIL, "beheerder", gm_codes=["GM0193", "GM0166", "GM0148"]
            )
            accounts.set_password(db.session, user, PASSWORD)
    return EMAIL


def log_in(driver: Any, live_server: str) -> None:
    """Log in through the real beheer form, with the keyboard."""
    driver.get(f"{live_server}/beheer/login")
    driver.find_element(By.ID, "email").send_keys(EMAIL)
    password = driver.find_element(By.ID, "password")
    password.send_keys(PASSWORD)
    password.send_keys(Keys.ENTER)
    WebDriverWait(driver, 20).until(lambda d: "/beheer/login" not in d.current_url)


@pytest.fixture
def logged_in(browser: Any, live_server: str, account: str) -> Iterator[Any]:
    log_in(browser, live_server)
    yield browser
    browser.delete_all_cookies()


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_coverage_pages_have_no_axe_violations(
    logged_in: Any,
    live_server: str,
    axe_violations: Any,
    third_party_requests: Any,
    name: str,
    path: str,
    lang: str,
) -> None:
    url = f"{live_server}{path}" + ("&lang=en" if lang == "en" else "")
    logged_in.get(url)
    assert logged_in.find_element(By.TAG_NAME, "h1").text
    assert logged_in.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    if name in ("municipality", "region"):
        # Wait for Leaflet, so axe also checks the map.
        WebDriverWait(logged_in, 20).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".leaflet-pane"))
        )
    assert axe_violations(logged_in) == []
    foreign = [u for u in third_party_requests(logged_in) if urlsplit(u).hostname != TILE_HOST]
    assert foreign == []


def test_map_draws_the_boundary_and_every_location(
    logged_in: Any, live_server: str, live_app: Flask
) -> None:
    from wegwijzer.services.coverage import compute_coverage

    with live_app.app_context():
        cov = compute_coverage(db.session, ["GM0193"], overlap_threshold=3, stale_months=6)
        expected_points = len(cov.municipalities[0].points)
    assert expected_points > 0
    logged_in.get(f"{live_server}/beheer/dekking/?gm=GM0193")
    WebDriverWait(logged_in, 20).until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "path.leaflet-interactive")
        )
    )
    shapes = logged_in.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path")
    # One path for the boundary, one circle per location.
    assert len(shapes) == 1 + expected_points
    region = logged_in.find_element(By.CSS_SELECTOR, ".folium-map")
    assert region.get_attribute("role") == "region"
    assert "Zwolle" in region.get_attribute("aria-label")


def test_region_choropleth_has_one_shape_per_municipality(logged_in: Any, live_server: str) -> None:
    logged_in.get(f"{live_server}/beheer/dekking/?{REGION}")
    WebDriverWait(logged_in, 20).until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "path.leaflet-interactive")
        )
    )
    assert len(logged_in.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path")) == 3
    legend = logged_in.find_element(By.CSS_SELECTOR, ".dekking-kaart__legenda").text
    assert "vakjes" in legend


def test_keyboard_reaches_a_cell_and_opens_its_list(logged_in: Any, live_server: str) -> None:
    logged_in.get(f"{live_server}/beheer/dekking/?gm=GM0193")
    target = logged_in.find_element(By.CSS_SELECTOR, "#GM0193-thema td.cel a")
    for _ in range(400):
        ActionChains(logged_in).send_keys(Keys.TAB).perform()
        if logged_in.switch_to.active_element == target:
            break
    assert logged_in.switch_to.active_element == target
    logged_in.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(logged_in, 20).until(lambda d: "/beheer/dekking/cel" in d.current_url)
    assert "Wie helpt hier in Zwolle?" in logged_in.find_element(By.TAG_NAME, "h1").text


def test_tables_work_without_javascript(browser_nojs: Any, live_server: str, account: str) -> None:
    log_in(browser_nojs, live_server)
    try:
        browser_nojs.get(f"{live_server}/beheer/dekking/?{REGION}")
        captions = [c.text for c in browser_nojs.find_elements(By.TAG_NAME, "caption")]
        assert "Fasen en thema's in Zwolle" in captions
        assert "Dekking per gemeente (fasen en thema's)" in captions
        assert browser_nojs.find_elements(By.CSS_SELECTOR, ".leaflet-pane") == []
        assert "De kaart is een extra" in browser_nojs.page_source
    finally:
        browser_nojs.delete_all_cookies()


#: Text in the heat map and the colour behind it: each text's nearest solid background, or
#: "pattern" when a hatched or dotted cell shows through (then the text needs its own label).
CELL_TEXT_COLOURS_JS = """
var out = [];
document.querySelectorAll(
  'td.cel .cel__getal, td.cel .cel__status, td.cel .cel__regel'
).forEach(function (el) {
  var r = el.getBoundingClientRect();
  if (r.width < 2 || r.height < 2) { return; }
  var back = null;
  for (var p = el; p && !back; p = p.parentElement) {
    var s = getComputedStyle(p);
    if (s.backgroundColor !== 'rgba(0, 0, 0, 0)') { back = s.backgroundColor; }
    else if (s.backgroundImage !== 'none') { back = 'pattern'; }
  }
  out.push([el.className, getComputedStyle(el).color, back || 'rgb(255, 255, 255)',
            el.closest('td').className]);
});
return out;
"""


def _luminance(rgb: str) -> float:
    parts = [int(float(x)) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(fore: str, back: str) -> float:
    """WCAG contrast ratio of two ``rgb(…)`` colours."""
    high, low = sorted((_luminance(fore), _luminance(back)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("view", ["", "&cijfers=alle"])
def test_heat_map_text_keeps_aa_contrast_on_every_colour(
    logged_in: Any, live_server: str, view: str
) -> None:
    logged_in.get(f"{live_server}/beheer/dekking/?{REGION}{view}")
    found = logged_in.execute_script(CELL_TEXT_COLOURS_JS)
    levels = {cell.split("cel--")[1] for *_, cell in found}
    # Every heat level is on the page (the demo data has gaps, 1, 2 and overlaps).
    assert {"gat", "n1", "n2", "overlap"} <= levels
    problems = [
        (css, fore, back, cell)
        for css, fore, back, cell in found
        if back == "pattern" or contrast(fore, back) < 4.5
    ]
    assert problems == []
    if view:
        assert any(css == "cel__regel" for css, *_ in found)


def test_coverage_page_prints_on_a4_landscape(logged_in: Any, live_server: str) -> None:
    import base64

    logged_in.get(f"{live_server}/beheer/dekking/?gm=GM0193")
    pdf = logged_in.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    data = base64.b64decode(pdf["data"])
    boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data))
    assert boxes, "no page size in the PDF"
    for width, height in boxes:
        # A4 landscape: 297 x 210 mm = 841.9 x 595.3 points.
        assert abs(float(width) - 841.9) < 2 and abs(float(height) - 595.3) < 2, boxes
    # On paper every cell carries its exact counts.
    logged_in.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shown = logged_in.execute_script(
            "return document.querySelector('#GM0193-thema .cel__precies').getBoundingClientRect()"
            ".width > 10;"
        )
        assert shown
    finally:
        logged_in.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_region_map_labels_every_municipality_with_its_numbers(
    logged_in: Any, live_server: str
) -> None:
    logged_in.get(f"{live_server}/beheer/dekking/?{REGION}")
    WebDriverWait(logged_in, 20).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".dekking-kaart__label")) == 3
    )
    labels = sorted(
        e.text for e in logged_in.find_elements(By.CSS_SELECTOR, ".dekking-kaart__label")
    )
    assert [label.split(":")[0] for label in labels] == ["Dalfsen", "Kampen", "Zwolle"]
    assert all("vakjes met aanbod" in label for label in labels)
