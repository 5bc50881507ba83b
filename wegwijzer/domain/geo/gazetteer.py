"""The offline gazetteer: municipalities, PC4 postcodes and places, and resolving names to them.

Everything works on the bundled files in ``data/gazetteer/`` (GeoNames places and PC4
centroids, CBS/PDOK municipality boundaries; see ``ATTRIBUTION.txt`` there) and never
touches the network.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ...resources import DATA_DIR
from .boundaries import Boundaries
from .freetext import find_place_in_text, guess_place_in_text
from .index import build_name_index
from .normalise import normalise
from .records import Municipality, NotFound, Place, Resolved, resolved_from_place
from .words import (
    GUARDED,
    MAX_QUERY,
    MAX_TEXT,
    NEVER_IN_TEXT,
    PC_QUERY,
    PC_TOKEN,
    QUERY_PREFIXES,
    QUERY_SUFFIXES,
)

DEFAULT_GAZETTEER_DIR = DATA_DIR / "gazetteer"
#: Places this large (and every municipality) are recognised with a typing error in a query.
TYPO_MIN_POPULATION = 10_000


def _to_float(value: str) -> float:
    """Parse a float, returning NaN for empty strings."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _place(row: dict[str, str], name: str, kind: str, **extra: Any) -> Place:
    """Return the Place of a gazetteer row: its municipality, province and point."""
    return Place(
        name=name,
        gm_code=row["gm_code"].strip(),
        municipality=row["municipality"].strip(),
        province=row["province"].strip(),
        lat=_to_float(row["lat"]),
        lon=_to_float(row["lon"]),
        kind=kind,
        **extra,
    )


def _to_int(value: str) -> int:
    """Parse an int, returning 0 for empty or bad values."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


class Gazetteer:
    """Municipalities, PC4 postcodes and places of the Netherlands, loaded from CSV files.

    Use :meth:`load` (cached per directory) rather than the constructor.
    """

    _cache: dict[str, Gazetteer] = {}
    _cache_lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        """Read the CSV files in ``path`` and build the lookup indexes."""
        self.path = Path(path)
        self._municipalities: dict[str, Municipality] = {}
        self.postcodes: dict[str, Place] = {}
        self.places: list[Place] = []
        self._boundaries = Boundaries(self.path / "municipalities_nl.geojson")
        self._read_municipalities()
        self._read_postcodes()
        place_meta = self._read_places()
        self._typo_cache: dict[str, Resolved] | None = None
        self._index = build_name_index(self._municipalities.values(), self.places, place_meta)
        self._province_keys = sorted({normalise(m.province) for m in self._municipalities.values()})

    # -- loading ------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Gazetteer:
        """Return the gazetteer for directory ``path`` (default: the bundled one), cached."""
        directory = Path(path) if path is not None else DEFAULT_GAZETTEER_DIR
        key = str(directory.resolve())
        cached = cls._cache.get(key)
        if cached is not None:
            return cached
        with cls._cache_lock:
            cached = cls._cache.get(key)
            if cached is None:
                cached = cls(directory)
                cls._cache[key] = cached
            return cached

    def _rows(self, filename: str) -> Iterator[dict[str, str]]:
        """Yield the rows of one CSV file of the gazetteer as dicts."""
        with open(self.path / filename, encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)

    def _read_municipalities(self) -> None:
        """Read municipalities_nl.csv."""
        for row in self._rows("municipalities_nl.csv"):
            muni = Municipality(
                gm_code=row["gm_code"].strip(),
                name=row["name"].strip(),
                name_alt=(row.get("name_alt") or "").strip(),
                province=row["province"].strip(),
                lat=_to_float(row["lat"]),
                lon=_to_float(row["lon"]),
            )
            self._municipalities[muni.gm_code] = muni

    def _read_postcodes(self) -> None:
        """Read pc4_nl.csv; a postcode's display name is "<pc4> <first place>"."""
        for row in self._rows("pc4_nl.csv"):
            pc4 = row["pc4"].strip()
            places = [p.strip() for p in (row.get("places") or "").split("|") if p.strip()]
            label = places[0] if places else row["municipality"].strip()
            self.postcodes[pc4] = _place(row, f"{pc4} {label}", "postcode")

    def _read_places(self) -> list[tuple[bool, bool]]:
        """Read places_nl.csv; return (postal place, from cities500) per place for ranking."""
        place_meta: list[tuple[bool, bool]] = []
        for row in self._rows("places_nl.csv"):
            place = _place(
                row,
                row["name"].strip(),
                "plaats",
                population=_to_int(row.get("population", "")),
            )
            self.places.append(place)
            place_meta.append(
                (row.get("postal_place") == "1", row.get("source", "").endswith("cities500"))
            )
        return place_meta

    # -- simple accessors ---------------------------------------------------------------

    def municipality(self, gm_code: str) -> Municipality | None:
        """Return the municipality with this code ("GM0193", "0193" or 193), or None."""
        if gm_code is None:
            return None
        code = str(gm_code).strip().upper()
        if code.isdigit():
            code = f"GM{int(code):04d}"
        return self._municipalities.get(code)

    def municipalities(self) -> list[Municipality]:
        """Return all municipalities sorted by name (ignoring "'s-" and case)."""
        return sorted(self._municipalities.values(), key=lambda m: (normalise(m.name), m.name))

    def postcode(self, pc4: str) -> Place | None:
        """Return the PC4 area for "8011" / "8011 AB", or None."""
        match = PC_TOKEN.fullmatch(re.sub(r"\s+", "", str(pc4 or "")))
        return self.postcodes.get(match.group(1)) if match else None

    # -- resolving ----------------------------------------------------------------------

    def _name_candidates(self, text: str) -> list[Resolved]:
        """Return ranked candidates for a place/municipality name, trying variants."""
        variants: list[str] = [text]
        if "," in text:
            variants.append(text.split(",", 1)[0])
        if "(" in text:
            variants.append(re.sub(r"\([^)]*\)", " ", text))
        for variant in variants:
            key = normalise(variant)
            if not key:
                continue
            found = self._index.lookup(key)
            if found:
                return found
            stripped = key
            for _ in range(3):
                before = stripped
                for prefix in QUERY_PREFIXES:
                    if stripped.startswith(prefix):
                        stripped = stripped[len(prefix) :]
                for suffix in QUERY_SUFFIXES:
                    if stripped.endswith(suffix):
                        stripped = stripped[: -len(suffix)]
                for province in self._province_keys:
                    if stripped.endswith(" " + province):
                        stripped = stripped[: -len(province) - 1]
                if stripped.startswith("s ") and len(stripped) > 2:
                    stripped = stripped[2:]
                if stripped == before:
                    break
                found = self._index.lookup(stripped)
                if found:
                    return found
        return []

    def suggest(self, text: str | None, limit: int = 5) -> list[str]:
        """Return up to ``limit`` display names close to ``text`` (difflib on keys)."""
        if not isinstance(text, str):
            return []
        key = normalise(text[:MAX_QUERY])
        if not key or len(key) > 60:
            return []
        names: list[str] = []
        by_key = self._index.by_key
        matches = difflib.get_close_matches(key, by_key.keys(), n=limit * 3, cutoff=0.75)
        for match in matches:
            name = by_key[match][0].name
            if name not in names:
                names.append(name)
            if len(names) >= limit:
                break
        return names

    def resolve(self, text: str | None) -> Resolved | NotFound:
        """Resolve a postcode, place or municipality name; never raises."""
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        if not isinstance(text, str):
            return NotFound("", [], "empty", "Vul een plaatsnaam of postcode in.")
        query = unicodedata.normalize("NFC", text[:MAX_TEXT]).strip()[:MAX_QUERY]
        if not query:
            return NotFound("", [], "empty", "Vul een plaatsnaam of postcode in.")

        pc_match = PC_QUERY.fullmatch(query)
        if pc_match:
            pc4, _letters, rest = pc_match.groups()
            place = self.postcodes.get(pc4)
            if place is not None:
                return resolved_from_place(place)
            if rest:
                by_name = self._name_candidates(rest)
                if by_name:
                    return by_name[0]
            if pc4.startswith("0"):
                return NotFound(
                    query, [], "postcode_invalid", f"{pc4} is geen geldige Nederlandse postcode."
                )
            return NotFound(
                query,
                [],
                "postcode_unknown",
                f"Postcode {pc4} is niet bekend; controleer de postcode of zoek op plaatsnaam.",
            )

        found = self._name_candidates(query)
        if found:
            return found[0]

        # "Zwolle centrum", "hulp in Kampen": take a place mentioned in a short text.
        if len(query.split()) <= 5:
            resolved, _rest = self.find_place_in_text(query)
            if resolved is not None:
                return resolved

        return NotFound(
            query,
            self.suggest(query),
            "unknown",
            f"Plaats, gemeente of postcode \u201c{query}\u201d niet gevonden.",
        )

    def find_place_in_text(self, text: str | None) -> tuple[Resolved | None, str]:
        """Find a place or postcode in a search query; return it and the remaining text."""
        return find_place_in_text(text, self._index, self.postcodes)

    def guess_place_in_text(
        self, text: str | None, is_word: Callable[[str], bool]
    ) -> tuple[Resolved, str, str] | None:
        """Guess a misspelt place in a query ("schuldhulp zwole"), where ``is_word`` knows no
        ordinary word like it: return (place, remaining text, the word as typed) or None."""
        return guess_place_in_text(text, self._typo_names(), is_word)

    def _typo_names(self) -> dict[str, Resolved]:
        """One-word names of municipalities and places of 10,000 people or more, larger first;
        names that are also ordinary words are left out."""
        if self._typo_cache is None:
            found: dict[str, Resolved] = {}
            for muni in sorted(self._municipalities.values(), key=lambda m: m.name):
                key = normalise(muni.name)
                if key.isalpha() and key not in GUARDED and key not in NEVER_IN_TEXT:
                    found.setdefault(key, self._index.lookup(key)[0])
            for place in sorted(self.places, key=lambda p: -p.population):
                key = normalise(place.name)
                if place.population < TYPO_MIN_POPULATION:
                    break
                if key.isalpha() and key not in GUARDED and key not in NEVER_IN_TEXT:
                    found.setdefault(key, self._index.lookup(key)[0])
            self._typo_cache = found
        return self._typo_cache

    # -- geometry -----------------------------------------------------------------------

    def boundaries_geojson(self) -> dict[str, Any]:
        """Return the parsed municipality boundaries (a FeatureCollection); do not mutate."""
        return self._boundaries.geojson()

    def municipality_for_point(self, lat: float, lon: float) -> str | None:
        """Return the gm_code of the municipality containing the point, or None."""
        return self._boundaries.municipality_for_point(lat, lon)

    def is_in_netherlands(self, lat: float, lon: float, *, strict: bool = False) -> bool:
        """Return True if the point is in the NL bounding box (and a municipality if strict)."""
        return self._boundaries.is_in_netherlands(lat, lon, strict=strict)
