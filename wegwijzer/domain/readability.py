"""Plain-language hints for public texts: long sentences and long words (B1 Dutch)."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from .limits import TEXT

#: Sentences longer than this many words are hard for many readers (B1 advice: 15-20).
MAX_SENTENCE_WORDS = 20
#: Words longer than this many letters are hard to read; Dutch compounds often pass it.
MAX_WORD_LETTERS = 15
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_SKIP = re.compile(r"^(https?://|www\.)|@|\d")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


def _words(sentence: str) -> list[str]:
    return [w for w in sentence.split() if not _SKIP.search(w)]


def readability_hints(text: str) -> list[str]:
    """Return short hints for ``text`` (needs a request or app context for the language)."""
    text = (text or "").strip()
    if not text or len(text) > TEXT:
        # Over the limit the form refuses the text anyway; reading megabytes costs seconds.
        return []
    hints: list[str] = []
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    long_sentences = [s for s in sentences if len(s.split()) > MAX_SENTENCE_WORDS]
    if long_sentences:
        first = " ".join(long_sentences[0].split()[:8])
        hints.append(
            _(
                "%(n)s zin(nen) met meer dan %(max)s woorden, zoals '%(first)s …'. "
                "Maak er twee korte zinnen van.",
                n=len(long_sentences),
                max=MAX_SENTENCE_WORDS,
                first=first,
            )
        )
    long_words: list[str] = []
    for word in (m.group(0) for s in sentences for m in _WORD.finditer(" ".join(_words(s)))):
        letters = sum(ch.isalpha() for ch in word)
        if letters > MAX_WORD_LETTERS and word.lower() not in (w.lower() for w in long_words):
            long_words.append(word)
    if long_words:
        shown = ", ".join(long_words[:5])
        hints.append(
            _(
                "Lange woorden: %(words)s. Kies een korter woord of splits het "
                "(bijvoorbeeld 'hulp bij schulden' in plaats van 'schuldhulpverlening').",
                words=shown,
            )
        )
    return hints
