"""Typo correction from the index's own vocabulary (symmetric deletes, edit distance ≤ 2).

Looking up a word costs a few dictionary probes instead of a scan of the vocabulary: every
vocabulary word is stored under the strings you get by deleting up to two letters from its
first seven letters, and a query word is looked up the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import combinations

from ..domain.text import edit_distance

PREFIX = 7
MAX_DISTANCE = 2


def _deletes(word: str, distance: int) -> set[str]:
    word = word[:PREFIX]
    out = {word}
    n = len(word)
    for d in range(1, min(distance, n - 1) + 1):
        for idx in combinations(range(n), d):
            out.add("".join(c for i, c in enumerate(word) if i not in idx))
    return out


def max_distance(word: str) -> int:
    """Allowed edits: none for short words, one up to seven letters, two for longer words."""
    if len(word) < 4:
        return 0
    return 1 if len(word) <= 7 else 2


class SpellIndex:
    """A growing vocabulary with fast near-miss lookup."""

    def __init__(self) -> None:
        self._words: dict[str, int] = {}
        self._deletes: dict[str, list[str]] = {}

    def __contains__(self, word: str) -> bool:
        return word in self._words

    def __len__(self) -> int:
        return len(self._words)

    def words(self) -> Iterable[str]:
        return self._words.keys()

    def frequency(self, word: str) -> int:
        """Return in how many documents the word occurs (deleted ones may still count)."""
        return self._words.get(word, 0)

    def add(self, counts: Mapping[str, int]) -> None:
        """Add words (already folded, lowercase) with their document counts."""
        for w, n in counts.items():
            if w in self._words:
                self._words[w] += n
                continue
            self._words[w] = n
            for d in _deletes(w, MAX_DISTANCE):
                self._deletes.setdefault(d, []).append(w)

    def candidates(self, word: str) -> list[tuple[int, str]]:
        """Return ``(distance, word)`` for vocabulary words within the allowed distance."""
        limit = max_distance(word)
        if limit == 0:
            return []
        seen: set[str] = set()
        out = []
        for d in _deletes(word, limit):
            for cand in self._deletes.get(d, ()):
                if cand in seen or cand == word:
                    continue
                seen.add(cand)
                dist = edit_distance(word, cand, limit)
                if dist <= limit:
                    out.append((dist, cand))
        return out

    def correct(self, word: str) -> str | None:
        """Return the best correction: fewest edits, then most documents, then alphabetical."""
        best: tuple[int, int, str] | None = None
        for dist, cand in self.candidates(word):
            freq = self._words.get(cand, 0)
            key = (dist, -freq, cand)
            if best is None or key < best:
                best = key
        return best[2] if best else None
