"""Role boundaries on every /beheer route, CSRF on every POST, and the public report form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import Location, Report, utcnow

from .manage_support import FreshClient, csrf_token, login, make_user, new_client

#: Routes every logged-in role may use (the start page and the own account).
OPEN_TO_ALL = {"manage.dashboard", "manage.account"}
#: Routes for anonymous visitors (logging in and the password links).
PUBLIC = {
    "manage.login",
    "manage.login_code",
    "manage.set_password",
    "manage.reset_request",
    "manage.logout",
    "public.report_service",
}
#: Routes that are about one entry of another scope (id in the URL).
SCOPED = ("service_id", "org_id", "location_id", "user_id", "report_id")


@pytest.fixture
def world(app: Flask, make_organization, make_service) -> dict[str, Any]:
    """Two municipalities, each with an organisation, service, location, editor and report."""
    org = make_organization("Zwolse Hulp")
    svc = make_service("Zwolse dienst", organization=org, gm_codes=["GM0193"], lat=52.51, lon=6.09)
    loc = db.session.scalar(select(Location).where(Location.organization_id == org.id))
    report = Report(service_id=svc.id, message="Nummer klopt niet")
    db.session.add(report)
    db.session.commit()
    editor = make_user("redacteur@zwolsehulp.nl", "redacteur", organization_ids=[org.id])
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    other_org = make_organization("Kamper Hulp")
    make_service("Kamper dienst", organization=other_org, gm_codes=["GM0166"])
    make_user("redacteur@kamperhulp.nl", "redacteur", organization_ids=[other_org.id])
    make_user("beheer@kampen.nl", "beheerder", gm_codes=["GM0166"])
    make_user("helper@zwolle.nl", "verwijzer", gm_codes=["GM0193"])
    return {
        "service_id": svc.id,
        "org_id": org.id,
        "location_id": loc.id,
        "user_id": editor.id,
        "report_id": report.id,
        "key": svc.slug,
        "token": "ongeldig",
        "fmt": "csv",
    }


def _routes(app: Flask, world: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, url) for every beheer route, with the Zwolle ids filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("manage.") or rule.endpoint in PUBLIC:
            continue
        values = {arg: world[arg] for arg in rule.arguments}
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


def test_route_list_covers_the_beheer_area(app: Flask, world) -> None:
    endpoints = {e for e, _m, _u in _routes(app, world)}
    # A sanity check that the list is real: adding a route adds it to every test below.
    assert {
        "manage.service_edit",
        "manage.service_publish",
        "manage.users",
        "manage.audit",
    } <= endpoints
    assert len(endpoints) >= 30


def _request(client: FreshClient, method: str, url: str, token: str | None = None) -> int:
    data = {"csrf_token": token} if token else {}
    return client.open(url, method=method, data=data).status_code


def test_anonymous_is_sent_to_login_everywhere(app: Flask, world) -> None:
    client = new_client(app)
    # Even with a valid CSRF token (the login page hands one out) nothing is let through.
    token = csrf_token(client, "/beheer/login")
    for endpoint, method, url in _routes(app, world):
        resp = client.open(url, method=method, data={"csrf_token": token})
        assert resp.status_code in (302, 401), (endpoint, method, resp.status_code)
        if resp.status_code == 302:
            assert "/beheer/login" in resp.headers["Location"], endpoint


@pytest.mark.parametrize(
    "email",
    ["helper@zwolle.nl", "redacteur@kamperhulp.nl", "beheer@kampen.nl"],
    ids=["verwijzer", "redacteur-andere-organisatie", "beheerder-andere-gemeente"],
)
def test_outsiders_are_refused_everywhere(app: Flask, world, email: str) -> None:
    client = new_client(app)
    assert login(client, email).status_code == 302
    token = csrf_token(client, "/beheer/account")
    role = email.split("@")[0]
    for endpoint, method, url in _routes(app, world):
        if endpoint in OPEN_TO_ALL:
            continue
        about_zwolle = any(f"<{arg}>" in _rule(app, endpoint) for arg in SCOPED)
        if role != "helper" and not about_zwolle:
            # Lists and "new" pages are fine for their own role; the scope tests are the point.
            continue
        status = _request(client, method, url, token)
        assert status == 403, (email, endpoint, method, status)


def _rule(app: Flask, endpoint: str) -> str:
    return next(r.rule for r in app.url_map.iter_rules() if r.endpoint == endpoint)


def test_outsiders_do_not_see_zwolle_in_lists(app: Flask, world) -> None:
    for email in ("redacteur@kamperhulp.nl", "beheer@kampen.nl"):
        client = new_client(app)
        login(client, email)
        for url in (
            "/beheer/",
            "/beheer/diensten",
            "/beheer/organisaties",
            "/beheer/meldingen",
            "/beheer/verouderd",
        ):
            resp = client.get(url)
            assert resp.status_code == 200, (email, url)
            html = resp.get_data(as_text=True)
            assert "Zwolse dienst" not in html and "Zwolse Hulp" not in html, (email, url)


def test_insiders_may_use_their_entries(app: Flask, world) -> None:
    for email in ("redacteur@zwolsehulp.nl", "beheer@zwolle.nl"):
        client = new_client(app)
        login(client, email)
        for url in (
            f"/beheer/diensten/{world['service_id']}",
            f"/beheer/organisaties/{world['org_id']}",
            f"/beheer/locaties/{world['location_id']}",
            "/beheer/meldingen",
        ):
            assert client.get(url).status_code == 200, (email, url)


def test_every_post_without_csrf_token_is_refused(app: Flask, world) -> None:
    client = new_client(app)
    login(client, "beheer@zwolle.nl")
    for endpoint, method, url in _routes(app, world):
        if method != "POST":
            continue
        status = _request(client, method, url)
        assert status == 400, (endpoint, status)
    # Nothing changed: the service is still published and not deleted.
    from wegwijzer.models import Service

    svc = db.session.get(Service, world["service_id"])
    db.session.refresh(svc)
    assert svc.is_public


def test_no_get_changes_state(app: Flask, world) -> None:
    client = new_client(app)
    login(client, "beheer@zwolle.nl")
    for _endpoint, method, url in _routes(app, world):
        if method == "GET":
            client.get(url)
    from wegwijzer.models import AuditEntry

    assert (
        db.session.scalar(
            select(AuditEntry)
            .where(AuditEntry.action != "create")
            .where(AuditEntry.action.not_in(["password-set", "token-created"]))
        )
        is None
    )


# --- "klopt er iets niet?" ----------------------------------------------------------------------


def _report_token(client: FreshClient, key: str) -> str:
    html = client.get(f"/hulp/{key}").get_data(as_text=True)
    match = re.search(r'name="token" value="([^"]+)"', html)
    if match:
        return match.group(1)
    # The public page may not include the form yet; the token is the same signed value.
    from wegwijzer.models import Service
    from wegwijzer.web.public.report import report_token

    svc = db.session.scalar(select(Service).where(Service.slug == key))
    return report_token(svc.id)


def test_report_form_works_without_cookies(app: Flask, world) -> None:
    client = new_client(app)
    token = _report_token(client, world["key"])
    resp = client.post(
        f"/hulp/{world['key']}/melding",
        data={"token": token, "message": "Het telefoonnummer is veranderd."},
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert resp.status_code == 302
    assert "melding=ontvangen" in resp.headers["Location"]
    assert "Set-Cookie" not in resp.headers
    stored = db.session.scalar(
        select(Report).where(Report.message == "Het telefoonnummer is veranderd.")
    )
    assert stored is not None and stored.service_id == world["service_id"]
    admin = new_client(app)
    login(admin, "beheer@zwolle.nl")
    assert "Het telefoonnummer is veranderd." in admin.get("/beheer/meldingen").get_data(
        as_text=True
    )
    assert "Het telefoonnummer is veranderd." in admin.get("/beheer/").get_data(as_text=True)


def test_report_form_refuses_cross_site_and_bad_tokens(app: Flask, world) -> None:
    client = new_client(app)
    token = _report_token(client, world["key"])
    url = f"/hulp/{world['key']}/melding"
    cross = client.post(
        url,
        data={"token": token, "message": "x y z"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 400
    assert "alleen vanaf deze site" in cross.get_data(as_text=True)
    forged = client.post(url, data={"token": "nep", "message": "x y z"})
    assert forged.status_code == 400
    empty = client.post(url, data={"token": token, "message": ""})
    assert empty.status_code == 400 and "Schrijf kort" in empty.get_data(as_text=True)
    assert db.session.scalar(select(Report).where(Report.message == "x y z")) is None


def test_report_form_is_rate_limited(app: Flask, world) -> None:
    client = new_client(app)
    token = _report_token(client, world["key"])
    url = f"/hulp/{world['key']}/melding"
    for i in range(5):
        assert client.post(url, data={"token": token, "message": f"Melding {i}"}).status_code == 302
    sixth = client.post(url, data={"token": token, "message": "Melding 6"})
    assert sixth.status_code == 429
    assert db.session.scalar(select(Report).where(Report.message == "Melding 6")) is None


def test_report_resolve(app: Flask, world) -> None:
    client = new_client(app)
    login(client, "redacteur@zwolsehulp.nl")
    token = csrf_token(client, "/beheer/meldingen")
    resp = client.post(
        f"/beheer/meldingen/{world['report_id']}/afgehandeld", data={"csrf_token": token}
    )
    assert resp.status_code == 302
    report = db.session.get(Report, world["report_id"])
    db.session.refresh(report)
    assert report.resolved_at is not None and report.resolved_at <= utcnow()
    assert "Nummer klopt niet" not in client.get("/beheer/meldingen").get_data(as_text=True)
