"""Reading accounts for the beheer pages: the accounts a beheerder manages, and form choices."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import Municipality, Organization, User, UserMunicipality
from ..models.account import user_organizations
from .permissions import may_manage_account
from .scope import editable_organizations, get_allowed


def find_active_user(session: Session, user_id: object) -> User | None:
    """Return the active account with id ``user_id``, or None."""
    if not isinstance(user_id, str) or not user_id:
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def _manageable_organization_ids(session: Session, admin: User) -> set[str]:
    return {o.id for o in editable_organizations(session, admin)}


def list_managed_accounts(session: Session, admin: User) -> list[User]:
    """Return the accounts ``admin`` may manage (see ``may_manage_account``), by e-mail."""
    org_ids = _manageable_organization_ids(session, admin)
    query = (
        select(User)
        .outerjoin(UserMunicipality)
        .outerjoin(user_organizations)
        .where(
            or_(
                UserMunicipality.gm_code.in_(sorted(admin.gm_codes)),
                user_organizations.c.organization_id.in_(sorted(org_ids)),
            )
        )
        .distinct()
        .order_by(User.email)
    )
    return [u for u in session.scalars(query) if may_manage_account(admin, u, org_ids)]


def get_managed_account(session: Session, admin: User, user_id: str) -> User:
    """Return the account ``admin`` may manage; raise NotFound or Forbidden."""
    return get_allowed(
        session,
        User,
        user_id,
        lambda other: may_manage_account(
            admin, other, _manageable_organization_ids(session, admin)
        ),
    )


@dataclass
class AccountChoices:
    """What a beheerder may give an account: their municipalities and organisations."""

    municipalities: list[Municipality]
    organizations: list[Organization]


def load_account_choices(session: Session, admin: User) -> AccountChoices:
    """Return the municipalities and live organisations ``admin`` may give to an account."""
    municipalities = session.scalars(
        select(Municipality)
        .where(Municipality.gm_code.in_(sorted(admin.gm_codes)))
        .order_by(Municipality.name)
    )
    return AccountChoices(
        municipalities=list(municipalities), organizations=editable_organizations(session, admin)
    )
