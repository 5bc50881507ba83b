"""Search combined with other filters in the HSDS API, on a directory large enough for several
pages: the answers hold exactly the services the site's search finds that also pass the other
filters, in the search's order, and ``search_ids`` gives that order without building hits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from wegwijzer.devtools.generate import generate_services
from wegwijzer.domain.places import gazetteer
from wegwijzer.extensions import db
from wegwijzer.models import (
    Attribute,
    Organization,
    Service,
    ServiceAtLocation,
    utcnow,
)
from wegwijzer.search import make_query, search, search_ids, sync_index
from wegwijzer.services.taxonomy import term_id

API = "/api/hsds"
WORDS = "schulden"
PER_PAGE = 20


@pytest.fixture
def many(app: Flask) -> list[str]:
    """300 generated services; return the site's search hits for WORDS, page by page."""
    generate_services(db.session, gazetteer(), 300, seed=13)
    sync_index(app)
    found: list[str] = []
    page = 1
    while True:
        result = search(make_query(WORDS, page=page, per_page=100))
        found.extend(h.service_id for h in result.results if h.service_id not in found)
        if page >= result.pages:
            break
        page += 1
    assert len(found) > 3 * PER_PAGE, "the search must span several API pages"
    return found


def _walk(client: FlaskClient, path: str) -> tuple[list[dict[str, Any]], int]:
    """Return every item of a paged API answer, page by page, and the total it states."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        resp = client.get(f"{API}{path}&per_page={PER_PAGE}&page={page}")
        assert resp.status_code == 200, resp.get_data(as_text=True)
        data = resp.get_json()
        items.extend(data["contents"])
        if data["last_page"]:
            return items, data["total_items"]
        page += 1


def test_search_ids_are_the_search_results_in_order(many: list[str]) -> None:
    assert search_ids(WORDS) == many
    assert search_ids(make_query(WORDS, page=3, per_page=7)) == many
    assert search_ids("zzqqxxnietsgevonden") == []
    # The same filters as search(): a filter narrows, the order stays.
    themed = search(WORDS, {"thema": ["budget"]}, per_page=100)
    assert 0 < themed.total <= 100
    assert search_ids(WORDS, {"thema": ["budget"]}) == [h.service_id for h in themed.results]


def test_search_with_organization_or_modified_after(client: FlaskClient, many: list[str]) -> None:
    owner = dict(db.session.execute(select(Service.id, Service.organization_id)).all())
    counts: dict[str, int] = {}
    for sid in many:
        counts[owner[sid]] = counts.get(owner[sid], 0) + 1
    org = max(counts, key=lambda o: (counts[o], o))
    assert counts[org] > 1
    items, total = _walk(client, f"/services?search={WORDS}&organization_id={org}")
    expected = [sid for sid in many if owner[sid] == org]
    assert [s["id"] for s in items] == expected and total == len(expected)

    # Services edited after a moment: every third search hit, spread over all pages.
    later = many[::3]
    moved = utcnow() + timedelta(hours=2)
    db.session.execute(update(Service).where(Service.id.in_(later)).values(updated_at=moved))
    db.session.commit()
    after = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    items, total = _walk(client, f"/services?search={WORDS}&modified_after={after}")
    assert [s["id"] for s in items] == later and total == len(later)


def test_search_with_a_term_of_a_taxonomy_that_is_no_search_filter(
    client: FlaskClient, many: list[str]
) -> None:
    # The generated services have no role; give every other search hit (and a few others)
    # one. The index does not change: the database filters on these terms.
    tid = term_id("wegwijzer-rol", "praktische-steun")
    others = [sid for sid in db.session.scalars(select(Service.id)) if sid not in set(many)]
    for sid in many[::2] + others[:5]:
        db.session.add(Attribute(link_id=sid, link_type="service", taxonomy_term_id=tid))
    db.session.commit()
    expected = many[::2]
    items, total = _walk(client, f"/services?search={WORDS}&taxonomy_term_id={tid}")
    assert [s["id"] for s in items] == expected and total == len(expected)


def test_search_of_locations_and_organizations(client: FlaskClient, many: list[str]) -> None:
    rank = {sid: n for n, sid in enumerate(many)}
    links = db.session.execute(select(ServiceAtLocation.id, ServiceAtLocation.service_id)).all()
    found = sorted((r for r in links if r[1] in rank), key=lambda r: (rank[r[1]], r[0]))
    expected = [lid for lid, _sid in found]
    assert len(expected) > PER_PAGE
    items, total = _walk(client, f"/service_at_locations?search={WORDS}")
    assert [i["id"] for i in items] == expected and total == len(expected)

    owner = dict(db.session.execute(select(Service.id, Service.organization_id)).all())
    public = set(db.session.scalars(select(Organization.id).where(Organization.is_public)))
    orgs = list(dict.fromkeys(owner[sid] for sid in many if owner[sid] in public))
    assert len(orgs) > PER_PAGE
    items, total = _walk(client, f"/organizations?search={WORDS}")
    assert [o["id"] for o in items] == orgs and total == len(orgs)
