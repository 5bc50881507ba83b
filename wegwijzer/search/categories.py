"""Taxonomy words at query time: "deurwaarder" counts for every service in thema schulden.

Each term's label (nl and en) and keywords are analysed once; a query term that is one of
their words (a whole word, not a part of a compound) adds a score to every service with
that term. Indexing those words in every
service instead made half of all postings of the index.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Taxonomy, TaxonomyTerm
from .analysis import Analyzer, is_stop, surface_words
from .analysis import words as text_words
from .documents import category


@dataclass(frozen=True)
class Categories:
    """Index term → the ``cat`` values (taxonomy:code) whose words contain it."""

    by_term: dict[str, tuple[str, ...]]
    #: Surface words of the taxonomy, for the spelling corrector.
    words: frozenset[str]

    def get(self, term: str) -> tuple[str, ...]:
        return self.by_term.get(term, ())


def load_categories(session: Session, analyzer: Analyzer) -> Categories:
    """Build the map from the taxonomy in the database."""
    by_term: dict[str, set[str]] = {}
    words: set[str] = set()
    rows = session.execute(
        select(
            Taxonomy.name,
            TaxonomyTerm.code,
            TaxonomyTerm.name,
            TaxonomyTerm.name_en,
            TaxonomyTerm.keywords,
        ).join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
    )
    for taxonomy, code, label, label_en, keywords in rows:
        value = category(taxonomy, code)
        text = f"{label} {label_en or ''} {keywords or ''}"
        words |= surface_words(f"{label} {keywords or ''}")
        # Whole words only: "schuld" must not name the young people's term through its
        # keyword "studieschuld" (a part of a compound never carries a match on its own).
        for w in text_words(text):
            if not is_stop(w):
                by_term.setdefault(analyzer.word(w).stem, set()).add(value)
    return Categories({k: tuple(sorted(v)) for k, v in by_term.items()}, frozenset(words))
