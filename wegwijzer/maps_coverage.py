"""Coverage maps: a municipality's boundary with service points, and a regional choropleth.

This module imports folium for the coverage pages until the shared ``wegwijzer.maps`` exists;
the integrator may move both functions there. The maps are an extra: every page shows the same
information in a table, and works without JavaScript.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
from markupsafe import Markup, escape

#: Self-hosted Leaflet (under ``static/``); folium's CDN defaults are never used.
LEAFLET_JS = "vendor/leaflet-1.9.4/leaflet.js"
LEAFLET_CSS = "vendor/leaflet-1.9.4/leaflet.css"

#: Five classes, light to dark; dark enough at the top end to show on light tiles.
CHOROPLETH_COLOURS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")


@dataclass(frozen=True)
class MapParts:
    """The pieces of a map to place in our own page: a container and a script (needs a nonce)."""

    html: Markup
    script: Markup
    legend: tuple[tuple[str, str], ...] = ()


def _new_map(config: Mapping[str, Any], static_url: str) -> folium.Map:
    fmap = folium.Map(location=[52.2, 5.3], zoom_start=8, tiles=None, zoom_control=False)
    # Only our own copy of Leaflet: no jQuery, Bootstrap or fonts from a CDN.
    fmap.default_js = [("leaflet", static_url + LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", static_url + LEAFLET_CSS)]
    if config.get("TILE_URL"):
        folium.TileLayer(
            tiles=config["TILE_URL"], attr=config.get("TILE_ATTRIBUTION") or " ", max_zoom=18
        ).add_to(fmap)
    return fmap


def _bounds(features: Iterable[dict[str, Any]]) -> list[list[float]] | None:
    lons: list[float] = []
    lats: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], int | float):
            lons.append(float(coords[0]))
            lats.append(float(coords[1]))
        else:
            for part in coords or []:
                walk(part)

    for feature in features:
        walk((feature.get("geometry") or {}).get("coordinates"))
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _parts(
    fmap: folium.Map, texts: Mapping[str, str], legend: tuple[tuple[str, str], ...] = ()
) -> MapParts:
    """Take the map's container and script; our page supplies <head>, Leaflet and the size."""
    root = fmap.get_root()
    root.render()
    map_id = fmap.get_name()
    zoom = (
        f"L.control.zoom({{zoomInTitle: {json.dumps(texts['zoom_in'])}, "
        f"zoomOutTitle: {json.dumps(texts['zoom_out'])}}}).addTo({map_id});"
    )
    # "</" inside a script would end it early; "<\/" means the same inside JS strings.
    script = (root.script.render() + "\n" + zoom).replace("</", "<\\/")
    html = Markup('<div class="folium-map" id="{}" role="region" aria-label="{}"></div>').format(
        map_id, texts["label"]
    )
    return MapParts(html=html, script=Markup(script), legend=legend)


def boundary_map(
    config: Mapping[str, Any],
    static_url: str,
    features: Sequence[dict[str, Any]],
    points: Iterable[tuple[float, float, str]],
    texts: Mapping[str, str],
) -> MapParts:
    """Draw a municipality's boundary and the locations of its services (lat, lon, label).

    ``texts`` has the translated ``label`` of the map and the ``zoom_in``/``zoom_out`` titles.
    """
    fmap = _new_map(config, static_url)
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": list(features)},
            name="grens",
            style_function=lambda _f: {"color": "#154273", "weight": 3, "fillOpacity": 0.05},
        ).add_to(fmap)
    point_features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            # The tooltip is HTML: escape names typed by editors.
            "properties": {"label": str(escape(label))},
        }
        for lat, lon, label in points
    ]
    if point_features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": point_features},
            name="locaties",
            marker=folium.CircleMarker(
                radius=7,
                color="#1b1b1b",
                weight=2,
                fill=True,
                fill_color="#ffdd00",
                fill_opacity=1,
            ),  # fmt: skip
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(fmap)
    bounds = _bounds(list(features) + point_features)
    if bounds:
        fmap.fit_bounds(bounds)
    return _parts(fmap, texts)


def choropleth_class(value: int, maximum: int) -> int:
    """Return the colour class 0..4 for ``value`` out of ``maximum``."""
    if maximum <= 0 or value <= 0:
        return 0
    return min(len(CHOROPLETH_COLOURS) - 1, 1 + (value * 4 - 1) // maximum)


def choropleth_ranges(maximum: int) -> list[tuple[int, int]]:
    """Return the (lowest, highest) value of each colour class; class 0 is exactly 0."""
    ranges = [(0, 0)]
    for k in range(1, len(CHOROPLETH_COLOURS)):
        low = -(-((k - 1) * maximum + 1) // 4)
        ranges.append((low, k * maximum // 4))
    return ranges


def choropleth_map(
    config: Mapping[str, Any],
    static_url: str,
    features: Sequence[dict[str, Any]],
    values: Mapping[str, tuple[str, int]],
    maximum: int,
    texts: Mapping[str, str],
    legend_labels: Sequence[str],
) -> MapParts:
    """Colour each municipality by ``values[gm] = (name, covered cells)`` out of ``maximum``.

    ``texts["tooltip"]`` has ``{name}``, ``{value}`` and ``{maximum}`` placeholders; the five
    ``legend_labels`` describe the colour classes.
    """
    fmap = _new_map(config, static_url)
    shaped = []
    for feature in features:
        gm = feature.get("properties", {}).get("gm_code")
        if gm not in values:
            continue
        name, value = values[gm]
        colour = CHOROPLETH_COLOURS[choropleth_class(value, maximum)]
        shaped.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "label": str(
                        escape(texts["tooltip"].format(name=name, value=value, maximum=maximum))
                    ),
                    "colour": colour,
                },
            }
        )
    if shaped:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": shaped},
            name="dekking",
            style_function=lambda f: {
                "color": "#1b1b1b",
                "weight": 2,
                "fillColor": f["properties"]["colour"],
                "fillOpacity": 0.8,
            },
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(fmap)
        bounds = _bounds(shaped)
        if bounds:
            fmap.fit_bounds(bounds)
    legend = tuple(zip(CHOROPLETH_COLOURS, legend_labels, strict=True))
    return _parts(fmap, texts, legend)
