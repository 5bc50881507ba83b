"""The Whoosh schema: pre-analysed text fields, facet keywords and one stored record."""

from __future__ import annotations

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ..domain.facets import SEARCH_FACETS

#: Bump when the schema or the analysis changes: every index built before is rebuilt on start.
SCHEMA_VERSION = 7

#: Text fields and their weight in the score. ``kw`` holds free keywords of a service;
#: taxonomy words count through the ``cat`` field at query time (categories.py).
TEXT_FIELDS = {"name": 3.0, "org": 1.5, "kw": 1.5, "body": 1.0}
#: BM25 length normalisation per field: short fields barely, long descriptions fully.
LENGTH_NORM = {"name": 0.3, "org": 0.3, "kw": 0.3, "body": 0.75}

#: Facet taxonomies (the search filters of data/taxonomy.json): the URL/API key and the
#: taxonomy name, in the order the filter form shows them.
FACETS = SEARCH_FACETS

#: Keyword fields: the facets, the municipalities served, flags and taxonomy categories.
KEYWORD_FIELDS = (*FACETS, "area", "flags", "cat")

#: Weight of a taxonomy-word match, relative to a match in the description.
CATEGORY_BOOST = 1.5

NATIONAL = "landelijk"
FLAG_WALK_IN = "inloop"
FLAG_HOURS = "uren"


def make_schema() -> Schema:
    """Return the schema; text arrives already analysed (terms separated by spaces)."""
    text = {name: TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False) for name in TEXT_FIELDS}
    # Scorable only so that Whoosh writes a length column: for fields without one, its
    # segment writer checks the file system once per posting (half the build time).
    keywords = {
        name: KEYWORD(scorable=True, lowercase=False, commas=False) for name in KEYWORD_FIELDS
    }
    return Schema(id=ID(stored=True, unique=True), data=STORED(), **text, **keywords)
