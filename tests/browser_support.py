"""Helpers shared by the browser tests (tests/browser/)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException


def page_replaced(element: Any) -> Callable[[Any], bool]:
    """Return a wait condition: true once ``element``'s page has been replaced by a new one.

    Chromium answers a look-up of a node from an unloaded page either with a stale-element
    error or with "Node ... does not belong to the document"; both mean the page changed.
    """

    def check(_driver: Any) -> bool:
        try:
            element.is_enabled()
        except (StaleElementReferenceException, WebDriverException):
            return True
        return False

    return check
