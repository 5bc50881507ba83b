"""Without a place, the public pages list the municipalities' debt help only when it is short."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import Municipality, Service


def _give_debt_help(
    make_service: Callable[..., Service], count: int, skip: int = 0, **kw: object
) -> list[str]:
    """Give ``count`` municipalities (after the first ``skip``) their own debt help; return
    the phone numbers."""
    query = select(Municipality).order_by(Municipality.name).offset(skip).limit(count)
    phones = []
    for i, m in enumerate(db.session.scalars(query).all(), start=skip):
        phone = f"010-00001{i:02d}"
        svc = make_service(f"Schuldhulp {m.name}", phones=[phone], gm_codes=[m.gm_code], **kw)
        m.debt_help_service_id = svc.id
        phones.append(phone)
    db.session.commit()
    return phones


def test_six_municipalities_are_listed_a_seventh_makes_the_page_ask_for_the_place(
    client: FlaskClient, app: Flask, make_service: Callable[..., Service]
) -> None:
    phones = _give_debt_help(make_service, 6)
    # A municipality whose chosen service is not public does not count.
    _give_debt_help(make_service, 1, skip=6, publication_status="concept")
    html = client.get("/").get_data(as_text=True)
    assert all(p in html for p in phones)
    assert "Kies uw gemeente om het nummer te zien." not in html
    html = client.get("/zoeken?q=zonnebloemveld").get_data(as_text=True)
    assert all(p in html for p in phones)
    _give_debt_help(make_service, 1, skip=7)
    for page in ("/", "/zoeken?q=zonnebloemveld"):
        html = client.get(page).get_data(as_text=True)
        assert not any(p in html for p in phones), page
    assert "Kies uw gemeente om het nummer te zien." in client.get("/").get_data(as_text=True)
