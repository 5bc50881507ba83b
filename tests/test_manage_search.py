"""Publishing in beheer updates search at once; archiving and deleting take services out."""

from __future__ import annotations

import pytest
from flask import Flask

from wegwijzer.extensions import db
from wegwijzer.search import search, sync_index

from .manage_support import FreshClient, login, make_user, new_client, post


@pytest.fixture
def client(app: Flask) -> FreshClient:
    return new_client(app)


def _found(name: str) -> bool:
    return any(hit.name == name for hit in search("Kwijtscheldingsspreekuur").results)


def test_publish_archive_delete_restore_and_search(app: Flask, client, make_service) -> None:
    make_service("Schuldhulp Zwolle")  # another published service, so the index is not empty
    svc = make_service(
        "Kwijtscheldingsspreekuur Zwolle",
        description="Hulp bij kwijtschelding van gemeentelijke belastingen.",
        publication_status="ter-beoordeling",
    )
    sync_index()
    name = svc.name
    assert not _found(name)  # waiting for review: not public

    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    login(client, "beheer@zwolle.nl")
    assert post(client, f"/beheer/diensten/{svc.id}/publiceren").status_code == 302
    assert _found(name)  # no separate sync step: the publish call updated the index

    assert post(client, f"/beheer/diensten/{svc.id}/archiveren").status_code == 302
    assert not _found(name)

    assert post(client, f"/beheer/diensten/{svc.id}/terughalen").status_code == 302
    assert post(client, f"/beheer/diensten/{svc.id}/publiceren").status_code == 302
    assert _found(name)

    assert post(client, f"/beheer/diensten/{svc.id}/verwijderen").status_code == 302
    assert not _found(name)
    assert post(client, f"/beheer/diensten/{svc.id}/herstellen").status_code == 302
    db.session.refresh(svc)
    assert svc.publication_status == "gepubliceerd"
    assert _found(name)


def test_redacteur_edit_hides_until_review(
    app: Flask, client, make_organization, make_service
) -> None:
    org = make_organization("Stichting Kwijt")
    svc = make_service(
        "Kwijtscheldingsspreekuur Kampen",
        organization=org,
        gm_codes=["GM0166"],
        description="Hulp bij kwijtschelding.",
    )
    sync_index()
    assert any(h.service_id == svc.id for h in search("Kwijtscheldingsspreekuur").results)
    make_user("r@kwijt.nl", "redacteur", organization_ids=[org.id])
    login(client, "r@kwijt.nl")
    from .test_manage_editing import _form_values

    url = f"/beheer/diensten/{svc.id}"
    data = _form_values(client, url)
    data["description"] = "Hulp bij kwijtschelding van de waterschapsbelasting."
    assert client.post(url, data=data).status_code == 302
    assert not any(h.service_id == svc.id for h in search("Kwijtscheldingsspreekuur").results)
