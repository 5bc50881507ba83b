"""What the coverage maps draw: service addresses per municipality and municipal boundaries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.places import gazetteer
from ...models import Location, Organization, Service, ServiceAtLocation
from .areas import nearby_select


@dataclass(frozen=True)
class Point:
    """A location of a local or regional service, for the map."""

    lat: float
    lon: float
    label: str


def service_points(session: Session, gm_codes: Sequence[str]) -> dict[str, list[Point]]:
    """Return the located local/regional services per municipality, one point per location."""
    near = nearby_select(gm_codes).subquery("near")
    rows = session.connection().execute(
        select(
            near.c.gm_code,
            Location.id,
            Location.latitude,
            Location.longitude,
            Organization.name,
            Service.name,
        )
        .join(ServiceAtLocation, ServiceAtLocation.service_id == near.c.service_id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(Service, Service.id == near.c.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(Location.latitude.is_not(None), Location.longitude.is_not(None))
        .distinct()
        .order_by(near.c.gm_code, Location.id, Organization.name, Service.name)
    )
    labels: dict[tuple[str, str], tuple[float, float, list[str]]] = {}
    for gm, loc_id, lat, lon, org_name, svc_name in rows:
        entry = labels.setdefault((gm, loc_id), (lat, lon, []))
        entry[2].append(f"{org_name}: {svc_name}")
    points: dict[str, list[Point]] = defaultdict(list)
    for (gm, _loc), (lat, lon, names) in labels.items():
        points[gm].append(Point(lat=lat, lon=lon, label="; ".join(names)))
    return points


def municipality_boundaries(gm_codes: Iterable[str]) -> list[dict]:
    """Return the gazetteer's GeoJSON features of ``gm_codes`` (shared objects: do not mutate)."""
    wanted = set(gm_codes)
    features = gazetteer().boundaries_geojson().get("features", [])
    return [f for f in features if f.get("properties", {}).get("gm_code") in wanted]
