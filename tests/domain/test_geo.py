"""Tests for wegwijzer.domain.geo on the real bundled gazetteer (no Flask app, no network)."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wegwijzer.domain.geo import (
    Gazetteer,
    Municipality,
    NotFound,
    Place,
    Resolved,
    distance_km,
    distance_km_precise,
    normalise,
)
from wegwijzer.domain.geo.boundaries import crossings, prepare_shape

DATA_DIR = Path(__file__).parents[2] / "data" / "gazetteer"
gazetteer = Gazetteer.load(DATA_DIR)

ZWOLLE_CENTRE = (52.5125, 6.0944)
KAMPEN_CENTRE = (52.555, 5.91111)


def gm(text: str) -> str:
    """Resolve text and return its gm_code (fails the test if nothing is found)."""
    result = gazetteer.resolve(text)
    assert isinstance(result, Resolved), f"{text!r} -> {result!r}"
    return result.gm_code


# -- loading and data ---------------------------------------------------------------------


def test_bundled_files_are_all_there() -> None:
    names = {p.name for p in DATA_DIR.iterdir()}
    assert {
        "ATTRIBUTION.txt",
        "municipalities_nl.csv",
        "municipalities_nl.geojson",
        "pc4_nl.csv",
        "places_nl.csv",
    } <= names


def test_counts() -> None:
    assert len(gazetteer.municipalities()) == 342
    assert len(gazetteer.postcodes) == 4086
    assert len(gazetteer.places) == 3121
    assert len(gazetteer.boundaries_geojson()["features"]) == 342


def test_load_is_cached_per_path() -> None:
    assert Gazetteer.load(DATA_DIR) is gazetteer
    assert Gazetteer.load(str(DATA_DIR)) is gazetteer
    assert Gazetteer.load(DATA_DIR / ".." / "gazetteer") is gazetteer
    assert Gazetteer.load() is gazetteer  # the copy shipped inside the package


def test_dataclasses() -> None:
    zwolle = gazetteer.municipality("GM0193")
    assert zwolle == Municipality("GM0193", "Zwolle", "", "Overijssel", zwolle.lat, zwolle.lon)
    assert gazetteer.municipality("0193") is zwolle
    assert gazetteer.municipality("gm0193") is zwolle
    assert gazetteer.municipality("GM9999") is None
    assert gazetteer.municipality(None) is None  # type: ignore[arg-type]
    place = gazetteer.postcodes["8011"]
    assert isinstance(place, Place)
    assert (place.name, place.gm_code, place.kind) == ("8011 Zwolle", "GM0193", "postcode")
    assert {p.kind for p in gazetteer.places} == {"plaats"}


def test_municipalities_sorted_by_name() -> None:
    munis = gazetteer.municipalities()
    keys = [normalise(m.name) for m in munis]
    assert keys == sorted(keys)
    assert munis[0].name == "Aa en Hunze"
    assert "'s-Gravenhage" in {m.name for m in munis}


# -- normalise ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Zwolle", "zwolle"),
        ("ZWOLLE", "zwolle"),
        ("'s-Gravenhage", "gravenhage"),
        ("s-Gravenhage", "gravenhage"),
        ("\u2019s Gravenhage", "gravenhage"),
        ("Gravenhage", "gravenhage"),
        ("IJsselmuiden", "ijsselmuiden"),
        ("Ijsselmuiden", "ijsselmuiden"),
        ("\u0132sselmuiden", "ijsselmuiden"),
        ("Exlo\u00ebrmond", "exloermond"),
        ("Exloe\u0308rmond", "exloermond"),
        ("Nieuw-Vennep", "nieuw vennep"),
        ("  Bergen   op--Zoom ", "bergen op zoom"),
        ("St.-Annaparochie", "sint annaparochie"),
        ("S\u00fadwest-Frysl\u00e2n", "sudwest fryslan"),
        ("", ""),
        ("s", "s"),
    ],
)
def test_normalise(text: str, key: str) -> None:
    assert normalise(text) == key


def test_normalise_non_str() -> None:
    assert normalise(None) == ""  # type: ignore[arg-type]
    assert normalise(42) == ""  # type: ignore[arg-type]


# -- resolve --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["8011", "8011 AB", "8011AB", "8011ab", " 8011 ab ", "8011 AB Zwolle", "8011, Zwolle"]
)
def test_resolve_postcode(text: str) -> None:
    result = gazetteer.resolve(text)
    assert isinstance(result, Resolved)
    assert result.kind == "postcode"
    assert result.name == "8011 Zwolle"
    assert result.municipality == "Zwolle"
    assert result.gm_code == "GM0193"
    pc = gazetteer.postcodes["8011"]
    assert (result.lat, result.lon) == (pc.lat, pc.lon)


def test_resolve_postcode_in_other_place() -> None:
    result = gazetteer.resolve("8271")
    assert isinstance(result, Resolved)
    assert result.gm_code == "GM0166"
    assert result.name.startswith("8271 ")


@pytest.mark.parametrize("text", ["1000", "1000 AA", "9910"])
def test_unknown_postcode(text: str) -> None:
    result = gazetteer.resolve(text)
    assert isinstance(result, NotFound)
    assert result.reason == "postcode_unknown"
    assert result.suggestions == []
    assert text[:4] in result.message
    assert not result


def test_9999_is_a_real_postcode() -> None:
    # 9999 exists (Stitswerd/Kantens, Het Hogeland), so it is not a "missing" postcode.
    assert gm("9999") == "GM1966"


def test_postcode_starting_with_zero_is_invalid() -> None:
    result = gazetteer.resolve("0123")
    assert isinstance(result, NotFound)
    assert result.reason == "postcode_invalid"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Zwolle", "GM0193"),
        ("zwolle", "GM0193"),
        ("ZWOLLE", "GM0193"),
        ("gemeente Zwolle", "GM0193"),
        ("Gemeente zwolle", "GM0193"),
        ("Zwolle, Overijssel", "GM0193"),
        ("Den Haag", "GM0518"),
        ("den haag", "GM0518"),
        ("Den-Haag", "GM0518"),
        ("denhaag", "GM0518"),
        ("'s-Gravenhage", "GM0518"),
        ("s-Gravenhage", "GM0518"),
        ("'s Gravenhage", "GM0518"),
        ("Gravenhage", "GM0518"),
        ("The Hague", "GM0518"),
        ("IJsselmuiden", "GM0166"),
        ("ijsselmuiden", "GM0166"),
        ("Ijsselmuiden", "GM0166"),
        ("Exlo\u00ebrmond", "GM1681"),
        ("Exloermond", "GM1681"),
        ("2e Exloermond", "GM1681"),
        ("Dijk en Waard", "GM1980"),
        ("dijk-en-waard", "GM1980"),
        ("Heerhugowaard", "GM1980"),
        ("Langedijk", "GM1980"),
        ("Land van Cuijk", "GM1982"),
        ("Boxmeer", "GM1982"),
        ("Cuijk", "GM1982"),
        ("Nieuw-Vennep", "GM0394"),
        ("Nieuw Vennep", "GM0394"),
        ("nieuwvennep", "GM0394"),
        ("Bergen op Zoom", "GM0748"),
        ("Súdwest-Fryslân", "GM1900"),
        ("Sudwest Fryslan", "GM1900"),
        ("Sûdwest Fryslân", "GM1900"),
        ("'s-Hertogenbosch", "GM0796"),
        ("Den Bosch", "GM0796"),
        ("Weesp", "GM0363"),
        ("St. Willebrord", "GM0840"),
        ("Sint Willebrord", "GM0840"),
        ("Hengelo (Gld)", "GM1876"),
        ("Best", "GM0753"),
    ],
)
def test_resolve_names(text: str, code: str) -> None:
    assert gm(text) == code


def test_resolve_kinds_and_display_names() -> None:
    zwolle = gazetteer.resolve("zwolle")
    assert isinstance(zwolle, Resolved)
    assert (zwolle.name, zwolle.municipality, zwolle.kind) == ("Zwolle", "Zwolle", "gemeente")
    hague = gazetteer.resolve("s-gravenhage")
    assert isinstance(hague, Resolved)
    assert hague.name == "'s-Gravenhage"
    assert hague.municipality == "'s-Gravenhage"
    den_haag = gazetteer.resolve("den haag")
    assert isinstance(den_haag, Resolved)
    assert den_haag.name == "Den Haag" and den_haag.municipality == "'s-Gravenhage"
    ijssel = gazetteer.resolve("ijsselmuiden")
    assert isinstance(ijssel, Resolved)
    assert (ijssel.name, ijssel.municipality, ijssel.kind) == ("IJsselmuiden", "Kampen", "plaats")


def test_ambiguous_place_names_prefer_own_municipality_then_population() -> None:
    # Bloemendaal in Gouda has more inhabitants than the village, but there is a
    # municipality Bloemendaal; Hengelo (Overijssel) beats Hengelo (Gelderland).
    assert gm("Bloemendaal") == "GM0377"
    assert gm("Hengelo") == "GM0164"
    assert gm("Doesburg") == "GM0221"
    # No municipality Haren any more: the largest Haren (Groningen) wins over Oss.
    assert gm("Haren") == "GM0014"
    # Oosterend: Texel (910) > Súdwest-Fryslân (785) > Terschelling (unknown).
    assert gm("Oosterend") == "GM0448"
    # Valkenburg: the one in Valkenburg aan de Geul, the municipality named after it.
    assert gm("Valkenburg") == "GM0994"
    # Two municipalities are called Bergen; the larger (Noord-Holland) wins.
    assert gm("Bergen") == "GM0373"
    assert gm("Bergen (L.)") == "GM0893"
    assert gm("Bergen L") == "GM0893"


def test_every_municipality_resolves_by_name() -> None:
    for muni in gazetteer.municipalities():
        result = gazetteer.resolve(muni.name)
        assert isinstance(result, Resolved), muni.name
        assert result.gm_code == muni.gm_code, muni.name
        assert result.kind == "gemeente"
        if muni.name_alt and muni.name_alt != "Bergen":
            assert gm(muni.name_alt) == muni.gm_code


def test_every_place_resolves_to_a_place_of_that_name() -> None:
    for place in gazetteer.places:
        result = gazetteer.resolve(place.name)
        assert isinstance(result, Resolved), place.name
        assert normalise(result.name) == normalise(place.name) or result.kind == "gemeente"


@pytest.mark.parametrize(
    "text",
    ["Atlantis", "", "   ", "\t\n", "12", "123456", "Zwolle Zwolle Zwolle Zwolle Zwolle Zwolle x"],
)
def test_unknown_input_gives_not_found(text: str) -> None:
    result = gazetteer.resolve(text)
    assert isinstance(result, NotFound)
    assert not result
    assert result.message


def test_empty_input_reason() -> None:
    for text in ("", "   ", None):
        result = gazetteer.resolve(text)
        assert isinstance(result, NotFound)
        assert result.reason == "empty"
        assert result.query == ""


def test_junk_input_never_raises() -> None:
    rng = random.Random(20240501)
    junk = "".join(chr(rng.randrange(0x2000, 0x2FFF)) for _ in range(500))
    assert isinstance(gazetteer.resolve(junk), NotFound)
    assert isinstance(gazetteer.resolve("x" * 100_000), NotFound)
    assert isinstance(gazetteer.resolve("\x00\x01\ufffd\ud800\udfff"), NotFound)
    assert isinstance(gazetteer.resolve("\U0001f3e0\U0001f4b8\U0001f914"), NotFound)
    assert isinstance(gazetteer.resolve(b"\xff\xfe\x00junk"), NotFound)  # type: ignore[arg-type]
    assert isinstance(gazetteer.resolve(42), NotFound)  # type: ignore[arg-type]
    assert gazetteer.resolve(b"Zwolle") == gazetteer.resolve("Zwolle")  # type: ignore[arg-type]


def test_emoji_around_a_name_still_resolves() -> None:
    assert gm("\U0001f3e0 Zwolle") == "GM0193"


def test_suggestions_for_typo() -> None:
    result = gazetteer.resolve("Zwole")
    assert isinstance(result, NotFound)
    assert result.reason == "unknown"
    assert result.suggestions[0] == "Zwolle"
    assert len(result.suggestions) <= 5
    assert "Amsterdam" in gazetteer.resolve("Amsterdm").suggestions  # type: ignore[union-attr]
    assert "IJsselmuiden" in gazetteer.suggest("ijselmuiden")
    assert gazetteer.resolve("Atlantis").suggestions == []  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_resolve_never_raises(text: str) -> None:
    result = gazetteer.resolve(text)
    assert isinstance(result, Resolved | NotFound)
    if isinstance(result, NotFound):
        assert len(result.suggestions) <= 5


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_find_place_in_text_never_raises(text: str) -> None:
    place, rest = gazetteer.find_place_in_text(text)
    assert place is None or isinstance(place, Resolved)
    assert isinstance(rest, str)
    assert len(rest) <= len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([p.name for p in gazetteer.places]),
    st.sampled_from(["{}", " {} ", "{}".upper(), "gemeente {}"]),
)
def test_place_names_resolve_in_any_case(name: str, template: str) -> None:
    result = gazetteer.resolve(template.format(name).swapcase())
    assert isinstance(result, Resolved)


# -- find_place_in_text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "rest"),
    [
        ("hulp bij formulieren in Kampen", "GM0166", "hulp bij formulieren"),
        ("schuldhulp zwolle", "GM0193", "schuldhulp"),
        ("budgetcoach 8011", "GM0193", "budgetcoach"),
        ("budgetcoach 8011 AB", "GM0193", "budgetcoach"),
        ("budgetcoach 8011ab", "GM0193", "budgetcoach"),
        ("hulp in Den Haag", "GM0518", "hulp"),
        ("wie helpt in 's-Gravenhage", "GM0518", "wie helpt"),
        ("wie helpt in s-Gravenhage?", "GM0518", "wie helpt?"),
        ("schulden Bergen op Zoom", "GM0748", "schulden"),
        ("budgetcoach in Land van Cuijk", "GM1982", "budgetcoach"),
        ("schuldhulpverlening Nieuw-Vennep", "GM0394", "schuldhulpverlening"),
        ("hulp rond Heerhugowaard", "GM1980", "hulp"),
        ("hulp te Boxmeer bij schulden", "GM1982", "hulp bij schulden"),
        ("gemeente Zwolle schuldhulp", "GM0193", "schuldhulp"),
        ("schuldhulp in de buurt van Zwolle", "GM0193", "schuldhulp"),
        ("hulp in Best", "GM0753", "hulp"),
        ("Schuldhulp Best", "GM0753", "Schuldhulp"),
        ("schuldhulp omgeving Echt", "GM1711", "schuldhulp"),
        ("help with debt near Amsterdam", "GM0363", "help with debt"),
        ("voedselbank ijsselmuiden", "GM0166", "voedselbank"),
        ("Zwolle, schuldhulp", "GM0193", "schuldhulp"),
        ("hulp bij schulden (Zwolle)", "GM0193", "hulp bij schulden"),
        ("hulp in Dijk en Waard", "GM1980", "hulp"),
        ("hulp in exloermond", "GM1681", "hulp"),
        ("Kampen", "GM0166", ""),
        ("kampen", "GM0166", ""),
        ("schuldhulp in Zwolle 8011", "GM0193", "schuldhulp"),
        ("loket werk en inkomen Ede", "GM0228", "loket werk en inkomen"),
        ("schuldhulp den bosch", "GM0796", "schuldhulp"),
        ("schuld 1.500,- in Kampen", "GM0166", "schuld 1.500,-"),
        ("schuldhulp, 8011", "GM0193", "schuldhulp"),
        ("Zwolle - schuldhulp", "GM0193", "schuldhulp"),
    ],
)
def test_find_place_in_text(text: str, code: str, rest: str) -> None:
    place, remaining = gazetteer.find_place_in_text(text)
    assert place is not None, text
    assert place.gm_code == code
    assert remaining == rest


@pytest.mark.parametrize(
    "text",
    [
        "ik heb echt hulp nodig",
        "best moeilijk",
        "het gaat best",
        "schuldhulp best",
        "hulp bij loon",
        "beslag op loon",
        "hulp in de wijk",
        "wij kampen met schulden",
        "dit kan leiden tot beslag",
        "hulp in heel Nederland",
        "hulp in Nederland",
        "een winkel met spullen",
        "waarde van mijn huis",
        "hulp bij huur en energie",
        "schuld van 5000 euro",
        "schuld van \u20ac 2500",
        "sinds 2020 schulden",
        "formulieren invullen",
        "",
        "   ",
    ],
)
def test_find_place_in_text_negatives(text: str) -> None:
    place, remaining = gazetteer.find_place_in_text(text)
    assert place is None, f"{text!r} -> {place}"
    assert remaining == " ".join(text.split())


def test_find_place_in_text_non_str() -> None:
    assert gazetteer.find_place_in_text(None) == (None, "")
    assert gazetteer.find_place_in_text(123) == (None, "")  # type: ignore[arg-type]


def test_find_place_postcode_wins_over_name() -> None:
    place, rest = gazetteer.find_place_in_text("budgetcoach Kampen 8011")
    assert place is not None and place.kind == "postcode" and place.gm_code == "GM0193"
    assert rest == "budgetcoach Kampen"


def test_find_place_in_long_text() -> None:
    text = "ik zoek hulp bij mijn administratie " * 50 + "in Zwolle"
    place, rest = gazetteer.find_place_in_text(text)
    assert place is not None and place.gm_code == "GM0193"
    assert rest.endswith("administratie")
    tail = "in Kampen " + "x" * 3000
    place, rest = gazetteer.find_place_in_text(tail + " einde")
    assert place is not None and place.gm_code == "GM0166"
    assert rest.endswith("x einde") and len(rest) == 3006


# -- geometry -------------------------------------------------------------------------------


def test_municipality_for_point() -> None:
    assert gazetteer.municipality_for_point(*ZWOLLE_CENTRE) == "GM0193"
    assert gazetteer.municipality_for_point(*KAMPEN_CENTRE) == "GM0166"
    assert gazetteer.municipality_for_point(52.0705, 4.3007) == "GM0518"  # Binnenhof
    assert gazetteer.municipality_for_point(53.0, 3.8) is None  # North Sea
    assert gazetteer.municipality_for_point(48.8566, 2.3522) is None  # Paris
    assert gazetteer.municipality_for_point(float("nan"), 5.0) is None
    assert gazetteer.municipality_for_point("x", 5.0) is None  # type: ignore[arg-type]


def test_multipolygons_and_islands() -> None:
    assert gazetteer.municipality_for_point(53.0833, 4.8000) == "GM0448"  # Texel, Den Burg
    assert gazetteer.municipality_for_point(53.4500, 5.7700) == "GM0060"  # Ameland, Nes


def test_holes_are_excluded() -> None:
    features = gazetteer.boundaries_geojson()["features"]
    holed = [
        f
        for f in features
        if f["geometry"]["type"] == "MultiPolygon"
        and any(len(poly) > 1 for poly in f["geometry"]["coordinates"])
    ]
    assert holed, "the boundaries should contain at least one polygon with a hole"
    checked = 0
    for feature in holed:
        for poly in feature["geometry"]["coordinates"]:
            for hole in poly[1:]:
                # A point just inside the hole is not in this municipality.
                lon = sum(p[0] for p in hole) / len(hole)
                lat = sum(p[1] for p in hole) / len(hole)
                if not crossings([tuple(p) for p in hole], lon, lat) % 2:
                    continue  # centroid of a concave hole may lie outside it
                code = gazetteer.municipality_for_point(lat, lon)
                assert code != feature["properties"]["gm_code"]
                checked += 1
    assert checked >= 10  # Baarle-Nassau's Belgian enclaves, among others


def test_ray_casting_polygon_with_hole() -> None:
    square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    island = [[20, 20], [21, 20], [21, 21], [20, 20]]
    polygon = prepare_shape(
        {
            "geometry": {"type": "Polygon", "coordinates": [square, hole]},
            "properties": {"gm_code": "GM0001"},
        }
    )
    multi = prepare_shape(
        {
            "geometry": {"type": "MultiPolygon", "coordinates": [[square, hole], [island]]},
            "properties": {"gm_code": "GM0002"},
        }
    )
    assert polygon is not None and multi is not None
    assert polygon.contains(2, 2) and not polygon.contains(5, 5) and not polygon.contains(11, 5)
    assert multi.contains(20.8, 20.2) and not multi.contains(20.2, 20.8)
    assert not multi.contains(5, 5)
    assert prepare_shape({"geometry": {"type": "Point", "coordinates": [1, 2]}}) is None


def test_most_postcode_and_place_points_fall_in_their_municipality() -> None:
    pcs = list(gazetteer.postcodes.values())
    hits = sum(gazetteer.municipality_for_point(p.lat, p.lon) == p.gm_code for p in pcs)
    assert hits / len(pcs) > 0.99
    places = gazetteer.places
    hits = sum(gazetteer.municipality_for_point(p.lat, p.lon) == p.gm_code for p in places)
    assert hits / len(places) > 0.99


def test_is_in_netherlands() -> None:
    assert gazetteer.is_in_netherlands(*ZWOLLE_CENTRE)
    assert gazetteer.is_in_netherlands(*ZWOLLE_CENTRE, strict=True)
    assert not gazetteer.is_in_netherlands(48.8566, 2.3522)
    assert not gazetteer.is_in_netherlands(40.0, -74.0)
    assert gazetteer.is_in_netherlands(53.0, 3.8)  # in the box ...
    assert not gazetteer.is_in_netherlands(53.0, 3.8, strict=True)  # ... but at sea
    assert not gazetteer.is_in_netherlands("north", "east")  # type: ignore[arg-type]


def test_boundaries_geojson_is_cached() -> None:
    data = gazetteer.boundaries_geojson()
    assert data is gazetteer.boundaries_geojson()
    assert data["type"] == "FeatureCollection"
    props = data["features"][0]["properties"]
    assert {"gm_code", "name", "province"} <= set(props)


# -- distances ------------------------------------------------------------------------------


def test_distance_zwolle_kampen() -> None:
    zwolle = gazetteer.resolve("Zwolle")
    kampen = gazetteer.resolve("Kampen")
    assert isinstance(zwolle, Resolved) and isinstance(kampen, Resolved)
    km = distance_km(zwolle.lat, zwolle.lon, kampen.lat, kampen.lon)
    assert abs(km - 13) < 2
    assert abs(distance_km(*ZWOLLE_CENTRE, *KAMPEN_CENTRE) - 13.3) < 0.5


def test_distance_fast_and_precise_agree() -> None:
    a, b = (50.75, 3.36), (53.5, 7.2)
    fast, precise = distance_km(*a, *b), distance_km_precise(*a, *b)
    assert abs(fast - precise) / precise < 0.005
    assert distance_km(*a, *a) == 0.0
    assert math.isclose(distance_km(*a, *b), distance_km(*b, *a))
