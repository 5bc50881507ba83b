"""The coverage counts on PostgreSQL: the same brute-force comparison as on SQLite."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.test_coverage import GMS, available, brute_cells, build_directory
from wegwijzer.extensions import db
from wegwijzer.models import Organization, Service
from wegwijzer.services.coverage import (
    COLUMN_FACETS,
    NATIONAL,
    compute_coverage,
    compute_inventory,
    list_cell,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_app: Flask) -> Flask:
    """Run make_service and friends against a fresh PostgreSQL database."""
    return pg_app


def test_counts_on_postgres_equal_brute_force(
    make_service: Callable[..., Service], make_organization: Callable[..., Organization]
) -> None:
    assert db.session.get_bind().dialect.name == "postgresql"
    build_directory(make_service, make_organization, seed=11, n=50)
    cov = compute_coverage(db.session, GMS, overlap_threshold=2, stale_months=6)
    nonzero = 0
    for muni in cov.municipalities:
        for facet in COLUMN_FACETS:
            matrix = muni.matrices[facet]
            got = {
                key: (c.local, c.regional, c.national, c.organisations)
                for key, c in matrix.cells.items()
            }
            expected = brute_cells(muni.gm_code, facet)
            assert got == expected
            nonzero += len(expected)
    assert nonzero > 40
    entries = list_cell(db.session, "GM0193", {"fase": "nazorg"})
    assert sorted(e.service_id for e in entries) == sorted(
        s.id for s, _ in available("GM0193") if "nazorg" in s.codes("wegwijzer-fase")
    )
    inv = compute_inventory(db.session, ["GM0193"], stale_months=6)
    expected_orgs = {s.organization_id for s, _ in available("GM0193")}
    assert {r.organization_id for r in inv.rows} == expected_orgs
    national_orgs = {s.organization_id for s, sc in available("GM0193") if sc == NATIONAL}
    assert {r.organization_id for r in inv.rows if NATIONAL in r.scopes} == national_orgs
