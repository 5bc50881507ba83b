"""What every editing operation shares: its errors, the version check, commit and search sync."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...domain.text import slugify
from ...models import Location, Municipality, Organization, Service
from ...search import sync_index
from ..audit import diff
from ..changes import record_change

#: Shown when an account may not put a service or location under the chosen organisation.
OUT_OF_SCOPE_ORGANIZATION = (
    "U kunt deze organisatie niet kiezen: zij werkt (ook) buiten uw gemeente(n), of u beheert "
    "haar niet. Kies een organisatie van uzelf."
)
#: Shown when a change would make an organisation of others work in more municipalities.
SPREADS_ORGANIZATION = (
    "Hiermee gaat de organisatie ook in een andere gemeente werken. Dat kan alleen iemand die "
    "alle gemeenten van deze organisatie beheert."
)

Snapshot = Callable[[Any], dict[str, Any]]


class EditError(ValueError):
    """The change is not allowed or not valid; the message says why, in Dutch."""


class EditConflict(Exception):
    """Someone else saved the entry after this editor opened it; nothing was changed."""

    def __init__(self, current: dict[str, Any], mine: dict[str, Any], version: int) -> None:
        super().__init__("conflict")
        self.current = current
        self.mine = mine
        self.version = version

    def rows(self) -> list[tuple[str, Any, Any]]:
        """Return (field, saved value, my value) for every field that differs."""
        return [(k, v[0], v[1]) for k, v in diff(self.current, self.mine).items()]


def check_version(
    entity: Service | Organization,
    expected_version: int | None,
    snapshot: Snapshot,
    mine: Callable[[], dict[str, Any]] | None = None,
) -> None:
    """Raise EditConflict when the editor's page showed another version than the saved one.

    ``None`` means the request named no version: only the database's own check applies.
    """
    if expected_version is None or expected_version == entity.version:
        return
    current = snapshot(entity)
    raise EditConflict(current, mine() if mine else current, entity.version)


@contextmanager
def unit_of_work(
    session: Session,
    entity: Service | Organization | Location,
    snapshot: Snapshot,
    mine: Callable[[], dict[str, Any]] | None = None,
    *,
    sync: bool = True,
) -> Iterator[None]:
    """Commit the writes made inside the block as one unit, then bring search up to date.

    When another session saved ``entity`` first, its version column makes the UPDATE match
    no row (at an autoflush or at the commit): everything is rolled back and an EditConflict
    carries the entry as it is saved now. Any other error rolls back too.
    """
    try:
        yield
        session.commit()
    except StaleDataError:
        session.rollback()
        raise _conflict(session, entity, snapshot, mine) from None
    except BaseException:
        session.rollback()
        raise
    if sync:
        sync_index()


def _conflict(
    session: Session,
    entity: Service | Organization | Location,
    snapshot: Snapshot,
    mine: Callable[[], dict[str, Any]] | None,
) -> EditConflict:
    # After the rollback ``entity`` is expired: reload it by its key, as it is saved now.
    key = inspect(entity).identity
    current = session.get(type(entity), key, populate_existing=True) if key else None
    if current is None:  # deleted meanwhile (only locations are really deleted)
        return EditConflict({}, mine() if mine else {}, 0)
    theirs = snapshot(current)
    return EditConflict(theirs, mine() if mine else theirs, getattr(current, "version", 0))


def touch_service(session: Session, svc: Service) -> None:
    """Note the service for the search index (in the same transaction)."""
    record_change(session, "service", svc.id)


def touch_organization(session: Session, org: Organization) -> None:
    """Note the organisation and its services (they show its name) for the search index."""
    record_change(session, "organization", org.id)
    for svc in org.services:
        record_change(session, "service", svc.id)


def unique_slug(session: Session, model: type[Service] | type[Organization], name: str) -> str:
    """Return a slug for ``name`` that no other row of ``model`` uses."""
    base = slugify(name, 100)
    slug, n = base, 1
    while session.scalar(select(func.count()).select_from(model).where(model.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def resolve_municipalities(session: Session, text: str) -> list[str]:
    """Turn "Zwolle, GM0166" into GM-codes; raise EditError naming what is unknown."""
    codes: list[str] = []
    unknown: list[str] = []
    for part in (p.strip() for p in (text or "").replace(";", ",").split(",")):
        if not part:
            continue
        row = session.scalar(
            select(Municipality).where(
                (Municipality.gm_code == part.upper())
                | (func.lower(Municipality.name) == part.lower())
            )
        )
        if row is None:
            unknown.append(part)
        else:
            codes.append(row.gm_code)
    if unknown:
        raise EditError(f"Onbekende gemeente: {', '.join(unknown)}.")
    return codes
