"""Short excerpts with the matching words in ``<mark>``; the text is escaped first."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from markupsafe import Markup, escape

from .analysis import MEANINGFUL, Analyzer, word_spans

WINDOW = 28
_CACHE_SIZE = 4096

# Word positions per text: the same services come back for the same popular queries.
_spans_cache: OrderedDict[str, tuple[tuple[int, int, str], ...]] = OrderedDict()
_spans_lock = Lock()


def _spans(text: str) -> tuple[tuple[int, int, str], ...]:
    with _spans_lock:
        found = _spans_cache.get(text)
        if found is not None:
            _spans_cache.move_to_end(text)
            return found
    found = tuple(word_spans(text))
    with _spans_lock:
        _spans_cache[text] = found
        if len(_spans_cache) > _CACHE_SIZE:
            _spans_cache.popitem(last=False)
    return found


def make_snippet(text: str, terms: set[str], analyzer: Analyzer, window: int = WINDOW) -> Markup:
    """Return about ``window`` words of ``text`` around the most matches, marked up safely."""
    text = " ".join((text or "").split())
    if not text:
        return Markup("")
    spans = _spans(text)
    if not spans:
        return Markup(escape(text[:200]))
    is_hit: dict[str, bool] = {}
    hits = []
    for _start, _end, word in spans:
        hit = is_hit.get(word)
        if hit is None:
            # "geen", "niet": they count for the meaning of a question but are no match.
            a = analyzer.word(word)
            hit = word not in MEANINGFUL and (a.stem in terms or any(p in terms for p in a.parts))
            is_hit[word] = hit
        hits.append(hit)
    # The window of words with the most hits; the earliest such window wins.
    best_start, best_hits, count = 0, 0, 0
    for i, hit in enumerate(hits):
        count += hit
        if i >= window:
            count -= hits[i - window]
        if count > best_hits:
            best_start, best_hits = max(0, i - window + 1), count
    last = min(len(spans), best_start + window) - 1
    begin, end = spans[best_start][0], spans[last][1]
    if best_start > 0:
        # Start at the beginning of the sentence when it is close, so the excerpt reads well.
        dot = text.rfind(". ", 0, begin)
        if dot != -1 and begin - dot < 60:
            begin = dot + 2
    out = ["…" if begin > 0 else ""]
    pos = begin
    for (start, stop, _word), hit in zip(spans, hits, strict=True):
        if hit and start >= begin and stop <= end:
            out.append(str(escape(text[pos:start])))
            out.append(f"<mark>{escape(text[start:stop])}</mark>")
            pos = stop
    out.append(str(escape(text[pos:end])))
    if end < len(text):
        out.append(text[end] if text[end] in ".!?" else " …")
    return Markup("".join(out).strip())
