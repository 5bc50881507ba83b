"""The beheer lists load in a fixed number of queries; the audit page filters before its limit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, insert

from wegwijzer.extensions import Database, db
from wegwijzer.models import AuditEntry, Organization, Service, utcnow

from .manage_support import login, make_user, new_client


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine runs inside the block."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = Database.engine(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _services(make_service: Callable[..., Service], n: int, start: int = 0) -> None:
    """Add ``n`` services in Zwolle, each under its own organisation, some stale or reported."""
    for i in range(start, start + n):
        make_service(
            f"Dienst {i:02d}",
            gm_codes=["GM0193"],
            publication_status=("gepubliceerd", "ter-beoordeling", "concept")[i % 3],
            last_verified_at=utcnow() - timedelta(days=400 if i % 2 else 10),
        )


def _dashboard_statements(app: Flask, client: FlaskClient, url: str = "/beheer/") -> int:
    client.get(url)  # warm-up: first-request work (templates, catalogues) is not counted
    with counted(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_dashboard_query_count_does_not_grow_with_the_services(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    make_user("beheer@zwolle.example.org", "beheerder", gm_codes=["GM0193"])
    client = new_client(app)
    login(client, "beheer@zwolle.example.org")
    _services(make_service, 3)
    few = _dashboard_statements(app, client)
    _services(make_service, 27, start=3)
    html = client.get("/beheer/").get_data(as_text=True)
    assert "Mijn diensten (30)" in html
    many = _dashboard_statements(app, client)
    assert many == few, f"{few} statements with 3 services, {many} with 30"
    assert many <= 12


def test_lists_of_services_and_organisations_use_a_fixed_number_of_queries(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    make_user("beheer@zwolle.example.org", "beheerder", gm_codes=["GM0193"])
    client = new_client(app)
    login(client, "beheer@zwolle.example.org")
    _services(make_service, 3)
    urls = ("/beheer/diensten", "/beheer/organisaties", "/beheer/beoordelen", "/beheer/verouderd")
    few = {url: _dashboard_statements(app, client, url) for url in urls}
    _services(make_service, 27, start=3)
    many = {url: _dashboard_statements(app, client, url) for url in urls}
    assert many == few


def test_a_redacteur_dashboard_uses_a_fixed_number_of_queries(
    app: Flask, make_organization: Callable[..., Organization], make_service: Callable[..., Service]
) -> None:
    org = make_organization("Stichting Telkens")
    make_user("redactie@telkens.example.org", "redacteur", organization_ids=[org.id])
    client = new_client(app)
    login(client, "redactie@telkens.example.org")
    for i in range(3):
        make_service(f"Telkens {i}", organization=org)
    few = _dashboard_statements(app, client)
    for i in range(3, 30):
        make_service(f"Telkens {i}", organization=org)
    assert _dashboard_statements(app, client) == few


# --- audit trail --------------------------------------------------------------------------------


def _audit_rows(entity_id: str, n: int, newest: Any, actor: str) -> list[dict[str, Any]]:
    return [
        {
            "at": newest - timedelta(seconds=i),
            "actor": actor,
            "entity_type": "service",
            "entity_id": entity_id,
            "action": "update",
            "changes": {"naam": [f"oud {i}", f"nieuw {i}"]},
        }
        for i in range(n)
    ]


def test_a_narrow_beheerder_sees_a_full_page_of_their_own_entries(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    from wegwijzer.services.history import AUDIT_PAGE_SIZE

    kampen = make_service("Schuldhulp Kampen", gm_codes=["GM0166"])
    zwolle = make_service("Schuldhulp Zwolle", gm_codes=["GM0193"])
    now = utcnow()
    # Many recent changes in Zwolle, more than the page and the old look-ahead of five pages...
    crowd = AUDIT_PAGE_SIZE * 5 + 50
    db.session.execute(
        insert(AuditEntry), _audit_rows(zwolle.id, crowd, now, "beheer@zwolle.example.org")
    )
    # ...and a few older ones in Kampen.
    db.session.execute(
        insert(AuditEntry),
        _audit_rows(kampen.id, 3, now - timedelta(days=1), "beheer@kampen.example.org"),
    )
    db.session.commit()
    make_user("beheer@kampen.example.org", "beheerder", gm_codes=["GM0166"])
    client = new_client(app)
    login(client, "beheer@kampen.example.org")

    html = client.get("/beheer/audit").get_data(as_text=True)

    assert html.count("Schuldhulp Kampen</a>") == 3
    assert "Schuldhulp Zwolle" not in html
    assert "oud 2 → nieuw 2" in html


def test_the_audit_trail_pages_through_only_what_the_beheerder_may_see(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    from wegwijzer.services.history import AUDIT_PAGE_SIZE

    make_user("beheer@kampen.example.org", "beheerder", gm_codes=["GM0166"])
    kampen = make_service("Schuldhulp Kampen", gm_codes=["GM0166"])
    zwolle = make_service("Schuldhulp Zwolle", gm_codes=["GM0193"])
    now = utcnow() + timedelta(hours=1)
    rows = _audit_rows(kampen.id, AUDIT_PAGE_SIZE + 5, now, "beheer@kampen.example.org")
    rows += _audit_rows(zwolle.id, AUDIT_PAGE_SIZE, now - timedelta(hours=1), "x@zwolle")
    db.session.execute(insert(AuditEntry), rows)
    db.session.commit()
    client = new_client(app)
    login(client, "beheer@kampen.example.org")

    first = client.get("/beheer/audit").get_data(as_text=True)
    assert first.count("Schuldhulp Kampen</a>") == AUDIT_PAGE_SIZE
    assert "/beheer/audit?pagina=2" in first
    second = client.get("/beheer/audit?pagina=2").get_data(as_text=True)
    assert second.count("Schuldhulp Kampen</a>") == 5
    assert "Schuldhulp Zwolle" not in second
    assert "pagina=3" not in second
    assert client.get("/beheer/audit?pagina=nul").status_code == 200


def test_the_audit_page_names_entries_in_a_fixed_number_of_queries(
    app: Flask, make_service: Callable[..., Service]
) -> None:
    make_user("beheer@zwolle.example.org", "beheerder", gm_codes=["GM0193"])
    client = new_client(app)
    login(client, "beheer@zwolle.example.org")
    now = utcnow()
    for i in range(3):
        svc = make_service(f"Dienst {i}")
        db.session.execute(insert(AuditEntry), _audit_rows(svc.id, 2, now, "iemand"))
    db.session.commit()
    few = _dashboard_statements(app, client, "/beheer/audit")
    for i in range(3, 30):
        svc = make_service(f"Dienst {i}")
        db.session.execute(insert(AuditEntry), _audit_rows(svc.id, 2, now, "iemand"))
    db.session.commit()
    assert _dashboard_statements(app, client, "/beheer/audit") == few
