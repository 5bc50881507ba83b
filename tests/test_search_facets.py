"""Facet counts and filters equal a brute-force count from the database.

Semantics under test: filters are AND across taxonomies and OR within one; a taxonomy's
counts ignore that taxonomy's own filter (they say what adding that option gives), every
other filter, the query and the location apply; "open_now" and "inloop" likewise.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wegwijzer.domain.hours import is_open_at
from wegwijzer.extensions import db
from wegwijzer.models import Service
from wegwijzer.search import search, sync_index
from wegwijzer.services.changes import record_change

FACETS = {
    "fase": ["voor-aanmelding", "tijdens-traject", "begeleiding", "nazorg"],
    "thema": ["schulden", "budget", "maatje", "brieven-formulieren", "wonen-energie"],
    "doelgroep": ["iedereen", "jongeren", "ouderen", "ondernemers"],
    "toegang": ["inloop", "op-afspraak", "telefonisch", "online"],
    "organisatietype": ["gemeente", "vrijwilligersorganisatie", "welzijnsorganisatie"],
}
PLACES = {"GM0193": (52.51, 6.09), "GM0166": (52.55, 5.91), "GM0148": (52.50, 6.25)}
NEAR = {"GM0193": "Zwolle", "GM0166": "Kampen", "GM0148": "Dalfsen"}
WORDS = ["schulden", "budget", "maatje", "brieven", "huur", "energie", "formulieren"]
# Monday 30 November 2026, 10:15 in Zwolle.
NOW = datetime(2026, 11, 30, 10, 15, tzinfo=ZoneInfo("Europe/Amsterdam"))
SCHEDULES = [
    [],
    [{"byday": "MO,WE", "opens_at": "09:00", "closes_at": "12:00", "attending_type": "inloop"}],
    [{"byday": "TU", "opens_at": "09:00", "closes_at": "17:00", "attending_type": "op-afspraak"}],
    [{"byday": "MO", "opens_at": "10:30", "closes_at": "16:00", "attending_type": "telefonisch"}],
    [
        {"byday": "MO", "opens_at": "08:00", "closes_at": "18:00", "attending_type": "inloop"},
        {"is_closed": True, "valid_from": date(2026, 11, 30), "valid_to": date(2026, 11, 30)},
    ],
]


def _random_directory(make_service: Callable[..., Service], rnd: random.Random, n: int) -> None:
    for i in range(n):
        terms = {f: rnd.sample(codes, rnd.choice((0, 1, 1, 2))) for f, codes in FACETS.items()}
        terms["thema"] = terms["thema"] or [rnd.choice(FACETS["thema"])]
        kw: dict[str, Any] = {
            "terms": terms,
            "description": " ".join(rnd.sample(WORDS, 3)) + f" dienst nummer {i}.",
            "schedules": rnd.choice(SCHEDULES),
            "publication_status": rnd.choice(["gepubliceerd"] * 6 + ["concept", "gearchiveerd"]),
        }
        if rnd.random() < 0.15:
            kw["national"] = True
        else:
            gms = rnd.sample(sorted(PLACES), rnd.choice((1, 1, 2)))
            lat, lon = PLACES[gms[0]]
            kw.update(gm_codes=gms, lat=lat + rnd.uniform(-0.02, 0.02), lon=lon)
        make_service(f"Dienst {i}", **kw)
    sync_index()


def _facts() -> list[dict[str, Any]]:
    """Read every service from the database, the slow and obvious way."""
    rows = db.session.scalars(
        select(Service).options(
            selectinload(Service.attributes),
            selectinload(Service.service_areas),
            selectinload(Service.schedules),
            selectinload(Service.organization),
        )
    ).all()
    out = []
    for s in rows:
        codes = {f: set(s.codes(f"wegwijzer-{f}")) for f in FACETS}
        out.append(
            {
                "id": s.id,
                "visible": s.is_public,
                "codes": codes,
                "gm": set(s.gm_codes),
                "national": s.is_national,
                "open": is_open_at(s.schedules, NOW),
                "walk_in": "inloop" in codes["toegang"]
                or any(x.attending_type == "inloop" for x in s.schedules),
            }
        )
    return out


def _expected(
    facts: list[dict[str, Any]],
    matched: set[str] | None,
    filters: dict[str, list[str]],
    gm: str | None,
    open_now: bool,
    walk_in: bool,
) -> tuple[set[str], dict[str, dict[str, int]]]:
    def passes(f: dict[str, Any], skip: str | None) -> bool:
        if not f["visible"] or (matched is not None and f["id"] not in matched):
            return False
        if gm and not (f["national"] or gm in f["gm"]):
            return False
        for facet, codes in filters.items():
            if facet != skip and not f["codes"][facet] & set(codes):
                return False
        if open_now and skip != "open_now" and not f["open"]:
            return False
        return not (walk_in and skip != "inloop" and not f["walk_in"])

    ids = {f["id"] for f in facts if passes(f, None)}
    counts: dict[str, dict[str, int]] = {}
    for facet, codes in FACETS.items():
        counts[facet] = {
            c: sum(1 for f in facts if passes(f, facet) and c in f["codes"][facet]) for c in codes
        }
    counts["extra"] = {
        "open_now": sum(1 for f in facts if passes(f, "open_now") and f["open"]),
        "inloop": sum(1 for f in facts if passes(f, "inloop") and f["walk_in"]),
    }
    return ids, counts


def _check(
    facts: list[dict[str, Any]],
    query: str,
    filters: dict[str, list[str]],
    gm: str | None,
    open_now: bool,
    walk_in: bool,
) -> None:
    near = NEAR[gm] if gm else None
    matched = None
    if query:
        everything = search(query, per_page=100, now=NOW)
        matched = {h.service_id for h in everything.results}
        assert everything.total == len(matched)
    result = search(
        query,
        filters=filters or None,
        near=near,
        per_page=100,
        open_now=open_now,
        walk_in=walk_in,
        now=NOW,
    )
    ids, counts = _expected(facts, matched, filters, gm, open_now, walk_in)
    assert {h.service_id for h in result.results} == ids
    assert result.total == len(ids)
    for facet, expected in counts.items():
        got = result.facets[facet]
        for code, n in expected.items():
            assert got.get(code, 0) == n, (facet, code, filters, gm, open_now, walk_in)


filters_strategy = st.fixed_dictionaries(
    {},
    optional={
        facet: st.lists(st.sampled_from(codes), min_size=1, max_size=2, unique=True)
        for facet, codes in FACETS.items()
    },
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.sampled_from(["", "", "schulden", "budget maatje", "huur", "formulieren"]),
    filters=filters_strategy,
    gm=st.sampled_from([None, "GM0193", "GM0166", "GM0148"]),
    open_now=st.booleans(),
    walk_in=st.booleans(),
)
def test_facets_equal_brute_force(
    facet_directory: list[dict[str, Any]],
    query: str,
    filters: dict[str, list[str]],
    gm: str | None,
    open_now: bool,
    walk_in: bool,
) -> None:
    _check(facet_directory, query, filters, gm, open_now, walk_in)


@pytest.fixture
def facet_directory(app: Flask, make_service: Callable[..., Service]) -> list[dict[str, Any]]:
    _random_directory(make_service, random.Random(7), 45)
    return _facts()


def test_counts_stay_right_after_edits_and_deletes(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    rnd = random.Random(11)
    _random_directory(make_service, rnd, 30)
    services = db.session.scalars(select(Service).order_by(Service.name)).all()
    for svc in services[:6]:
        svc.publication_status = "concept"
        record_change(db.session, "service", svc.id)
    for svc in services[6:9]:
        svc.deleted_at = datetime.now(UTC) - timedelta(minutes=1)
        record_change(db.session, "service", svc.id)
    services[9].organization.deleted_at = datetime.now(UTC)
    record_change(db.session, "organization", services[9].organization_id)
    for svc in services[10:20]:
        svc.publication_status = "gepubliceerd"
        svc.description = "nieuwe tekst over schulden en budget"
        record_change(db.session, "service", svc.id)
    db.session.commit()
    sync_index()
    facts = _facts()
    for query in ("", "schulden", "budget"):
        for gm in (None, "GM0193"):
            _check(facts, query, {}, gm, False, False)
            _check(
                facts, query, {"thema": ["schulden", "budget"], "fase": ["nazorg"]}, gm, True, False
            )
            _check(facts, query, {"toegang": ["inloop"]}, gm, False, True)


def test_filters_or_within_and_across(app: Flask, make_service: Callable[..., Service]) -> None:
    a = make_service("A", terms={"thema": ["schulden"], "doelgroep": ["jongeren"]})
    b = make_service("B", terms={"thema": ["budget"], "doelgroep": ["ouderen"]})
    make_service("C", terms={"thema": ["maatje"], "doelgroep": ["jongeren"]})
    sync_index()
    either = search(filters={"thema": ["schulden", "budget"]})
    assert {h.service_id for h in either.results} == {a.id, b.id}
    both = search(filters={"thema": ["schulden", "budget"], "doelgroep": ["jongeren"]})
    assert [h.service_id for h in both.results] == [a.id]
    # Counts for thema ignore the thema filter: adding "maatje" would give one more.
    assert both.facets["thema"]["maatje"] == 1
    assert both.facets["doelgroep"] == {"jongeren": 1, "ouderen": 1}


def test_unknown_filter_key_is_refused(app: Flask) -> None:
    with pytest.raises(ValueError, match="rol"):
        search(filters={"rol": ["praktische-steun"]})
