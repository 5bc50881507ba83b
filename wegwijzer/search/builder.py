"""Write a fresh segment of pre-analysed documents without Whoosh's posting pool.

A full rebuild adds every service to an empty index. Whoosh's own writer turns each term
of each document into a tuple, sorts all of them (spilling sorted runs to disk and merging
them when they pass ``limitmb``), then writes the postings one call at a time, looking up
the document's field length for each posting. For 200,000 services that was most of the
build, and the part that grew faster than the directory.

:class:`SegmentBuilder` is a Whoosh ``SegmentWriter`` that keeps every posting in compact
arrays instead (term number, document, frequency); at commit a stable sort by term gives
each term's documents in order, since documents arrive in order, and they go to the
codec's postings writer a block at a time, with the field lengths the builder noted
itself. Stored fields, lengths, the term table, the compound segment file and the table of
contents are written by Whoosh's own code, so the files are byte for byte the ones
Whoosh's writer makes (``tests/test_search_builder.py`` checks that); searching is
unchanged. Fields it cannot handle this way go through Whoosh's generic path.

It relies on Whoosh's segment writer and codec internals (Whoosh 2.7.4 and
whoosh-reloaded 2.7.5 have the same ones). Only for building a new index: updates keep
using ``ix.writer()``.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import count, repeat
from operator import itemgetter
from typing import Any

import numpy as np
from whoosh.analysis.tokenizers import RegexTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocWriter
from whoosh.formats import Frequency
from whoosh.system import emptybytes, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter


class _FastField:
    """A field indexed from whitespace-separated terms with frequencies (TEXT, KEYWORD).

    Postings are three parallel arrays in document order (term number, document, frequency);
    ``commit`` groups them by term. Filling them is C-level work: no Python loop per posting.
    """

    __slots__ = ("split", "scorable", "boost", "numbers", "terms", "docs", "freqs", "lbytes")

    def __init__(self, split: Callable[[str], list[str]], scorable: bool, boost: float) -> None:
        self.split = split
        self.scorable = scorable
        self.boost = boost
        #: term -> term number, numbered in order of first appearance.
        self.numbers: defaultdict[str, int] = defaultdict(count().__next__)
        self.terms = array("I")
        self.docs = array("I")
        self.freqs = array("I")
        #: Per document: the length byte of Whoosh's lengths column (0 when empty).
        self.lbytes = bytearray()

    def add(self, docnum: int, value: str) -> int:
        tokens = self.split(value)
        n = len(tokens)
        if n < 2 or len(set(tokens)) == n:
            # Most keyword fields: every term once (the order within a document is free).
            self.terms.extend(map(self.numbers.__getitem__, tokens))
            self.docs.extend(repeat(docnum, n))
            self.freqs.extend(repeat(1, n))
        else:
            counts = Counter(tokens)
            self.terms.extend(map(self.numbers.__getitem__, counts))
            self.docs.extend(repeat(docnum, len(counts)))
            self.freqs.extend(counts.values())
        length = n if self.scorable else 0
        self.lbytes.append(length_to_byte(length) if length else 0)
        return length


def _fast_split(field: Any) -> Callable[[str], list[str]] | None:
    """Return a function giving the same tokens as the field's analyser, if it is that simple."""
    ana = field.analyzer
    if (
        type(field.format) is not Frequency
        or type(ana) is not RegexTokenizer
        or ana.gaps
        or field.vector
        or field.separate_spelling()
        or field.column_type is not None
        or field.stored
    ):
        return None
    return ana.expression.findall


class SegmentBuilder(SegmentWriter):
    """Adds documents to one new segment; ``commit()`` writes it (see the module docstring)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        if self.segments:
            self.cancel()
            raise ValueError("SegmentBuilder only builds a new, empty index")
        self._fast: dict[str, _FastField] = {}
        if type(self.perdocwriter) is W3PerDocWriter:
            for name, field in self.schema.items():
                split = _fast_split(field) if field.indexed else None
                if split is not None:
                    boost = field.format.field_boost
                    self._fast[name] = _FastField(split, field.scorable, boost)
        #: Postings of the other indexed fields: (field, term bytes, docnum, weight, value).
        self._other: list[tuple[str, bytes, int, float, bytes]] = []

    def add_document(self, **fields: Any) -> None:
        """Add one document, with the same field values ``IndexWriter.add_document`` takes."""
        self._check_state()
        if any(name.startswith("_") for name in fields):
            raise ValueError("SegmentBuilder takes no boosts or custom stored values")
        schema = self.schema
        names = sorted(fields)
        self._check_fields(schema, names)
        docnum = self.docnum
        pdw = self.perdocwriter
        pdw.start_doc(docnum)
        seen: set[str] = set()
        noted: list[tuple[str, int]] = []
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                fast = self._fast.get(name)
                if fast is not None:
                    if not isinstance(value, str):
                        raise ValueError(f"{name}: expected a string of terms")
                    length = fast.add(docnum, value)
                    seen.add(name)
                    if length:
                        # What ``add_field`` does besides the lengths column (written at the end).
                        pdw._fieldlengths[name] += length
                        noted.append((name, length))
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if field.scorable:
                            length += freq
                        self._other.append((name, tbytes, docnum, weight, vbytes))
                pdw.add_field(name, field, value if field.stored else None, length)
                if field.column_type is not None:
                    pdw.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            pdw.cancel_doc()
            for fast in self._fast.values():
                _truncate(fast, docnum)
            while self._other and self._other[-1][2] == docnum:
                self._other.pop()
            for name, length in noted:
                pdw._fieldlengths[name] -= length
                if not pdw._fieldlengths[name]:
                    del pdw._fieldlengths[name]
            raise
        for name, fast in self._fast.items():
            if name not in seen:
                fast.lbytes.append(0)
        pdw.finish_doc()
        self._added = True
        self.docnum += 1

    # Commit --------------------------------------------------------------------------------

    def _flush_segment(self) -> None:
        """Write lengths and postings, field by field in name order (``commit`` calls this)."""
        pdw = self.perdocwriter
        for name, fast in self._fast.items():
            _write_lengths(pdw, name, fast.lbytes)
        pdw.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        fw = self.fieldwriter
        other: dict[str, list[tuple[str, bytes, int, float, bytes]]] = {}
        for item in sorted(self._other, key=itemgetter(0, 1, 2)):
            other.setdefault(item[0], []).append(item)
        try:
            for name in sorted(set(other) | {n for n, f in self._fast.items() if len(f.docs)}):
                fw.start_field(name, self.schema[name])
                if name in self._fast:
                    _write_fast(fw, self._fast[name])
                else:
                    scorable = self.schema[name].scorable
                    _write_other(fw, other[name], pdr if scorable else None, name)
                fw.finish_field()
        finally:
            if pdr is not None:
                pdr.close()
        fw.close()


def _truncate(fast: _FastField, docnum: int) -> None:
    """Forget the postings a failed document added (they are the last ones)."""
    keep = 0
    if len(fast.docs):
        # The numpy view is gone after this line: an array being viewed cannot shrink.
        keep = int(np.searchsorted(np.frombuffer(fast.docs, dtype=np.uint32), docnum))
    del fast.terms[keep:], fast.docs[keep:], fast.freqs[keep:], fast.lbytes[docnum:]


def _write_lengths(pdw: Any, name: str, lbytes: bytearray) -> None:
    """Write a lengths column as the per-document writer would have, in one piece."""
    end = len(lbytes.rstrip(b"\0"))
    if not end:
        return  # no document has a length: Whoosh writes no column either
    column = f"_{name}_len"
    pdw._create_column(column, LENGTHS_COLUMN)
    writer = pdw._get_column(column)
    writer._dbfile.write(bytes(lbytes[:end]))
    writer._count = end


def _write_fast(fw: Any, fast: _FastField) -> None:
    terms = np.frombuffer(fast.terms, dtype=np.uint32)
    order = np.argsort(terms, kind="stable")
    # Python ints a block at a time: a list of every posting would take ~40 bytes each.
    docs = np.frombuffer(fast.docs, dtype=np.uint32)[order]
    freqs = np.frombuffer(fast.freqs, dtype=np.uint32)[order]
    starts = np.concatenate(([0], np.cumsum(np.bincount(terms, minlength=len(fast.numbers)))))
    starts = starts.tolist()
    lengths = [byte_to_length(b) for b in range(256)] if fast.scorable else None
    lbytes = fast.lbytes
    boost = fast.boost
    top = int(freqs.max()) if len(freqs) else 0
    packed = [pack_uint(f) for f in range(top + 1)]
    weights = [float(f) * boost for f in range(top + 1)]
    for term in sorted(fast.numbers):
        number = fast.numbers[term]
        first, last = starts[number], starts[number + 1]
        if first == last:
            continue  # only in a document that failed
        fw.start_term(term.encode("utf-8"))
        pw = fw._postwriter
        limit = pw._blocklimit
        for start in range(first, last, limit):
            if start > first:
                pw._write_block()
            end = min(start + limit, last)
            fs = freqs[start:end].tolist()
            ids = docs[start:end].tolist()
            pw._ids = array("I", ids)
            ws = [weights[f] for f in fs]
            pw._weights = array("f", ws)
            pw._values = [packed[f] for f in fs]
            pw._maxweight = max(0, *ws)  # as add_posting: an int 0 unless a weight is higher
            if lengths is not None:
                # Length bytes are 0 only for empty fields, whose length Whoosh skips.
                ls = [lengths[lbytes[d]] for d in ids if lbytes[d]]
                pw._minlength = min(ls) if ls else None
                pw._maxlength = max(ls) if ls else 0
        fw.finish_term()
    fast.numbers.clear()
    fast.terms, fast.docs, fast.freqs = array("I"), array("I"), array("I")


def _write_other(fw: Any, items: list[Any], pdr: Any, name: str) -> None:
    # A field that is not scorable has no lengths column, so its length is 0; asking Whoosh
    # would look for the column's file once per posting.
    dfl = pdr.doc_field_length if pdr is not None else (lambda _d, _f: 0)
    last = None
    for _name, btext, docnum, weight, value in items:
        if btext != last:
            if last is not None:
                fw.finish_term()
            fw.start_term(btext)
            last = btext
        fw.add(docnum, weight, value if value is not None else emptybytes, dfl(docnum, name))
    if last is not None:
        fw.finish_term()
