"""The HSDS API on PostgreSQL: filters, search, proximity and dates in its SQL."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.hsds_api_support import answer_errors, import_full_example
from tests.interop_support import DEMO
from wegwijzer.extensions import db
from wegwijzer.interop import import_file
from wegwijzer.models import TaxonomyTerm
from wegwijzer.search import sync_index

pytestmark = pytest.mark.postgres


def test_hsds_api_on_postgres(pg_app: Flask) -> None:
    assert import_file(DEMO, "hsds", dry_run=False, actor="pg", publish=True).ok
    example = import_full_example()
    sync_index()
    client = pg_app.test_client()
    debts = db.session.query(TaxonomyTerm).filter_by(code="schulden").one()
    paths = [
        "/services?per_page=100&full=true",
        "/services?modified_after=0001-01-01T00:00:00%2B23:59",
        "/services?modified_after=9999-12-31T23:59:59-23:59",
        f"/services?taxonomy_term_id={debts.id}&search=schulden",
        f"/services?taxonomy_id={debts.taxonomy_id}",
        f"/services?organization_id={example['organization']['id']}&search=mental",
        "/service_at_locations?postcode=8011&proximity=25000&full=true",
        "/organizations?search=schulden&full=true",
        "/taxonomy_terms?top_only=true",
        f"/services/{example['id']}",
    ]
    answers = {}
    for path in paths:
        resp = client.get("/api/hsds" + path)
        assert resp.status_code == 200, (path, resp.get_data(as_text=True))
        assert answer_errors(path, resp.get_json()) == [], path
        answers[path] = resp.get_json()
    assert answers[paths[0]]["total_items"] > 20
    assert answers[paths[1]]["total_items"] == answers[paths[0]]["total_items"]
    assert answers[paths[2]]["total_items"] == 0
    assert answers[paths[3]]["total_items"] > 0
    assert answers[paths[6]]["total_items"] > 0
    assert answers[paths[9]]["program"]["name"] == example["program"]["name"]
