"""One municipality cannot change, take over or lock out another's organisations and locations.

Each test replays an attack from a review: through the import page (JSON and spreadsheet), a
forged service form, a wider service area, or a deleted service brought back.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.interop import import_file
from wegwijzer.interop.hsds_csv import datapackage, package_columns, package_tables, write_table
from wegwijzer.models import Location, Organization, Service
from wegwijzer.services.taxonomy import term_id

from .manage_support import csrf_token, login, make_user, new_client, post

ZWOLLE_ADDRESS = {"address_1": "Grote Markt 1", "postal_code": "8011 LW", "city": "Zwolle"}


@pytest.fixture
def world(app: Flask, make_organization, make_service) -> dict[str, Any]:
    """Zwolle and Kampen: each an organisation with a service, a location and a redacteur."""
    zwolle_org = make_organization(
        "Stichting Geldmaatje Zwolle", website="https://zwolle.example.org"
    )
    zwolle_svc = make_service(
        "Geldmaatje Zwolle",
        organization=zwolle_org,
        gm_codes=["GM0193"],
        lat=52.5125,
        lon=6.0944,
        address=dict(ZWOLLE_ADDRESS),
    )
    kampen_org = make_organization("Stichting Thuisadministratie Kampen")
    kampen_svc = make_service(
        "Thuisadministratie Kampen",
        organization=kampen_org,
        gm_codes=["GM0166"],
        lat=52.5550,
        lon=5.9110,
        address={"address_1": "Oudestraat 1", "postal_code": "8261 CE", "city": "Kampen"},
    )
    zwolle_editor = make_user(
        "redacteur@geldmaatje.nl", "redacteur", organization_ids=[zwolle_org.id]
    )
    kampen_editor = make_user("redacteur@kampen.nl", "redacteur", organization_ids=[kampen_org.id])
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    make_user("beheer@kampen.nl", "beheerder", gm_codes=["GM0166"])
    return {
        "zwolle_org": zwolle_org.id,
        "zwolle_service": zwolle_svc.id,
        "zwolle_location": zwolle_svc.service_at_locations[0].location_id,
        "zwolle_editor": zwolle_editor.id,
        "kampen_org": kampen_org.id,
        "kampen_service": kampen_svc.id,
        "kampen_location": kampen_svc.service_at_locations[0].location_id,
        "kampen_editor": kampen_editor.id,
    }


def _client(app: Flask, email: str) -> FlaskClient:
    client = new_client(app)
    login(client, email)
    return client


def _upload(client: FlaskClient, data: bytes, name: str, *, dry_run: bool = False):  # noqa: ANN202
    form: dict[str, Any] = {
        "csrf_token": csrf_token(client, "/beheer/import-export"),
        "file": (io.BytesIO(data), name),
    }
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/beheer/import-export", data=form, content_type="multipart/form-data")


def _assert_owner_keeps_everything(app: Flask, world: dict[str, Any], prefix: str) -> None:
    """The owner's beheerder still reaches their organisation, location and redacteur."""
    owner = _client(app, f"beheer@{prefix}.nl")
    for url in (
        f"/beheer/organisaties/{world[f'{prefix}_org']}",
        f"/beheer/locaties/{world[f'{prefix}_location']}",
        f"/beheer/gebruikers/{world[f'{prefix}_editor']}",
    ):
        assert owner.get(url).status_code == 200, url


def _assert_zwolle_unchanged(world: dict[str, Any]) -> None:
    db.session.expire_all()
    org = db.session.get(Organization, world["zwolle_org"])
    assert org.name == "Stichting Geldmaatje Zwolle"
    assert org.website == "https://zwolle.example.org"
    loc = db.session.get(Location, world["zwolle_location"])
    assert loc.organization_id == world["zwolle_org"]
    assert loc.address.address_1 == "Grote Markt 1" and loc.gm_code == "GM0193"
    names = set(db.session.scalars(select(Service.name).where(Service.organization_id == org.id)))
    assert names == {"Geldmaatje Zwolle"}


# --- the import page ---------------------------------------------------------------------------


def _kampen_service(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A new Kampen service whose organisation and location carry Zwolle's ids."""
    service_id = str(uuid.uuid4())
    item = {
        "id": service_id,
        "name": "Formulierenhulp Kampen",
        "description": "Hulp bij formulieren in Kampen.",
        "organization_id": world["zwolle_org"],
        "organization": {
            "id": world["zwolle_org"],
            "name": "Overgenomen door Kampen",
            "website": "https://kampen.example.org",
        },
        "service_areas": [
            {"id": str(uuid.uuid4()), "extent_type": "cbs_gemeentecode", "extent": "GM0166"}
        ],
        "service_at_locations": [
            {
                "id": str(uuid.uuid4()),
                "service_id": service_id,
                "location_id": world["zwolle_location"],
                "location": {
                    "id": world["zwolle_location"],
                    "name": "Nieuw adres",
                    "addresses": [
                        {
                            "id": str(uuid.uuid4()),
                            "address_1": "Oudestraat 9",
                            "postal_code": "8261 CE",
                            "city": "Kampen",
                        }
                    ],
                },
            }
        ],
    }
    item.update(overrides)
    return item


def _package(items: list[dict[str, Any]]) -> bytes:
    """Return HSDS service objects as a zipped HSDS CSV data package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        tables = package_tables(items)
        for table, rows in tables.items():
            text = io.StringIO()
            write_table(text, package_columns(table, False), rows)
            archive.writestr(f"{table}.csv", text.getvalue())
        archive.writestr("datapackage.json", json.dumps(datapackage(list(tables), False)))
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["json", "zip"])
def test_an_hsds_import_cannot_overwrite_another_municipalitys_organisation_and_location(
    app: Flask, world, kind: str
) -> None:
    kampen = _client(app, "beheer@kampen.nl")
    items = [_kampen_service(world)]
    data = json.dumps(items).encode() if kind == "json" else _package(items)
    for dry_run in (True, False):
        response = _upload(kampen, data, f"kampen.{kind}", dry_run=dry_run)
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "Niet geïmporteerd" in page
        # The refusal names the organisation and the location it would have changed.
        assert "Stichting Geldmaatje Zwolle" in page and world["zwolle_org"] in page
        assert world["zwolle_location"] in page and "Zwolle (GM0193)" in page
        assert "1 organisatie (0 nieuw, 1 gewijzigd" in page  # what the file would have done
        if kind == "zip":  # each refusal names the table file the object stands in
            assert "<td>organizations.csv</td>" in page and "<td>locations.csv</td>" in page
    _assert_zwolle_unchanged(world)
    assert (
        db.session.scalar(select(Service).where(Service.name == "Formulierenhulp Kampen")) is None
    )
    _assert_owner_keeps_everything(app, world, "zwolle")


def _flat_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_a_spreadsheet_import_cannot_overwrite_another_municipalitys_organisation_and_location(
    app: Flask, world
) -> None:
    kampen = _client(app, "beheer@kampen.nl")
    data = _flat_csv(
        [
            {
                "organisatie": "Overgenomen door Kampen",
                "organisatie-id": world["zwolle_org"],
                "naam": "Formulierenhulp Kampen",
                "omschrijving": "Hulp bij formulieren in Kampen.",
                "locatie": "Nieuw adres",
                "locatie-id": world["zwolle_location"],
                "adres": "Oudestraat 9",
                "postcode": "8261 CE",
                "plaats": "Kampen",
                "gemeenten": "Kampen",
            }
        ]
    )
    response = _upload(kampen, data, "kampen.csv")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Stichting Geldmaatje Zwolle" in page and world["zwolle_location"] in page
    # Named on the spreadsheet's own row (line 2).
    assert re.search(r"<td>2</td><td>[^<]*</td><td>[^<]*Stichting Geldmaatje Zwolle", page)
    _assert_zwolle_unchanged(world)
    _assert_owner_keeps_everything(app, world, "zwolle")


def test_a_spreadsheet_cannot_put_a_new_service_under_another_municipalitys_organisation(
    app: Flask, world
) -> None:
    """Naming the organisation (found by name) adds a Kampen service to it: refused."""
    kampen = _client(app, "beheer@kampen.nl")
    data = _flat_csv(
        [
            {
                "organisatie": "Stichting Geldmaatje Zwolle",
                "naam": "Formulierenhulp Kampen",
                "omschrijving": "Hulp bij formulieren in Kampen.",
                "gemeenten": "Kampen",
            }
        ]
    )
    response = _upload(kampen, data, "kampen.csv")
    assert response.status_code == 422
    assert "Formulierenhulp Kampen" in response.get_data(as_text=True)
    _assert_zwolle_unchanged(world)
    _assert_owner_keeps_everything(app, world, "zwolle")


def test_an_import_cannot_add_locations_or_links_to_another_municipality(app: Flask, world) -> None:
    kampen = _client(app, "beheer@kampen.nl")
    own_org = {"id": world["kampen_org"], "name": "Stichting Thuisadministratie Kampen"}
    new_location = {
        "id": str(uuid.uuid4()),
        "name": "Tweede vestiging",
        "organization_id": world["zwolle_org"],
        "latitude": 52.51,
        "longitude": 6.09,
    }
    files = {
        "nieuwe-locatie.json": _kampen_service(
            world,
            organization_id=own_org["id"],
            organization=own_org,
            service_at_locations=[{"location": new_location}],
        ),
        "koppeling.json": _kampen_service(
            world,
            organization_id=own_org["id"],
            organization=own_org,
            service_at_locations=[{"location_id": world["zwolle_location"]}],
        ),
    }
    for name, item in files.items():
        response = _upload(kampen, json.dumps([item]).encode(), name)
        assert response.status_code == 422, name
        assert "Stichting Geldmaatje Zwolle" in response.get_data(as_text=True), name
    db.session.expire_all()
    assert db.session.get(Location, new_location["id"]) is None
    assert len(db.session.get(Location, world["zwolle_location"]).service_at_locations) == 1
    _assert_owner_keeps_everything(app, world, "zwolle")


def test_an_import_may_name_an_organisation_it_does_not_change(
    app: Flask, world, make_organization, make_service
) -> None:
    """A Kampen service of a regional organisation: re-importing the export changes only it."""
    regional = make_organization("Schuldhulpmaatje Regio")
    make_service("Maatje Zwolle", organization=regional, gm_codes=["GM0193"])
    ours = make_service("Maatje Kampen", organization=regional, gm_codes=["GM0166"])
    kampen = _client(app, "beheer@kampen.nl")
    exported = json.loads(kampen.get("/beheer/export/hsds-json").get_data(as_text=True))
    item = next(i for i in exported if i["id"] == ours.id)
    item["description"] = "Nieuwe beschrijving."
    response = _upload(kampen, json.dumps([item]).encode(), "maatje.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Service, ours.id).description == "Nieuwe beschrijving."

    # Renaming the regional organisation, which also works in Zwolle, is not Kampen's to do.
    item["organization"]["name"] = "Maatje Kampen en omstreken"
    refused = _upload(kampen, json.dumps([item]).encode(), "maatje.json")
    assert refused.status_code == 422
    assert "Schuldhulpmaatje Regio" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organization, regional.id).name == "Schuldhulpmaatje Regio"


def test_the_command_line_import_stays_unrestricted(app: Flask, world) -> None:
    data = json.dumps([_kampen_service(world)]).encode()
    report = import_file(data, "hsds", dry_run=False, actor="cli")
    assert report.ok and report.written, [str(p) for p in report.problems]
    db.session.expire_all()
    assert db.session.get(Organization, world["zwolle_org"]).name == "Overgenomen door Kampen"


# --- the service form ----------------------------------------------------------------------------


def _service_form(world: dict[str, Any], org_id: str, csrf: str) -> dict[str, Any]:
    return {
        "csrf_token": csrf,
        "organization_id": org_id,
        "name": "Formulierenhulp Zwolle",
        "description": "Wij helpen met brieven en formulieren.",
        "status": "active",
        "municipalities": ["GM0193"],
        "terms": [term_id("wegwijzer-thema", "brieven-formulieren")],
        "phones-0-number": "038-1234567",
        "weekly-0-attending_type": "inloop",
    }


def test_the_service_form_offers_only_organisations_in_scope(app: Flask, world) -> None:
    zwolle = _client(app, "beheer@zwolle.nl")
    page = zwolle.get("/beheer/diensten/nieuw").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="organization_id".*?</select>', page, re.S)
    assert select_html is not None
    assert "Stichting Geldmaatje Zwolle" in select_html.group(0)
    assert world["kampen_org"] not in page
    assert "Stichting Thuisadministratie Kampen" not in page


def test_a_forged_service_form_cannot_use_another_municipalitys_organisation(
    app: Flask, world
) -> None:
    zwolle = _client(app, "beheer@zwolle.nl")
    csrf = csrf_token(zwolle, "/beheer/diensten/nieuw")
    response = zwolle.post(
        "/beheer/diensten/nieuw", data=_service_form(world, world["kampen_org"], csrf)
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "U kunt deze organisatie niet kiezen" in page
    assert 'id="organization_id-error"' in page or "veld-fout" in page
    db.session.expire_all()
    assert (
        db.session.scalar(select(Service).where(Service.name == "Formulierenhulp Zwolle")) is None
    )

    # Moving an existing Zwolle service under the Kampen organisation is refused the same way.
    url = f"/beheer/diensten/{world['zwolle_service']}"
    data = _service_form(world, world["kampen_org"], csrf_token(zwolle, url))
    data["version"] = str(db.session.get(Service, world["zwolle_service"]).version)
    moved = zwolle.post(url, data=data)
    assert moved.status_code == 200
    assert "U kunt deze organisatie niet kiezen" in moved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Service, world["zwolle_service"]).organization_id == world["zwolle_org"]
    _assert_owner_keeps_everything(app, world, "kampen")


def test_a_forged_service_form_of_a_redacteur_is_refused_on_the_field(app: Flask, world) -> None:
    editor = _client(app, "redacteur@geldmaatje.nl")
    csrf = csrf_token(editor, "/beheer/diensten/nieuw")
    response = editor.post(
        "/beheer/diensten/nieuw", data=_service_form(world, world["kampen_org"], csrf)
    )
    assert response.status_code == 200
    assert "U kunt deze organisatie niet kiezen" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (
        db.session.scalar(select(Service).where(Service.name == "Formulierenhulp Zwolle")) is None
    )


def test_a_wider_service_area_cannot_take_an_organisation_from_its_municipality(
    app: Flask, world, make_service
) -> None:
    """Every beheerder manages a national service; narrowing it to Zwolle is not Zwolle's call."""
    national = make_service(
        "Landelijke hulplijn Kampen",
        organization=db.session.get(Organization, world["kampen_org"]),
        national=True,
    )
    zwolle = _client(app, "beheer@zwolle.nl")
    url = f"/beheer/diensten/{national.id}"
    data = _service_form(world, world["kampen_org"], csrf_token(zwolle, url))
    data.update(name=national.name, version=str(national.version))
    response = zwolle.post(url, data=data)
    assert response.status_code == 200
    assert "ook in een andere gemeente werken" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Service, national.id).is_national
    _assert_owner_keeps_everything(app, world, "kampen")


# --- deleted services ------------------------------------------------------------------------


def test_a_deleted_service_does_not_change_who_manages_an_organisation(
    app: Flask, world, make_service
) -> None:
    """The lock-out of the review, already done: a Zwolle service under Kampen's organisation."""
    intruder = make_service(
        "Zwolse dienst",
        organization=db.session.get(Organization, world["kampen_org"]),
        gm_codes=["GM0193"],
    )
    kampen = _client(app, "beheer@kampen.nl")
    assert kampen.get(f"/beheer/organisaties/{world['kampen_org']}").status_code == 403

    zwolle = _client(app, "beheer@zwolle.nl")
    assert post(zwolle, f"/beheer/diensten/{intruder.id}/verwijderen").status_code == 302
    _assert_owner_keeps_everything(app, world, "kampen")

    # Bringing it back would lock Kampen out again: refused, with a message.
    restore = post(zwolle, f"/beheer/diensten/{intruder.id}/herstellen")
    assert restore.status_code == 302
    db.session.expire_all()
    assert db.session.get(Service, intruder.id).deleted_at is not None
    assert "ook in een andere gemeente werken" in zwolle.get("/beheer/diensten").get_data(
        as_text=True
    )
    _assert_owner_keeps_everything(app, world, "kampen")
