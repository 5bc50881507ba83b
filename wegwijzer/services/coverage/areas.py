"""Who may use a service where: the scopes (lokaal, regionaal, landelijk) as SQL, and the
municipalities a coverage question is about."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, case, exists, func, literal, select, true, union
from sqlalchemy.orm import Session, aliased

from ...models import Municipality, Organization, Service, ServiceArea

LOCAL, REGIONAL, NATIONAL = "lokaal", "regionaal", "landelijk"
SCOPES = (LOCAL, REGIONAL, NATIONAL)

#: ``ServiceArea.extent_type`` of an area that is one municipality, and of the whole country.
AREA_MUNICIPALITY, AREA_NATIONAL = "gemeente", "landelijk"


class UnknownMunicipality(ValueError):
    """A gm_code that is not in the municipalities table."""


def _is_national(service_id: Any) -> Any:
    area = aliased(ServiceArea)
    return exists().where(area.service_id == service_id, area.extent_type == AREA_NATIONAL)


def nearby_select(gm_codes: Sequence[str]) -> Select:
    """Select (gm_code, service_id, organization_id, n_gm) for non-national counting services.

    ``n_gm`` is the number of distinct municipalities in the service area: 1 means local.
    A duplicated area row gives a duplicate row.
    """
    other = aliased(ServiceArea)
    n_gm = (
        select(func.count(func.distinct(other.gm_code)))
        .where(
            other.service_id == ServiceArea.service_id,
            other.extent_type == AREA_MUNICIPALITY,
            other.gm_code.is_not(None),
        )
        .scalar_subquery()
    )
    return (
        select(
            ServiceArea.gm_code.label("gm_code"),
            Service.id.label("service_id"),
            Service.organization_id.label("organization_id"),
            n_gm.label("n_gm"),
        )
        .select_from(ServiceArea)
        .join(Service, Service.id == ServiceArea.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(
            ServiceArea.extent_type == AREA_MUNICIPALITY,
            ServiceArea.gm_code.in_(list(gm_codes)),
            ~_is_national(Service.id),
            Service.is_public,
        )
    )


def national_select() -> Select:
    """Select distinct (service_id, organization_id) of counting national services."""
    return (
        select(Service.id.label("service_id"), Service.organization_id.label("organization_id"))
        .select_from(ServiceArea)
        .join(Service, Service.id == ServiceArea.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(ServiceArea.extent_type == AREA_NATIONAL, Service.is_public)
        .distinct()
    )


def available(gm_codes: Sequence[str]) -> Any:
    """Return a CTE of (gm_code, service_id, organization_id, scope) for the municipalities.

    National services get one row per municipality.
    """
    near = nearby_select(gm_codes).subquery("near")
    nearby = select(
        near.c.gm_code,
        near.c.service_id,
        near.c.organization_id,
        case((near.c.n_gm == 1, literal(LOCAL)), else_=literal(REGIONAL)).label("scope"),
    ).distinct()
    munis = (
        select(Municipality.gm_code.label("gm_code"))
        .where(Municipality.gm_code.in_(list(gm_codes)))
        .subquery("munis")
    )
    nat = national_select().subquery("nat")
    national = (
        select(
            munis.c.gm_code,
            nat.c.service_id,
            nat.c.organization_id,
            literal(NATIONAL).label("scope"),
        )
        .select_from(munis)
        .join(nat, true())
    )
    return nearby.union_all(national).cte("available")


def available_ids(gm_codes: Sequence[str]) -> Any:
    """Return a subquery of the distinct ids of every service available in ``gm_codes``."""
    near = nearby_select(gm_codes).subquery("near")
    nat = national_select().subquery("nat")
    return union(select(near.c.service_id), select(nat.c.service_id)).subquery("ids")


def area_ids(gm_codes: Sequence[str]) -> Any:
    """Return a subquery of every service with an area in ``gm_codes`` or a national area.

    Whether the service counts is not checked: a cheap superset of ``available_ids``.
    """
    return union(
        select(ServiceArea.service_id).where(
            ServiceArea.extent_type == AREA_MUNICIPALITY, ServiceArea.gm_code.in_(list(gm_codes))
        ),
        select(ServiceArea.service_id).where(ServiceArea.extent_type == AREA_NATIONAL),
    ).subquery("ids")


def municipality_names(session: Session, gm_codes: Iterable[str]) -> dict[str, str]:
    """Return ``{gm_code: name}`` for the known codes among ``gm_codes``."""
    codes = list(gm_codes)
    rows = session.execute(
        select(Municipality.gm_code, Municipality.name).where(Municipality.gm_code.in_(codes))
    )
    return {gm: name for gm, name in rows}


def check_municipalities(session: Session, gm_codes: Sequence[str]) -> dict[str, str]:
    """Return ``{gm_code: name}``; raise UnknownMunicipality naming the codes not known."""
    names = municipality_names(session, gm_codes)
    unknown = [gm for gm in gm_codes if gm not in names]
    if unknown:
        raise UnknownMunicipality(f"Onbekende gemeentecode: {', '.join(unknown)}.")
    return names


def find_municipality(session: Session, text: str) -> str:
    """Return the gm_code for a code (``GM0193``, ``gm0193``) or a name (``Zwolle``)."""
    wanted = text.strip()
    code = session.scalar(
        select(Municipality.gm_code).where(Municipality.gm_code == wanted.upper())
    )
    if code is None:
        code = session.scalar(
            select(Municipality.gm_code).where(func.lower(Municipality.name) == wanted.lower())
        )
    if code is None:
        raise UnknownMunicipality(f"Onbekende gemeente: '{wanted}'. Gebruik een code als GM0193.")
    return code
