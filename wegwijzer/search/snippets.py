"""Short excerpts with the matching words in ``<mark>``; the text is escaped first."""

from __future__ import annotations

from markupsafe import Markup, escape

from .analysis import Analyzer

WINDOW = 28


def make_snippet(text: str, terms: set[str], analyzer: Analyzer, window: int = WINDOW) -> Markup:
    """Return about ``window`` words of ``text`` around the most matches, marked up safely."""
    text = " ".join((text or "").split())
    if not text:
        return Markup("")
    spans = []
    for start, end, word in _spans(text):
        a = analyzer.word(word)
        hit = bool(terms) and (a.stem in terms or any(p in terms for p in a.parts))
        spans.append((start, end, hit))
    if not spans:
        return Markup(escape(text[:200]))
    # The window of words with the most hits; the earliest such window wins.
    best_start, best_hits, hits = 0, -1, 0
    for i, span in enumerate(spans):
        hits += span[2]
        if i >= window:
            hits -= spans[i - window][2]
        first = max(0, i - window + 1)
        if hits > best_hits:
            best_start, best_hits = first, hits
    if best_hits <= 0:
        best_start = 0
    chosen = spans[best_start : best_start + window]
    # Start at a sentence start when one is close, so the excerpt reads well.
    begin = chosen[0][0]
    end = chosen[-1][1]
    if best_start > 0:
        dot = text.rfind(". ", 0, begin)
        if dot != -1 and begin - dot < 60 and _count_hits(spans, dot, begin) == 0:
            begin = dot + 2
    out = ["…" if begin > 0 else ""]
    pos = begin
    for start, stop, hit in spans:
        if stop <= begin or start >= end:
            continue
        if not hit:
            continue
        out.append(str(escape(text[pos:start])))
        out.append(f"<mark>{escape(text[start:stop])}</mark>")
        pos = stop
    out.append(str(escape(text[pos:end])))
    if end < len(text):
        out.append(" …" if not text[end:].startswith((".", "!", "?")) else text[end])
    return Markup("".join(out).strip())


def _spans(text: str) -> list[tuple[int, int, str]]:
    from .analysis import word_spans

    return list(word_spans(text))


def _count_hits(spans: list[tuple[int, int, bool]], start: int, end: int) -> int:
    return sum(1 for s, e, h in spans if h and s >= start and e <= end)
