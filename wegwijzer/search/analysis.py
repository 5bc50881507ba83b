"""Dutch text analysis: words, folding, stop words, compound parts and stems.

All analysis happens here, in plain Python with per-word caches; the Whoosh fields only
receive the resulting terms separated by spaces. That keeps the index schema free of
custom analyser objects (Whoosh pickles analysers into every commit) and makes indexing
and querying use exactly the same code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

#: Words that look like noise but change the meaning of a question ("lukt niet",
#: "geen geld", "zonder afspraak"); they are never removed.
MEANINGFUL = frozenset({"niet", "geen", "niets", "zonder", "nooit"})

#: Words that ask for help without saying what with: every service of the directory helps.
#: They count only when the query has no other meaningful word ("hulp met brieven" looks
#: for "brieven"; "hulp" alone still finds services that say it).
REQUEST_WORDS = frozenset(
    {
        "hulp", "help", "helpen", "hulpvraag", "ondersteuning", "steun", "advies", "vraag",
        "vragen", "support", "advice", "assistance", "question", "questions",
    }
)

_EXTRA_STOPS = """
    alsjeblieft alstublieft aub beetje bent best daarbij daarom echt elke erg even ga gaat
    graag heel hele ik iemand jij jou jullie kan kun kunt mag me mijn moet moeten mogen nodig
    onze ook soms te u uw waar waarmee want we welk welke wij wil willen wilt wordt zit zitten
    zou zouden hoe wat wie wanneer ben is zijn was word worden
    a an and are at be can for from i in is it me my of on or the to with what where who how
    do does need please
"""

#: Dutch function words (Whoosh's list plus question words) minus the meaningful ones.
STOP_WORDS = frozenset(stoplists["nl"]) | frozenset(_EXTRA_STOPS.split())
STOP_WORDS = STOP_WORDS - MEANINGFUL

# Word parts the splitter may use even when they are short (three letters); longer parts
# also come from the taxonomy, the synonyms file and the corpus. The list covers what
# residents write about money, housing, letters and help.
_BASE_PARTS_TEXT = """
    aanmaning aangifte aanpak aanvraag achterstand administratie advies afsluiting alimentatie
    armoede bank bedrijf begeleiding belasting beslag betaling bezoek bezwaar bijstand boete
    boekje brief budget bureau buurt coach cursus deurwaarder dienst eiser energie fonds
    formulier gas geld gemeente gezin gok hulp huis huishoud huur incasso inkomen inloop jongere
    kind kinder kleding kosten krediet kwijtschelding last lening licht loket loon maatje
    minima ontruiming opvang ouder overzicht pensioen plan post premie punt recht regeling
    rekening school schuld spreekuur steun stress student studie taal team telefoon toeslag
    traject uitkering uitzetting verlening verzekering voedsel vraag vrijwilliger wacht water
    week werk wijk winkel woning zorg
"""
BASE_PARTS = frozenset(_BASE_PARTS_TEXT.split())

_SUFFIXES = ("en", "s", "n", "e", "tjes", "tje", "jes", "je", "ers", "er")
_LINKS = ("s", "e")


def fold(text: str) -> str:
    """Lowercase and strip diacritics: ``Financiële`` → ``financiele``."""
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return text.lower().replace("’", "'")


def words(text: str) -> list[str]:
    """Return the folded words of ``text`` (no stop-word removal)."""
    folded = fold(text or "")
    found = _WORD_RE.findall(folded)
    if "'" in folded:
        return [w.replace("'", "") for w in found]
    return found


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, folded word)`` for each word in ``text``, for highlighting."""
    lowered = text.lower()
    if text.isascii() and len(lowered) == len(text):
        # One lower() for the whole text; offsets stay valid for ASCII.
        for m in _WORD_RE.finditer(lowered):
            yield m.start(), m.end(), m.group().replace("'", "")
        return
    for m in _WORD_RE.finditer(text):
        yield m.start(), m.end(), fold(m.group()).replace("'", "")


def is_stop(word: str) -> bool:
    """Return True for function words that carry no meaning in a search."""
    return word in STOP_WORDS or len(word) < 2


_snowball = stemmer_for_language("nl")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return the Dutch stem, with the spelling alternations Snowball leaves (brieven → brief)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("jes"):
        word = word[:-1]
    s = _snowball(word)
    if len(s) > 3:
        if s.endswith("v"):
            s = s[:-1] + "f"
        elif s.endswith("z"):
            s = s[:-1] + "s"
        if s[-1] == s[-2] and s[-1] not in "aeiou":
            s = s[:-1]
        if s.endswith("tje") or s.endswith("je"):
            s = s[:-1]
    return s


class Decompounder:
    """Split Dutch compounds into known parts: ``betalingsachterstanden`` → betaling, achterstanden.

    Deterministic: the result depends only on the vocabulary. Parts from ``short_parts`` may
    have three letters; other parts need four. Linking ``s``/``e`` between parts and common
    endings on the last part are allowed. Only words of seven letters or more are split.
    """

    MIN_WORD = 7

    def __init__(self, parts: Iterable[str], short_parts: Iterable[str] = BASE_PARTS) -> None:
        short = {fold(p) for p in short_parts}
        self._parts: set[str] = {
            w
            for w in (fold(p) for p in parts)
            if w.isalpha() and len(w) >= 4 and w not in STOP_WORDS
        }
        self._parts |= {w for w in short if w.isalpha() and len(w) >= 3}
        self._cache: dict[str, tuple[str, ...]] = {}

    @property
    def vocabulary(self) -> frozenset[str]:
        return frozenset(self._parts)

    def _is_final(self, piece: str) -> bool:
        if piece in self._parts:
            return True
        for suffix in _SUFFIXES:
            if piece.endswith(suffix) and piece[: -len(suffix)] in self._parts:
                return len(piece) - len(suffix) >= 3
        return False

    def _segment(self, word: str, pos: int, memo: dict[int, list[str] | None]) -> list[str] | None:
        if pos in memo:
            return memo[pos]
        best: list[str] | None = None
        if len(word) - pos >= 3 and self._is_final(word[pos:]):
            best = [word[pos:]]
        best = self._split_from(word, pos, memo, best)
        memo[pos] = best
        return best

    def _split_from(
        self, word: str, pos: int, memo: dict[int, list[str] | None], best: list[str] | None
    ) -> list[str] | None:
        """Return the fewest parts for ``word[pos:]`` that start with a known part (a linking
        s or e may follow it), or ``best`` when that has as few."""
        n = len(word)
        for end in range(n - 3, pos + 2, -1):
            piece = word[pos:end]
            if piece not in self._parts:
                continue
            for skip in (0, 1):
                if skip and (end >= n - 3 or word[end] not in _LINKS):
                    continue
                rest = self._segment(word, end + skip, memo)
                if rest is not None and (best is None or len(rest) + 1 < len(best)):
                    best = [piece, *rest]
        return best

    def split(self, word: str) -> tuple[str, ...]:
        """Return the parts of a compound (nested parts included), or () when it is no compound."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result: tuple[str, ...] = ()
        if len(word) >= self.MIN_WORD and word.isalpha():
            # The whole word does not count as its own segmentation: start with a proper part.
            best = self._split_from(word, 0, {}, None)
            if best:
                out: list[str] = []
                for part in best:
                    out.append(part)
                    out.extend(self.split(part))
                result = tuple(dict.fromkeys(out))
        if len(self._cache) < 500_000:
            self._cache[word] = result
        return result


@dataclass(frozen=True, slots=True)
class AnalyzedWord:
    """One word of a text: its folded form, its stem and the stems of its compound parts."""

    word: str
    stem: str
    parts: tuple[str, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.stem, *self.parts)


class _TermCache(dict[str, str]):
    """Word -> its index terms separated by spaces ("" for a stop word), filled on first use."""

    def __init__(self, analyzer: Analyzer) -> None:
        super().__init__()
        self._analyzer = analyzer

    def __missing__(self, word: str) -> str:
        if is_stop(word):
            terms = ""
        else:
            a = self._analyzer.word(word)
            terms = " ".join(a.terms)
        if len(self) < 500_000:
            self[word] = terms
        return terms


class Analyzer:
    """Turn text into index terms and query words with one decompounder, cached per word."""

    def __init__(self, decompounder: Decompounder) -> None:
        self.decompounder = decompounder
        self._cache: dict[str, AnalyzedWord] = {}
        self._terms = _TermCache(self)

    def word(self, word: str) -> AnalyzedWord:
        """Analyse one folded word."""
        found = self._cache.get(word)
        if found is None:
            parts = tuple(
                dict.fromkeys(s for s in (stem(p) for p in self.decompounder.split(word)) if s)
            )
            s = stem(word)
            found = AnalyzedWord(word, s, tuple(p for p in parts if p != s))
            if len(self._cache) < 500_000:
                self._cache[word] = found
        return found

    def index_terms(self, text: str | None) -> list[str]:
        """Return the terms to index for ``text``: stems of words and of their compound parts."""
        out: list[str] = []
        for w in words(text or ""):
            if is_stop(w):
                continue
            a = self.word(w)
            out.append(a.stem)
            out.extend(a.parts)
        return out

    def index_text(self, folded_words: Iterable[str]) -> str:
        """Return the terms of :meth:`index_terms` separated by spaces, from :func:`words`.

        The same terms in the same order; one cached string per distinct word, so indexing
        a large directory does no work per word beyond a dictionary look-up.
        """
        return " ".join(filter(None, map(self._terms.__getitem__, folded_words)))

    def query_words(self, text: str) -> list[AnalyzedWord]:
        """Return the meaningful words of a query, in order, without duplicates."""
        seen: set[str] = set()
        out = []
        for w in words(text):
            if is_stop(w) or w in seen:
                continue
            seen.add(w)
            out.append(self.word(w))
        return out


def surface_words(text: str | None) -> set[str]:
    """Return the words the spelling corrector may suggest: real words, no stop words."""
    return surface(words(text or ""))


def surface(folded_words: Iterable[str]) -> set[str]:
    """Return the words among ``folded_words`` the spelling corrector may suggest."""
    return {w for w in set(folded_words) if len(w) >= 4 and w not in STOP_WORDS and w.isalpha()}
