"""The beheer import page: skip services with errors (download them with their reasons),
publish straight away, and a report in the page's language with one line per cause."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from sqlalchemy import select

from tests.interop_support import as_bytes, service_obj
from wegwijzer.extensions import db
from wegwijzer.models import Service

from .manage_support import FreshClient, csrf_token, login, make_user, new_client

PAGE = "/beheer/import-export"


@pytest.fixture
def admin(app: Flask) -> FreshClient:
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    client = new_client(app)
    login(client, "beheer@zwolle.nl")
    return client


def _upload(client: FreshClient, data: bytes, *flags: str, query: str = ""):  # noqa: ANN202
    token = csrf_token(client, PAGE + query)
    form: dict[str, object] = {"csrf_token": token, "file": (io.BytesIO(data), "diensten.json")}
    for flag in flags:
        form[flag] = "y"
    return client.post(PAGE + query, data=form, content_type="multipart/form-data")


def _mixed() -> bytes:
    abroad = service_obj(2)
    abroad["service_at_locations"][0]["location"].update(
        id="5e1d0000-0000-4000-9000-000000000002", latitude=48.85, longitude=2.35, addresses=[]
    )
    plain = service_obj(1)
    del plain["x_wegwijzer"]
    return as_bytes([plain, abroad])


def _status() -> dict[str, str]:
    return dict(db.session.execute(select(Service.name, Service.publication_status)).all())


def test_default_refuses_everything(app: Flask, admin: FreshClient) -> None:
    resp = _upload(admin, _mixed())
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Niet geïmporteerd" in html and "buiten Nederland" in html
    assert "Gevonden: HSDS 3.0 (JSON)" in html
    assert _status() == {}


def test_skip_invalid_imports_the_rest_and_offers_the_rejected_rows(
    app: Flask, admin: FreshClient
) -> None:
    resp = _upload(admin, _mixed(), "skip_invalid")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    html = resp.get_data(as_text=True)
    assert "Overgeslagen diensten" in html
    assert "1 dienst(en) met fouten overgeslagen" in html
    assert _status() == {"Geldhulp 1": "concept"}
    start = html.index("/beheer/import-export/afgewezen/")
    link = html[start : html.index('"', start)]
    download = admin.get(link)
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["bestand", "rij", "id", "naam", "redenen"]
    assert rows[1][1:4] == ["2", "5e1d0000-0000-4000-8000-000000000002", "Geldhulp 2"]
    assert "buiten Nederland" in rows[1][4]

    # Another beheerder cannot fetch it, nor can a guessed name.
    make_user("ander@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    other = new_client(app)
    login(other, "ander@zwolle.nl")
    assert other.get(link).status_code == 404
    assert admin.get("/beheer/import-export/afgewezen/..%2F..%2Fsecret").status_code == 404


def test_publish_checkbox_publishes_a_trusted_import(app: Flask, admin: FreshClient) -> None:
    resp = _upload(admin, _mixed(), "skip_invalid", "publish")
    assert resp.status_code == 200
    assert "1 dienst(en) gepubliceerd" in resp.get_data(as_text=True)
    assert _status() == {"Geldhulp 1": "gepubliceerd"}


def test_publish_needs_the_csrf_token(app: Flask, admin: FreshClient) -> None:
    form = {"file": (io.BytesIO(_mixed()), "diensten.json"), "publish": "y"}
    resp = admin.post(PAGE, data=form, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert _status() == {}


def test_report_speaks_english_on_the_english_site(app: Flask, admin: FreshClient) -> None:
    resp = _upload(admin, _mixed(), "skip_invalid", query="?lang=en")
    html = resp.get_data(as_text=True)
    assert "Skipped services" in html
    assert "Found: HSDS 3.0 (JSON)" in html
    assert "1 service(s) with errors skipped." in html
    assert "lie outside the Netherlands" in html
    assert "buiten Nederland" not in html


def test_skip_invalid_leaves_out_what_lies_outside_the_beheerders_municipality(
    app: Flask,
) -> None:
    make_user("beheer@kampen.nl", "beheerder", gm_codes=["GM0166"])
    kampen = new_client(app)
    login(kampen, "beheer@kampen.nl")
    zwolle = service_obj(1)  # works in Zwolle (GM0193)
    own = service_obj(2, service_areas=[{"extent_type": "cbs_gemeentecode", "extent": "GM0166"}])
    own["organization"] = {**own["organization"], "id": "0b9d7c6e-1f2a-4b3c-8d4e-000000000166"}
    own["service_at_locations"][0]["location"]["id"] = "0b9d7c6e-1f2a-4b3c-8d4e-000000001660"
    data = as_bytes([zwolle, own])
    refused = _upload(kampen, data)
    assert refused.status_code == 422
    assert _status() == {}
    resp = _upload(kampen, data, "skip_invalid")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    html = resp.get_data(as_text=True)
    assert "u beheert alleen diensten in uw eigen gemeente(n)" in html
    assert set(_status()) == {"Geldhulp 2"}


def test_a_refusal_names_the_organisation_by_the_files_own_id(app: Flask) -> None:
    from wegwijzer.interop import import_file

    from .test_interop_versions import FOREIGN

    assert import_file(FOREIGN / "hsds11", None, dry_run=False, actor="cli").ok
    make_user("beheer@kampen.nl", "beheerder", gm_codes=["GM0166"])
    kampen = new_client(app)
    login(kampen, "beheer@kampen.nl")
    svc = service_obj(5, service_areas=[{"extent_type": "cbs_gemeentecode", "extent": "GM0166"}])
    svc["organization"] = {"id": "org-1", "name": "Stichting Rekenhulp Kampen", "description": "x"}
    resp = _upload(kampen, as_bytes([svc]))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "(id org-1)" in html
