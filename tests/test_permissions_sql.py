"""The SQL forms of the permission rules agree with the Python forms, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, select

from wegwijzer.extensions import db
from wegwijzer.models import (
    AuditEntry,
    Location,
    Organization,
    Role,
    Service,
    ServiceArea,
    User,
    utcnow,
)
from wegwijzer.services import accounts
from wegwijzer.services.permissions import (
    can_edit_organization,
    can_edit_service,
    editable_organizations_filter,
    editable_services_filter,
    visible_history_filter,
)


def _service(org: Organization, name: str, *areas: str, deleted: bool = False) -> Service:
    svc = Service(
        organization=org,
        name=name,
        slug=name.lower().replace(" ", "-"),
        deleted_at=utcnow() if deleted else None,
    )
    for area in areas:
        if area == "landelijk":
            svc.service_areas.append(ServiceArea(name="Nederland", extent_type="landelijk"))
        else:
            svc.service_areas.append(ServiceArea(name=area, extent_type="gemeente", gm_code=area))
    return svc


def _world() -> dict[str, Any]:
    orgs = {
        name: Organization(name=name, slug=name, publication_status="gepubliceerd")
        for name in ("zwolle", "beide", "landelijk", "verhuisd", "gemengd", "leeg")
    }
    services = [
        _service(orgs["zwolle"], "Zwolle 1", "GM0193"),
        _service(orgs["beide"], "Beide Zwolle", "GM0193"),
        _service(orgs["beide"], "Beide Kampen", "GM0166"),
        _service(orgs["landelijk"], "Landelijk", "landelijk"),
        _service(orgs["verhuisd"], "Verhuisd Zwolle", "GM0193"),
        _service(orgs["verhuisd"], "Verhuisd Kampen weg", "GM0166", deleted=True),
        _service(orgs["gemengd"], "Gemengd landelijk", "landelijk", "GM0148"),
        _service(orgs["gemengd"], "Gemengd Zwolle", "GM0193"),
        _service(orgs["leeg"], "Zonder gebied"),
    ]
    locations = [
        Location(name="Loket Zwolle", organization=orgs["zwolle"]),
        Location(name="Loket beide", organization=orgs["beide"]),
        Location(name="Loket zonder organisatie"),
    ]
    db.session.add_all([*services, *locations])
    db.session.commit()

    def user(email: str, role: str, gm: list[str] = [], orgs_: list[str] = []) -> User:  # noqa: B006
        return accounts.create_user(
            db.session,
            email,
            role,
            gm_codes=gm,
            organization_ids=[orgs[o].id for o in orgs_],
        )

    users = [
        user("zwolle@gemeente.example.org", "beheerder", ["GM0193"]),
        user("kampen@gemeente.example.org", "beheerder", ["GM0166"]),
        user("regio@gemeente.example.org", "beheerder", ["GM0193", "GM0166"]),
        user("dalfsen@gemeente.example.org", "beheerder", ["GM0148"]),
        user("redactie@beide.example.org", "redacteur", [], ["beide"]),
        user("redactie@zwolle.example.org", "redacteur", [], ["zwolle", "verhuisd"]),
        user("verwijzer@zwolle.example.org", "verwijzer", ["GM0193"]),
    ]
    return {
        "orgs": list(orgs.values()),
        "services": services,
        "locations": locations,
        "users": users,
    }


def _old_may_see(user: User, kind: str, key: str) -> bool:
    """The audit page's rule as it was in Python, row by row: the oracle."""
    if kind == "service":
        svc = db.session.get(Service, key)
        return svc is not None and can_edit_service(user, svc)
    if kind == "organization":
        org = db.session.get(Organization, key)
        return org is not None and can_edit_organization(user, org)
    if kind == "location":
        loc = db.session.get(Location, key)
        if loc is None:
            return user.role == Role.ADMIN
        return bool(loc.organization and can_edit_organization(user, loc.organization))
    if kind == "user":
        other = db.session.get(User, key)
        return (
            user.role == Role.ADMIN
            and other is not None
            and (
                other.id == user.id
                or bool(user.gm_codes & other.gm_codes)
                or any(can_edit_organization(user, o) for o in other.organizations)
            )
        )
    return False


@pytest.mark.parametrize("database", ["app", "pg_app"])
def test_the_python_and_sql_forms_of_the_rules_agree(
    request: pytest.FixtureRequest, database: str
) -> None:
    request.getfixturevalue(database)
    world = _world()
    keys = (
        [("service", s.id) for s in world["services"]]
        + [("organization", o.id) for o in world["orgs"]]
        + [("location", loc.id) for loc in world["locations"]]
        + [("location", "verwijderde-locatie"), ("user", "verwijderd-account")]
        + [("user", u.id) for u in world["users"]]
        + [("import", "bestand-1")]
    )
    db.session.execute(
        insert(AuditEntry),
        [
            {"entity_type": kind, "entity_id": key, "action": "update", "actor": "t"}
            for kind, key in keys
        ],
    )
    db.session.commit()
    db.session.expire_all()
    seen_any = set()
    for user in world["users"]:
        services = {s.id for s in world["services"] if can_edit_service(user, s)}
        in_sql = set(db.session.scalars(select(Service.id).where(editable_services_filter(user))))
        assert in_sql == services, user.email
        orgs = {o.id for o in world["orgs"] if can_edit_organization(user, o)}
        in_sql = set(
            db.session.scalars(select(Organization.id).where(editable_organizations_filter(user)))
        )
        assert in_sql == orgs, user.email

        expected = {k for k in keys if _old_may_see(user, *k)}
        rows = db.session.execute(
            select(AuditEntry.entity_type, AuditEntry.entity_id).where(
                visible_history_filter(user, AuditEntry.entity_type, AuditEntry.entity_id)
            )
        )
        assert {tuple(r) for r in rows} == expected, user.email
        one_by_one = {
            k for k in keys if db.session.scalar(select(visible_history_filter(user, *k)))
        }
        assert one_by_one == expected, user.email
        seen_any |= expected

    # The world tells the cases apart: some keys are seen by some accounts, none by all.
    assert ("import", "bestand-1") not in seen_any
    by_email = {u.email: u for u in world["users"]}
    assert not any(_old_may_see(by_email["verwijzer@zwolle.example.org"], *k) for k in keys)
    gemengd = next(o for o in world["orgs"] if o.name == "gemengd")
    verhuisd = next(o for o in world["orgs"] if o.name == "verhuisd")
    zwolle = by_email["zwolle@gemeente.example.org"]
    # A national service's other areas and a deleted service's area do not count.
    assert can_edit_organization(zwolle, gemengd)
    assert can_edit_organization(zwolle, verhuisd)
    assert not can_edit_organization(by_email["kampen@gemeente.example.org"], verhuisd)
