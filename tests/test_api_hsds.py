"""The HSDS 3.0 API at /api/hsds/: each endpoint and parameter, the page wrapper, only public
data, CORS, ETag/304, errors, and every answer valid against the HSDS schemas (formats
checked)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.http import http_date

from wegwijzer.extensions import db
from wegwijzer.models import Organization, Service, Taxonomy, TaxonomyTerm, utcnow
from wegwijzer.search import sync_index
from wegwijzer.services.changes import record_change

from .hsds_api_support import KINDS, answer_errors, errors, import_full_example, make_directory

API = "/api/hsds"


@pytest.fixture
def made(
    app: Flask,
    make_service: Callable[..., Service],
    make_organization: Callable[..., Organization],
) -> dict[str, Any]:
    return make_directory(make_service, make_organization)


def get(client: FlaskClient, path: str, status: int = 200, **kw: Any) -> Any:
    """GET an API path; check the status, the JSON and (for 200) the HSDS schemas."""
    resp = client.get(API + path, **kw)
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    data = resp.get_json()
    if status == 200:
        assert answer_errors(path, data) == []
    return data


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["contents"]]


def test_root_names_version_profile_and_openapi(client: FlaskClient, made: dict) -> None:
    data = get(client, "/")
    assert data["version"] == "3.0"
    assert data["profile"].startswith("https://")
    assert data["openapi_url"] == "http://localhost/api/hsds/openapi.json"
    assert client.get(data["openapi_url"]).status_code == 200


def test_services_hold_only_public_services_in_the_page_wrapper(
    client: FlaskClient, made: dict
) -> None:
    page = get(client, "/services")
    public = {made[k].id for k in ("zwolle", "kampen", "national")}
    assert set(ids(page)) == public
    assert {k: page[k] for k in page if k != "contents"} == {
        "total_items": 3,
        "total_pages": 1,
        "page_number": 1,
        "size": 3,
        "first_page": True,
        "last_page": True,
        "empty": False,
    }
    # By name, one-to-one fields only (no lists, no nested organisation).
    assert [s["name"] for s in page["contents"]] == [
        "Formulierenhulp Kampen",
        "Geldlijn",
        "Schuldhulpverlening Zwolle",
    ]
    for item in page["contents"]:
        assert "phones" not in item and "organization" not in item
        assert item["organization_id"] and item["status"] == "active"
    text = json.dumps(page)
    for hidden in ("concept", "archived", "hidden"):
        assert made[hidden].id not in text


def test_full_services_and_one_service_are_the_export_objects(
    client: FlaskClient, made: dict
) -> None:
    from wegwijzer.interop.export import service_json

    full = get(client, "/services?full=true")
    zwolle = next(s for s in full["contents"] if s["id"] == made["zwolle"].id)
    one = get(client, f"/services/{made['zwolle'].id}")
    assert one == zwolle == json.loads(json.dumps(service_json(made["zwolle"], internal=False)))
    assert one["organization"]["name"] == "Stichting Geldmaatjes Zwolle"
    assert one["attributes"][0]["taxonomy_term"]["code"] == "schulden"
    assert one["service_at_locations"][0]["location"]["addresses"][0]["city"] == "Zwolle"
    # The private contact stays out.
    assert "intern@geldmaatjes.example" not in json.dumps(one)
    assert one["contacts"] == []


def test_paging(client: FlaskClient, made: dict) -> None:
    first = get(client, "/services?per_page=2")
    second = get(client, "/services?per_page=2&page=2")
    assert first["size"] == 2 and first["first_page"] and not first["last_page"]
    assert first["total_pages"] == 2 and first["total_items"] == 3
    assert second["size"] == 1 and not second["first_page"] and second["last_page"]
    assert second["page_number"] == 2
    assert set(ids(first)) | set(ids(second)) == {
        made[k].id for k in ("zwolle", "kampen", "national")
    }
    beyond = get(client, "/services?page=9")
    assert beyond["contents"] == [] and beyond["empty"] and beyond["total_items"] == 3
    nothing = get(client, f"/services?organization_id={uuid.uuid4()}")
    assert nothing["total_items"] == 0 and nothing["total_pages"] == 0 and nothing["empty"]
    assert nothing["first_page"] and nothing["last_page"]


def test_search_is_the_sites_search(client: FlaskClient, made: dict) -> None:
    # "schuld" finds "schulden" through the search's Dutch stemming, best match first.
    found = get(client, "/services?search=schuld")
    assert set(ids(found)) == {made["zwolle"].id, made["national"].id}
    assert made["kampen"].id not in ids(found)
    assert ids(get(client, "/services?search=formulieren")) == [made["kampen"].id]
    # A place named in the words limits to services there (or national), as on the site.
    in_kampen = ids(get(client, "/services?search=hulp%20in%20Kampen"))
    assert made["zwolle"].id not in in_kampen and made["kampen"].id in in_kampen
    # Search and filters together; the concept service is never found.
    both = get(client, f"/services?search=schulden&organization_id={made['org'].id}")
    assert ids(both) == [made["zwolle"].id]
    orgs = get(client, "/organizations?search=formulieren")
    assert ids(orgs) == [made["kampen"].organization_id]


def _term(taxonomy: str, code: str) -> TaxonomyTerm:
    return next(
        t
        for t in db.session.query(TaxonomyTerm).all()
        if t.code == code and t.taxonomy.name == taxonomy
    )


def test_taxonomy_organization_and_modified_filters(client: FlaskClient, made: dict) -> None:
    debts = _term("wegwijzer-thema", "schulden")
    assert set(ids(get(client, f"/services?taxonomy_term_id={debts.id}"))) == {
        made["zwolle"].id,
        made["national"].id,
    }
    access = _term("wegwijzer-toegang", "inloop").taxonomy_id
    assert ids(get(client, f"/services?taxonomy_id={access}")) == [made["kampen"].id]
    assert ids(get(client, f"/services?organization_id={made['org'].id}")) == [made["zwolle"].id]
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    future = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S%%2B02:00")
    assert get(client, f"/services?modified_after={past}")["total_items"] == 3
    assert get(client, f"/services?modified_after={future}")["total_items"] == 0
    # An organisation's edit counts as a change of its services.
    later = (utcnow() + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    made["org"].description = "Nieuwe beschrijving."
    made["org"].updated_at = utcnow() + timedelta(seconds=5)
    db.session.commit()
    assert ids(get(client, f"/services?modified_after={later}")) == [made["zwolle"].id]
    # The same filters work on service_at_locations.
    sal = get(client, f"/service_at_locations?taxonomy_term_id={debts.id}")
    assert [s["service_id"] for s in sal["contents"]] == [made["zwolle"].id]


def test_service_at_locations_with_postcode_and_proximity(client: FlaskClient, made: dict) -> None:
    every = get(client, "/service_at_locations")
    assert {s["service_id"] for s in every["contents"]} == {made["zwolle"].id, made["kampen"].id}
    assert all("location" in s and "service" not in s for s in every["contents"])
    # Postcode in Zwolle: services whose area holds Zwolle (Kampen's does not).
    zwolle = get(client, "/service_at_locations?postcode=8011%20AB")
    assert [s["service_id"] for s in zwolle["contents"]] == [made["zwolle"].id]
    # Proximity: only locations within that many meters, nearest first.
    kampen = made["kampen"]
    kampen.service_areas[0].extent_type = "landelijk"
    kampen.service_areas[0].gm_code = None
    db.session.commit()
    near = get(client, "/service_at_locations?postcode=8011&proximity=3000")
    assert [s["service_id"] for s in near["contents"]] == [made["zwolle"].id]
    wide = get(client, "/service_at_locations?postcode=8011&proximity=40000")
    assert [s["service_id"] for s in wide["contents"]] == [made["zwolle"].id, kampen.id]
    # From Kampen, Zwolle's location is near enough, but the service is for Zwolle only.
    other = get(client, "/service_at_locations?postcode=8261&proximity=40000")
    assert [s["service_id"] for s in other["contents"]] == [kampen.id]
    full = get(client, "/service_at_locations?postcode=8011&full=true")
    assert {s["service"]["id"] for s in full["contents"]} == {made["zwolle"].id, kampen.id}
    link = full["contents"][0]
    one = get(client, f"/service_at_locations/{link['id']}")
    assert one == link
    assert one["location"]["id"] == one["location_id"]


def test_organizations(client: FlaskClient, made: dict) -> None:
    page = get(client, "/organizations")
    names = [o["name"] for o in page["contents"]]
    assert "Stichting Geldmaatjes Zwolle" in names
    assert "Verborgen Stichting" not in names
    assert all("services" not in o and "phones" not in o for o in page["contents"])
    org = get(client, f"/organizations/{made['org'].id}")
    # Its public services (one-to-one fields), not the concept one; its locations.
    assert [s["id"] for s in org["services"]] == [made["zwolle"].id]
    assert "attributes" not in org["services"][0]
    assert [loc["name"] for loc in org["locations"]] == ["Schuldhulpverlening Zwolle"]
    assert org["website"] == "https://geldmaatjes.example"
    full = get(client, f"/organizations/{made['org'].id}?full_service=true")
    assert full["services"][0]["attributes"]
    listed = get(client, "/organizations?full=true")
    mine = next(o for o in listed["contents"] if o["id"] == made["org"].id)
    assert [s["id"] for s in mine["services"]] == [made["zwolle"].id]
    get(client, f"/organizations/{made['hidden_org'].id}", status=404)


def test_taxonomies_and_terms(client: FlaskClient, made: dict) -> None:
    taxonomies = get(client, "/taxonomies")
    names = [t["name"] for t in taxonomies["contents"]]
    assert names[:2] == ["wegwijzer-fase", "wegwijzer-thema"]
    assert taxonomies["total_items"] == db.session.query(Taxonomy).count()
    theme = next(t for t in taxonomies["contents"] if t["name"] == "wegwijzer-thema")
    assert get(client, f"/taxonomies/{theme['id']}") == theme
    assert ids(get(client, "/taxonomies?search=onderwerp")) == [theme["id"]]
    terms = get(client, f"/taxonomy_terms?taxonomy_id={theme['id']}&per_page=100")
    assert "schulden" in [t["code"] for t in terms["contents"]]
    assert all(t["taxonomy_id"] == theme["id"] for t in terms["contents"])
    debts = _term("wegwijzer-thema", "schulden")
    one = get(client, f"/taxonomy_terms/{debts.id}")
    assert one["name"] == debts.name and one["taxonomy_detail"]["id"] == theme["id"]
    found = get(client, "/taxonomy_terms?search=deurwaarder")
    assert debts.id in ids(found)
    # A term with a parent: parent_id and top_only.
    child = _term("wegwijzer-thema", "budget")
    child.parent_id = debts.id
    db.session.commit()
    assert ids(get(client, f"/taxonomy_terms?parent_id={debts.id}")) == [child.id]
    top = get(client, "/taxonomy_terms?top_only=true&per_page=100")
    assert child.id not in ids(top) and debts.id in ids(top)
    assert get(client, f"/taxonomy_terms/{child.id}")["parent_id"] == debts.id


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("/services?page=0", "page"),
        ("/services?page=abc", "page"),
        ("/services?page=10001", "page"),
        ("/services?per_page=101", "per_page"),
        ("/services?per_page=", "per_page"),
        ("/services?full=maybe", "full"),
        ("/services?format=xml", "format"),
        ("/services?taxonomy_term_id=schulden", "taxonomy_term_id"),
        ("/services?taxonomy_id=1", "taxonomy_id"),
        ("/services?organization_id=x", "organization_id"),
        ("/services?modified_after=2026-01-01", "modified_after"),
        ("/services?modified_after=2026-13-01T00:00:00Z", "modified_after"),
        ("/services?search=" + "a" * 201, "search"),
        ("/organizations?full_service=ja", "full_service"),
        ("/taxonomy_terms?top_only=2", "top_only"),
        ("/taxonomy_terms?parent_id=abc", "parent_id"),
        ("/service_at_locations?proximity=1000", "proximity"),
        ("/service_at_locations?postcode=8011&proximity=-1", "proximity"),
        ("/service_at_locations?postcode=8011&proximity=far", "proximity"),
        ("/service_at_locations?postcode=0000", "postcode"),
        ("/service_at_locations?postcode=Zwolle", "postcode"),
        ("/services/not-a-uuid", "id"),
        ("/services?organisation_id=x", "organisation_id"),
        ("/services?minimal=true", "minimal"),
        ("/taxonomies?full=true", "full"),
        ("/?page=1", "page"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(
    client: FlaskClient, query: str, parameter: str
) -> None:
    data = get(client, query, status=400)
    assert data["parameter"] == parameter
    assert parameter in data["error"]
    english = get(client, query + ("&" if "?" in query else "?") + "lang=en", status=400)
    assert english["parameter"] == parameter and english["error"] != data["error"]
    assert set(data) == {"error", "parameter"}


def test_unknown_or_hidden_ids_are_404(client: FlaskClient, made: dict) -> None:
    for path in (
        "services",
        "service_at_locations",
        "organizations",
        "taxonomies",
        "taxonomy_terms",
    ):
        missing = str(uuid.uuid4())
        data = get(client, f"/{path}/{missing}", status=404)
        assert missing in data["error"] and data["parameter"] == "id"
    for hidden in ("concept", "archived", "hidden"):
        get(client, f"/services/{made[hidden].id}", status=404)
    concept_link = made["concept"].service_at_locations[0].id
    get(client, f"/service_at_locations/{concept_link}", status=404)


def test_cors_lets_any_site_read_but_not_write(client: FlaskClient, made: dict) -> None:
    resp = client.get(API + "/services", headers={"Origin": "https://gemeente.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in resp.headers
    assert "ETag" in resp.headers["Access-Control-Expose-Headers"]
    pre = client.options(
        API + "/services",
        headers={
            "Origin": "https://gemeente.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert pre.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in pre.headers["Access-Control-Allow-Headers"]
    post = client.post(API + "/services", json={"name": "x"})
    assert post.status_code == 405 and "POST" not in post.headers["Allow"]
    assert client.head(API + "/services").status_code == 200


def test_no_cookie_and_no_rate_limit_for_anonymous_clients(client: FlaskClient, made: dict) -> None:
    for _ in range(60):
        resp = client.get(API + "/services?per_page=1")
        assert resp.status_code == 200
        assert "Set-Cookie" not in resp.headers
    assert not client.get_cookie("session")


def test_etag_and_last_modified_give_304(client: FlaskClient, made: dict) -> None:
    first = client.get(API + "/services")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get(API + "/services", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    since = client.get(API + "/services", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    old = http_date(utcnow() - timedelta(days=400))
    assert client.get(API + "/services", headers={"If-Modified-Since": old}).status_code == 200
    # After a change the old ETag no longer matches.
    made["kampen"].name = "Formulierenhulp Kampen-Zuid"
    record_change(db.session, "service", made["kampen"].id)
    db.session.commit()
    sync_index()
    changed = client.get(API + "/services", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Kampen-Zuid" in changed.get_data(as_text=True)
    one = client.get(API + f"/services/{made['zwolle'].id}")
    assert (
        client.get(
            API + f"/services/{made['zwolle'].id}", headers={"If-None-Match": one.headers["ETag"]}
        ).status_code
        == 304
    )


def test_openapi_documents(app: Flask, client: FlaskClient, made: dict) -> None:
    doc = get(client, "/openapi.json")
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": "http://localhost/api/hsds", "description": "This Wegwijzer"}]
    assert len(doc["paths"]) == 11
    refs = [value for value in _walk(doc) if isinstance(value, tuple) and value[0] == "$ref"]
    assert refs and all(ref.startswith("#/") for _key, ref in refs)
    params = doc["components"]["parameters"]
    assert "minimal" not in params and params["per_page"]["schema"]["maximum"] == 100
    app.config["BASE_URL"] = "https://wegwijzer.zwolle.nl"
    moved = get(client, "/openapi.json")
    assert moved["servers"][0]["url"] == "https://wegwijzer.zwolle.nl/api/hsds"
    v1 = client.get("/api/v1/openapi.json").get_json()
    assert v1["servers"][0]["url"] == "https://wegwijzer.zwolle.nl/api/v1"
    search = v1["paths"]["/search"]["get"]
    names = {p["name"] for p in search["parameters"]}
    assert {"q", "near", "page", "per_page", "thema", "fase"} <= names
    thema = next(p for p in search["parameters"] if p["name"] == "thema")
    assert "schulden" in thema["schema"]["items"]["enum"]


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield (key, item)
            else:
                yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def test_the_schema_check_has_teeth(client: FlaskClient, made: dict) -> None:
    one = get(client, f"/services/{made['zwolle'].id}")
    broken = dict(one, url="https://voorbeeld.nl/hulp bij geld’", id="123")
    assert len(errors("service", broken)) == 2
    page = get(client, "/services")
    assert errors("page", {k: v for k, v in page.items() if k != "total_items"})


def test_every_answer_on_real_data_validates_and_keeps_every_hsds_field(
    app: Flask, client: FlaskClient, make_service: Callable[..., Service]
) -> None:
    """The demo directory and Open Referral's own full example (moved to Zwolle), published:
    every page and every object the API gives validates, and the fields Wegwijzer keeps
    without using them (programs, funding, accreditations, …) come out too."""
    from wegwijzer.interop import import_file
    from wegwijzer.interop.export import service_json

    from .interop_support import DEMO

    example = import_full_example()
    report = import_file(DEMO, "hsds", dry_run=False, actor="test", publish=True)
    assert report.ok, [p.message_nl for p in report.errors]
    odd = make_service("Hulp met een rare link", url="https://voorbeeld.nl/geld’hulp?a=b c")
    sync_index()

    one = get(client, f"/services/{example['id']}")
    svc = db.session.get(Service, example["id"])
    assert one == json.loads(json.dumps(service_json(svc, internal=False)))
    for field in ("program", "funding", "required_documents", "accreditations", "licenses"):
        assert one[field] == example[field], field
    assert get(client, f"/services/{odd.id}")["url"] == (
        "https://voorbeeld.nl/geld%E2%80%99hulp?a=b%20c"
    )
    total = 0
    for path in KINDS:
        for extra in ("", "&full=true") if not path.startswith("tax") else ("",):
            page_number, last = 1, False
            while not last:
                page = get(client, f"/{path}?per_page=100&page={page_number}{extra}")
                last, page_number = page["last_page"], page_number + 1
                total += page["size"]
                if extra or path.startswith("tax"):
                    for item in page["contents"]:
                        assert get(client, f"/{path}/{item['id']}")["id"] == item["id"]
    assert total > 200
