"""A click on a page that someone else changed meanwhile shows the conflict page, never a 500.

Every status button (submit, publish, send back, archive, bring back), delete, restore and
"nog steeds juist" carries the version its page showed. When another person changed the entry
in between, nothing happens: the beheerder sees a 409 page that says so and links to the fresh
entry, where the same button works again. A change that lands between loading and saving within
one request (the database's version check) is an EditConflict too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wegwijzer.extensions import db
from wegwijzer.models import (
    Address,
    AuditEntry,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    utcnow,
)
from wegwijzer.services import editing

from .manage_support import login, make_user, new_client

CONFLICT = "Iemand anders heeft dit net opgeslagen"
NOT_DONE = "is niet gedaan"


@pytest.fixture
def zwolle(app: Flask, make_organization, make_service) -> dict[str, Any]:
    """A Zwolle organisation with a service, its redacteur and two Zwolle beheerders."""
    org = make_organization("Stichting Geldmaatje Zwolle")
    svc = make_service("Geldmaatje Zwolle", organization=org, gm_codes=["GM0193"])
    editor = make_user("redacteur@geldmaatje.nl", "redacteur", organization_ids=[org.id])
    admin = make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    return {"org": org, "service": svc, "editor": editor, "admin": admin}


def _client(app: Flask, email: str) -> FlaskClient:
    client = new_client(app)
    assert login(client, email).status_code == 302
    return client


def _button(client: FlaskClient, page: str, action: str) -> dict[str, str]:
    """Return what the form posting to ``action`` on ``page`` submits (its hidden fields)."""
    html = client.get(page).get_data(as_text=True)
    match = re.search(
        rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S
    )
    assert match, f"no form for {action} on {page}"
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', match.group(1)))


def _change_elsewhere(entity: Service | Organization) -> None:
    """A colleague saves the entry (in their own session): its version moves on."""
    db.session.refresh(entity)
    entity.alternate_name = "Door een collega gewijzigd"
    db.session.commit()


def _audit_count(entity_id: str, action: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.entity_id == entity_id, AuditEntry.action == action)
    )


def _stale_click(
    client: FlaskClient,
    entity: Service | Organization,
    page: str,
    action: str,
    extra: dict[str, str] | None = None,
    query: str = "",
) -> tuple[int, str]:
    """Open ``page``, let a colleague change ``entity``, then click the button for ``action``."""
    data = _button(client, page, action)
    assert data.get("version") == str(entity.version), "the button must carry the version"
    _change_elsewhere(entity)
    resp = client.post(action + query, data={**data, **(extra or {})})
    return resp.status_code, resp.get_data(as_text=True)


def _assert_conflict_page(status: int, html: str, back: str, label: str) -> None:
    assert status == 409, html[:800]
    assert CONFLICT in html
    assert NOT_DONE in html and label in html
    assert f'href="{back}"' in html, "the page links to the fresh entry"


def _again_from(client: FlaskClient, back: str, action: str, extra: dict | None = None) -> int:
    """Follow the way back and click the same button: now it works."""
    data = _button(client, back, action)
    return client.post(action, data={**data, **(extra or {})}).status_code


# --- services ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "slug", "action", "label", "who"),
    [
        ("concept", "indienen", "submit", "Indienen ter beoordeling", "redacteur@geldmaatje.nl"),
        ("ter-beoordeling", "publiceren", "publish", "Publiceren", "beheer@zwolle.nl"),
        ("gepubliceerd", "archiveren", "archive", "Archiveren", "redacteur@geldmaatje.nl"),
        ("gearchiveerd", "terughalen", "unarchive", "Uit het archief halen", "beheer@zwolle.nl"),
    ],
)
def test_stale_status_change_shows_conflict_and_changes_nothing(
    app: Flask, zwolle, start: str, slug: str, action: str, label: str, who: str
) -> None:
    svc = zwolle["service"]
    svc.publication_status = start
    db.session.commit()
    client = _client(app, who)
    page = f"/beheer/diensten/{svc.id}"
    status, html = _stale_click(client, svc, page, f"{page}/{slug}")
    _assert_conflict_page(status, html, page, label)
    db.session.refresh(svc)
    assert svc.publication_status == start
    assert _audit_count(svc.id, action) == 0
    assert _again_from(client, page, f"{page}/{slug}") == 302
    db.session.refresh(svc)
    assert svc.publication_status != start


def test_stale_publish_from_the_review_list(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    svc.publication_status = "ter-beoordeling"
    db.session.commit()
    client = _client(app, "beheer@zwolle.nl")
    action = f"/beheer/diensten/{svc.id}/publiceren"
    status, html = _stale_click(client, svc, "/beheer/beoordelen", action)
    _assert_conflict_page(status, html, f"/beheer/diensten/{svc.id}", "Publiceren")
    db.session.refresh(svc)
    assert svc.publication_status == "ter-beoordeling"


def test_stale_send_back_keeps_the_service_waiting(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    svc.publication_status = "ter-beoordeling"
    db.session.commit()
    client = _client(app, "beheer@zwolle.nl")
    page = f"/beheer/diensten/{svc.id}"
    comment = {"comment": "Het telefoonnummer ontbreekt."}
    status, html = _stale_click(client, svc, page, f"{page}/terugsturen", comment)
    _assert_conflict_page(status, html, page, "Terugsturen naar de redacteur")
    db.session.refresh(svc)
    assert svc.publication_status == "ter-beoordeling" and svc.review_comment is None
    assert _again_from(client, page, f"{page}/terugsturen", comment) == 302
    db.session.refresh(svc)
    assert svc.review_comment == "Het telefoonnummer ontbreekt."


def test_stale_delete_of_a_service(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    client = _client(app, "beheer@zwolle.nl")
    page = f"/beheer/diensten/{svc.id}"
    status, html = _stale_click(client, svc, page, f"{page}/verwijderen")
    _assert_conflict_page(status, html, page, "Verwijderen")
    db.session.refresh(svc)
    assert svc.deleted_at is None and _audit_count(svc.id, "delete") == 0
    assert _again_from(client, page, f"{page}/verwijderen") == 302
    db.session.refresh(svc)
    assert svc.deleted_at is not None


def test_stale_restore_of_a_service_from_the_list(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    svc.deleted_at = utcnow()
    db.session.commit()
    client = _client(app, "beheer@zwolle.nl")
    action = f"/beheer/diensten/{svc.id}/herstellen"
    status, html = _stale_click(client, svc, "/beheer/diensten", action)
    _assert_conflict_page(status, html, f"/beheer/diensten/{svc.id}", "Terugzetten")
    db.session.refresh(svc)
    assert svc.deleted_at is not None and _audit_count(svc.id, "restore") == 0
    assert _again_from(client, f"/beheer/diensten/{svc.id}", action) == 302
    db.session.refresh(svc)
    assert svc.deleted_at is None


@pytest.mark.parametrize("page", ["edit", "/beheer/verouderd"])
def test_stale_verify_changes_nothing(app: Flask, zwolle, page: str) -> None:
    svc = zwolle["service"]
    checked = utcnow() - timedelta(days=800)
    svc.last_verified_at = checked
    db.session.commit()
    client = _client(app, "redacteur@geldmaatje.nl")
    edit = f"/beheer/diensten/{svc.id}"
    action = f"{edit}/gecontroleerd"
    status, html = _stale_click(client, svc, edit if page == "edit" else page, action)
    _assert_conflict_page(status, html, edit, "Nog steeds juist")
    db.session.refresh(svc)
    assert svc.last_verified_at == checked and _audit_count(svc.id, "verify") == 0
    assert _again_from(client, edit, action) == 302
    db.session.refresh(svc)
    assert svc.last_verified_at > checked


def test_conflict_page_in_english(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    client = _client(app, "beheer@zwolle.nl")
    page = f"/beheer/diensten/{svc.id}"
    status, html = _stale_click(client, svc, page, f"{page}/archiveren", query="?lang=en")
    assert status == 409
    assert "Someone else has just saved this" in html
    assert "was not done" in html and "Go to the new version" in html


# --- organisations ---------------------------------------------------------------------------


def test_stale_delete_of_an_organisation(app: Flask, zwolle) -> None:
    org = zwolle["org"]
    client = _client(app, "beheer@zwolle.nl")
    page = f"/beheer/organisaties/{org.id}"
    status, html = _stale_click(client, org, page, f"{page}/verwijderen")
    _assert_conflict_page(status, html, page, "Organisatie verwijderen")
    db.session.refresh(org)
    assert org.deleted_at is None and _audit_count(org.id, "delete") == 0
    assert _again_from(client, page, f"{page}/verwijderen") == 302
    db.session.refresh(org)
    assert org.deleted_at is not None


def test_stale_restore_of_an_organisation_from_the_list(app: Flask, zwolle) -> None:
    org = zwolle["org"]
    org.deleted_at = utcnow()
    db.session.commit()
    client = _client(app, "beheer@zwolle.nl")
    page = f"/beheer/organisaties/{org.id}"
    status, html = _stale_click(client, org, "/beheer/organisaties", f"{page}/herstellen")
    _assert_conflict_page(status, html, page, "Terugzetten")
    db.session.refresh(org)
    assert org.deleted_at is not None and _audit_count(org.id, "restore") == 0


@pytest.mark.parametrize(
    ("slug", "label", "extra"),
    [
        ("goedkeuren", "Goedkeuren en publiceren", {}),
        ("terugsturen", "Terugsturen", {"comment": "Liever de oude naam."}),
    ],
)
def test_stale_review_of_an_organisation_edit(
    app: Flask, zwolle, slug: str, label: str, extra: dict[str, str]
) -> None:
    org = zwolle["org"]
    org.pending_changes = {"name": "Geldmaatje Zwolle en omstreken"}
    org.pending_by = "redacteur@geldmaatje.nl"
    db.session.commit()
    client = _client(app, "beheer@zwolle.nl")
    page = f"/beheer/organisaties/{org.id}"
    status, html = _stale_click(client, org, page, f"{page}/wijzigingen/{slug}", extra)
    _assert_conflict_page(status, html, page, label)
    db.session.refresh(org)
    assert org.name == "Stichting Geldmaatje Zwolle"
    assert org.pending_changes == {"name": "Geldmaatje Zwolle en omstreken"}
    assert _again_from(client, page, f"{page}/wijzigingen/{slug}", extra) == 302
    db.session.refresh(org)
    assert org.pending_changes is None


# --- a change between loading and saving, inside one request -------------------------------------


def _services_ops(admin: Any, svc: Service) -> dict[str, Callable[[], Any]]:
    return {
        "archive": lambda: editing.change_status(db.session, admin, svc, "archive"),
        "verify": lambda: editing.verify_service(db.session, admin, svc),
        "delete": lambda: editing.delete_service(db.session, admin, svc),
    }


@pytest.mark.parametrize("op", ["archive", "verify", "delete", "delete-org", "approve-org"])
def test_version_check_at_commit_is_an_edit_conflict(app: Flask, zwolle, op: str) -> None:
    svc, org, admin = zwolle["service"], zwolle["org"], zwolle["admin"]
    org.pending_changes = {"website": "https://nieuw.example.org"}
    db.session.commit()
    entity: Service | Organization = org if op.endswith("-org") else svc
    kind = type(entity)
    seen = entity.version  # loaded in this session, as a request would have it
    with Session(db.engine(app)) as colleague:
        theirs = colleague.get(kind, entity.id)
        theirs.alternate_name = "Tegelijk gewijzigd"
        colleague.commit()
    ops = {
        **_services_ops(admin, svc),
        "delete-org": lambda: editing.delete_organization(db.session, admin, org),
        "approve-org": lambda: editing.approve_organization_changes(db.session, admin, org),
    }
    with pytest.raises(editing.EditConflict) as caught:
        ops[op]()
    assert caught.value.version == seen + 1
    db.session.expire_all()
    fresh = db.session.get(kind, entity.id)
    assert fresh.alternate_name == "Tegelijk gewijzigd"
    assert fresh.deleted_at is None
    assert _audit_count(entity.id, op.removesuffix("-org")) == 0
    if op == "archive":
        assert fresh.publication_status == "gepubliceerd"


def test_a_mangled_version_shows_the_conflict_page(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    client = _client(app, "beheer@zwolle.nl")
    page = f"/beheer/diensten/{svc.id}"
    data = {**_button(client, page, f"{page}/archiveren"), "version": "drie"}
    resp = client.post(f"{page}/archiveren", data=data)
    assert resp.status_code == 409 and CONFLICT in resp.get_data(as_text=True)
    db.session.refresh(svc)
    assert svc.publication_status == "gepubliceerd"


def test_saving_a_location_someone_just_deleted_is_an_edit_conflict(
    app: Flask, zwolle, make_service
) -> None:
    org, admin = zwolle["org"], zwolle["admin"]
    svc = make_service("Spreekuur", organization=org, gm_codes=["GM0193"], lat=52.51, lon=6.09)
    loc = svc.service_at_locations[0].location
    loc_id = loc.id
    with Session(db.engine(app)) as colleague:
        colleague.execute(ServiceAtLocation.__table__.delete())
        colleague.execute(Address.__table__.delete().where(Address.location_id == loc_id))
        colleague.execute(Location.__table__.delete().where(Location.id == loc_id))
        colleague.commit()
    data = editing.LocationInput(name="Nieuwe naam", latitude=52.51, longitude=6.09)
    with pytest.raises(editing.EditConflict) as caught:
        editing.update_location(db.session, admin, loc, data)
    assert caught.value.current == {}  # gone: the page links back to the organisation
    assert db.session.scalar(select(func.count()).where(Location.id == loc_id)) == 0
