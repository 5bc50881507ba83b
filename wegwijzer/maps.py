"""Maps of results and services: the only module that imports folium.

folium builds the Leaflet map; we render its parts (assets, the map ``<div>``, the script)
into our own page instead of folium's standalone document, so the page loads nothing from a
CDN (Leaflet and Leaflet.markercluster are vendored under ``static/vendor``) and the script
runs under the page's CSP nonce. A map is rendered once per process and inputs (``_cached``,
``map_output.RenderCache``); each response wraps it in its own nonce.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from .domain.places import gazetteer
from .map_output import (
    TEMPLATE_SYNTAX,
    Identity,
    MapParts,
    MapTexts,
    RenderCache,
    RenderedMap,
    branca_template,
    js_string,
    plain_templates,
    with_nonce,
)

if TYPE_CHECKING:
    import folium
    import folium.plugins

LEAFLET = "vendor/leaflet-1.9.4"
MARKERCLUSTER = "vendor/leaflet.markercluster-1.5.3"

#: Centre and zoom of the Netherlands, used when there is nothing to show.
NL_CENTER = (52.2, 5.3)
NL_ZOOM = 7
#: Boundaries shown around the markers: this margin in degrees, at most this many.
BOUNDARY_MARGIN = 0.15
MAX_BOUNDARIES = 60

# Builds a marker with an accessible name and a popup whose link is made with the DOM, so a
# service name can never become markup.
_MARKER_CALLBACK = """function (row) {
    var marker = L.marker(new L.LatLng(row[0], row[1]), {title: row[2], alt: row[2]});
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = row[3];
    link.textContent = row[2];
    box.appendChild(link);
    if (row[4]) {
        var org = document.createElement("div");
        org.textContent = row[4];
        box.appendChild(org);
    }
    marker.bindPopup(box);
    return marker;
}"""


# Writes each municipality's name on the map (as text, never markup): with the outlines this
# keeps the map readable when no tiles load. The names sit above the areas, below the markers.
_LABEL_CALLBACK = """function (feature, layer) {
    var label = document.createElement("span");
    label.textContent = feature.properties.name;
    layer.bindTooltip(label, {
        permanent: true, direction: "center", className: "municipality-label", interactive: false,
        pane: "labels"
    });
}"""


# Writes each municipality's name and value on the choropleth, always shown: the colour is
# never the only way to read it. As text, never markup.
_VALUE_LABEL_CALLBACK = """function (feature, layer) {
    var label = document.createElement("span");
    label.textContent = feature.properties.label;
    layer.bindTooltip(label, {
        permanent: true, direction: "center", className: "dekking-kaart__label",
        interactive: false
    });
}"""


@dataclass(frozen=True)
class Marker:
    lat: float
    lon: float
    name: str
    url: str
    organization: str = ""


def load_folium() -> Any:
    """folium with its plugins, imported on first use.

    Importing folium compiles some eighty templates (about half a second); a process that only
    searches never needs them. ``wegwijzer serve`` calls this before forking its workers, so
    they share one copy.
    """
    import branca.element
    import folium
    import folium.map
    import folium.plugins
    import folium.utilities

    # Our maps' rendered parts stay plain text instead of Jinja templates (see map_output).
    if branca.element.Template is not branca_template:
        branca.element.Template = branca_template
    return folium


def _render_script(m: folium.Map, texts: MapTexts) -> str:
    """Render the map's script without running anything in it as a template.

    Each element adds its script to the figure (what ``Figure.render`` does before rendering
    its page, which we skip). Every part must then be plain text: with all texts as tokens,
    rendering the parts as templates changes nothing. A part that still looks like a
    template (a folium element that got text directly) is refused before it can run.
    """
    root = m.get_root()
    for child in list(root._children.values()):
        child.render()
    for part in root.script._children.values():
        source = getattr(part, "_template_str", None) or ""
        if any(mark in source for mark in TEMPLATE_SYNTAX):
            raise RuntimeError("map script part looks like a template; pass texts as tokens")
    return texts.splice(root.script.render())


def _render_map(
    m: folium.Map, texts: MapTexts, *, html: Markup, extra: str, markers: int
) -> RenderedMap:
    """Render ``m`` for our page: vendored assets, the map ``<div>`` and its script's body."""
    for element in _walk(m):
        _vendored(element)
    map_id = m.get_name()
    # Translated zoom buttons: folium's own say "Zoom in" whatever the page language. (Not
    # inside the f-string: pybabel does not find texts there.)
    zoom_in, zoom_out = js_string(_("Inzoomen")), js_string(_("Uitzoomen"))
    titles = f"{{zoomInTitle: {zoom_in}, zoomOutTitle: {zoom_out}}}"
    zoom = f"L.control.zoom({titles}).addTo({map_id});\n"
    script = _render_script(m, texts) + "\n" + zoom + extra
    # "</" inside a script ends it early; "<\/" means the same inside JS strings.
    script = script.replace("</", "<\\/")
    return RenderedMap(header=_asset_tags(m), html=html, body=script, markers=markers)


def map_cache() -> RenderCache[RenderedMap]:
    """Return this process's cache of rendered maps for the current app.

    Bounded by ``MAP_CACHE_ENTRIES`` maps and ``MAP_CACHE_BYTES`` bytes (0 turns it off).
    """
    cache = current_app.extensions.get("wegwijzer.map_cache")
    if cache is None:
        config = current_app.config
        cache = current_app.extensions.setdefault(
            "wegwijzer.map_cache",
            RenderCache(
                max_entries=int(config["MAP_CACHE_ENTRIES"]),
                max_bytes=int(config["MAP_CACHE_BYTES"]),
            ),
        )
    return cache


def _cached(key: Hashable, build: Callable[[], RenderedMap]) -> MapParts:
    """Return the map for ``key`` (every input of ``build``), rendering it only when new.

    Besides ``key``, a map depends on the page language, the tile settings, where the
    static files are served and which gazetteer draws the boundaries: all in the key. The
    nonce is the only part of a response that is not cached.
    """
    config = current_app.config
    context = (
        str(get_locale()),
        _("Inzoomen"),
        _("Uitzoomen"),
        config.get("TILE_URL") or "",
        config.get("TILE_ATTRIBUTION") or "",
        _static(""),
        str(config.get("DATA_DIR")),
    )

    def render() -> RenderedMap:
        with plain_templates():
            return build()

    cache = map_cache()
    return with_nonce(
        cache.get_or_build((key, context), render, RenderedMap.nbytes, RenderedMap.packed)
    )


def _static(filename: str) -> str:
    return url_for("static", filename=filename)


def _vendored(element: Any) -> None:
    """Point an element's assets at our vendored copies instead of folium's CDNs."""
    folium = load_folium()
    if isinstance(element, folium.Map):
        element.default_js = [("leaflet", _static(f"{LEAFLET}/leaflet.js"))]
        element.default_css = [("leaflet_css", _static(f"{LEAFLET}/leaflet.css"))]
    elif isinstance(element, folium.plugins.FastMarkerCluster):
        element.default_js = [
            ("markerclusterjs", _static(f"{MARKERCLUSTER}/leaflet.markercluster.js"))
        ]
        element.default_css = [
            ("markerclustercss", _static(f"{MARKERCLUSTER}/MarkerCluster.css")),
            ("markerclusterdefaultcss", _static(f"{MARKERCLUSTER}/MarkerCluster.Default.css")),
        ]


def _walk(element: Any) -> Iterable[Any]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _asset_tags(m: folium.Map) -> Markup:
    """Return the ``<link>``/``<script src>`` tags of every element, refusing foreign hosts."""
    js: dict[str, str] = {}
    css: dict[str, str] = {}
    for element in _walk(m):
        js.update(dict(getattr(element, "default_js", [])))
        css.update(dict(getattr(element, "default_css", [])))
    static_root = _static("")
    for url in [*js.values(), *css.values()]:
        if not url.startswith(static_root):
            # A folium upgrade that adds a CDN asset must fail loudly, not leak requests.
            raise RuntimeError(f"map asset not vendored: {url}")
    tags = [Markup('<link rel="stylesheet" href="{}">').format(u) for u in css.values()]
    tags += [Markup('<script src="{}"></script>').format(u) for u in js.values()]
    # Without JavaScript the empty map box stays hidden (site.css shows a .folium-map only once
    # Leaflet made it a .leaflet-container); the page says what to do instead.
    return Markup("\n").join(tags)


def _boundaries(markers: Sequence[Marker], near: Any) -> dict[str, Any] | None:
    """Return the municipality boundaries around the markers (the map's offline background)."""
    lats = [mk.lat for mk in markers] + ([near.lat] if near is not None else [])
    lons = [mk.lon for mk in markers] + ([near.lon] if near is not None else [])
    if not lats:
        return None
    south, north = min(lats) - BOUNDARY_MARGIN, max(lats) + BOUNDARY_MARGIN
    west, east = min(lons) - BOUNDARY_MARGIN, max(lons) + BOUNDARY_MARGIN
    features = [
        feature
        for (fw, fs, fe, fn), feature in _indexed_boundaries(gazetteer().boundaries_geojson())
        if fw <= east and fe >= west and fs <= north and fn >= south
    ]
    if not features:
        return None
    return {"type": "FeatureCollection", "features": features[:MAX_BOUNDARIES]}


_BOXES: list[tuple[dict[str, Any], list[tuple[tuple[float, float, float, float], Any]]]] = []


def _indexed_boundaries(
    collection: dict[str, Any],
) -> list[tuple[tuple[float, float, float, float], Any]]:
    """Return (bounding box, feature) pairs, computed once per loaded boundary file."""
    for source, boxes in _BOXES:
        if source is collection:
            return boxes
    boxes = [(_feature_bbox(f), f) for f in collection["features"]]
    # Keep one entry: the gazetteer is loaded once per process and data directory.
    _BOXES[:] = [(collection, boxes)]
    return boxes


def _feature_bbox(feature: dict[str, Any]) -> tuple[float, float, float, float]:
    cached = feature.get("bbox")
    if cached:
        return tuple(cached)  # type: ignore[return-value]
    geometry = feature["geometry"]
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    points = [pt for polygon in polygons for ring in polygon for pt in ring]
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _boundary_style(_feature: dict[str, Any]) -> dict[str, Any]:
    return {"color": "#4a4a4a", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 0.6}


def _base_map(texts: MapTexts) -> folium.Map:
    """Return an empty map of the Netherlands with the configured tiles (if any)."""
    folium = load_folium()
    import xyzservices

    config = current_app.config
    m = folium.Map(location=list(NL_CENTER), zoom_start=NL_ZOOM, tiles=None, zoom_control=False)
    tile_url = config.get("TILE_URL") or ""
    if tile_url:
        attribution = texts(config.get("TILE_ATTRIBUTION") or "")
        folium.TileLayer(
            # A provider, not a string: folium looks a string up among all of xyzservices'
            # providers first (some 5 ms). Our URL is a token without "{", so the provider's
            # build_url returns it as it is, and the layer's script is the same.
            tiles=xyzservices.TileProvider(
                name="tiles", url=texts(tile_url), attribution=attribution
            ),
            attr=attribution,
            name="tiles",
            max_zoom=19,
            max_native_zoom=19,
            control=False,
        ).add_to(m)
    return m


def _results_folium(
    markers: Sequence[Marker], near: Any, texts: MapTexts
) -> tuple[folium.Map, folium.plugins.FastMarkerCluster]:
    """Build the folium map of ``markers`` (texts as tokens) and return it with its cluster."""
    folium = load_folium()
    m = _base_map(texts)
    boundaries = _boundaries(markers, near)
    if boundaries is not None:
        # Between the areas (overlay pane, 400) and the markers (600).
        folium.map.CustomPane("labels", z_index=450, pointer_events=False).add_to(m)
        folium.GeoJson(
            {
                "type": "FeatureCollection",
                "features": [texts.feature(f) for f in boundaries["features"]],
            },
            name="gemeenten",
            style_function=_boundary_style,
            interactive=False,
            control=False,
            on_each_feature=folium.utilities.JsCode(_LABEL_CALLBACK),
        ).add_to(m)
    rows = [
        [mk.lat, mk.lon, texts(mk.name), texts(mk.url), texts(mk.organization)] for mk in markers
    ]
    cluster = folium.plugins.FastMarkerCluster(
        rows,
        callback=_MARKER_CALLBACK,
        name="hulp",
        control=False,
        options={
            "showCoverageOnHover": False,
            "maxClusterRadius": 40,
            # Close in, show every marker so each one can be reached and opened.
            "disableClusteringAtZoom": 16,
            # No fading clusters: calmer, and never half-transparent (unreadable) numbers.
            "animate": False,
        },
    )
    cluster.add_to(m)
    if len(markers) > 1:
        m.fit_bounds(
            [
                [min(mk.lat for mk in markers), min(mk.lon for mk in markers)],
                [max(mk.lat for mk in markers), max(mk.lon for mk in markers)],
            ],
            padding=(24, 24),
            max_zoom=15,
        )
    elif markers:
        m.location = [markers[0].lat, markers[0].lon]
        m.options["zoom"] = 14
    elif near is not None:
        m.location = [near.lat, near.lon]
        m.options["zoom"] = 11
    return m, cluster


def build_map(markers: Sequence[Marker], near: Any, *, height_class: str = "") -> MapParts:
    """Render a clustered map of ``markers`` with the configured tiles and boundaries.

    The same markers, place and height give the same map: it is rendered once per process
    (``map_cache``) and only its nonce changes per response.
    """
    markers = tuple(markers)
    at = (near.lat, near.lon) if near is not None else None
    label = _("Kaart met de hulp uit de lijst")
    return _cached(
        ("results", markers, at, height_class, label),
        lambda: _render_results(markers, near, height_class, label),
    )


def _render_results(
    markers: Sequence[Marker], near: Any, height_class: str, label: str
) -> RenderedMap:
    texts = MapTexts()
    m, cluster = _results_folium(markers, near, texts)
    map_id = m.get_name()
    # The marker count for tests and screen readers (the cluster hides single markers, so
    # the DOM alone cannot tell).
    extra = (
        f"document.getElementById({js_string(map_id)}).setAttribute("
        f"'data-markers-rendered', {cluster.get_name()}.getLayers().length);\n"
    )
    html = Markup(
        '<div class="folium-map {cls}" id="{id}" role="region" aria-label="{label}" '
        'data-markers="{n}"></div>'
    ).format(cls=height_class, id=map_id, label=label, n=len(markers))
    return _render_map(m, texts, html=html, extra=extra, markers=len(markers))


def results_map(cards: Sequence[Any], near: Any, lang: str) -> MapParts:
    """Map the results of one page: one marker per result that has an address."""
    markers = [
        Marker(
            lat=c.point.lat,
            lon=c.point.lon,
            name=c.service.name,
            url=url_for("public.service", key=c.service.slug, **_lang_arg(lang)),
            organization=c.service.organization.name,
        )
        for c in cards
        if c.point is not None
    ]
    return build_map(markers, near)


def service_map(page: Any, lang: str) -> MapParts:
    """Map the places of one service (the small map on the service page)."""
    svc = page.service
    url = url_for("public.service", key=svc.slug, **_lang_arg(lang))
    markers = [Marker(p.lat, p.lon, p.name or svc.name, url) for p in page.points]
    return build_map(markers, None, height_class="folium-map--small")


def _lang_arg(lang: str) -> dict[str, str]:
    return {"lang": lang} if lang != "nl" else {}


# --- coverage maps (owner: coverage; used by wegwijzer/web/coverage) ------------------------
# A municipality's boundary with the places of its services, and a choropleth of a region.
# The coverage page shows the same numbers in tables; these maps are an extra.

#: Five classes, light to dark, for the number of phase x theme cells with help nearby.
CHOROPLETH_COLOURS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")


def _coverage_parts(
    m: folium.Map, texts: MapTexts, features: Sequence[dict[str, Any]], label: str
) -> RenderedMap:
    """Fit the map to ``features`` and render it like ``build_map`` does (vendored assets)."""
    boxes = [_feature_bbox(f) for f in features if f["geometry"]["type"] != "Point"]
    points = [f["geometry"]["coordinates"] for f in features if f["geometry"]["type"] == "Point"]
    xs = [b[0] for b in boxes] + [b[2] for b in boxes] + [p[0] for p in points]
    ys = [b[1] for b in boxes] + [b[3] for b in boxes] + [p[1] for p in points]
    if xs:
        m.fit_bounds([[min(ys), min(xs)], [max(ys), max(xs)]], padding=(12, 12))
    html = Markup(
        '<div class="folium-map" id="{id}" role="region" aria-label="{label}"></div>'
    ).format(id=m.get_name(), label=label)
    return _render_map(m, texts, html=html, extra="", markers=len(points))


def boundary_map(
    features: Sequence[dict[str, Any]], points: Iterable[tuple[float, float, str]], label: str
) -> MapParts:
    """Draw municipality boundaries and service places ``(lat, lon, text)`` as yellow dots.

    ``features`` are the gazetteer's shared (never changed) objects: the cache knows them by
    identity.
    """
    points = tuple(points)
    key = ("boundary", tuple(Identity(f) for f in features), points, label)
    return _cached(key, lambda: _render_boundaries(features, points, label))


def _render_boundaries(
    features: Sequence[dict[str, Any]], points: Iterable[tuple[float, float, str]], label: str
) -> RenderedMap:
    folium = load_folium()
    texts = MapTexts()
    m = _base_map(texts)
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": [texts.feature(f) for f in features]},
            name="grens",
            style_function=lambda _f: {"color": "#154273", "weight": 3, "fillOpacity": 0.05},
            interactive=False,
            control=False,
        ).add_to(m)
    dots = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            # The tooltip is HTML: escape names typed by editors.
            "properties": {"label": texts(str(Markup.escape(text)))},
        }
        for lat, lon, text in points
    ]
    if dots:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": dots},
            name="plaatsen",
            marker=folium.CircleMarker(
                radius=7,
                color="#1b1b1b",
                weight=2,
                fill=True,
                fill_color="#ffdd00",
                fill_opacity=1,
            ),
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
            control=False,
        ).add_to(m)
    return _coverage_parts(m, texts, list(features) + dots, label)


def choropleth_class(value: int, maximum: int) -> int:
    """Return the colour class 0..4 of ``value`` out of ``maximum`` (0 only for nothing)."""
    if maximum <= 0 or value <= 0:
        return 0
    return min(len(CHOROPLETH_COLOURS) - 1, 1 + (value * 4 - 1) // maximum)


def choropleth_ranges(maximum: int) -> list[tuple[int, int]]:
    """Return the (lowest, highest) value of each colour class; empty classes have low > high."""
    ranges = [(0, 0)]
    for k in range(1, len(CHOROPLETH_COLOURS)):
        ranges.append((-(-((k - 1) * maximum + 1) // 4), k * maximum // 4))
    return ranges


def choropleth_map(
    features: Sequence[dict[str, Any]],
    values: dict[str, tuple[str, int]],
    maximum: int,
    label: str,
    tooltip: str,
) -> MapParts:
    """Colour each municipality by ``values[gm_code] = (name, value)`` out of ``maximum``.

    ``tooltip`` has ``{name}``, ``{value}`` and ``{maximum}`` placeholders. ``features`` as
    for ``boundary_map``.
    """
    shown = tuple(sorted(values.items()))
    key = ("choropleth", tuple(Identity(f) for f in features), shown, maximum, label, tooltip)
    return _cached(key, lambda: _render_choropleth(features, values, maximum, tooltip, label))


def _render_choropleth(
    features: Sequence[dict[str, Any]],
    values: dict[str, tuple[str, int]],
    maximum: int,
    tooltip: str,
    label: str,
) -> RenderedMap:
    folium = load_folium()
    texts = MapTexts()
    m = _base_map(texts)
    shaped = []
    for feature in features:
        gm = feature.get("properties", {}).get("gm_code")
        if gm not in values:
            continue
        name, value = values[gm]
        text = tooltip.format(name=name, value=value, maximum=maximum)
        shaped.append(
            {
                "type": "Feature",
                # folium tells the features apart by this id, not by a (tokenised) text.
                "id": str(len(shaped)),
                "geometry": feature["geometry"],
                "properties": {
                    # Written with textContent by the label callback: no escaping needed.
                    "label": texts(text),
                    "colour": CHOROPLETH_COLOURS[choropleth_class(value, maximum)],
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
            on_each_feature=folium.utilities.JsCode(_VALUE_LABEL_CALLBACK),
            control=False,
        ).add_to(m)
    return _coverage_parts(m, texts, shaped, label)
