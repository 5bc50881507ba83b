"""Synonyms from ``data/synonyms.txt``, expanded at query time.

Format (documented at the top of the file itself): one group per line; ``a, b, c`` are
equivalent in both directions; ``a, b => c, d`` expands ``a`` and ``b`` to ``c`` and ``d``
only. Words are compared by their stems, so plurals and diminutives match. A phrase on the
left ("grip op geld") matches when all its words occur in the query. ``taal tr: Turks,
Turkish`` names a language: the words are equivalent and also find every service whose HSDS
``languages`` has that code (the index holds ``lang:<code>`` for each, see documents.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import is_stop, stem, words

FILENAME = "synonyms.txt"
#: Index term of a service's language code: ``lang:tr``.
LANGUAGE_PREFIX = "lang:"
_LANGUAGE_LINE = re.compile(r"^taal\s+([a-z]{2,3})\s*:(.*)$", re.IGNORECASE)


def language_term(code: str) -> str:
    """Return the index term of an HSDS language code (``tr`` → ``lang:tr``)."""
    return LANGUAGE_PREFIX + code.strip().lower()


class SynonymsFileError(ValueError):
    """A line of the synonyms file cannot be read; the message names the line."""


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Synonyms:
    """Expansion rules: a phrase of stems → phrases to add."""

    rules: dict[Phrase, tuple[Phrase, ...]]
    surface: frozenset[str]
    #: The left-hand phrases by their first word, so a query looks only at its own words.
    by_first: dict[str, tuple[Phrase, ...]] = field(default_factory=dict)
    #: (left, right) pairs only of one-way lines ("deurwaarder => schulden"): a related,
    #: broader word rather than the same meaning.
    related: frozenset[tuple[Phrase, Phrase]] = frozenset()

    def __post_init__(self) -> None:
        if not self.by_first and self.rules:
            index: dict[str, list[Phrase]] = {}
            for lhs in self.rules:
                index.setdefault(lhs[0], []).append(lhs)
            object.__setattr__(self, "by_first", {k: tuple(v) for k, v in index.items()})

    def expand(self, stems: list[str]) -> list[tuple[int, Phrase]]:
        """Return ``(index of the query word it belongs to, phrase to add)`` pairs."""
        position = {s: i for i, s in enumerate(stems)}
        out: list[tuple[int, Phrase]] = []
        for first in position:
            for lhs in self.by_first.get(first, ()):
                if all(w in position for w in lhs):
                    anchor = max(position[w] for w in lhs)
                    out.extend((anchor, t) for t in self.rules[lhs])
        return out

    def expand_related(self, stems: list[str]) -> list[tuple[int, Phrase, bool]]:
        """Like ``expand``, and say of each phrase whether it is only a related word."""
        position = {s: i for i, s in enumerate(stems)}
        out: list[tuple[int, Phrase, bool]] = []
        for first in position:
            for lhs in self.by_first.get(first, ()):
                if all(w in position for w in lhs):
                    anchor = max(position[w] for w in lhs)
                    out.extend((anchor, t, (lhs, t) in self.related) for t in self.rules[lhs])
        return out


def _phrase(text: str) -> Phrase:
    return tuple(stem(w) for w in words(text) if not is_stop(w))


def parse_synonyms(text: str, source: str = FILENAME) -> Synonyms:
    """Parse the synonyms format; raise SynonymsFileError naming the line."""
    rules: dict[Phrase, list[Phrase]] = {}
    surface: set[str] = set()
    one_way: set[tuple[Phrase, Phrase]] = set()
    same: set[tuple[Phrase, Phrase]] = set()

    def add(lhs: Phrase, targets: list[Phrase]) -> None:
        bucket = rules.setdefault(lhs, [])
        for t in targets:
            if t != lhs and t not in bucket:
                bucket.append(t)

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        language = _LANGUAGE_LINE.match(line)
        if language:
            items = [p for p in (_phrase(x) for x in language.group(2).split(",")) if p]
            if not items:
                raise SynonymsFileError(
                    f"{source}, regel {lineno}: noem na 'taal {language.group(1)}:' de namen "
                    "van de taal, met komma's ertussen."
                )
            surface.update(w for x in language.group(2).split(",") for w in words(x))
            code = (language_term(language.group(1)),)
            for lhs in items:
                add(lhs, [*items, code])
            continue
        if line.count("=>") > 1:
            raise SynonymsFileError(f"{source}, regel {lineno}: gebruik de pijl => maar één keer.")
        left, arrow, right = line.partition("=>")
        lhs_items = [p for p in (_phrase(x) for x in left.split(",")) if p]
        if not lhs_items:
            raise SynonymsFileError(f"{source}, regel {lineno}: geen woorden gevonden.")
        for item in left.split(",") + right.split(","):
            surface.update(w for w in words(item) if not is_stop(w))
        if arrow:
            rhs_items = [p for p in (_phrase(x) for x in right.split(",")) if p]
            if not rhs_items:
                raise SynonymsFileError(
                    f"{source}, regel {lineno}: na de pijl => ontbreken de woorden."
                )
            for lhs in lhs_items:
                add(lhs, rhs_items)
                one_way.update((lhs, t) for t in rhs_items)
        else:
            if len(lhs_items) < 2:
                raise SynonymsFileError(
                    f"{source}, regel {lineno}: noem minstens twee woorden, met komma's ertussen."
                )
            for lhs in lhs_items:
                add(lhs, lhs_items)
                same.update((lhs, t) for t in lhs_items)
    return Synonyms(
        {k: tuple(v) for k, v in rules.items() if v},
        frozenset(surface),
        related=frozenset(one_way - same),
    )


_cache: dict[Path, tuple[float, Synonyms]] = {}


def load_synonyms(data_dir: str | os.PathLike[str]) -> Synonyms:
    """Return the synonyms of ``<data_dir>/synonyms.txt`` (empty when the file is missing)."""
    path = Path(data_dir) / FILENAME
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return Synonyms({}, frozenset())
    cached = _cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SynonymsFileError(f"{path}: kan het bestand niet lezen ({exc}).") from exc
    synonyms = parse_synonyms(text, str(path))
    _cache[path] = (mtime, synonyms)
    return synonyms
