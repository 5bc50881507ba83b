"""GET /api/v1/search: parameters, JSON shape and 400 errors that name the parameter."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wegwijzer.models import Service
from wegwijzer.search import sync_index


@pytest.fixture
def services(app: Flask, make_service: Callable[..., Service]) -> dict[str, Service]:
    made = {
        "zwolle": make_service(
            "Schuldhulpverlening Zwolle",
            description="Hulp bij schulden en een huurachterstand.",
            terms={"thema": ["schulden"], "organisatietype": ["gemeente"]},
            gm_codes=["GM0193"],
            lat=52.5125,
            lon=6.092,
        ),
        "kampen": make_service(
            "Formulierenhulp Kampen",
            description="Hulp bij formulieren en brieven.",
            terms={"thema": ["brieven-formulieren"], "toegang": ["inloop"]},
            gm_codes=["GM0166"],
            lat=52.555,
            lon=5.911,
        ),
        "national": make_service(
            "Geldlijn",
            description="Anoniem bellen over schulden.",
            terms={"thema": ["schulden", "budget"]},
            national=True,
        ),
    }
    sync_index()
    return made


def test_search_returns_documented_shape(client: FlaskClient, services: dict[str, Service]) -> None:
    resp = client.get("/api/v1/search?q=schulden&near=8011&thema=schulden&per_page=5")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    data = resp.get_json()
    assert set(data) >= {
        "query",
        "total",
        "page",
        "per_page",
        "location",
        "suggestion",
        "urgent",
        "results",
        "facets",
    }
    assert data["query"] == "schulden"
    assert data["total"] == 2 and data["page"] == 1 and data["per_page"] == 5
    assert data["location"]["gm_code"] == "GM0193"
    assert set(data["location"]) == {
        "name",
        "municipality",
        "gm_code",
        "lat",
        "lon",
        "source",
        "typed",
    }
    first = data["results"][0]
    assert first["id"] == services["zwolle"].id
    assert first["organization"]["name"] == services["zwolle"].organization.name
    assert first["municipalities"] == ["GM0193"]
    assert first["themes"] == ["schulden"]
    assert isinstance(first["distance_km"], float)
    assert "<mark>schulden</mark>" in first["snippet"]
    assert first["url"].endswith(f"/hulp/{services['zwolle'].id}")
    national = data["results"][1]
    assert national["distance_km"] is None and national["is_national"]
    assert data["facets"]["thema"]["budget"] == 1
    assert set(data["facets"]["extra"]) == {"open_now", "inloop"}


def test_repeated_filters_are_or_within_a_taxonomy(
    client: FlaskClient, services: dict[str, Service]
) -> None:
    data = client.get("/api/v1/search?thema=schulden&thema=brieven-formulieren").get_json()
    assert data["total"] == 3
    data = client.get("/api/v1/search?thema=brieven-formulieren&toegang=inloop").get_json()
    assert [r["id"] for r in data["results"]] == [services["kampen"].id]


def test_urgent_query_puts_debt_help_first(
    client: FlaskClient, services: dict[str, Service]
) -> None:
    data = client.get("/api/v1/search?q=deurwaarder&near=Zwolle").get_json()
    assert data["urgent"] is True
    assert data["results"][0]["id"] == services["zwolle"].id
    assert data["results"][0]["is_urgent_pick"] is True


def test_suggestion_and_english_urls(client: FlaskClient, services: dict[str, Service]) -> None:
    data = client.get("/api/v1/search?q=formulierne&lang=en").get_json()
    assert data["suggestion"] == "formulieren"
    assert data["results"][0]["url"].endswith("?lang=en")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=500", "per_page"),
        ("radius_km=5", "radius_km"),
        ("near=Zwolle&radius_km=-1", "radius_km"),
        ("near=Zwolle&radius_km=veel", "radius_km"),
        ("thema=onbekend", "thema"),
        ("fase=schulden", "fase"),
        ("organisatietype=gemeente&organisatietype=x", "organisatietype"),
        ("open_now=misschien", "open_now"),
        ("walk_in=2", "walk_in"),
        ("lang=de", "lang"),
        ("q=" + "a" * 201, "q"),
        ("near=Nergenshuizen", "near"),
    ],
)
def test_bad_parameters_give_400_naming_the_parameter(
    client: FlaskClient, services: dict[str, Service], query: str, parameter: str
) -> None:
    resp = client.get(f"/api/v1/search?{query}")
    assert resp.status_code == 400
    data = resp.get_json()
    assert data["parameter"] == parameter
    assert isinstance(data["error"], str) and data["error"]


def test_unknown_place_offers_suggestions(
    client: FlaskClient, services: dict[str, Service]
) -> None:
    data = client.get("/api/v1/search?near=Zwolel").get_json()
    assert data["parameter"] == "near"
    assert "Zwolle" in data["suggestions"]


def test_unknown_code_lists_the_allowed_ones(
    client: FlaskClient, services: dict[str, Service]
) -> None:
    data = client.get("/api/v1/search?toegang=bellen").get_json()
    assert "telefonisch" in data["allowed"]


def test_open_now_and_pagination(client: FlaskClient, services: dict[str, Service]) -> None:
    data = client.get("/api/v1/search?open_now=true").get_json()
    assert data["total"] == 0  # none of these services has opening hours
    page2 = client.get("/api/v1/search?per_page=2&page=2").get_json()
    assert page2["total"] == 3 and len(page2["results"]) == 1 and page2["pages"] == 2


def test_api_sets_no_cookie(client: FlaskClient, services: dict[str, Service]) -> None:
    resp = client.get("/api/v1/search?q=schulden")
    assert "Set-Cookie" not in resp.headers
