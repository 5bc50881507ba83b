"""The beheer import/export page: dry run, real import, clear refusals, public-only exports."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import Service

from .manage_support import FreshClient, csrf_token, login, make_user, new_client


@pytest.fixture
def admin(app: Flask) -> FreshClient:
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    client = new_client(app)
    login(client, "beheer@zwolle.nl")
    return client


def _upload(client: FreshClient, data: bytes, name: str, dry_run: bool):  # noqa: ANN202
    token = csrf_token(client, "/beheer/import-export")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/beheer/import-export", data=form, content_type="multipart/form-data")


def test_export_then_import_round_trip_through_the_page(app: Flask, admin, make_service) -> None:
    svc = make_service(
        "Thuisadministratie Zwolle",
        internal_notes="INTERN-NIET-EXPORTEREN",
        private_contact={"name": "Geheime Contactpersoon", "phone": "06-99999999"},
    )
    resp = admin.get("/beheer/export/hsds-json")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    body = resp.get_data(as_text=True)
    assert "Thuisadministratie Zwolle" in body
    assert "INTERN-NIET-EXPORTEREN" not in body and "Geheime Contactpersoon" not in body

    exported = json.loads(body)
    exported[0]["name"] = "Thuisadministratie Zwolle (nieuw)"
    data = json.dumps(exported).encode()
    dry = _upload(admin, data, "diensten.json", dry_run=True)
    assert dry.status_code == 200
    assert "Proefimport" in dry.get_data(as_text=True)
    db.session.refresh(svc)
    assert svc.name == "Thuisadministratie Zwolle"

    real = _upload(admin, data, "diensten.json", dry_run=False)
    assert real.status_code == 200, real.get_data(as_text=True)
    assert "Geïmporteerd" in real.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Service, svc.id).name == "Thuisadministratie Zwolle (nieuw)"


def test_bad_file_is_refused_with_a_clear_message(app: Flask, admin) -> None:
    before = db.session.scalar(select(Service.id).limit(1))
    resp = _upload(admin, b'[{"name": "kapot"', "kapot.json", dry_run=False)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Niet geïmporteerd" in html or "fout" in html
    assert db.session.scalar(select(Service.id).limit(1)) == before


def test_other_exports_download(app: Flask, admin, make_service) -> None:
    make_service("Budgetcoach Zwolle")
    csv_resp = admin.get("/beheer/export/csv")
    assert csv_resp.status_code == 200
    assert "Budgetcoach Zwolle" in csv_resp.get_data(as_text=True)
    zipped = admin.get("/beheer/export/hsds-csv")
    assert zipped.status_code == 200 and zipped.get_data()[:2] == b"PK"
    assert admin.get("/beheer/export/onbekend").status_code == 404


def test_a_beheerder_cannot_import_services_of_another_municipality(
    app: Flask, admin, make_service
) -> None:
    kampen = make_service("Formulierenhulp Kampen", gm_codes=["GM0166"])
    zwolle = make_service("Formulierenhulp Zwolle", gm_codes=["GM0193"])
    exported = json.loads(admin.get("/beheer/export/hsds-json").get_data(as_text=True))
    for item in exported:
        item["name"] += " (gewijzigd)"
    response = _upload(admin, json.dumps(exported).encode(), "alles.json", dry_run=False)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Formulierenhulp Kampen" in page and "GM0166" in page
    db.session.expire_all()
    # All or nothing: the Zwolle service in the same file is not changed either.
    assert db.session.get(Service, zwolle.id).name == "Formulierenhulp Zwolle"
    assert db.session.get(Service, kampen.id).name == "Formulierenhulp Kampen"

    only_zwolle = [i for i in exported if i["id"] == zwolle.id]
    ok = _upload(admin, json.dumps(only_zwolle).encode(), "zwolle.json", dry_run=False)
    assert ok.status_code == 200, ok.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Service, zwolle.id).name == "Formulierenhulp Zwolle (gewijzigd)"
