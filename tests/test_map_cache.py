"""Maps are rendered once per process and served again with each response's own nonce."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import branca.element
import folium
import jinja2
import pytest
import xyzservices
from flask import Flask, g
from flask.testing import FlaskClient

from wegwijzer import maps
from wegwijzer.map_output import Identity, PlainText, RenderCache, branca_template, plain_templates
from wegwijzer.models import Service

from .public_support import inline_scripts_have_nonce

MARKERS = (
    maps.Marker(52.5125, 6.0944, "Inloop Geldzorgen", "/hulp/inloop", "Humanitas"),
    maps.Marker(52.5200, 6.1000, "Schuldhulp Zwolle", "/hulp/schuldhulp", "Gemeente Zwolle"),
)


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context("/"):
        maps.map_cache().clear()
        yield


def _map_script(html: str) -> tuple[str, str]:
    """Return (nonce, body) of the page's map script."""
    for nonce, body in re.findall(r'<script nonce="([^"]+)">\n(.*?)\n</script>', html, re.S):
        if "L.map(" in body:
            return nonce, body
    raise AssertionError("no map script on the page")


def _build(markers: Any = MARKERS, near: Any = None) -> maps.MapParts:
    return maps.build_map(markers, near)


def test_the_same_service_page_map_comes_from_the_cache_under_the_new_nonce(
    client: FlaskClient, make_service: Callable[..., Service]
) -> None:
    svc = make_service("Inloop Geldzorgen Zwolle", lat=52.5125, lon=6.0944)
    first = client.get(f"/hulp/{svc.slug}")
    cache = maps.map_cache()
    hits = cache.stats().hits
    second = client.get(f"/hulp/{svc.slug}")
    assert cache.stats().hits == hits + 1
    html_1, html_2 = first.get_data(as_text=True), second.get_data(as_text=True)
    nonce_1, script_1 = _map_script(html_1)
    nonce_2, script_2 = _map_script(html_2)
    assert nonce_1 != nonce_2
    assert script_1 == script_2
    assert "Inloop Geldzorgen Zwolle" in script_2
    # The whole map (its <div> with the same id, the assets) is the same; only nonces differ.
    div = re.search(r'<div class="folium-map[^>]*></div>', html_1)
    assert div is not None and div.group(0) in html_2
    assert inline_scripts_have_nonce(html_1, first)
    assert inline_scripts_have_nonce(html_2, second)
    assert nonce_1 not in html_2


def test_a_cached_map_keeps_nothing_of_the_request_that_made_it(app: Flask) -> None:
    with app.app_context(), app.test_request_context("/zoeken?q=geheim&csrf_token=zqcsrf"):
        maps.map_cache().clear()
        g.csp_nonce = "zqnonceeen"
        first = _build()
    with app.app_context(), app.test_request_context("/hulp/iets-anders"):
        g.csp_nonce = "zqnoncetwee"
        second = _build()
    stats = maps.map_cache().stats()
    assert stats.hits == 1
    # Kept compressed: the whole entry takes less than its script.
    assert stats.entries == 1 and stats.bytes < len(str(first.script))
    assert second.html == first.html and second.header == first.header
    assert str(first.script).replace("zqnonceeen", "zqnoncetwee") == str(second.script)
    assert str(second.script).startswith('<script nonce="zqnoncetwee">')
    for text in ("zqnonceeen", "geheim", "zqcsrf"):
        assert text not in str(second.script) + second.html + second.header


@pytest.mark.parametrize(
    "changed",
    [
        (
            maps.Marker(52.5125, 6.0944, "Inloop Geldzorgen", "/hulp/inloop", "Zq Andere"),
            *MARKERS[1:],
        ),
        (maps.Marker(52.5125, 6.0944, "Zq Inloop", "/hulp/inloop", "Humanitas"), *MARKERS[1:]),
        (maps.Marker(52.6, 6.0944, "Inloop Geldzorgen", "/hulp/inloop", "Humanitas"), *MARKERS[1:]),
        (maps.Marker(52.5125, 6.0944, "Inloop Geldzorgen", "/hulp/zq-ander", "Humanitas"),)
        + MARKERS[1:],
        MARKERS[:1],
    ],
    ids=["organisation", "name", "place", "url", "fewer markers"],
)
def test_a_changed_marker_gives_another_map(request_context: None, changed: Any) -> None:
    before = _build()
    after = _build(changed)
    assert maps.map_cache().stats().hits == 0
    assert after.script != before.script
    if changed[0].lat != MARKERS[0].lat:
        assert str(changed[0].lat) in str(after.script)
    for text in (changed[0].name, changed[0].url, changed[0].organization):
        assert maps.js_string(text) in str(after.script)
    assert after.markers == len(changed)


def test_the_searched_place_and_the_map_height_are_part_of_the_map(
    request_context: None,
) -> None:
    plain = _build(MARKERS[:1])
    near = type("Place", (), {"lat": 52.0, "lon": 5.0})()
    assert _build(MARKERS[:1], near).script != plain.script
    small = maps.build_map(MARKERS[:1], None, height_class="folium-map--small")
    assert "folium-map--small" in small.html and "folium-map--small" not in plain.html
    assert maps.map_cache().stats().hits == 0


def test_the_page_language_gives_its_own_map(app: Flask) -> None:
    # A fresh app context per request, as in production: the locale is kept on ``g``.
    with app.app_context(), app.test_request_context("/"):
        maps.map_cache().clear()
        dutch = _build()
    with app.app_context(), app.test_request_context("/?lang=en"):
        english = _build()
    assert maps.map_cache().stats().hits == 0
    assert 'aria-label="Kaart met de hulp uit de lijst"' in dutch.html
    assert 'aria-label="Map with the help from the list"' in english.html
    assert 'zoomInTitle: "Inzoomen"' in str(dutch.script)
    assert 'zoomInTitle: "Zoom in"' in str(english.script)


def test_the_tile_settings_give_another_map(app: Flask) -> None:
    with app.test_request_context("/"):
        maps.map_cache().clear()
        pdok = _build()
        assert maps.js_string(app.config["TILE_URL"]) in str(pdok.script)
        app.config["TILE_URL"] = "https://{s}.tegels.example/{z}/{x}/{y}{r}.png"
        other = _build()
        assert '"https://{s}.tegels.example/{z}/{x}/{y}{r}.png"' in str(other.script)
        app.config["TILE_ATTRIBUTION"] = "Zq tegels"
        assert maps.js_string("Zq tegels") in str(_build().script)
        app.config["TILE_URL"] = ""
        assert "L.tileLayer" not in str(_build().script)
        assert maps.map_cache().stats().hits == 0


def test_the_tile_layer_from_a_provider_is_the_layer_folium_makes_of_the_url(
    request_context: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """folium looks a URL string up among all providers (slow); a provider skips that."""

    def script(tiles: Any) -> str:
        counter = itertools.count()
        monkeypatch.setattr(
            branca.element.Element,
            "_generate_id",
            classmethod(lambda cls: f"{next(counter):032x}"),
        )
        m = folium.Map(location=[52.2, 5.3], zoom_start=7, tiles=None, zoom_control=False)
        folium.TileLayer(
            tiles=tiles, attr="wwtattr", name="tiles", max_zoom=19, max_native_zoom=19
        ).add_to(m)
        root = m.get_root()
        root.render()
        return root.script.render()

    token = "wwt" + "0123456789abcdef" * 2
    provider = xyzservices.TileProvider(name="tiles", url=token, attribution="wwtattr")
    assert script(provider) == script(token)
    assert re.search(rf'L\.tileLayer\(\s*"{token}"', script(provider))


def test_the_coverage_maps_are_cached_by_their_features(request_context: None) -> None:
    from wegwijzer.services.coverage import municipality_boundaries

    features = municipality_boundaries(["GM0193", "GM0166"])
    points = [(52.51, 6.09, "Zq Inloop")]
    first = maps.boundary_map(features[:1], points, "Kaart")
    again = maps.boundary_map(features[:1], list(points), "Kaart")
    assert maps.map_cache().stats().hits == 1
    assert again.script == first.script
    moved = maps.boundary_map(features[:1], [(52.52, 6.09, "Zq Inloop")], "Kaart")
    assert moved.script != first.script
    values = {"GM0193": ("Zwolle", 3), "GM0166": ("Kampen", 0)}
    tooltip = "{name}: {value} van {maximum}"
    choropleth = maps.choropleth_map(features, values, 8, "Regio", tooltip)
    assert maps.choropleth_map(features, dict(values), 8, "Regio", tooltip) == choropleth
    changed = maps.choropleth_map(
        features, {**values, "GM0166": ("Kampen", 5)}, 8, "Regio", tooltip
    )
    assert maps.js_string("Kampen: 5 van 8") in str(changed.script)
    assert maps.map_cache().stats().hits == 2


def test_the_cache_is_bounded_in_maps_and_in_bytes() -> None:
    cache: RenderCache[str] = RenderCache(max_entries=3, max_bytes=4000)
    built: list[str] = []

    def get(key: str, size: int = 100) -> str:
        def build() -> str:
            built.append(key)
            return key

        return cache.get_or_build(key, build, lambda _v: size)

    for key in "abc":
        get(key)
    get("a")  # now the most recently used
    get("d")  # the fourth map pushes out the least recently used: b
    assert cache.stats().entries == 3
    get("b")
    assert built == ["a", "b", "c", "d", "b"]
    get("big", 900)
    get("big2", 900)
    assert cache.stats().bytes <= 4000
    get("huge", 1500)  # over a quarter of the budget: served, never kept
    get("huge", 1500)
    assert built.count("huge") == 2
    cache.clear()
    assert cache.stats().entries == 0 and cache.stats().bytes == 0


def test_a_cache_without_room_keeps_nothing() -> None:
    cache: RenderCache[str] = RenderCache(max_entries=0)
    cache.get_or_build("a", lambda: "a", len)
    cache.get_or_build("a", lambda: "a", len)
    assert cache.stats().hits == 0 and cache.stats().entries == 0


def test_feature_identity_keys_compare_the_object_not_its_content() -> None:
    one, same = {"id": 1}, {"id": 1}
    assert Identity(one) == Identity(one) and hash(Identity(one)) == hash(Identity(one))
    assert Identity(one) != Identity(same)


@pytest.mark.parametrize(
    "source",
    ["", "\n", "a", "a\n", "a\n\n", "a\r\nb\rc\n", "\r\n", "  var x = 1;\n  ", "<\\/script>"],
)
def test_plain_text_renders_as_jinja_renders_text_without_syntax(source: str) -> None:
    assert PlainText(source).render(this=None, kwargs={}) == jinja2.Template(source).render()


def test_only_plain_text_while_building_a_map_skips_jinja() -> None:
    assert isinstance(branca_template("var a = 1;"), jinja2.Template)
    with plain_templates():
        assert isinstance(branca_template("var a = 1;"), PlainText)
        for source in ("{{ 7*7 }}", "{% if x %}{% endif %}", "{# c #}"):
            assert isinstance(branca_template(source), jinja2.Template)
    assert isinstance(branca_template("var a = 1;"), jinja2.Template)
