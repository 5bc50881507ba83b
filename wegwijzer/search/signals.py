"""Urgent signals (deurwaarder, beslag, afsluiting, …) from ``data/signals.json``.

Used by search (urgent results), the guided route and the helpers' "signalen" page::

    from wegwijzer.search.signals import load_signals, match_signals
    signals = load_signals(app.config["DATA_DIR"])
    hits = match_signals("er staat een deurwaarder voor de deur", signals)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..domain.datafiles import new_code, read_json_list
from ..domain.languages import Labelled, language_texts
from .analysis import words

FILENAME = "signals.json"


class SignalsFileError(ValueError):
    """The signals file is not valid; the message names the place."""


@dataclass(frozen=True)
class Signal(Labelled):
    """One urgent signal with its words and a short explanation in nl and en."""

    code: str
    words: tuple[str, ...]
    label_nl: str
    label_en: str
    why_nl: str
    why_en: str
    #: The calm next step for this signal ("Bel vandaag de gemeente …"); may be empty.
    next_nl: str = ""
    next_en: str = ""
    #: Words to search for the help of this signal ("voedselbank noodhulp"), with the link text.
    search: str = ""
    search_label_nl: str = ""
    search_label_en: str = ""

    def why(self, lang: str = "nl") -> str:
        return self.text_in("why", lang)

    def next_step(self, lang: str = "nl") -> str:
        return self.text_in("next", lang)

    def search_label(self, lang: str = "nl") -> str:
        return self.text_in("search_label", lang)

    @property
    def phrases(self) -> tuple[tuple[str, ...], ...]:
        """Each word or phrase as a tuple of folded words."""
        return tuple(tuple(words(p)) for p in self.words)


def _text(value: object, where: str) -> tuple[str, str]:
    try:
        texts = language_texts(value, where)
    except ValueError as exc:
        raise SignalsFileError(str(exc)) from None
    return texts["nl"], texts.get("en", texts["nl"])


def read_signals(path: Path) -> list[Signal]:
    """Read and check a signals file; raise SignalsFileError naming the bad entry."""
    items = read_json_list(path, "signals", SignalsFileError)
    out: list[Signal] = []
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        where = f"{path}: signaal {i}"
        code = new_code(item, seen, where, SignalsFileError)
        raw_words = item.get("words")
        if (
            not isinstance(raw_words, list)
            or not raw_words
            or not all(isinstance(w, str) and words(w) for w in raw_words)
        ):
            raise SignalsFileError(f"{where} ({code}): 'words' moet een lijst met woorden zijn.")
        label = _text(item.get("label"), f"{where} ({code}): 'label'")
        why = _text(item.get("why"), f"{where} ({code}): 'why'")
        next_step = _text(item["next"], f"{where} ({code}): 'next'") if "next" in item else ("", "")
        search, search_label = _search(item.get("search"), f"{where} ({code}): 'search'")
        out.append(
            Signal(
                code,
                tuple(w.strip() for w in raw_words),
                *label,
                *why,
                *next_step,
                search,
                *search_label,
            )
        )
    return out


def _search(value: object, where: str) -> tuple[str, tuple[str, str]]:
    """Read an optional ``{"q": "voedselbank", "label": {"nl": …, "en": …}}``."""
    if value is None:
        return "", ("", "")
    if not isinstance(value, dict) or not isinstance(value.get("q"), str) or not words(value["q"]):
        raise SignalsFileError(
            f"{where} moet een object zijn met 'q' (zoekwoorden) en 'label' (nl en en)."
        )
    return " ".join(value["q"].split()), _text(value.get("label"), f"{where}: 'label'")


_cache: dict[Path, tuple[float, list[Signal]]] = {}


def load_signals(data_dir: str | os.PathLike[str]) -> list[Signal]:
    """Return the signals from ``<data_dir>/signals.json`` (re-read when the file changes)."""
    path = Path(data_dir) / FILENAME
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise SignalsFileError(f"{path}: bestand ontbreekt.") from exc
    cached = _cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    signals = read_signals(path)
    _cache[path] = (mtime, signals)
    return signals


def _word_matches(word: str, signal_word: str) -> bool:
    if word == signal_word:
        return True
    # Plurals and compounds: "deurwaarders", "loonbeslag", "energieafsluiting". Whole
    # words, not stems: "afsluiten" (an insurance) must not match "afsluiting".
    return len(signal_word) >= 5 and (word.endswith(signal_word) or word.startswith(signal_word))


def match_words(query_words: Iterable[str], signals: Sequence[Signal]) -> list[Signal]:
    """Return the signals whose words (all words of a phrase) occur among ``query_words``."""
    present = set(query_words)
    found = []
    for signal in signals:
        for phrase in signal.phrases:
            if phrase and all(any(_word_matches(q, s) for q in present) for s in phrase):
                found.append(signal)
                break
    return found


def match_signals(text: str, signals: Sequence[Signal]) -> list[Signal]:
    """Return the signals found in a free text such as a search query."""
    return match_words(words(text), signals)
