"""Understand a resident's query: meaningful words, compound parts, typos, synonyms, signals."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .analysis import MEANINGFUL, Analyzer, is_stop, stem, words
from .signals import Signal, match_words
from .synonyms import LANGUAGE_PREFIX, Synonyms

#: Weight of a compound's parts together (each part alone never counts), and of a synonym,
#: against the word itself.
PART_WEIGHT = 0.5
UNKNOWN_WHOLE_PART_WEIGHT = 0.8
SYNONYM_WEIGHT = 0.7
#: Weight of a related, broader word of a one-way line ("deurwaarder => schulden"): a
#: service that names the word itself comes before one that only names a related word.
RELATED_WEIGHT = 0.5
#: Weight of the language of a service (HSDS ``languages``) named in the query.
LANGUAGE_WEIGHT = 1.0

_MAX_WORDS = 16


@dataclass
class Group:
    """One meaningful query word and what counts for it.

    ``terms`` each match on their own (the word, its correction, one-word synonyms, the
    language of a service). ``together`` holds alternatives that count only where all their
    terms occur: the parts of a compound ("voedsel" and "bank" of "voedselbank") and
    synonyms of several words ("bijzondere bijstand").
    """

    word: str
    terms: dict[str, float] = field(default_factory=dict)
    together: dict[tuple[str, ...], float] = field(default_factory=dict)
    #: The alternatives in ``together`` that are a compound's parts (a weaker kind of match).
    fragments: set[tuple[str, ...]] = field(default_factory=set)

    def add(self, term: str, weight: float) -> None:
        if term and weight > self.terms.get(term, 0.0):
            self.terms[term] = weight

    def add_all(self, terms: tuple[str, ...], weight: float, fragment: bool = False) -> None:
        """Add an alternative that counts only where every one of ``terms`` occurs."""
        terms = tuple(dict.fromkeys(t for t in terms if t))
        if len(terms) == 1 and not fragment:
            self.add(terms[0], weight)
        elif len(terms) > 1 and weight > self.together.get(terms, 0.0):
            self.together[terms] = weight
            if fragment:
                self.fragments.add(terms)

    @property
    def empty(self) -> bool:
        return not (self.terms or self.together)


@dataclass
class ParsedQuery:
    groups: list[Group]
    #: Misspelt word → the vocabulary word used instead (for "Bedoelde u …?").
    corrections: dict[str, str]
    signals: list[Signal]

    def suggestion(self, text: str) -> str | None:
        """Return ``text`` with the corrections applied, or None when nothing was corrected."""
        return apply_corrections(text, self.corrections) if self.corrections else None

    @property
    def highlight_terms(self) -> set[str]:
        out = {t for g in self.groups for t in g.terms if not t.startswith(LANGUAGE_PREFIX)}
        out.update(t for g in self.groups for alt in g.together for t in alt)
        return out


def parse_query(
    text: str,
    analyzer: Analyzer,
    synonyms: Synonyms,
    signals: Sequence[Signal],
    is_known: Callable[[str], bool],
    correct: Callable[[str], str | None],
    is_surface: Callable[[str], bool],
) -> ParsedQuery:
    """Turn query text (place already taken out) into weighted term groups."""
    # Signals look at every word, stop words included ("geen geld voor eten").
    found_signals = match_words(words(text), signals)

    analysed = analyzer.query_words(text)[:_MAX_WORDS]
    corrections: dict[str, str] = {}
    groups: list[Group] = []
    stems: list[str] = []
    for a in analysed:
        g = Group(a.word)
        whole_known = is_known(a.stem)
        known = whole_known or (bool(a.parts) and all(is_known(p) for p in a.parts))
        fixed = None
        # A short word whose stem the index knows is a real word ("snap"), not a typo.
        if a.word.isalpha() and not is_surface(a.word) and not (known and len(a.word) <= 6):
            fixed = correct(a.word)
            if fixed and not _inflection_of(a.word, fixed):
                corrections[a.word] = fixed
        if fixed and not known:
            # Search with the correction instead of a word nobody wrote.
            a = analyzer.word(fixed)
            whole_known = is_known(a.stem)
        elif fixed:
            # The word's stem matches already; the correction only helps.
            g.add(analyzer.word(fixed).stem, 1.0)
        g.add(a.stem, 1.0)
        # A compound counts whole, through its synonyms, or with all its parts together:
        # one part alone ("bank" of "voedselbank") never carries a match.
        weight = PART_WEIGHT if whole_known else UNKNOWN_WHOLE_PART_WEIGHT
        g.add_all(a.parts, weight, fragment=True)
        groups.append(g)
        stems.append(a.stem)
    for index, phrase, related in synonyms.expand_related(stems):
        if phrase[0].startswith(LANGUAGE_PREFIX):
            groups[index].add(phrase[0], LANGUAGE_WEIGHT)
        else:
            groups[index].add_all(phrase, RELATED_WEIGHT if related else SYNONYM_WEIGHT)
    # "geen", "niet", "zonder" matter for signals and phrases ("geen geld"), but alone they
    # match nearly every text: they are no search words of their own.
    kept = []
    for g, a in zip(groups, analysed, strict=True):
        if a.word in MEANINGFUL:
            g.terms.pop(a.stem, None)
            if g.empty:
                continue
        kept.append(g)
    return ParsedQuery(kept, corrections, found_signals)


def _inflection_of(word: str, other: str) -> bool:
    """Return True when one word is the other plus an ending (rekening/rekeningen)."""
    return word.startswith(other) or other.startswith(word)


def apply_corrections(text: str, corrections: dict[str, str]) -> str:
    """Replace each corrected word in ``text``, keeping everything else as typed."""

    def fix(m: re.Match[str]) -> str:
        folded = words(m.group())
        if len(folded) == 1 and folded[0] in corrections:
            return corrections[folded[0]]
        return m.group()

    return re.sub(r"[^\W_]+(?:['’][^\W_]+)*", fix, text).strip()


def query_stems(text: str) -> list[str]:
    """Return the stems of the meaningful words (used for tests and the CLI's explanation)."""
    return [stem(w) for w in words(text) if not is_stop(w)]
