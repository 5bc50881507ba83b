"""Accounts: password policy, login, throttling, sessions, links, TOTP, user management."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import AuditEntry, Token, User, utcnow
from wegwijzer.services import accounts

from .manage_support import PASSWORD, FreshClient, csrf_token, login, make_user, new_client, post


@pytest.fixture
def client(app: Flask) -> FreshClient:
    return new_client(app)


# --- password policy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "kort",
        "elf tekens!",
        "123456789012",
        "wachtwoord123",
        "Wachtwoord2024!",
        "passwordpassword",
        "qwertyuiopasdf",
        "aaaaaaaaaaaaaaaa",
        "P@ssw0rd12345",
        "welkomwelkom2024",
        "abcdefghijklmnop",
    ],
)
def test_weak_passwords_are_refused(app: Flask, password: str) -> None:
    with pytest.raises(accounts.PasswordPolicyError):
        accounts.check_password(password)


@pytest.mark.parametrize(
    "password",
    [
        "paarse olifant danst op het dak",
        "Fietsenstalling-Zwolle-7",
        "x" * 3 + "correct paard batterij nietje",
        "ü" * 2 + "é" * 2 + "lange zin met accenten",
        "a9$kL2!qZ7#mP4",
        "w" + "oord" * 15 + "!",  # 64 characters long and not a repetition of a known word
    ],
)
def test_good_passwords_are_accepted(app: Flask, password: str) -> None:
    accounts.check_password(password)


def test_password_up_to_128_characters_is_accepted(app: Flask) -> None:
    long = "Mijn lange wachtzin voor het beheer van Wegwijzer in Zwolle! " * 2
    assert 64 <= len(long) <= 128
    accounts.check_password(long)
    with pytest.raises(accounts.PasswordPolicyError, match="te lang"):
        accounts.check_password(long * 3)


def test_password_like_email_is_refused(app: Flask) -> None:
    with pytest.raises(accounts.PasswordPolicyError, match="e-mailadres"):
        accounts.check_password("janneke.devries-2024", "janneke.devries@zwolle.nl")


def test_password_hash_is_argon2id(app: Flask) -> None:
    user = make_user("hash@example.nl", "verwijzer", gm_codes=["GM0193"])
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.verify_password(user, PASSWORD)
    assert not accounts.verify_password(user, PASSWORD + "x")


# --- create-user CLI and links ---------------------------------------------------------------


def test_create_user_cli_prints_one_time_link(app: Flask, client: FlaskClient, runner) -> None:
    from wegwijzer.cli import main

    # The CLI makes its own app on the same database file.
    instance = app.instance_path
    env = {"WEGWIJZER_DATABASE_URL": app.config["DATABASE_URL"], "WEGWIJZER_SECRET_KEY": "x" * 32}
    result = runner.invoke(
        main,
        [
            "create-user",
            "Nieuw@Zwolle.nl",
            "--role",
            "beheerder",
            "--municipality",
            "GM0193",
            "--instance",
            instance,
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "Account gemaakt: nieuw@zwolle.nl (beheerder)" in result.output
    link = result.output.strip().splitlines()[-1]
    path = link.split("127.0.0.1:8000", 1)[1]
    page = client.get(path)
    assert page.status_code == 200
    assert "nieuw@zwolle.nl" in page.get_data(as_text=True)

    token = csrf_token(client, path)
    weak = client.post(
        path, data={"csrf_token": token, "password": "wachtwoord123", "confirm": "wachtwoord123"}
    )
    assert "veel gebruikt" in weak.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": token, "password": PASSWORD, "confirm": PASSWORD})
    assert done.status_code == 302
    # One use: the same link no longer works.
    again = client.get(path)
    assert again.status_code == 404
    assert "werkt niet" in again.get_data(as_text=True)
    assert login(client, "nieuw@zwolle.nl").status_code == 302


def test_create_user_cli_refuses_unknown_municipality(app: Flask, runner) -> None:
    from wegwijzer.cli import main

    env = {"WEGWIJZER_DATABASE_URL": app.config["DATABASE_URL"], "WEGWIJZER_SECRET_KEY": "x" * 32}
    result = runner.invoke(
        main,
        [
            "create-user",
            "a@b.nl",
            "--role",
            "beheerder",
            "--municipality",
            "GM9999",
            "--instance",
            app.instance_path,
        ],
        env=env,
    )
    assert result.exit_code == 1
    assert "Onbekende gemeente: 'GM9999'" in result.output
    assert accounts.find_user(db.session, "a@b.nl") is None


def test_expired_token_is_refused(app: Flask, client: FlaskClient) -> None:
    user = accounts.create_user(db.session, "laat@example.nl", "verwijzer", gm_codes=["GM0193"])
    raw = accounts.create_token(db.session, user, "invite")
    token = db.session.scalar(select(Token).where(Token.user_id == user.id))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/beheer/wachtwoord/{raw}")
    assert page.status_code == 404
    assert "verlopen" in page.get_data(as_text=True)
    with pytest.raises(accounts.TokenError):
        accounts.set_password_with_token(db.session, raw, PASSWORD)


def test_new_token_invalidates_older_one(app: Flask) -> None:
    user = accounts.create_user(db.session, "twee@example.nl", "verwijzer", gm_codes=["GM0193"])
    first = accounts.create_token(db.session, user, "invite")
    second = accounts.create_token(db.session, user, "reset")
    with pytest.raises(accounts.TokenError):
        accounts.token_user(db.session, first)
    assert accounts.token_user(db.session, second).id == user.id
    stored = db.session.scalars(select(Token.token_hash)).all()
    assert first not in stored and second not in stored  # only hashes are stored


def test_reset_request_does_not_reveal_accounts(app: Flask, client: FlaskClient) -> None:
    make_user("bestaat@example.nl", "verwijzer", gm_codes=["GM0193"])
    answers = []
    for email in ("bestaat@example.nl", "bestaatniet@example.nl"):
        token = csrf_token(client, "/beheer/wachtwoord-vergeten")
        resp = client.post(
            "/beheer/wachtwoord-vergeten", data={"csrf_token": token, "email": email}
        )
        assert resp.status_code == 200
        answers.append(resp.get_data(as_text=True).replace(email, ""))
    assert "Als dit e-mailadres bij een account hoort" in answers[0]
    assert (
        answers[0].split("<main")[1].split("csrf_token")[0]
        == answers[1].split("<main")[1].split("csrf_token")[0]
    )


# --- login, throttling, sessions ------------------------------------------------------------


def test_login_and_logout(app: Flask, client: FlaskClient) -> None:
    make_user("redactie@example.nl", "verwijzer", gm_codes=["GM0193"])
    resp = login(client, "Redactie@Example.nl ")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/beheer/")
    page = client.get("/beheer/")
    assert "redactie@example.nl" in page.get_data(as_text=True)
    out = post(client, "/beheer/logout")
    assert out.status_code == 302
    assert client.get("/beheer/").status_code == 302


def test_wrong_password_shows_message(app: Flask, client: FlaskClient) -> None:
    make_user("fout@example.nl", "verwijzer", gm_codes=["GM0193"])
    resp = login(client, "fout@example.nl", "niet het goede wachtwoord")
    assert resp.status_code == 200
    assert "klopt niet" in resp.get_data(as_text=True)


def test_sixth_failed_login_within_a_minute_gets_429(app: Flask, client: FlaskClient) -> None:
    make_user("doelwit@example.nl", "beheerder", gm_codes=["GM0193"])
    for _ in range(5):
        assert login(client, "doelwit@example.nl", "geraden wachtwoord!").status_code == 200
    sixth = login(client, "doelwit@example.nl", "geraden wachtwoord!")
    assert sixth.status_code == 429
    assert "Wacht een minuut" in sixth.get_data(as_text=True)
    # Even the right password waits until the minute is over: no guessing through.
    assert login(client, "doelwit@example.nl").status_code == 429
    # Another account from the same address is not blocked.
    make_user("ander@example.nl", "verwijzer", gm_codes=["GM0193"])
    assert login(client, "ander@example.nl").status_code == 302


def test_throttle_lifts_after_a_minute(app: Flask, client: FlaskClient) -> None:
    from wegwijzer.models import LoginAttempt

    make_user("wacht@example.nl", "verwijzer", gm_codes=["GM0193"])
    for _ in range(6):
        login(client, "wacht@example.nl", "geraden wachtwoord!")
    assert login(client, "wacht@example.nl").status_code == 429
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.at = attempt.at - timedelta(seconds=61)
    db.session.commit()
    assert login(client, "wacht@example.nl").status_code == 302


def test_login_starts_a_new_session(app: Flask, client: FlaskClient) -> None:
    make_user("sessie@example.nl", "verwijzer", gm_codes=["GM0193"])
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, "sessie@example.nl")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.permanent


def test_logout_ends_the_session_on_every_device(app: Flask) -> None:
    make_user("twee-apparaten@example.nl", "verwijzer", gm_codes=["GM0193"])
    laptop, phone = new_client(app), new_client(app)
    login(laptop, "twee-apparaten@example.nl")
    login(phone, "twee-apparaten@example.nl")
    assert phone.get("/beheer/").status_code == 200
    post(laptop, "/beheer/logout")
    assert phone.get("/beheer/").status_code == 302


def test_idle_session_ends(app: Flask, client: FlaskClient) -> None:
    make_user("slaap@example.nl", "verwijzer", gm_codes=["GM0193"])
    login(client, "slaap@example.nl")
    assert client.get("/beheer/").status_code == 200
    with client.session_transaction() as sess:
        sess["_seen"] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    resp = client.get("/beheer/")
    assert resp.status_code == 302
    assert "/beheer/login" in resp.headers["Location"]
    assert "niet actief" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_session_cookie_flags(app: Flask, client: FlaskClient) -> None:
    make_user("koekje@example.nl", "verwijzer", gm_codes=["GM0193"])
    resp = login(client, "koekje@example.nl")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # permanent session with the idle lifetime


def test_session_cookie_secure_outside_testing(tmp_path, template_db) -> None:
    import shutil

    from wegwijzer import create_app

    shutil.copy(template_db, tmp_path / "w.sqlite3")
    prod = create_app(
        {"SECRET_KEY": "s" * 40, "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}"},
        instance_path=str(tmp_path / "inst"),
    )
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["SESSION_COOKIE_HTTPONLY"] is True
    assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_login_next_is_local_only(app: Flask, client: FlaskClient) -> None:
    make_user("volgende@example.nl", "verwijzer", gm_codes=["GM0193"])
    token = csrf_token(client, "/beheer/login")
    resp = client.post(
        "/beheer/login?next=//evil.example/x",
        data={"csrf_token": token, "email": "volgende@example.nl", "password": PASSWORD},
    )
    assert resp.headers["Location"].endswith("/beheer/")


def test_anonymous_beheer_redirects_to_login(client: FlaskClient) -> None:
    resp = client.get("/beheer/")
    assert resp.status_code == 302
    assert "/beheer/login?next=/beheer/" in resp.headers["Location"]


def test_login_page_is_dutch_and_has_csrf(client: FlaskClient) -> None:
    html = client.get("/beheer/login").get_data(as_text=True)
    assert "Inloggen voor beheer" in html
    assert 'name="csrf_token"' in html


def test_post_without_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    make_user("csrf@example.nl", "verwijzer", gm_codes=["GM0193"])
    resp = client.post("/beheer/login", data={"email": "csrf@example.nl", "password": PASSWORD})
    assert resp.status_code == 400
    login(client, "csrf@example.nl")
    assert client.post("/beheer/logout").status_code == 400
    assert client.get("/beheer/").status_code == 200  # still logged in


def test_logout_is_not_a_get(app: Flask, client: FlaskClient) -> None:
    make_user("get@example.nl", "verwijzer", gm_codes=["GM0193"])
    login(client, "get@example.nl")
    assert client.get("/beheer/logout").status_code == 405
    assert client.get("/beheer/").status_code == 200


# --- TOTP -------------------------------------------------------------------------------------


def test_totp_setup_and_login(app: Flask, client: FlaskClient) -> None:
    make_user("totp@example.nl", "beheerder", gm_codes=["GM0193"])
    login(client, "totp@example.nl")
    page = client.get("/beheer/account/tweede-stap").get_data(as_text=True)
    with client.session_transaction() as sess:
        secret = sess["_totp_setup"]
    assert secret in page
    token = csrf_token(client, "/beheer/account")
    bad = client.post("/beheer/account/tweede-stap", data={"csrf_token": token, "code": "000000"})
    assert "klopt niet" in bad.get_data(as_text=True)
    ok = client.post(
        "/beheer/account/tweede-stap",
        data={"csrf_token": token, "code": pyotp.TOTP(secret).now()},
    )
    assert ok.status_code == 302
    post(client, "/beheer/logout")

    first = login(client, "totp@example.nl")
    assert first.headers["Location"].endswith("/beheer/login/code")
    assert client.get("/beheer/").status_code == 302  # not logged in after the password alone
    token = csrf_token(client, "/beheer/login/code")
    wrong = client.post("/beheer/login/code", data={"csrf_token": token, "code": "123456"})
    assert "klopt niet" in wrong.get_data(as_text=True)
    right = client.post(
        "/beheer/login/code", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()}
    )
    assert right.status_code == 302
    assert client.get("/beheer/").status_code == 200


def test_totp_is_for_beheerders_only(app: Flask, client: FlaskClient) -> None:
    make_user("geen-totp@example.nl", "verwijzer", gm_codes=["GM0193"])
    login(client, "geen-totp@example.nl")
    assert client.get("/beheer/account/tweede-stap").status_code == 403


# --- own password and user management ---------------------------------------------------------


def test_change_own_password(app: Flask, client: FlaskClient) -> None:
    make_user("eigen@example.nl", "verwijzer", gm_codes=["GM0193"])
    login(client, "eigen@example.nl")
    token = csrf_token(client, "/beheer/account")
    new = "een geheel nieuwe wachtzin voor mij"
    wrong = client.post(
        "/beheer/account",
        data={"csrf_token": token, "current": "fout fout fout", "password": new, "confirm": new},
    )
    assert "huidige wachtwoord klopt niet" in wrong.get_data(as_text=True)
    ok = client.post(
        "/beheer/account",
        data={"csrf_token": token, "current": PASSWORD, "password": new, "confirm": new},
    )
    assert ok.status_code == 302
    assert client.get("/beheer/").status_code == 200  # this session goes on
    post(client, "/beheer/logout")
    assert login(client, "eigen@example.nl", new).status_code == 302


def test_beheerder_creates_redacteur_with_link(
    app: Flask, client: FlaskClient, make_organization
) -> None:
    org = make_organization("Stichting Test")
    make_user("baas@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    login(client, "baas@zwolle.nl")
    token = csrf_token(client, "/beheer/gebruikers/nieuw")
    resp = client.post(
        "/beheer/gebruikers/nieuw",
        data={
            "csrf_token": token,
            "email": "redacteur@stichting.nl",
            "role": "redacteur",
            "organizations": [org.id],
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "/beheer/wachtwoord/" in html
    user = accounts.find_user(db.session, "redacteur@stichting.nl")
    assert user.role == "redacteur" and user.organization_ids == {org.id}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == user.id))
    assert entry.action == "create" and entry.actor == "baas@zwolle.nl"
    assert "redacteur@stichting.nl" in client.get("/beheer/gebruikers").get_data(as_text=True)


def test_beheerder_cannot_grant_other_municipality(app: Flask, client: FlaskClient) -> None:
    make_user("baas@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    login(client, "baas@zwolle.nl")
    token = csrf_token(client, "/beheer/gebruikers/nieuw")
    resp = client.post(
        "/beheer/gebruikers/nieuw",
        data={
            "csrf_token": token,
            "email": "kampen@x.nl",
            "role": "beheerder",
            "municipalities": ["GM0166"],
        },
    )
    assert resp.status_code == 200
    assert "ongeldige keuze" in resp.get_data(as_text=True)
    assert accounts.find_user(db.session, "kampen@x.nl") is None


def test_beheerder_cannot_edit_user_of_other_municipality(app: Flask, client: FlaskClient) -> None:
    other = make_user("baas@kampen.nl", "beheerder", gm_codes=["GM0166"])
    make_user("baas@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    login(client, "baas@zwolle.nl")
    assert client.get(f"/beheer/gebruikers/{other.id}").status_code == 403
    assert post(client, f"/beheer/gebruikers/{other.id}/link").status_code == 403
    assert "baas@kampen.nl" not in client.get("/beheer/gebruikers").get_data(as_text=True)


def test_blocking_a_user_ends_their_session(app: Flask) -> None:
    make_user("baas@zwolle.nl", "beheerder", gm_codes=["GM0193"])
    helper = make_user("helper@zwolle.nl", "verwijzer", gm_codes=["GM0193"])
    admin_client, helper_client = new_client(app), new_client(app)
    login(admin_client, "baas@zwolle.nl")
    login(helper_client, "helper@zwolle.nl")
    assert helper_client.get("/beheer/").status_code == 200
    url = f"/beheer/gebruikers/{helper.id}"
    token = csrf_token(admin_client, url)
    resp = admin_client.post(
        url,
        data={
            "csrf_token": token,
            "email": helper.email,
            "role": "verwijzer",
            "municipalities": ["GM0193"],
        },  # is_active unticked
    )
    assert resp.status_code == 302
    assert helper_client.get("/beheer/").status_code == 302
    assert login(helper_client, "helper@zwolle.nl").status_code == 200
    assert db.session.get(User, helper.id).is_active is False
