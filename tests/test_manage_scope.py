"""A beheerder acts only on accounts and organisations entirely inside their municipalities."""

from __future__ import annotations

from flask import Flask

from wegwijzer.extensions import db
from wegwijzer.models import Organization, User

from .manage_support import login, make_user, new_client, post


def test_sharing_one_municipality_does_not_give_power_over_a_wider_account(app: Flask) -> None:
    make_user("kampen@gemeente.example.org", "beheerder", gm_codes=["GM0166"])
    wide = make_user("regio@gemeente.example.org", "beheerder", gm_codes=["GM0166", "GM0193"])
    client = new_client(app)
    login(client, "kampen@gemeente.example.org")
    assert "regio@gemeente.example.org" not in client.get("/beheer/gebruikers").get_data(
        as_text=True
    )
    assert post(client, f"/beheer/gebruikers/{wide.id}/link").status_code in (403, 404)
    changed = post(client, f"/beheer/gebruikers/{wide.id}", {"role": "verwijzer"})
    assert changed.status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(User, wide.id).role == "beheerder"


def test_an_organisation_working_elsewhere_too_cannot_be_deleted_by_one_municipality(
    app: Flask, make_organization, make_service
) -> None:
    org = make_organization("Schuldhulpmaatje Regio")
    make_service("Maatje Dalfsen", organization=org, gm_codes=["GM0148"])
    make_service("Maatje Zwolle", organization=org, gm_codes=["GM0193"])
    make_user("dalfsen@gemeente.example.org", "beheerder", gm_codes=["GM0148"])
    client = new_client(app)
    login(client, "dalfsen@gemeente.example.org")
    response = post(client, f"/beheer/organisaties/{org.id}/verwijderen")
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(Organization, org.id).deleted_at is None

    make_user("beide@gemeente.example.org", "beheerder", gm_codes=["GM0148", "GM0193"])
    both = new_client(app)
    login(both, "beide@gemeente.example.org")
    assert post(both, f"/beheer/organisaties/{org.id}/verwijderen").status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, org.id).deleted_at is not None
