"""Pick the place or postcode out of a free-text search query ("schuldhulp in Kampen")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ..text import edit_distance
from .index import NameIndex
from .normalise import fold, sint
from .records import Place, Resolved, resolved_from_place
from .words import (
    DANGLING_PHRASES,
    FUNCTION_WORDS,
    GUARDED,
    LOWER_CASE_TOWNS,
    MAX_TEXT,
    MONEY_WORDS,
    NEVER_IN_TEXT,
    NOT_PC_LETTERS,
    PC_LETTERS,
    PC_TOKEN,
    SHORT_OK,
    STRONG_TRIGGERS,
    TOKEN,
    YEAR_WORDS,
)


@dataclass(slots=True)
class _Token:
    """One normalised word of a free-text query with its span in the (NFC) text."""

    word: str
    start: int
    end: int
    raw: str


@dataclass(slots=True)
class _Match:
    """A place found in free text: token range, resolution and how trustworthy it is."""

    first: int
    last: int  # exclusive
    resolved: Resolved
    triggered: bool
    postcode: bool


def _tokens(text: str) -> list[_Token]:
    """Split text into normalised words with their spans."""
    tokens: list[_Token] = []
    for m in TOKEN.finditer(text):
        for word in fold(m.group()).split():
            tokens.append(_Token(sint(word), m.start(), m.end(), m.group()))
    return tokens


def _postcode_at(
    postcodes: dict[str, Place], tokens: list[_Token], i: int, text: str
) -> tuple[int, Place] | None:
    """Return (tokens used, PC4 area) if a postcode starts at token i."""
    tok = tokens[i]
    m = PC_TOKEN.fullmatch(tok.raw)
    if not m:
        return None
    pc4 = m.group(1)
    place = postcodes.get(pc4)
    if place is None:
        return None
    # Not part of an amount or a number ("5000 euro", "€ 2500", "1.500,-", "12,5000").
    touching = text[tok.start - 1 : tok.start] if tok.start else ""
    before = text[: tok.start].rstrip()[-1:]
    after = text[tok.end : tok.end + 2]
    if (
        touching in {".", ","}
        or before in {"€", "$"}
        or (after[:1] in {",", "."} and after[1:2].isdigit())
        or after[:2] == ",-"
        or after[:1] in {"€", "%"}
    ):
        return None
    prev = tokens[i - 1].word if i > 0 else ""
    if prev in {"euro", "eur", "e"}:
        return None
    used = 1
    if not m.group(2) and i + 1 < len(tokens):
        nxt = tokens[i + 1]
        if (
            PC_LETTERS.fullmatch(nxt.raw)
            and nxt.start - tok.end <= 1
            and (nxt.raw.isupper() or nxt.word not in NOT_PC_LETTERS)
        ):
            used = 2
        elif nxt.word in MONEY_WORDS:
            return None
    if used == 1 and not m.group(2) and 1900 <= int(pc4) <= 2099 and prev in YEAR_WORDS:
        return None
    return used, place


def _triggered(tokens: list[_Token], first: int) -> bool:
    """Return True if a location word directly precedes token ``first``."""
    if first == 0:
        return False
    prev = tokens[first - 1].word
    if prev in STRONG_TRIGGERS:
        return True
    return (
        prev == "van"
        and first >= 2
        and tokens[first - 2].word in {"buurt", "omgeving", "regio", "omstreken"}
    )


def _acceptable(key: str, tokens: list[_Token], i: int, j: int, text: str) -> bool:
    """Decide whether tokens[i:j] (= key) may be read as a place in free text.

    A name that is also an ordinary word ("Best", "Kampen", "Buren") is a place only after a
    location word ("in Best"), as the whole query, capitalised as the last word
    ("schulden Kampen"), or - in lower case - as the last word of a keyword query when it is
    one of the towns in LOWER_CASE_TOWNS ("schulden kampen", not "schulden best").
    """
    if key in NEVER_IN_TEXT or key.isdigit():
        return False
    guarded = key in GUARDED or (len(key) <= 3 and key not in SHORT_OK)
    if not guarded:
        return True
    first = i - 1 if i > 0 and tokens[i - 1].word == "s" else i
    if first > 0 and tokens[first - 1].word in STRONG_TRIGGERS:
        return True
    if _triggered(tokens, first):
        return True
    if first == 0 and j == len(tokens):
        return True  # the whole query is the name
    original = text[tokens[i].start : tokens[j - 1].end]
    if j == len(tokens) and first > 0 and original[:1].isupper():
        return True
    return (
        j == len(tokens)
        and first > 0
        and key in LOWER_CASE_TOWNS
        and not any(t.word in FUNCTION_WORDS for t in tokens[:first])
    )


def _matches(
    index: NameIndex, postcodes: dict[str, Place], text: str, tokens: list[_Token]
) -> list[_Match]:
    """Find all acceptable place and postcode mentions, left to right."""
    matches: list[_Match] = []
    n = len(tokens)
    i = 0
    while i < n:
        pc = _postcode_at(postcodes, tokens, i, text)
        if pc is not None:
            used, place = pc
            matches.append(_Match(i, i + used, resolved_from_place(place), True, True))
            i += used
            continue
        found = None
        for j in range(min(n, i + index.max_words), i, -1):
            key = " ".join(t.word for t in tokens[i:j])
            candidates = index.exact(key)
            if not candidates and j == i + 1 and len(key) >= 6:
                candidates = index.squashed(key)
            if candidates and _acceptable(key, tokens, i, j, text):
                found = _Match(i, j, candidates[0], _triggered(tokens, i), False)
                break
        if found is not None:
            # "'s-Gravenhage": swallow the "'s" in front of the name.
            if found.first > 0 and tokens[found.first - 1].word == "s":
                found.first -= 1
                found.triggered = _triggered(tokens, found.first)
            matches.append(found)
            i = found.last
        else:
            i += 1
    return matches


def _score(m: _Match) -> tuple[int, int, int, int]:
    """Rank a match: postcodes, then after a location word, then longer, then earlier."""
    return (int(m.postcode), int(m.triggered), m.last - m.first, -m.first)


def find_place_in_text(
    text: str | None, index: NameIndex, postcodes: dict[str, Place]
) -> tuple[Resolved | None, str]:
    """Find a place or postcode in a search query; return it and the remaining text."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return None, ""
    text = unicodedata.normalize("NFC", text)
    head = text[:MAX_TEXT]
    tokens = _tokens(head)
    matches = _matches(index, postcodes, head, tokens) if tokens else []
    if not matches:
        return None, " ".join(text.split())

    best = max(matches, key=_score)
    chosen = [
        m
        for m in matches
        if m is best
        or m.resolved.gm_code == best.resolved.gm_code
        and (m.postcode or best.postcode or m.triggered)
    ]
    return best.resolved, _without(text, tokens, [(m.first, m.last) for m in chosen])


def _without(text: str, tokens: list[_Token], ranges: list[tuple[int, int]]) -> str:
    """Return ``text`` without the token ranges (and a location word in front of each)."""
    spans: list[tuple[int, int]] = []
    for first, last in ranges:
        for phrase in DANGLING_PHRASES:
            size = len(phrase)
            if first - size >= 0 and tuple(t.word for t in tokens[first - size : first]) == phrase:
                first -= size
                break
        spans.append((tokens[first].start, tokens[last - 1].end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    remaining = text
    for start, end in reversed(merged):
        remaining = remaining[:start] + " " + remaining[end:]
    return _tidy(remaining)


def max_place_distance(word: str) -> int:
    """Allowed typing errors in a place name: none under five letters, one up to seven, else two."""
    if len(word) < 5:
        return 0
    return 1 if len(word) <= 7 else 2


def guess_place_in_text(
    text: str | None, names: dict[str, Resolved], is_word: Callable[[str], bool]
) -> tuple[Resolved, str, str] | None:
    """Guess a misspelt place name in a query ("schuldhulp zwole"): (place, rest, word typed).

    Only a word that is no ordinary word (``is_word`` says no) and no place name itself is
    tried, against ``names`` (one-word names of municipalities and larger places). The closest
    name wins; among equals the first in ``names`` (the larger place).
    """
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFC", text)
    head = text[:MAX_TEXT]
    tokens = _tokens(head)
    best: tuple[int, int, Resolved] | None = None
    for i, tok in enumerate(tokens):
        word = tok.word
        limit = max_place_distance(word)
        if not limit or not word.isalpha() or word in FUNCTION_WORDS or word in GUARDED:
            continue
        if word in names or is_word(word):
            continue
        for key, resolved in names.items():
            if abs(len(key) - len(word)) > limit or key[:1] != word[:1]:
                continue
            distance = edit_distance(word, key, limit)
            if distance <= limit and (best is None or distance < best[0]):
                best = (distance, i, resolved)
    if best is None:
        return None
    _distance, i, resolved = best
    return resolved, _without(text, tokens, [(i, i + 1)]), tokens[i].raw


def _tidy(text: str) -> str:
    """Collapse whitespace and drop punctuation left dangling at the ends or in pairs."""
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(text.split()))
    text = re.sub(r"([,;:])(?=[,;:.!?]|$)", "", text)
    text = re.sub(r"(?:^|\s)[-/–]+$", "", text)
    return text.lstrip(" ,;:-/–").rstrip(" ,;:").strip()
