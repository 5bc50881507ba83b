"""The name index: every normalised municipality and place name with its candidates, ranked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .normalise import compact, normalise
from .records import Municipality, Place, Resolved
from .words import ALIASES, ORDINALS, QUALIFIERS


class NameIndex:
    """Normalised names -> candidates, best first; also found without their spaces."""

    def __init__(self, by_key: dict[str, list[Resolved]]) -> None:
        """Index ``by_key`` and the space-free form of every key with spaces."""
        self.by_key = by_key
        self.compact: dict[str, str] = {}
        for key in by_key:
            squashed = compact(key)
            if squashed != key:
                self.compact.setdefault(squashed, key)
        self.max_words = max((k.count(" ") + 1 for k in by_key), default=1)

    def exact(self, key: str) -> list[Resolved] | None:
        """Return the candidates for exactly this key, or None."""
        return self.by_key.get(key)

    def squashed(self, key: str) -> list[Resolved] | None:
        """Return the candidates of the key whose space-free form is ``key`` ("denhaag")."""
        full = self.compact.get(key)
        return self.by_key.get(full) if full else None

    def lookup(self, key: str) -> list[Resolved]:
        """Return the candidates for a normalised key, also trying its compact form."""
        return self.exact(key) or self.squashed(compact(key)) or []


def _base_keys(name: str) -> list[str]:
    """Return weaker keys for a name with a qualifier: "Loo Gld" -> "loo"."""
    keys: list[str] = []
    without_parens = re.sub(r"\s*\([^)]*\)\s*", " ", name).strip()
    if without_parens != name:
        keys.append(normalise(without_parens))
    key = normalise(without_parens)
    words = key.split()
    if len(words) >= 2 and words[-1] in QUALIFIERS:
        keys.append(" ".join(words[:-1]))
    gem = re.split(r"\s+gem\.?\s+", without_parens, maxsplit=1)
    if len(gem) == 2:
        keys.append(normalise(gem[0]))
    if len(words) >= 2 and words[0] in ORDINALS:
        keys.append(" ".join(words[1:]))
    return [k for k in keys if k and k != key]


def build_name_index(
    municipalities: Iterable[Municipality],
    places: Iterable[Place],
    place_meta: Iterable[tuple[bool, bool]],
) -> NameIndex:
    """Rank every name: municipalities first, then places by own name, size and source.

    ``place_meta`` holds (is a postal place, comes from GeoNames cities500) per place.
    """
    by_code = {m.gm_code: m for m in municipalities}
    places = list(places)
    ranked: dict[str, list[tuple[tuple[Any, ...], Resolved]]] = {}

    def add(key: str, rank: tuple[Any, ...], resolved: Resolved) -> None:
        if key:
            ranked.setdefault(key, []).append((rank, resolved))

    population: dict[str, int] = {}
    for place in places:
        population[place.gm_code] = population.get(place.gm_code, 0) + place.population

    for muni in by_code.values():
        pop = population.get(muni.gm_code, 0)

        def gemeente(display: str, m: Municipality = muni) -> Resolved:
            return Resolved(display, m.name, m.gm_code, m.lat, m.lon, "gemeente")

        add(normalise(muni.name), (5, pop), gemeente(muni.name))
        for base in _base_keys(muni.name):
            add(base, (4, pop), gemeente(muni.name))
        if muni.name_alt:
            add(normalise(muni.name_alt), (4, pop), gemeente(muni.name_alt))
    for key, (display, gm_code) in ALIASES.items():
        found = by_code.get(gm_code)
        if found is not None:
            resolved = Resolved(
                display, found.name, found.gm_code, found.lat, found.lon, "gemeente"
            )
            add(key, (4, population.get(gm_code, 0)), resolved)

    for place, (postal, cities) in zip(places, place_meta, strict=True):
        key = normalise(place.name)
        muni_key = normalise(place.municipality)
        if key == muni_key:
            own = 2
        elif muni_key.startswith(key + " "):
            own = 1
        else:
            own = 0
        resolved = Resolved(
            place.name, place.municipality, place.gm_code, place.lat, place.lon, "plaats"
        )
        rank = (own, place.population, postal, cities)
        add(key, (3, *rank), resolved)
        for base in _base_keys(place.name):
            add(base, (2, *rank), resolved)

    by_key: dict[str, list[Resolved]] = {}
    for key, candidates in ranked.items():
        candidates.sort(key=lambda item: item[0], reverse=True)
        seen: set[tuple[str, str]] = set()
        unique: list[Resolved] = []
        for _, resolved in candidates:
            ident = (resolved.name, resolved.gm_code)
            if ident not in seen:
                seen.add(ident)
                unique.append(resolved)
        by_key[key] = unique
    return NameIndex(by_key)
