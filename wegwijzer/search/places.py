"""Where a search is about: the place parameter, else a place or postcode named in the words.

A place in the words is found in any case and after "in/bij/rond/near/around" ("hulp bij
brieven in zwolle"), as a postcode ("8011", "8011 AB", "8011AB"), and with a small typing
error ("schuldhulpverlening zwole") - the last only for a word that is no ordinary word: not a
word of the index, the taxonomy, the synonyms or the signals, and not a typo of one of those
either. The place found is the location, and its words are taken out of the text searched.
Names that are also ordinary words ("Best", "Kampen", "Buren") follow the rule in
``domain.geo.freetext``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: How the location of a search was found.
FROM_PARAMETER, FROM_TEXT, FROM_TYPO = "parameter", "text", "typo"


@dataclass(frozen=True)
class Located:
    """The location of a search (or why the place parameter gave none) and the text left."""

    location: Any = None
    text: str = ""
    error: Any = None
    #: ``FROM_PARAMETER``, ``FROM_TEXT``, ``FROM_TYPO`` or "" (no location).
    source: str = ""
    #: The misspelt place name as typed ("zwole"), when ``source`` is ``FROM_TYPO``.
    typed: str = ""


def locate(
    query: str,
    near: str | None,
    gazetteer: Any,
    is_word: Callable[[str], bool],
    correct: Callable[[str], str | None],
    limit: int,
) -> Located:
    """Return where to search and the words to search for.

    ``is_word`` says whether a folded word is an ordinary word of the directory; ``correct``
    returns the ordinary word a typo stands for (or None).
    """
    if near and near.strip():
        found = gazetteer.resolve(near.strip()[:limit])
        if found:
            return Located(found, query, source=FROM_PARAMETER)
        return Located(None, query, error=found)
    if not query or gazetteer is None:
        return Located(None, query)
    place, rest = gazetteer.find_place_in_text(query)
    if place is not None:
        return Located(place, " ".join(rest.split()), source=FROM_TEXT)

    def ordinary(word: str) -> bool:
        if is_word(word):
            return True
        # A typo of an ordinary word is read as that word; unless that word is the place
        # itself (the index knows "zwolle" from the addresses).
        fixed = correct(word)
        return bool(fixed) and not gazetteer.resolve(fixed)

    guess = gazetteer.guess_place_in_text(query, ordinary)
    if guess is None:
        return Located(None, query)
    place, rest, typed = guess
    return Located(place, " ".join(rest.split()), source=FROM_TYPO, typed=typed)
