"""Result cards as residents see them: the right place, phone, address and hours per service,
on the results list, the printed list and the organisation page (``services.cards``)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from wegwijzer.extensions import db
from wegwijzer.models import Address, Location, Phone, Service, ServiceAtLocation
from wegwijzer.services.changes import record_change


@pytest.fixture
def two_places(make_service: Callable[..., Service]) -> Service:
    """A service in Zwolle and Kampen, with a phone only helpers may see and an online place."""
    svc = make_service(
        "Budgetmaatjes Wolkenkrabber",
        description="Wolkenkrabber helpt met een overzicht van uw geld. Kom langs.",
        gm_codes=["GM0193", "GM0166"],
        lat=52.5125,
        lon=6.0944,
        address={"address_1": "Grote Markt 1", "postal_code": "8011 LW", "city": "Zwolle"},
        phones=["038-1111111", "038-2222222"],
        schedules=[
            {"byday": "MO", "opens_at": "09:00", "closes_at": "12:00", "attending_type": "inloop"},
            {"byday": "WE", "opens_at": "13:00", "closes_at": "16:00"},
        ],
    )
    # A number for helpers only, set before the public ones: never on a public card.
    svc.phones.insert(0, Phone(number="06-99999999", is_public=False, position=-1))
    kampen = Location(
        organization=svc.organization, name="Kampen", latitude=52.555, longitude=5.911
    )
    # A postal address listed first: the card shows where to go, the physical address.
    kampen.addresses.append(
        Address(address_1="Postbus 12", postal_code="8260 AA", city="Kampen", address_type="postal")
    )
    kampen.addresses.append(Address(address_1="Oudestraat 5", postal_code="8261 CE", city="Kampen"))
    online = Location(organization=svc.organization, name="Online", location_type="virtual")
    db.session.add_all([kampen, online])
    svc.service_at_locations.append(ServiceAtLocation(location=kampen))
    svc.service_at_locations.append(ServiceAtLocation(location=online))
    record_change(db.session, "service", svc.id)
    db.session.commit()
    return svc


def _card(html: str, name: str) -> str:
    """The ``<li class="result">`` of the service called ``name``."""
    for item in re.findall(r'<li class="result".*?</li>\s*</ul>\s*</li>', html, re.S):
        if name in item:
            return item
    raise AssertionError(f"no card for {name}")


def test_card_shows_the_nearest_place_the_first_public_phone_and_todays_hours(
    client: FlaskClient, two_places: Service
) -> None:
    html = client.get("/zoeken?q=wolkenkrabber&plaats=Kampen").get_data(as_text=True)
    card = _card(html, "Budgetmaatjes Wolkenkrabber")
    assert f'href="/hulp/{two_places.slug}"' in card
    assert "Organisatie Budgetmaatjes Wolkenkrabber" in card
    assert "Oudestraat 5, 8261 CE Kampen" in card
    assert "Postbus" not in card and "Grote Markt" not in card
    assert 'href="tel:0381111111"' in card
    assert "06-99999999" not in html and "038-2222222" not in card
    assert 'data-lat="52.555"' in card

    near_zwolle = client.get("/zoeken?q=wolkenkrabber&plaats=Zwolle").get_data(as_text=True)
    assert "Grote Markt 1, 8011 LW Zwolle" in _card(near_zwolle, "Budgetmaatjes Wolkenkrabber")


def test_printed_list_shows_every_public_phone_and_the_hours(
    client: FlaskClient, two_places: Service
) -> None:
    html = client.get("/zoeken?q=wolkenkrabber&plaats=Zwolle&print=1").get_data(as_text=True)
    assert "038-1111111" in html and "038-2222222" in html
    assert "06-99999999" not in html
    assert "Grote Markt 1, 8011 LW Zwolle" in html
    assert "ma 09:00–12:00 (inloop)" in html and "wo 13:00–16:00" in html


def test_organisation_page_cards_by_name_without_concepts_or_private_phones(
    client: FlaskClient, make_service: Callable[..., Service], two_places: Service
) -> None:
    org = two_places.organization
    make_service("Administratiecafé Wolkenkrabber", organization=org, phones=["038-3333333"])
    make_service("Verborgen concept", organization=org, publication_status="concept")
    html = client.get(f"/organisatie/{org.slug}").get_data(as_text=True)
    names = re.findall(r'<li class="result"[^>]*>\s*<h3><a href="[^"]+">([^<]+)</a>', html)
    assert names == ["Administratiecafé Wolkenkrabber", "Budgetmaatjes Wolkenkrabber"]
    assert "038-3333333" in html and "06-99999999" not in html
    assert "Verborgen concept" not in html
