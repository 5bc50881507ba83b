"""The beheer import report on the English site: every message in English, none in Dutch.

Each bad file goes through the import page with ``?lang=en``; the page may not contain the
fixed text of any Dutch import message from the catalogue (the msgids of wegwijzer/interop).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from tests.interop_support import as_bytes, service_obj

from .manage_support import FreshClient, csrf_token, login, make_user, new_client

PAGE = "/beheer/import-export"
CATALOGUE = Path(__file__).parent.parent / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[.0-9]*[sdf]")


def _dutch_fragments() -> list[str]:
    """Return the longest fixed piece of every import message (Dutch msgid) in the catalogue."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    fragments = set()
    for message in catalogue:
        if not isinstance(message.id, str) or not message.id:
            continue
        if not any(path.startswith("wegwijzer/interop") for path, _ in message.locations):
            continue
        longest = max(_PLACEHOLDER.split(message.id), key=len).strip()
        if len(longest) >= 12:
            fragments.add(longest)
    return sorted(fragments)


DUTCH = _dutch_fragments()


@pytest.fixture
def admin(app: Flask) -> FreshClient:
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    client = new_client(app)
    login(client, "beheer@zwolle.nl")
    return client


def _upload(client: FreshClient, data: bytes, name: str) -> str:
    token = csrf_token(client, PAGE + "?lang=en")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name), "dry_run": "y"}
    resp = client.post(PAGE + "?lang=en", data=form, content_type="multipart/form-data")
    assert resp.status_code in (200, 422), resp.status_code
    return html.unescape(resp.get_data(as_text=True))


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _bad_services() -> bytes:
    """Services with many wrong values: types, days, times, areas, terms, contacts."""
    svc = service_obj(1)
    svc["schedules"] = [
        {"byday": "XX", "opens_at": "12:00", "closes_at": "09:00"},
        {
            "byday": "TU",
            "opens_at": "09:00",
            "closes_at": "10:00",
            "valid_from": "2026-05-01",
            "valid_to": "2026-04-01",
        },
        {"byday": "MO", "opens_at": "09:00", "closes_at": "10:00", "valid_from": "morgen"},
    ]
    svc["service_areas"] = [{"extent_type": "cbs_gemeentecode", "extent": "GM9999"}]
    svc["attributes"] = [
        {"taxonomy_term": {"taxonomy": "wegwijzer-thema", "code": "bestaat-niet"}},
        {"taxonomy_term": {"taxonomy": "eigen-lijst", "code": "x", "name": "Iets"}},
    ]
    svc["x_wegwijzer"] = {"direct_contact": ["geen object"], "internal": "tekst"}
    svc["alternate_name"] = "x" * 5000
    other = service_obj(2, organization="Stichting als tekst")
    return as_bytes([svc, other])


#: A data package with a table and a column Wegwijzer does not use.
TABLES = {
    "services.csv": "id,organization_id,name,kleur\nS1,O1,Hulp,rood\n",
    "organizations.csv": "id,name\nO1,Stichting\n",
    "eigen_tabel.csv": "id,iets\n1,x\n",
}

BAD_FILES = [
    ("kapot.json", b'[{"name": "kapot"'),
    ("getal.json", b"42"),
    ("lijst.json", b"[1, 2]"),
    ("contents.json", b'{"contents": 5}'),
    ("binair.csv", bytes(range(32)) * 20),
    ("leeg.csv", b"\n\n"),
    ("kolommen.csv", "naam;omschrijving\nCafé;x\n".encode("cp1252")),
    (
        "diensten.csv",
        "organisatie;naam;openingstijden;kleur\nStichting;Café;elke dag;rood\n".encode("cp1252"),
    ),
    ("pakket.zip", b"PK\x03\x04" + b"kapot" * 20),
    ("zonder.zip", _zip({"organizations.csv": "id,name\n1,Stichting\n"})),
    ("diensten.json", _bad_services()),
    ("tabellen.zip", _zip(TABLES)),
]


@pytest.mark.parametrize(("name", "data"), BAD_FILES, ids=[n for n, _ in BAD_FILES])
def test_no_dutch_import_message_on_the_english_site(
    app: Flask, admin: FreshClient, name: str, data: bytes
) -> None:
    page = _upload(admin, data, name)
    assert "Not imported" in page
    found = [text for text in DUTCH if text in page]
    assert found == [], f"{name}: Dutch import messages on the English page: {found}"


def test_specific_messages_in_plain_english(app: Flask, admin: FreshClient) -> None:
    assert len(DUTCH) > 80  # the check above compares against the whole catalogue
    assert "Not valid JSON: Expecting" in _upload(admin, b'[{"name": "kapot"', "kapot.json")
    assert "This is not a text file" in _upload(admin, bytes(range(32)) * 20, "binair.csv")
    assert "The zip file is damaged or incomplete" in _upload(
        admin, b"PK\x03\x04" + b"kapot" * 20, "pakket.zip"
    )
    assert "The data package has no services.csv" in _upload(
        admin, _zip({"organizations.csv": "id,name\n1,Stichting\n"}), "zonder.zip"
    )
    flat = _upload(
        admin,
        "organisatie;naam;openingstijden;kleur\nStichting;Café;elke dag;rood\n".encode("cp1252"),
        "diensten.csv",
    )
    assert "it was read as Windows-1252" in flat
    assert "Unknown columns ignored: kleur." in flat
    assert "'elke dag' is not an opening time" in flat
    tables = _upload(admin, _zip(TABLES), "tabellen.zip")
    assert "Found: HSDS 3.0 (tables)" in tables
    assert "This file is not used" in tables
    assert "This column is not part of HSDS 3; Wegwijzer does not use it" in tables
    page = _upload(admin, _bad_services(), "diensten.json")
    assert "Unknown day(s) 'XX'" in page
    assert "The closing time 09:00 is not after 12:00." in page
    assert "The end date is before the start date." in page
    assert "Expected a date like 2025-01-31, but got 'morgen'." in page
    assert "Unknown municipality code 'GM9999'; expected for example GM0193." in page
    assert "Unknown code 'bestaat-niet' in taxonomy wegwijzer-thema" in page
    assert "Unknown taxonomy 'eigen-lijst'" in page
    assert "Expected an object, but got a list." in page
    assert "Expected an object, but got text." in page
    assert "Too long: 5.000 characters" in page


def test_a_beheerders_scope_refusal_in_english(app: Flask) -> None:
    make_user("beheer@kampen.nl", "beheerder", gm_codes=["GM0166"])
    kampen = new_client(app)
    login(kampen, "beheer@kampen.nl")
    own = service_obj(2, service_areas=[{"extent_type": "cbs_gemeentecode", "extent": "GM0166"}])
    own["service_at_locations"][0]["location"]["id"] = "0b9d7c6e-1f2a-4b3c-8d4e-000000001660"
    # First the organisation works in Zwolle (imported by a Zwolle beheerder) ...
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    zwolle = new_client(app)
    login(zwolle, "beheer@zwolle.nl")
    token = csrf_token(zwolle, PAGE)
    form = {"csrf_token": token, "file": (io.BytesIO(as_bytes([service_obj(1)])), "z.json")}
    assert zwolle.post(PAGE, data=form, content_type="multipart/form-data").status_code == 200
    # ... so Kampen may not hang a service of its own under it.
    page = _upload(kampen, as_bytes([own]), "diensten.json")
    assert "cannot go under organisation 'Stichting Testhulp'" in page
    assert "you only manage what lies wholly within your own municipality" in page
    assert [text for text in DUTCH if text in page] == []
