"""Input hygiene: control characters are refused everywhere; lists, texts and uploads have limits.

The NUL cases run on SQLite and on PostgreSQL, which refuses NUL in text (a 500 before).
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests.interop_support import as_bytes, service_obj, table_counts
from wegwijzer.cli import main
from wegwijzer.domain import limits
from wegwijzer.extensions import db
from wegwijzer.interop import export_hsds_csv, import_file
from wegwijzer.models import (
    AuditEntry,
    LoginAttempt,
    Organization,
    Phone,
    Report,
    Service,
    ServiceArea,
    utcnow,
)
from wegwijzer.services.accounts import ADDRESS_FAILURES, ADDRESS_KEY_PREFIX

from .manage_support import PASSWORD, csrf_token, login, make_user, new_client

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def site(request: pytest.FixtureRequest) -> Flask:
    """The app on SQLite, then on PostgreSQL (each request in its own context, as in production)."""
    from tests.conftest import IsolatedClient

    app: Flask = request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")
    app.test_client_class = IsolatedClient
    return app


def _world() -> dict[str, Any]:
    """A published service in Zwolle, its organisation and the Zwolle beheerder."""
    org = Organization(
        name="Stichting Schoon",
        slug="stichting-schoon",
        description="Helpt bij geldzaken.",
        publication_status="gepubliceerd",
    )
    svc = Service(
        organization=org,
        name="Schone Hulp",
        slug="schone-hulp",
        description="Hulp bij brieven.",
        publication_status="gepubliceerd",
    )
    svc.service_areas.append(ServiceArea(name="Zwolle", extent_type="gemeente", gm_code="GM0193"))
    svc.phones.append(Phone(number="038-0000100", type="voice", position=0))
    db.session.add_all([org, svc])
    db.session.commit()
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    return {"org_id": org.id, "service_id": svc.id}


def _page(resp: Any, status: int) -> str:
    html = resp.get_data(as_text=True)
    assert resp.status_code == status, html[:2000]
    return html


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _service_form(client: FlaskClient, world: dict[str, Any], **fields: Any) -> dict[str, Any]:
    svc = db.session.get(Service, world["service_id"])
    url = f"/beheer/diensten/{svc.id}"
    return {
        "csrf_token": csrf_token(client, url),
        "version": str(svc.version),
        "organization_id": world["org_id"],
        "name": svc.name,
        "description": svc.description,
        "status": "active",
        "municipalities": ["GM0193"],
        **fields,
    }


# --- NUL and other control characters at the request layer -------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/hulp/%00", "Het adres bevat een onzichtbaar stuurteken (U+0000)"),
        ("/organisatie/%00", "Het adres bevat een onzichtbaar stuurteken (U+0000)"),
        ("/hulp/schone-hulp?print=%00", "‘print’ bevat een onzichtbaar stuurteken (U+0000)"),
        ("/zoeken?q=geld%00", "‘q’ bevat een onzichtbaar stuurteken"),
        ("/zoeken?plaats=%1B", "(U+001B)"),
        ("/zoeken?q=%7F", "(U+007F)"),
        ("/zoeken?q=%C2%85", "(U+0085)"),
        ("/?plaats=a%00b", "‘plaats’"),
        ("/wegwijzer?a%00b=1", "‘a?b’"),
    ],
)
def test_control_characters_in_public_addresses_give_a_400_page(
    site: Flask, url: str, words: str
) -> None:
    _world()
    html = _page(new_client(site).get(url), 400)
    assert words in html
    assert "Deze link klopt niet helemaal" in html


def test_the_400_page_speaks_english_and_tabs_and_newlines_stay_allowed(app: Flask) -> None:
    _world()
    client = new_client(app)
    html = _page(client.get("/hulp/%00?lang=en"), 400)
    assert "The web address contains an invisible control character (U+0000)" in html
    _page(client.get("/zoeken?q=geld%09zorgen%0Abrief%0D"), 200)


def test_audit_filter_with_nul_gives_a_400_naming_the_parameter(site: Flask) -> None:
    _world()
    client = new_client(site)
    assert login(client, "beheer@zwolle.nl").status_code == 302
    html = _page(client.get("/beheer/audit?user=a%00b"), 400)
    assert "‘user’ bevat een onzichtbaar stuurteken (U+0000)" in html


def test_api_answers_control_characters_with_json_naming_the_parameter(site: Flask) -> None:
    client = new_client(site)
    resp = client.get("/api/v1/search?q=a%00b")
    assert resp.status_code == 400
    assert resp.get_json()["parameter"] == "q"
    assert "stuurteken (U+0000)" in resp.get_json()["error"]
    near = client.get("/api/v1/search?near=Zwolle%01")
    assert near.status_code == 400 and near.get_json()["parameter"] == "near"
    path = client.get("/api/v1/%00")
    assert path.status_code == 400 and "adres" in path.get_json()["error"]
    body = client.post("/api/v1/search", json={"filters": {"thema": ["schul\x00den"]}})
    assert body.status_code == 400
    assert body.get_json()["parameter"] == "filters.thema[0]"


def test_report_form_with_nul_is_refused_and_nothing_stored(site: Flask) -> None:
    from wegwijzer.web.public.report import report_token

    world = _world()
    resp = new_client(site).post(
        "/hulp/schone-hulp/melding",
        data={"token": report_token(world["service_id"]), "message": "Nummer\x00 klopt niet."},
    )
    assert "‘message’ bevat een onzichtbaar stuurteken (U+0000)" in _page(resp, 400)
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_service_and_organisation_saves_with_nul_are_refused_and_nothing_saved(
    site: Flask,
) -> None:
    world = _world()
    client = new_client(site)
    login(client, "beheer@zwolle.nl")
    before = _audit_count()
    data = _service_form(client, world, description="Hulp bij\x00 brieven.")
    resp = client.post(f"/beheer/diensten/{world['service_id']}", data=data)
    assert "‘description’ bevat een onzichtbaar stuurteken (U+0000)" in _page(resp, 400)
    org_url = f"/beheer/organisaties/{world['org_id']}"
    resp = client.post(
        org_url, data={"csrf_token": csrf_token(client, org_url), "name": "Stichting\x00 Vuil"}
    )
    assert "‘name’ bevat een onzichtbaar stuurteken" in _page(resp, 400)
    db.session.expire_all()
    assert db.session.get(Service, world["service_id"]).description == "Hulp bij brieven."
    assert db.session.get(Organization, world["org_id"]).name == "Stichting Schoon"
    assert _audit_count() == before
    # The same save without the NUL goes through: the form itself was fine.
    data = _service_form(client, world, description="Hulp bij alle brieven.")
    _page(client.post(f"/beheer/diensten/{world['service_id']}", data=data), 302)


# --- limits in the beheer form -------------------------------------------------------------------


def test_too_many_phone_rows_are_refused_naming_the_list(app: Flask) -> None:
    world = _world()
    client = new_client(app)
    login(client, "beheer@zwolle.nl")
    rows = {f"phones-{i}-number": f"038-{i:07d}" for i in range(20_000)}
    data = _service_form(client, world, **rows)
    html = _page(client.post(f"/beheer/diensten/{world['service_id']}", data=data), 200)
    assert "Te veel regels bij ‘Telefoonnummers’: 20.000, maximaal 20." in html
    # However many rows were posted, the page shows no more than the limit and a few blank ones.
    assert html.count('name="phones-') <= 3 * (limits.PHONES + 6)
    db.session.expire_all()
    assert [p.number for p in db.session.get(Service, world["service_id"]).phones] == [
        "038-0000100"
    ]


def test_phone_rows_up_to_the_limit_save_and_blank_rows_do_not_count(app: Flask) -> None:
    world = _world()
    client = new_client(app)
    login(client, "beheer@zwolle.nl")
    rows = {f"phones-{i}-number": f"038-{i:07d}" for i in range(limits.PHONES)}
    blank = {f"phones-{limits.PHONES + i}-number": "" for i in range(3)}
    data = _service_form(client, world, **rows, **blank)
    assert client.post(f"/beheer/diensten/{world['service_id']}", data=data).status_code == 302
    db.session.expire_all()
    assert len(db.session.get(Service, world["service_id"]).phones) == limits.PHONES
    # The edit page now shows the rows plus a blank one; saving it as it is still works.
    html = _page(client.get(f"/beheer/diensten/{world['service_id']}"), 200)
    assert f'name="phones-{limits.PHONES}-number"' in html
    data = _service_form(client, world, **rows, **{f"phones-{limits.PHONES}-number": ""})
    assert client.post(f"/beheer/diensten/{world['service_id']}", data=data).status_code == 302
    rows[f"phones-{limits.PHONES}-number"] = "038-9999999"
    data = _service_form(client, world, **rows)
    html = _page(client.post(f"/beheer/diensten/{world['service_id']}", data=data), 200)
    assert "Te veel regels bij ‘Telefoonnummers’: 21, maximaal 20." in html


def test_too_long_description_is_refused_naming_the_field(app: Flask) -> None:
    world = _world()
    client = new_client(app)
    login(client, "beheer@zwolle.nl")
    before = _audit_count()
    data = _service_form(client, world, description="geld " * 1_000_000)
    html = _page(client.post(f"/beheer/diensten/{world['service_id']}", data=data), 200)
    assert (
        "‘Beschrijving (wat doet u, voor wie)’ is te lang: maximaal 10.000 tekens "
        "(nu 5.000.000)." in html
    )
    # No plain-language hints for a text that is refused anyway (reading it took seconds).
    assert "zin(nen) met meer dan" not in html
    db.session.expire_all()
    assert db.session.get(Service, world["service_id"]).description == "Hulp bij brieven."
    assert _audit_count() == before
    data = _service_form(client, world, description="x" * limits.TEXT)
    assert client.post(f"/beheer/diensten/{world['service_id']}", data=data).status_code == 302
    org_url = f"/beheer/organisaties/{world['org_id']}"
    resp = client.post(
        org_url,
        data={"csrf_token": csrf_token(client, org_url), "name": "S" * (limits.NAME + 1)},
    )
    assert "‘Naam’ is te lang: maximaal 255 tekens (nu 256)." in _page(resp, 200)


# --- imports: per row and field ------------------------------------------------------------------


def _refused(data: Any, fmt: str | None) -> Any:
    before = table_counts(db.session)
    report = import_file(data, fmt, dry_run=False, actor="test")
    assert not report.ok and not report.written
    db.session.expire_all()
    assert table_counts(db.session) == before
    return report


def _error(report: Any, row: int, field: str, words: str, file: str | None = None) -> None:
    found = [p for p in report.errors if p.row == row and p.field == field and p.file == file]
    assert found, [(p.file, p.row, p.field, p.message_nl) for p in report.errors]
    assert words in found[0].message_nl


def test_hsds_json_with_nul_in_a_field_is_a_row_error(site: Flask) -> None:
    services = [
        service_obj(1),
        service_obj(2, description="Hulp bij\u0000 geld"),
        service_obj(3, phones=[{"number": "038\u0085123"}]),
    ]
    report = _refused(as_bytes(services), "hsds")
    _error(report, 2, "description", "onzichtbaar stuurteken (U+0000)")
    _error(report, 3, "phones[0].number", "(U+0085)")


def test_flat_csv_with_nul_in_a_cell_is_a_row_error(site: Flask) -> None:
    text = (
        "organisatie;naam;omschrijving;gemeenten\n"
        "Stichting Schoon;Schone Hulp;Hulp bij brieven;Zwolle\n"
        "Stichting Schoon;Vuile Hulp;Hulp bij\x00 brieven;Zwolle\n"
    )
    report = _refused(text.encode("utf-8"), "csv")
    _error(report, 3, "omschrijving", "onzichtbaar stuurteken (U+0000)")


def test_hsds_csv_package_with_nul_in_a_cell_is_a_row_error(site: Flask, tmp_path: Path) -> None:
    assert import_file(as_bytes([service_obj(1)]), "hsds", dry_run=False, actor="t").ok
    package = tmp_path / "pakket"
    export_hsds_csv(db.session, package, internal=True)
    services = package / "services.csv"
    text = services.read_text(encoding="utf-8")
    assert "Hulp bij brieven en rekeningen." in text
    services.write_text(text.replace("Hulp bij brieven", "Hulp bij\x00 brieven"), "utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in package.iterdir():
            archive.write(path, path.name)
    report = _refused(buffer.getvalue(), None)
    _error(report, 2, "description", "onzichtbaar stuurteken (U+0000)", file="services.csv")


def test_import_upload_with_nul_shows_the_report_and_writes_nothing(site: Flask) -> None:
    _world()
    client = new_client(site)
    login(client, "beheer@zwolle.nl")
    before = table_counts(db.session)
    data = as_bytes([service_obj(1, name="Geld\u0000hulp")])
    resp = client.post(
        "/beheer/import-export",
        data={
            "csrf_token": csrf_token(client, "/beheer/import-export"),
            "file": (io.BytesIO(data), "diensten.json"),
        },
        content_type="multipart/form-data",
    )
    assert "onzichtbaar stuurteken (U+0000)" in _page(resp, 422)
    db.session.expire_all()
    assert table_counts(db.session) == before


def test_import_enforces_the_form_limits_per_row(app: Flask) -> None:
    services = [
        service_obj(1, description="x" * (limits.TEXT + 1)),
        service_obj(2, phones=[{"number": f"038-{i:07d}"} for i in range(limits.PHONES + 1)]),
        service_obj(3, name="N" * (limits.NAME + 1)),
        service_obj(4, x_wegwijzer={"referral_route": "r" * (limits.TEXT + 1)}),
    ]
    report = _refused(as_bytes(services), "hsds")
    _error(report, 1, "description", "Te lang: 10.001 tekens, hoogstens 10.000.")
    _error(report, 2, "phones", "Te veel items (21); hoogstens 20.")
    _error(report, 3, "name", "Te lang: 256 tekens, hoogstens 255.")
    _error(report, 4, "x_wegwijzer.referral_route", "Te lang")
    text = "organisatie;naam;omschrijving\nStichting;Hulp;" + "o" * (limits.TEXT + 1) + "\n"
    report = _refused(text.encode("utf-8"), "csv")
    _error(report, 2, "omschrijving", "Te lang: 10.001 tekens")


# --- uploads over the limit ----------------------------------------------------------------------


def test_a_50_mb_upload_gets_the_styled_413_page(app: Flask) -> None:
    _world()
    client = new_client(app)
    login(client, "beheer@zwolle.nl")
    before = table_counts(db.session)
    # The multipart body as a browser sends it (in memory: no temporary file left open).
    token = csrf_token(client, "/beheer/import-export")
    body = (
        (
            f'--grens\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--grens\r\nContent-Disposition: form-data; name="file"; filename="groot.json"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + b"x" * (50 * 1024 * 1024)
        + b"\r\n--grens--\r\n"
    )
    resp = client.post(
        "/beheer/import-export",
        input_stream=io.BytesIO(body),
        content_type="multipart/form-data; boundary=grens",
        content_length=len(body),
    )
    html = _page(resp, 413)
    assert "Dit is te groot om te versturen" in html
    assert "hoogstens 20 MB" in html and 'href="/beheer/import-export"' in html
    assert 'class="site-footer"' in html
    assert table_counts(db.session) == before
    api = client.post(
        "/api/v1/search",
        data=b"q=" + b"x" * (26 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert api.status_code == 413
    assert api.get_json() == {"error": "Wat u stuurt is te groot: hoogstens 25 MB."}


# --- failed logins per address -------------------------------------------------------------------


def test_one_address_cannot_try_a_password_on_many_accounts(app: Flask) -> None:
    _world()
    client = new_client(app)
    token = csrf_token(client, "/beheer/login")
    for i in range(ADDRESS_FAILURES):
        resp = client.post(
            "/beheer/login",
            data={
                "csrf_token": token,
                "email": f"persoon{i}@voorbeeld.nl",
                "password": "zomer2024",
            },
        )
        assert "klopt niet" in _page(resp, 200)
    # Even the right password of a real account is refused from this address now.
    resp = client.post(
        "/beheer/login",
        data={"csrf_token": token, "email": "beheer@zwolle.nl", "password": PASSWORD},
    )
    assert "Te veel mislukte pogingen vanaf dit adres" in _page(resp, 429)
    # Another address is not affected.
    other = new_client(app)
    other_token = csrf_token(other, "/beheer/login")
    resp = other.post(
        "/beheer/login",
        data={"csrf_token": other_token, "email": "beheer@zwolle.nl", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert resp.status_code == 302
    # Only keyed hashes are kept, and the address rows are forgotten after the window.
    keys = list(db.session.scalars(select(LoginAttempt.key)))
    assert not any("127.0.0.1" in key for key in keys)
    db.session.execute(
        update(LoginAttempt)
        .where(LoginAttempt.key.startswith(ADDRESS_KEY_PREFIX))
        .values(at=utcnow() - timedelta(minutes=11))
    )
    db.session.commit()
    resp = client.post(
        "/beheer/login",
        data={"csrf_token": token, "email": "nog-een@voorbeeld.nl", "password": "zomer2024"},
    )
    assert "klopt niet" in _page(resp, 200)
    address_rows = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.key.startswith(ADDRESS_KEY_PREFIX))
    )
    assert address_rows == 1


# --- the command line ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["create-user", "jan@voorbeeld.nl", "--role", "verwijzer", "--name", "Jan\x01"], "--name"),
        (["create-user", "jan\udcff@voorbeeld.nl", "--role", "verwijzer"], "email"),
        (["coverage", "--municipality", "Zwolle\x1b"], "--municipality"),
        (["import", "--actor", "beheer\x7f", "{source}"], "--actor"),
    ],
)
def test_cli_refuses_control_characters_before_touching_the_database(
    runner: CliRunner, instance_dir: Path, tmp_path: Path, args: list[str], words: str
) -> None:
    source = tmp_path / "leeg.json"
    source.write_text("[]", encoding="utf-8")
    args = [a.replace("{source}", str(source)) for a in args]
    result = runner.invoke(
        main,
        [*args, "--instance", str(instance_dir)],
        env={"WEGWIJZER_SECRET_KEY": "test-secret-key-not-for-production"},
    )
    assert result.exit_code == 1, result.output
    assert f"Fout: {words} bevat een onzichtbaar stuurteken" in result.output
    assert not (instance_dir / "wegwijzer.sqlite3").exists()
