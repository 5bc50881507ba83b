"""A redacteur's organisation edit waits for a beheerder; the site keeps the old values."""

from __future__ import annotations

from flask import Flask

from wegwijzer.extensions import db
from wegwijzer.models import AuditEntry, Organization

from .manage_support import login, make_user, new_client, post


def _edit(client, org: Organization, **changes: str):  # type: ignore[no-untyped-def]  # noqa: ANN202
    data = {
        "version": str(org.version),
        "name": org.name,
        "description": org.description,
        "website": org.website or "",
        **changes,
    }
    return post(client, f"/beheer/organisaties/{org.id}", data, f"/beheer/organisaties/{org.id}")


def test_editor_change_waits_for_review_then_goes_live(
    app: Flask, make_organization, make_service
) -> None:
    org = make_organization("Stichting Geldhulp Zwolle", website="https://oud.example.org")
    make_service("Geldhulp spreekuur", organization=org, gm_codes=["GM0193"])
    make_user("redacteur@geldhulp.example.org", "redacteur", organization_ids=[org.id])
    make_user("beheer@zwolle.example.org", "beheerder", gm_codes=["GM0193"])
    editor = new_client(app)
    login(editor, "redacteur@geldhulp.example.org")

    saved = _edit(editor, org, website="https://nieuw.example.org")
    assert saved.status_code == 302
    public = new_client(app).get(f"/organisatie/{org.slug}").get_data(as_text=True)
    assert "oud.example.org" in public and "nieuw.example.org" not in public
    # The editor continues from their own waiting edit.
    form = editor.get(f"/beheer/organisaties/{org.id}").get_data(as_text=True)
    assert 'value="https://nieuw.example.org"' in form

    admin = new_client(app)
    login(admin, "beheer@zwolle.example.org")
    assert "Stichting Geldhulp Zwolle" in admin.get("/beheer/beoordelen").get_data(as_text=True)
    page = admin.get(f"/beheer/organisaties/{org.id}").get_data(as_text=True)
    assert "nieuw.example.org" in page and "Goedkeuren en publiceren" in page
    approved = post(
        admin,
        f"/beheer/organisaties/{org.id}/wijzigingen/goedkeuren",
        form_url=f"/beheer/organisaties/{org.id}",
    )
    assert approved.status_code == 302
    public = new_client(app).get(f"/organisatie/{org.slug}").get_data(as_text=True)
    assert "nieuw.example.org" in public
    db.session.expire_all()
    assert db.session.get(Organization, org.id).pending_changes is None
    actions = [
        a.action
        for a in db.session.query(AuditEntry).filter_by(entity_id=org.id).order_by(AuditEntry.id)
    ]
    assert actions[-2:] == ["submit", "publish"]


def test_beheerder_can_send_an_organisation_edit_back(
    app: Flask, make_organization, make_service
) -> None:
    org = make_organization("Budgetmaatjes Zwolle")
    make_service("Budgetmaatje", organization=org, gm_codes=["GM0193"])
    make_user("red@budget.example.org", "redacteur", organization_ids=[org.id])
    make_user("beheer2@zwolle.example.org", "beheerder", gm_codes=["GM0193"])
    editor = new_client(app)
    login(editor, "red@budget.example.org")
    _edit(editor, org, name="Budgetmaatjes Zwolle en omstreken")
    admin = new_client(app)
    login(admin, "beheer2@zwolle.example.org")
    sent = post(
        admin,
        f"/beheer/organisaties/{org.id}/wijzigingen/terugsturen",
        {"comment": "De naam is te lang."},
        f"/beheer/organisaties/{org.id}",
    )
    assert sent.status_code == 302
    db.session.expire_all()
    fresh = db.session.get(Organization, org.id)
    assert fresh.pending_changes is None and fresh.name == "Budgetmaatjes Zwolle"
    entry = db.session.query(AuditEntry).filter_by(entity_id=org.id, action="send-back").one()
    assert entry.comment == "De naam is te lang."
