"""Comparison keys for Dutch place names: case, diacritics, "'s-" and "St." folded away."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Casefold, strip diacritics and apostrophes, turn other punctuation into spaces."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = text.casefold().translate(_APOSTROPHES).replace("'", "")
    return _NON_WORD.sub(" ", folded).strip()


def sint(word: str) -> str:
    """Spell the abbreviation "st" as "sint"."""
    return "sint" if word == "st" else word


def normalise(text: str) -> str:
    """Return a comparison key: casefolded, no diacritics, no "'s-" prefix, single spaces.

    ``"'s-Gravenhage"``, ``"s-Gravenhage"``, ``"'s Gravenhage"`` and ``"Gravenhage"`` all
    become ``"gravenhage"``; ``"IJsselmuiden"``/``"Ijsselmuiden"`` -> ``"ijsselmuiden"``;
    ``"Exloërmond"`` -> ``"exloermond"``; ``"Nieuw-Vennep"`` -> ``"nieuw vennep"``;
    ``"St.-Annaparochie"`` -> ``"sint annaparochie"``. Non-strings give ``""``.
    """
    if not isinstance(text, str):
        return ""
    if len(text) > 256:
        return _normalise(text)
    return _normalise_cached(text)


def _normalise(text: str) -> str:
    """Compute normalise(text) for a str."""
    words = [sint(w) for w in fold(text).split()]
    if len(words) > 1 and words[0] == "s":
        words = words[1:]
    return " ".join(words)


_normalise_cached = lru_cache(maxsize=16384)(_normalise)


def compact(key: str) -> str:
    """Return a key without spaces ("den haag" -> "denhaag")."""
    return key.replace(" ", "")
