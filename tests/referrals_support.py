"""A small world for the referral tests: Zwolle's debt help, a volunteer organisation, accounts.

Zwolle (GM0193) has its own debt help (``Municipality.debt_help_service_id``) run by the
municipality, a budget coach service that accepts referrals, and Geldmaatjes Zwolle, whose
volunteers refer. Kampen (GM0166) has its own beheerder and organisation: outsiders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from wegwijzer.extensions import db
from wegwijzer.models import Municipality, Referral, ReferralIntake, User
from wegwijzer.services.referrals.records import NewReferral, create_referral

from .manage_support import csrf_token, login, make_user, new_client

HELPER = "vrijwilliger@geldmaatjes.nl"
HELPER_EDITOR = "redacteur@geldmaatjes.nl"
RECEIVER = "coach@budgetzwolle.nl"
ZWOLLE_ADMIN = "beheer@zwolle.nl"
KAMPEN_ADMIN = "beheer@kampen.nl"
KAMPEN_EDITOR = "redacteur@kamperhulp.nl"
LOOSE_HELPER = "losse-verwijzer@zwolle.nl"
CHECKLIST = [
    "Toestemming van de inwoner om gegevens te delen",
    "Brieven van schuldeisers of deurwaarder",
    "Overzicht van inkomsten en uitgaven",
]


@dataclass
class World:
    debt_help: Any
    budget: Any
    kampen_service: Any
    geldmaatjes: Any
    budget_org: Any
    ids: dict[str, str]

    def user(self, email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))


def build_world(make_organization, make_service) -> World:  # type: ignore[no-untyped-def]
    """Create the organisations, services and accounts of the referral tests."""
    gemeente = make_organization("Gemeente Zwolle")
    debt_help = make_service(
        "Schuldhulpverlening Zwolle",
        organization=gemeente,
        gm_codes=["GM0193"],
        terms={"thema": ["schulden"], "organisatietype": ["gemeente"]},
        handover_needs=CHECKLIST,
    )
    db.session.get(Municipality, "GM0193").debt_help_service_id = debt_help.id
    budget_org = make_organization("Stichting Budget Zwolle")
    budget = make_service(
        "Budgetcoach Zwolle", organization=budget_org, gm_codes=["GM0193"], handover_needs=[]
    )
    db.session.add(ReferralIntake(service_id=budget.id, notify=True))
    geldmaatjes = make_organization("Geldmaatjes Zwolle")
    make_service("Geldmaatje", organization=geldmaatjes, gm_codes=["GM0193"])
    kamper = make_organization("Kamper Hulp")
    kampen_service = make_service("Kamper dienst", organization=kamper, gm_codes=["GM0166"])
    db.session.commit()
    make_user(HELPER, "verwijzer", organization_ids=[geldmaatjes.id], gm_codes=["GM0193"])
    make_user(HELPER_EDITOR, "redacteur", organization_ids=[geldmaatjes.id])
    make_user(RECEIVER, "redacteur", organization_ids=[budget_org.id])
    make_user(ZWOLLE_ADMIN, "beheerder", gm_codes=["GM0193"])
    make_user(KAMPEN_ADMIN, "beheerder", gm_codes=["GM0166"])
    make_user(KAMPEN_EDITOR, "redacteur", organization_ids=[kamper.id])
    make_user(LOOSE_HELPER, "verwijzer", gm_codes=["GM0193"])
    return World(
        debt_help=debt_help,
        budget=budget,
        kampen_service=kampen_service,
        geldmaatjes=geldmaatjes,
        budget_org=budget_org,
        ids={},
    )


def refer(
    world: World,
    *,
    to: Any = None,
    urgency: str = "geen",
    consent: bool = True,
    prepared: tuple[int, ...] = (),
    today: date | None = None,
    email: str = HELPER,
) -> Referral:
    """Make a referral through the service (as the web form does)."""
    service = to or world.debt_help
    return create_referral(
        db.session,
        world.user(email),
        NewReferral(
            service_id=service.id,
            organization_id=world.geldmaatjes.id,
            gm_code="GM0193",
            urgency=urgency,
            prepared=list(prepared),
            feedback_consent=consent,
        ),
        today=today,
    )


def logged_in(app, email: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = new_client(app)
    assert login(client, email).status_code == 302, email
    return client


def post_form(client: FlaskClient, url: str, data: dict[str, Any], form_url: str | None = None):  # type: ignore[no-untyped-def]
    """POST ``data`` with the CSRF token of the form on ``form_url`` (default: ``url``)."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data})


CODE_IN_PAGE = re.compile(r"\b([2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3})\b")
