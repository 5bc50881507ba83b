"""Municipality boundaries: the bundled GeoJSON and point-in-polygon look-ups on it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Rough bounding box of the European Netherlands (lat_min, lat_max, lon_min, lon_max).
NL_BBOX = (50.7, 53.7, 3.2, 7.3)

Ring = list[tuple[float, float]]
BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def _ring_bbox(ring: Ring) -> BBox:
    """Return the bounding box of a ring of (lon, lat) pairs."""
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _in_bbox(bbox: BBox, lon: float, lat: float) -> bool:
    """Return True if the point lies in the bounding box."""
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def crossings(ring: Ring, lon: float, lat: float) -> int:
    """Count how often a ray from the point to the east crosses the ring."""
    count = 0
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            count += 1
        x1, y1 = x2, y2
    return count


@dataclass(slots=True)
class Shape:
    """Prepared geometry of one municipality: its polygons with bounding boxes."""

    gm_code: str
    bbox: BBox
    polygons: list[tuple[BBox, list[Ring]]]

    def contains(self, lon: float, lat: float) -> bool:
        """Return True if the point is inside one of the polygons (holes excluded)."""
        if not _in_bbox(self.bbox, lon, lat):
            return False
        for bbox, rings in self.polygons:
            if _in_bbox(bbox, lon, lat) and sum(crossings(r, lon, lat) for r in rings) % 2:
                return True
        return False


def prepare_shape(feature: dict[str, Any]) -> Shape | None:
    """Turn a GeoJSON feature with a (Multi)Polygon geometry into a Shape."""
    geometry = feature.get("geometry") or {}
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon":
        raw_polygons = [coords]
    elif kind == "MultiPolygon":
        raw_polygons = coords
    else:
        return None
    polygons: list[tuple[BBox, list[Ring]]] = []
    for raw in raw_polygons:
        rings = [[(float(p[0]), float(p[1])) for p in ring] for ring in raw if len(ring) >= 3]
        if rings:
            polygons.append((_ring_bbox(rings[0]), rings))
    if not polygons:
        return None
    boxes = [b for b, _ in polygons]
    bbox = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    return Shape(str(feature.get("properties", {}).get("gm_code", "")), bbox, polygons)


class Boundaries:
    """The municipality boundaries in one GeoJSON file, read and prepared on first use."""

    def __init__(self, path: Path) -> None:
        """Remember the file; nothing is read until a boundary is needed."""
        self.path = path
        self._geojson: dict[str, Any] | None = None
        self._shapes: list[Shape] | None = None
        self._lock = threading.Lock()

    def geojson(self) -> dict[str, Any]:
        """Return the parsed boundaries (a FeatureCollection); do not mutate."""
        if self._geojson is None:
            with self._lock:
                if self._geojson is None:
                    with open(self.path, encoding="utf-8") as handle:
                        self._geojson = json.load(handle)
        return self._geojson

    def _prepared_shapes(self) -> list[Shape]:
        """Return the boundaries prepared for point-in-polygon tests (built once)."""
        if self._shapes is None:
            features = self.geojson().get("features", [])
            shapes = [s for s in (prepare_shape(f) for f in features) if s is not None]
            with self._lock:
                if self._shapes is None:
                    self._shapes = shapes
        return self._shapes

    def municipality_for_point(self, lat: float, lon: float) -> str | None:
        """Return the gm_code of the municipality containing the point, or None."""
        try:
            lat_f, lon_f = float(lat), float(lon)
        except (TypeError, ValueError):
            return None
        if not (lat_f == lat_f and lon_f == lon_f):  # NaN
            return None
        for shape in self._prepared_shapes():
            if shape.contains(lon_f, lat_f):
                return shape.gm_code
        return None

    def is_in_netherlands(self, lat: float, lon: float, *, strict: bool = False) -> bool:
        """Return True if the point is in the NL bounding box (and a municipality if strict)."""
        try:
            lat_f, lon_f = float(lat), float(lon)
        except (TypeError, ValueError):
            return False
        lat_min, lat_max, lon_min, lon_max = NL_BBOX
        if not (lat_min <= lat_f <= lat_max and lon_min <= lon_f <= lon_max):
            return False
        return not strict or self.municipality_for_point(lat_f, lon_f) is not None
