"""Editing: status flow, conflicts, audit trail, soft delete, locations, internal fields."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import AuditEntry, ChangeLog, Location, Service, utcnow
from wegwijzer.services.taxonomy import term_id

from .manage_support import FreshClient, csrf_token, login, make_user, new_client, post


@pytest.fixture
def client(app: Flask) -> FreshClient:
    return new_client(app)


def _form_values(client: FreshClient, url: str) -> dict[str, Any]:
    """Return the values a browser would submit for the form on ``url`` (as the page shows them)."""
    html = client.get(url).get_data(as_text=True)
    form = html[html.index('<form method="post" novalidate>') :]
    form = form[: form.index("</form>")]
    data: dict[str, Any] = {}

    def add(name: str, value: str) -> None:
        if name in data:
            data[name] = [*([data[name]] if isinstance(data[name], str) else data[name]), value]
        else:
            data[name] = value

    for tag in re.finditer(r"<input([^>]*)>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        kind = attrs.get("type", "text")
        if kind in ("checkbox", "radio"):
            if " checked" in tag.group(1):
                add(attrs["name"], attrs.get("value", "y"))
        elif "name" in attrs:
            add(attrs["name"], _unescape(attrs.get("value", "")))
    for tag in re.finditer(r"<textarea([^>]*)>(.*?)</textarea>", form, re.S):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        text = tag.group(2)
        # Browsers drop the one newline that may follow <textarea>.
        text = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
        add(attrs["name"], _unescape(text))
    for tag in re.finditer(r"<select([^>]*)>(.*?)</select>", form, re.S):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        chosen = re.findall(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', tag.group(2)
        )
        first = re.search(r'<option[^>]*value="([^"]*)"', tag.group(2))
        value = next((a or b for a, b in chosen), first.group(1) if first else "")
        add(attrs["name"], value)
    return data


def _unescape(text: str) -> str:
    return (
        text.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


@pytest.fixture
def zwolle(app: Flask, make_organization, make_service) -> dict[str, Any]:
    """A Zwolle organisation with a published service, its redacteur and the Zwolle beheerder."""
    org = make_organization("Stichting Geldmaatje Zwolle")
    svc = make_service("Geldmaatje Zwolle", organization=org, gm_codes=["GM0193"])
    editor = make_user("redacteur@geldmaatje.nl", "redacteur", organization_ids=[org.id])
    admin = make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    return {"org": org, "service": svc, "editor": editor, "admin": admin}


def _new_service_data(client: FreshClient, org_id: str, **extra: Any) -> dict[str, Any]:
    data = _form_values(client, "/beheer/diensten/nieuw")
    data.update(
        {
            "organization_id": org_id,
            "name": "Formulierenhulp Zwolle",
            "description": "Wij helpen met brieven en formulieren. Kom langs op dinsdag.",
            "municipalities": ["GM0193"],
            "terms": [term_id("wegwijzer-thema", "brieven-formulieren")],
            "phones-0-number": "038-1234567",
            "phones-0-is_public": "y",
            "contacts-0-name": "Jan de Vries",
            "contacts-0-phone": "06-12345678",
            "weekly-0-days": ["TU"],
            "weekly-0-opens_at": "09:00",
            "weekly-0-closes_at": "12:00",
            "weekly-0-attending_type": "inloop",
            "internal_notes": "Subsidie loopt af in 2027",
            "funding_source": "gemeentelijke-subsidie",
            **extra,
        }
    )
    return data


# --- create and the status flow ----------------------------------------------------------------


def test_redacteur_creates_concept_and_beheerder_publishes(app: Flask, zwolle) -> None:
    editor, admin = new_client(app), new_client(app)
    login(editor, "redacteur@geldmaatje.nl")
    resp = editor.post("/beheer/diensten/nieuw", data=_new_service_data(editor, zwolle["org"].id))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    svc = db.session.scalar(select(Service).where(Service.name == "Formulierenhulp Zwolle"))
    assert svc.publication_status == "concept"
    assert [p.number for p in svc.phones] == ["038-1234567"]
    assert svc.contacts[0].is_public is False and svc.contacts[0].phones[0].number == "06-12345678"
    assert svc.codes("wegwijzer-thema") == ["brieven-formulieren"]
    assert [(s.byday, s.opens_at, s.closes_at) for s in svc.schedules] == [("TU", "09:00", "12:00")]
    assert svc.gm_codes == ["GM0193"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == svc.id))
    assert entry.action == "create" and entry.actor == "redacteur@geldmaatje.nl"
    assert entry.changes["name"] == [None, "Formulierenhulp Zwolle"]

    # The redacteur cannot publish, only submit.
    assert post(editor, f"/beheer/diensten/{svc.id}/publiceren").status_code == 403
    assert post(editor, f"/beheer/diensten/{svc.id}/indienen").status_code == 302
    db.session.refresh(svc)
    assert svc.publication_status == "ter-beoordeling"

    login(admin, "beheer@zwolle.nl")
    assert "Formulierenhulp Zwolle" in admin.get("/beheer/beoordelen").get_data(as_text=True)
    assert post(admin, f"/beheer/diensten/{svc.id}/publiceren").status_code == 302
    db.session.refresh(svc)
    assert svc.publication_status == "gepubliceerd"
    assert svc.last_verified_at is not None
    assert db.session.scalar(
        select(ChangeLog).where(ChangeLog.entity_id == svc.id).order_by(ChangeLog.seq.desc())
    )
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == svc.id).order_by(AuditEntry.id)
        )
    ]
    assert actions == ["create", "submit", "publish"]


def test_send_back_needs_a_comment_and_shows_it(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    svc.publication_status = "ter-beoordeling"
    db.session.commit()
    admin = new_client(app)
    login(admin, "beheer@zwolle.nl")
    url = f"/beheer/diensten/{svc.id}"
    token = csrf_token(admin, url)
    admin.post(f"{url}/terugsturen", data={"csrf_token": token, "comment": ""})
    db.session.refresh(svc)
    assert svc.publication_status == "ter-beoordeling"
    admin.post(
        f"{url}/terugsturen", data={"csrf_token": token, "comment": "Telefoonnummer ontbreekt."}
    )
    db.session.refresh(svc)
    assert svc.publication_status == "concept"
    assert svc.review_comment == "Telefoonnummer ontbreekt."
    editor = new_client(app)
    login(editor, "redacteur@geldmaatje.nl")
    assert "Telefoonnummer ontbreekt." in editor.get("/beheer/").get_data(as_text=True)


def test_redacteur_change_to_published_service_goes_back_to_review(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    editor = new_client(app)
    login(editor, "redacteur@geldmaatje.nl")
    url = f"/beheer/diensten/{svc.id}"
    data = _form_values(editor, url)
    data["description"] = "Een maatje helpt u met uw geld. Bel ons gerust."
    resp = editor.post(url, data=data)
    assert resp.status_code == 302
    db.session.refresh(svc)
    assert svc.publication_status == "ter-beoordeling"
    assert svc.description == "Een maatje helpt u met uw geld. Bel ons gerust."


def test_unchanged_save_writes_no_audit_entry(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    admin = new_client(app)
    login(admin, "beheer@zwolle.nl")
    url = f"/beheer/diensten/{svc.id}"
    before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()))
    assert admin.post(url, data=_form_values(admin, url)).status_code == 302
    after = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()))
    assert before == after
    db.session.refresh(svc)
    assert svc.publication_status == "gepubliceerd"


# --- optimistic locking ------------------------------------------------------------------------


def test_second_save_gets_conflict_page_with_both_versions(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    first, second = new_client(app), new_client(app)
    login(first, "beheer@zwolle.nl")
    make_user("collega@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    login(second, "collega@zwolle.nl")
    url = f"/beheer/diensten/{svc.id}"
    mine = _form_values(first, url)
    theirs = _form_values(second, url)
    mine["description"] = "Versie van de eerste beheerder."
    theirs["description"] = "Versie van de tweede beheerder."
    assert first.post(url, data=mine).status_code == 302
    resp = second.post(url, data=theirs)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "Iemand anders heeft dit net opgeslagen" in html
    assert "Versie van de eerste beheerder." in html
    assert "Versie van de tweede beheerder." in html
    db.session.refresh(svc)
    assert svc.description == "Versie van de eerste beheerder."
    # Saving again from the conflict page is a deliberate choice and works.
    again = _form_values_from_html(html)
    assert second.post(url, data=again).status_code == 302
    db.session.refresh(svc)
    assert svc.description == "Versie van de tweede beheerder."


def _form_values_from_html(html: str) -> dict[str, Any]:
    class _Once:
        def get(self, _url: str) -> Any:
            class R:
                def get_data(self, as_text: bool = True) -> str:
                    return html

            return R()

    return _form_values(_Once(), "")  # type: ignore[arg-type]


def test_organization_conflict(app: Flask, zwolle) -> None:
    org = zwolle["org"]
    first, second = new_client(app), new_client(app)
    login(first, "beheer@zwolle.nl")
    login(second, "redacteur@geldmaatje.nl")
    url = f"/beheer/organisaties/{org.id}"
    a, b = _form_values(first, url), _form_values(second, url)
    a["name"], b["name"] = "Naam A", "Naam B"
    assert first.post(url, data=a).status_code == 302
    resp = second.post(url, data=b)
    assert resp.status_code == 409
    db.session.refresh(org)
    assert org.name == "Naam A"


# --- audit trail -----------------------------------------------------------------------------


def test_field_level_audit_and_filters(app: Flask, zwolle) -> None:
    svc = zwolle["service"]
    admin = new_client(app)
    login(admin, "beheer@zwolle.nl")
    url = f"/beheer/diensten/{svc.id}"
    data = _form_values(admin, url)
    old = data["description"]
    data["description"] = "Nieuwe korte tekst."
    data["phones-0-number"] = "038-7654321"
    admin.post(url, data=data)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity_id == svc.id, AuditEntry.action == "update")
    )
    assert entry.changes["description"] == [old, "Nieuwe korte tekst."]
    assert entry.changes["phones"] == [["038-0000100"], ["038-7654321"]]
    assert set(entry.changes) == {"description", "phones"}
    page = admin.get(f"/beheer/audit?entity=service&id={svc.id}").get_data(as_text=True)
    assert "Nieuwe korte tekst." in page and "beheer@zwolle.nl" in page
    filtered = admin.get("/beheer/audit?action=publish").get_data(as_text=True)
    assert "Nieuwe korte tekst." not in filtered
    by_user = admin.get("/beheer/audit?user=beheer@zwolle").get_data(as_text=True)
    assert "Nieuwe korte tekst." in by_user
    nobody = admin.get("/beheer/audit?user=iemand-anders").get_data(as_text=True)
    assert "Nieuwe korte tekst." not in nobody


def test_audit_of_other_municipality_is_hidden(app: Flask, zwolle, make_service) -> None:
    kampen = make_service("Schuldhulp Kampen", gm_codes=["GM0166"])
    make_user("beheer@kampen.nl", "beheerder", gm_codes=["GM0166"])
    other = new_client(app)
    login(other, "beheer@kampen.nl")
    assert other.get(f"/beheer/audit?entity=service&id={zwolle['service'].id}").status_code == 403
    assert other.get(f"/beheer/audit?entity=service&id={kampen.id}").status_code == 200


# --- soft delete ---------------------------------------------------------------------------------


def test_soft_delete_and_restore(app: Flask, zwolle, client: FreshClient) -> None:
    svc = zwolle["service"]
    login(client, "beheer@zwolle.nl")
    assert post(client, f"/beheer/diensten/{svc.id}/verwijderen").status_code == 302
    db.session.refresh(svc)
    assert svc.deleted_at is not None
    assert db.session.get(Service, svc.id) is not None  # still there, only hidden
    assert client.get(f"/hulp/{svc.slug}").status_code == 404
    listing = client.get("/beheer/diensten").get_data(as_text=True)
    assert "Verwijderd" in listing and "Terugzetten" in listing
    assert post(client, f"/beheer/diensten/{svc.id}/herstellen").status_code == 302
    db.session.refresh(svc)
    assert svc.deleted_at is None
    assert client.get(f"/hulp/{svc.slug}").status_code == 200
    actions = [
        e.action
        for e in db.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == svc.id))
    ]
    assert "delete" in actions and "restore" in actions


def test_redacteur_cannot_delete(app: Flask, zwolle, client: FreshClient) -> None:
    login(client, "redacteur@geldmaatje.nl")
    assert post(client, f"/beheer/diensten/{zwolle['service'].id}/verwijderen").status_code == 403


# --- internal fields --------------------------------------------------------------------------


def test_internal_fields_stay_off_public_pages(app: Flask, zwolle, client: FreshClient) -> None:
    svc = zwolle["service"]
    login(client, "beheer@zwolle.nl")
    url = f"/beheer/diensten/{svc.id}"
    data = _form_values(client, url)
    data.update(
        internal_notes="GEHEIM-INTERN-123",
        coordinator="Coördinator Piet Geheim",
        funding_source="fondsen",
        collaboration_agreement="convenant",
    )
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(svc)
    assert svc.internal_notes == "GEHEIM-INTERN-123" and svc.funding_source == "fondsen"
    anonymous = new_client(app)
    page = anonymous.get(f"/hulp/{svc.slug}").get_data(as_text=True)
    assert "GEHEIM-INTERN-123" not in page and "Piet Geheim" not in page
    assert client.get(f"/hulp/{svc.slug}").get_data(as_text=True).count("GEHEIM-INTERN-123") == 0


# --- locations ----------------------------------------------------------------------------------


def test_location_geocoded_from_postcode_and_pin_correction(
    app: Flask, zwolle, client: FreshClient
) -> None:
    org = zwolle["org"]
    login(client, "redacteur@geldmaatje.nl")
    url = f"/beheer/organisaties/{org.id}/locaties/nieuw"
    token = csrf_token(client, url)
    resp = client.post(
        url,
        data={
            "csrf_token": token,
            "name": "Buurthuis",
            "address_1": "Straat 1",
            "postal_code": "8011 ab",
            "city": "Zwolle",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    loc = db.session.scalar(select(Location).where(Location.name == "Buurthuis"))
    assert loc.gm_code == "GM0193"
    assert 52.4 < loc.latitude < 52.6 and 6.0 < loc.longitude < 6.2
    assert loc.address.postal_code == "8011 AB"
    edit = f"/beheer/locaties/{loc.id}"
    data = _form_values(client, edit)
    data.update(latitude="52.5125", longitude="6.0944")
    assert client.post(edit, data=data).status_code == 302
    db.session.refresh(loc)
    assert (loc.latitude, loc.longitude) == (52.5125, 6.0944)
    changes = db.session.scalar(
        select(AuditEntry.changes).where(
            AuditEntry.entity_id == loc.id, AuditEntry.action == "update"
        )
    )
    assert changes["latitude"][1] == 52.5125


def test_location_errors_are_clear(app: Flask, zwolle, client: FreshClient) -> None:
    org = zwolle["org"]
    login(client, "beheer@zwolle.nl")
    url = f"/beheer/organisaties/{org.id}/locaties/nieuw"
    token = csrf_token(client, url)
    unknown = client.post(url, data={"csrf_token": token, "name": "X", "city": "Nergenshuizen"})
    assert "niet gevonden" in unknown.get_data(as_text=True)
    abroad = client.post(
        url, data={"csrf_token": token, "name": "X", "latitude": "48.85", "longitude": "2.35"}
    )
    assert abroad.status_code == 200
    assert db.session.scalar(select(Location).where(Location.name == "X")) is None


# --- freshness -------------------------------------------------------------------------------


def test_stale_list_and_still_correct(app: Flask, zwolle, client: FreshClient, runner) -> None:
    svc = zwolle["service"]
    svc.last_verified_at = utcnow() - timedelta(days=200)
    db.session.commit()
    login(client, "redacteur@geldmaatje.nl")
    assert "Geldmaatje Zwolle" in client.get("/beheer/").get_data(as_text=True)
    assert "Geldmaatje Zwolle" in client.get("/beheer/verouderd").get_data(as_text=True)
    csv_text = client.get("/beheer/verouderd?csv=1").get_data(as_text=True)
    assert "Geldmaatje Zwolle" in csv_text and "redacteur@geldmaatje.nl" in csv_text

    from wegwijzer.cli import main

    env = {"WEGWIJZER_DATABASE_URL": app.config["DATABASE_URL"], "WEGWIJZER_SECRET_KEY": "x" * 32}
    result = runner.invoke(main, ["stale", "--csv", "--instance", app.instance_path], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("dienst_id;dienst;organisatie")
    assert "Geldmaatje Zwolle" in result.output
    longer = runner.invoke(
        main, ["stale", "--months", "12", "--instance", app.instance_path], env=env
    )
    assert "0 dienst(en)" in longer.output
    no_mail = runner.invoke(main, ["stale", "--mail", "--instance", app.instance_path], env=env)
    assert no_mail.exit_code == 1 and "Geen mailserver" in no_mail.output

    assert post(client, f"/beheer/diensten/{svc.id}/gecontroleerd").status_code == 302
    assert "Geldmaatje Zwolle" not in client.get("/beheer/verouderd").get_data(as_text=True)
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity_id == svc.id, AuditEntry.action == "verify")
    )


def test_readability_hints_on_description(app: Flask, zwolle, client: FreshClient) -> None:
    svc = zwolle["service"]
    svc.description = (
        "Schuldhulpverleningstrajectbegeleiding is iets wat wij samen met u en uw familie en de "
        "gemeente en andere organisaties in de regio doen als u dat wilt en als het nodig is."
    )
    db.session.commit()
    login(client, "beheer@zwolle.nl")
    html = client.get(f"/beheer/diensten/{svc.id}").get_data(as_text=True)
    assert "meer dan 20 woorden" in html
    assert "Lange woorden: Schuldhulpverleningstrajectbegeleiding" in html
