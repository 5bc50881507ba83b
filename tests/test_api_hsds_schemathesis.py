"""Schemathesis against the HSDS API, in process: every operation of the OpenAPI document the
API serves, at least 100 generated requests each (valid and invalid ones), every check on.

No server error, no answer outside its schema (HSDS objects with formats checked), no valid
request refused, no invalid one accepted.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, is_check_class

from wegwijzer.domain.places import gazetteer
from wegwijzer.models import Organization, Service

from .hsds_api_support import import_full_example, make_directory

#: The operations of the HSDS OpenAPI description (all 11 must be tested).
OPERATIONS = {
    "/",
    "/services",
    "/services/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
    "/organizations",
    "/organizations/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
}
MIN_EXAMPLES = 100
ALL_CHECKS = [check for check in CHECKS.get_all() if not is_check_class(check)]


class Isolated:
    """Run each request in its own context, as a server would (the test keeps one open), and
    count the GET requests per operation."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.calls: Counter[str] = Counter()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "GET":
            parts = environ["PATH_INFO"].removeprefix("/api/hsds").strip("/").split("/")
            self.calls["/" + parts[0] + ("/{id}" if len(parts) > 1 else "")] += 1
        return contextvars.Context().run(lambda: list(self.app(environ, start_response)))


@pytest.fixture
def hsds_schema(
    request: pytest.FixtureRequest,
    app: Flask,
    make_service: Callable[..., Service],
    make_organization: Callable[..., Organization],
) -> Iterator[Any]:
    import_full_example()
    make_directory(make_service, make_organization)
    # schemathesis 4.32 renames the test node through ``_nodeid``, which pytest 9.2 no
    # longer has; give it one (only the report's name depends on it).
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    served = Isolated(app)
    loaded = schemathesis.openapi.from_wsgi("/api/hsds/openapi.json", served)
    assert {op.ok().path for op in loaded.get_all_operations()} == OPERATIONS
    yield loaded
    # ``/`` has no parameters: one distinct request is all there is to send.
    short = {
        op: served.calls[op]
        for op in OPERATIONS
        if served.calls[op] < (MIN_EXAMPLES if op != "/" else 1)
    }
    assert not short, f"fewer than {MIN_EXAMPLES} requests: {short}"
    print("requests per operation:", dict(served.calls))


schema = schemathesis.pytest.from_fixture("hsds_schema")


def _unknowable(case: Any) -> bool:
    """A request the document cannot mark as wrong: ``proximity`` without ``postcode``, or a
    well-formed postcode the site does not know (both answered with 400)."""
    query = case.query or {}
    postcode = query.get("postcode")
    if "proximity" in query and postcode is None:
        return True
    return isinstance(postcode, str) and gazetteer().postcode(postcode) is None


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_hsds_api_conforms_to_its_openapi_document(case: Any) -> None:
    response = case.call()
    excluded = [schemathesis.checks.positive_data_acceptance] if _unknowable(case) else []
    case.validate_response(response, checks=ALL_CHECKS, excluded_checks=excluded)
