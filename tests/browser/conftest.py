"""Browser-test harness: the real app on 127.0.0.1 and headless Debian Chromium.

Fixtures for every area's browser tests:

- ``live_server``: base URL (``http://127.0.0.1:PORT``) of the real app with the demo directory,
  served by a werkzeug server thread from its own temporary instance (SQLite + Whoosh index).
- ``live_app``: that Flask app, for reading the database in assertions.
- ``browser``: a headless Chromium driven by selenium (``/usr/bin/chromium`` with
  ``/usr/bin/chromedriver``), JavaScript on, a fresh profile, performance log enabled. Every host
  name other than 127.0.0.1 fails to resolve, so nothing leaves the machine, yet each attempt is
  still recorded for ``third_party_requests``.
- ``browser_nojs``: the same with JavaScript switched off.
- ``axe_violations(driver, tags=WCAG_TAGS) -> list``: run axe-core (from
  ``tests/browser/node_modules``, installed with ``npm ci --prefix tests/browser``) on the page.
- ``third_party_requests(driver) -> list``: URLs requested from any other host since the last
  call (the performance log is drained by each call, so call it once per page).

Missing Chromium or axe-core skips these tests locally; under CI=true a skip is a failure.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.public_support import build_live_app

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this directory as a browser test."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


# --- the live server --------------------------------------------------------------------------


class LiveServer:
    """A werkzeug server thread serving ``app`` on 127.0.0.1 and a free port."""

    def __init__(self, app: Flask) -> None:
        from werkzeug.serving import make_server

        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_app() -> Iterator[Flask]:
    """The app behind ``live_server`` (demo directory, own temporary instance)."""
    # The request log would print search terms; these tests have no use for it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="wegwijzer-live-"))
    app = build_live_app(tmp)
    yield app
    from wegwijzer.extensions import Database

    Database.engine(app).dispose()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """Base URL of the real app on 127.0.0.1, e.g. ``http://127.0.0.1:54321``."""
    server = LiveServer(live_app).start()
    yield server.url
    server.stop()


# --- the browser ------------------------------------------------------------------------------


def _need_chromium() -> None:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Chromium ontbreekt: apt-get install -y chromium chromium-driver")


def make_driver(javascript: bool = True) -> Any:
    """Start headless Debian Chromium with a fresh profile; no browser download, no network."""
    _need_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="wegwijzer-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
        # Every other host fails to resolve: nothing leaves the machine, but the attempt is
        # still in the performance log, which is what third_party_requests reads.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver._wegwijzer_profile = profile  # removed again in quit_driver
    return driver


def quit_driver(driver: Any) -> None:
    profile = getattr(driver, "_wegwijzer_profile", None)
    driver.quit()
    if profile:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def _session_browser() -> Iterator[Any]:
    driver = make_driver(javascript=True)
    yield driver
    quit_driver(driver)


@pytest.fixture
def browser(_session_browser: Any) -> Any:
    """Headless Chromium with JavaScript; the performance log starts empty for each test."""
    _session_browser.get("about:blank")
    _session_browser.get_log("performance")
    # delete_all_cookies() only reaches the current page's site, and about:blank has none: a
    # login left by an earlier test would survive. Clear every cookie of the browser instead.
    _session_browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    return _session_browser


@pytest.fixture(scope="session")
def browser_nojs() -> Iterator[Any]:
    """Headless Chromium with JavaScript switched off."""
    driver = make_driver(javascript=False)
    yield driver
    quit_driver(driver)


# --- checks -----------------------------------------------------------------------------------


def _axe_source() -> str:
    if not AXE_JS.exists():
        pytest.skip("axe-core ontbreekt: npm ci --prefix tests/browser")
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(driver: Any, tags: tuple[str, ...] = WCAG_TAGS) -> list[dict[str, Any]]:
    """Run axe-core on the current page; return the violations in a readable form."""
    driver.execute_script(_axe_source())
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        """
        var done = arguments[arguments.length - 1];
        var options = {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]};
        axe.run(document, options)
          .then(function (r) { done(r.violations); })
          .catch(function (e) { done({error: String(e)}); });
        """,
        list(tags),
    )
    if isinstance(result, dict) and "error" in result:
        raise RuntimeError(f"axe-core failed: {result['error']}")
    return [
        {
            "id": v["id"],
            "impact": v.get("impact"),
            "help": v["help"],
            "nodes": [
                {"target": n["target"], "html": n["html"][:200], "summary": n.get("failureSummary")}
                for n in v["nodes"][:5]
            ],
        }
        for v in result
    ]


@pytest.fixture
def axe_violations() -> Callable[..., list[dict[str, Any]]]:
    """``axe_violations(driver)`` → list of violations for WCAG 2.0/2.1 A and AA."""
    return run_axe


def requested_urls(driver: Any) -> list[str]:
    """Return every URL the page requested since the last call (drains the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def find_third_party(urls: list[str]) -> list[str]:
    """Return the URLs that go to any host other than this machine."""
    foreign = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "chrome", "devtools"):
            continue
        if parts.hostname not in LOCAL_HOSTS:
            foreign.append(url)
    return foreign


@pytest.fixture
def third_party_requests() -> Callable[[Any], list[str]]:
    """``third_party_requests(driver)`` → URLs requested from other hosts since the last call."""
    return lambda driver: find_third_party(requested_urls(driver))
