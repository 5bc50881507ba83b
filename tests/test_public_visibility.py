"""One rule for "the public may see this service", on every public page, API, export and count.

A service is public when it is published (not a concept, under review or archived), not
deleted, and its organisation is published and not deleted (``Service.is_public``). Each test
changes one of those through the real beheer actions and looks at every place a visitor (or a
beheerder's public export and coverage view) could meet the service.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from itertools import product
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import Municipality, Organization, PublicationStatus, Service, utcnow

from .manage_support import login, make_user, new_client, post

NAME = "Budgetcoach Zichtbaarheid"
ZWOLLE = {"lat": 52.5125, "lon": 6.0944}


@pytest.fixture
def setup(
    app: Flask,
    make_organization: Callable[..., Organization],
    make_service: Callable[..., Service],
) -> dict[str, Any]:
    """A Zwolle organisation whose one service is also the municipality's debt help."""
    org = make_organization("Stichting Zichtbaarheid")
    svc = make_service(
        NAME,
        organization=org,
        description="Budgetcoach Zichtbaarheid helpt u met rekeningen en schulden.",
        terms={"thema": ["schulden", "budget"], "organisatietype": ["gemeente"]},
        gm_codes=["GM0193"],
        phones=["038-0000777"],
        address={"address_1": "Grote Markt 1", "city": "Zwolle", "postal_code": "8011 LW"},
        handover_needs=["Toestemming van de inwoner"],
        **ZWOLLE,
    )
    db.session.get(Municipality, "GM0193").debt_help_service_id = svc.id
    db.session.commit()
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    admin = new_client(app)
    assert login(admin, "beheer@zwolle.nl").status_code == 302
    return {"org": org, "service": svc, "admin": admin}


# --- looking everywhere ------------------------------------------------------------------------


def _html(client: FlaskClient, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def _shows(client: FlaskClient, url: str, text: str = NAME) -> bool:
    status, html = _html(client, url)
    assert status in (200, 404), (url, status)
    return status == 200 and text in html


def _markers(html: str) -> int:
    found = re.search(r'class="folium-map[^"]*"[^>]*data-markers="(\d+)"', html)
    return int(found.group(1)) if found else 0


def _section(html: str, start: str, end: str) -> str:
    if start not in html:
        return ""
    part = html[html.index(start) :]
    return part[: part.index(end)] if end in part else part


def _jsonld_names(html: str) -> list[str]:
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return [json.loads(block).get("name", "") for block in blocks]


def _hsds_csv_names(admin: FlaskClient) -> str:
    response = admin.get("/beheer/export/hsds-csv")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return archive.read("services.csv").decode("utf-8")


def where_seen(setup: dict[str, Any]) -> dict[str, bool]:
    """Return, for every public place, whether it shows the service."""
    svc: Service = setup["service"]
    org: Organization = setup["org"]
    admin: FlaskClient = setup["admin"]
    anon = FlaskClient(admin.application)
    card = f'data-service="{svc.slug}"'
    _status, service_html = _html(anon, f"/hulp/{svc.slug}")
    _status, map_html = _html(anon, "/zoeken?q=zichtbaarheid&weergave=kaart")
    api = anon.get("/api/v1/search?q=zichtbaarheid").get_json()
    urgent = _html(anon, "/wegwijzer/resultaat?situatie=deurwaarder&plaats=Zwolle")[1]
    route = _html(anon, "/wegwijzer/resultaat?situatie=rekeningen&plaats=Zwolle")[1]
    return {
        "service page": _shows(anon, f"/hulp/{svc.slug}"),
        "service page by id": _shows(anon, f"/hulp/{svc.id}"),
        "print version": _shows(anon, f"/hulp/{svc.slug}?print=1"),
        "handover sheet": _shows(anon, f"/hulp/{svc.slug}/overdracht"),
        "JSON-LD": NAME in _jsonld_names(service_html),
        "organisation page": _shows(anon, f"/organisatie/{org.slug}", card),
        "results page": _shows(anon, "/zoeken?q=zichtbaarheid", card),
        "results print": _shows(anon, "/zoeken?q=zichtbaarheid&print=1", f"<h2>{NAME}</h2>"),
        "map view": _markers(map_html) == 1,
        "API search": svc.id in [hit["id"] for hit in api["results"]],
        "debt help on the home page": _shows(anon, "/?plaats=Zwolle"),
        "debt help on the signals page": _shows(anon, "/signalen?plaats=Zwolle"),
        "route result": NAME in route,
        "urgent route result": NAME in _section(urgent, 'id="beste-stappen"', "</section>"),
        "HSDS JSON export": NAME
        in [s["name"] for s in admin.get("/beheer/export/hsds-json").get_json()],
        "HSDS CSV export": NAME in _hsds_csv_names(admin),
        "CSV export": NAME in admin.get("/beheer/export/csv").get_data(as_text=True),
        "coverage cell": _shows(admin, "/beheer/dekking/cel?gm=GM0193&thema=schulden"),
    }


_PLACES = (
    "service page",
    "service page by id",
    "print version",
    "handover sheet",
    "JSON-LD",
    "organisation page",
    "results page",
    "results print",
    "map view",
    "API search",
    "debt help on the home page",
    "debt help on the signals page",
    "route result",
    "urgent route result",
    "HSDS JSON export",
    "HSDS CSV export",
    "CSV export",
    "coverage cell",
)


def everywhere(seen: bool) -> dict[str, bool]:
    return dict.fromkeys(_PLACES, seen)


def assert_gone(setup: dict[str, Any]) -> None:
    """The service is nowhere, and its own pages answer 404 (not an empty 200)."""
    svc: Service = setup["service"]
    assert where_seen(setup) == everywhere(False)
    anon = FlaskClient(setup["admin"].application)
    for url in (f"/hulp/{svc.slug}", f"/hulp/{svc.slug}?print=1", f"/hulp/{svc.id}/overdracht"):
        assert anon.get(url).status_code == 404, url


# --- the tests --------------------------------------------------------------------------------


def test_a_published_service_shows_everywhere(setup: dict[str, Any]) -> None:
    assert where_seen(setup) == everywhere(True)


def test_deleting_the_organisation_hides_its_services_everywhere_until_restored(
    setup: dict[str, Any],
) -> None:
    org, admin = setup["org"], setup["admin"]
    assert where_seen(setup) == everywhere(True)

    assert post(admin, f"/beheer/organisaties/{org.id}/verwijderen").status_code == 302
    db.session.refresh(org)
    assert org.deleted_at is not None
    assert anon_status(setup, f"/organisatie/{org.slug}") == 404
    assert_gone(setup)

    assert post(admin, f"/beheer/organisaties/{org.id}/herstellen").status_code == 302
    db.session.refresh(org)
    assert org.deleted_at is None
    assert where_seen(setup) == everywhere(True)


def test_an_archived_service_is_nowhere_until_published_again(setup: dict[str, Any]) -> None:
    svc, admin = setup["service"], setup["admin"]
    assert post(admin, f"/beheer/diensten/{svc.id}/archiveren").status_code == 302
    db.session.refresh(svc)
    assert svc.publication_status == PublicationStatus.ARCHIVED
    assert_gone(setup)
    # Out of the archive it is a concept: still not public.
    assert post(admin, f"/beheer/diensten/{svc.id}/terughalen").status_code == 302
    assert_gone(setup)
    assert post(admin, f"/beheer/diensten/{svc.id}/publiceren").status_code == 302
    assert where_seen(setup) == everywhere(True)


def test_a_concept_is_nowhere_until_published(app: Flask, setup: dict[str, Any]) -> None:
    from wegwijzer.search import sync_index
    from wegwijzer.services.changes import record_change

    svc, org, admin = setup["service"], setup["org"], setup["admin"]
    svc.publication_status = PublicationStatus.CONCEPT  # as a redacteur's new service starts
    record_change(db.session, "service", svc.id)
    db.session.commit()
    sync_index()
    assert_gone(setup)
    make_user("redacteur@zichtbaarheid.nl", "redacteur", organization_ids=[org.id])
    editor = new_client(app)
    login(editor, "redacteur@zichtbaarheid.nl")
    assert post(editor, f"/beheer/diensten/{svc.id}/indienen").status_code == 302
    db.session.refresh(svc)
    assert svc.publication_status == PublicationStatus.REVIEW
    assert_gone(setup)
    assert post(admin, f"/beheer/diensten/{svc.id}/publiceren").status_code == 302
    assert where_seen(setup) == everywhere(True)


def test_a_deleted_service_is_nowhere_until_restored(setup: dict[str, Any]) -> None:
    svc, admin = setup["service"], setup["admin"]
    assert post(admin, f"/beheer/diensten/{svc.id}/verwijderen").status_code == 302
    assert_gone(setup)
    assert post(admin, f"/beheer/diensten/{svc.id}/herstellen").status_code == 302
    assert where_seen(setup) == everywhere(True)


def test_an_unpublished_organisation_hides_its_services(setup: dict[str, Any]) -> None:
    """An import may bring an organisation in as a concept: its services wait with it."""
    from wegwijzer.search import sync_index
    from wegwijzer.services.changes import record_change

    org: Organization = setup["org"]
    org.publication_status = PublicationStatus.CONCEPT
    record_change(db.session, "organization", org.id)
    db.session.commit()
    sync_index()
    assert_gone(setup)
    assert anon_status(setup, f"/organisatie/{org.slug}") == 404


def anon_status(setup: dict[str, Any], url: str) -> int:
    return FlaskClient(setup["admin"].application).get(url).status_code


# --- the rule itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("database", ["app", "pg_app"])
def test_the_python_and_sql_forms_of_the_rule_agree(
    request: pytest.FixtureRequest, database: str
) -> None:
    """``svc.is_public`` (templates, loaded rows) and ``Service.is_public`` (queries) agree."""
    request.getfixturevalue(database)
    expected = {}
    for i, (status, deleted, org_status, org_deleted) in enumerate(
        product(PublicationStatus, (False, True), PublicationStatus, (False, True))
    ):
        org = Organization(
            name=f"Organisatie {i}",
            slug=f"organisatie-{i}",
            publication_status=org_status,
            deleted_at=utcnow() if org_deleted else None,
        )
        svc = Service(
            organization=org,
            name=f"Dienst {i}",
            slug=f"dienst-{i}",
            publication_status=status,
            deleted_at=utcnow() if deleted else None,
        )
        db.session.add(svc)
        db.session.flush()
        expected[svc.id] = (
            status == PublicationStatus.PUBLISHED
            and not deleted
            and org_status == PublicationStatus.PUBLISHED
            and not org_deleted
        )
    db.session.commit()
    db.session.expire_all()
    in_python = {s.id: s.is_public for s in db.session.scalars(select(Service))}
    in_sql = set(db.session.scalars(select(Service.id).where(Service.is_public)))
    assert in_python == expected
    assert in_sql == {sid for sid, public in expected.items() if public}
    assert len(in_sql) == 1
