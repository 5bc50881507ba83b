"""The values the gazetteer hands out: municipalities, places and resolution results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["postcode", "plaats", "gemeente"]


@dataclass(frozen=True, slots=True)
class Municipality:
    """A Dutch municipality (gemeente) with its CBS code and centroid."""

    gm_code: str
    name: str
    name_alt: str
    province: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Place:
    """A named point: a postcode area (PC4), a place (woonplaats/kern) or a municipality."""

    name: str
    gm_code: str
    municipality: str
    province: str
    lat: float
    lon: float
    kind: Kind
    population: int = 0


@dataclass(frozen=True, slots=True)
class Resolved:
    """A successfully resolved location: display name, municipality and coordinates."""

    name: str
    municipality: str
    gm_code: str
    lat: float
    lon: float
    kind: Kind


@dataclass(frozen=True, slots=True)
class NotFound:
    """An unresolvable location query; falsy, so ``if result:`` tests for success.

    ``reason`` is one of ``"empty"``, ``"postcode_invalid"``, ``"postcode_unknown"``,
    ``"unknown"`` (for translating ``message``, which is Dutch).
    """

    query: str
    suggestions: list[str] = field(default_factory=list)
    reason: str = "unknown"
    message: str = ""

    def __bool__(self) -> bool:
        """Return False: nothing was found."""
        return False


def resolved_from_place(place: Place) -> Resolved:
    """Turn a Place into a Resolved."""
    return Resolved(place.name, place.municipality, place.gm_code, place.lat, place.lon, place.kind)
