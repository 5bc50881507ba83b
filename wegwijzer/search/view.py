"""Per-segment caches and a per-reader view: term scores, document sets and bitsets.

Whoosh segments never change once written, except that their set of deleted documents
grows. So everything read from a segment (postings, stored records, field lengths) is
cached per segment id and reused by every later reader; a view over one reader generation
only adds the documents deleted since. After an edit, a new reader shares the big
segment's caches and only the small new segment is read.

Sets of documents are kept twice: as frozensets (membership while ranking) and as Python
ints used as bitsets (facet counts are ``(a & b).bit_count()``, microseconds each).
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..services.hours import Rule, compile_rules, is_open_rules
from .documents import HOURS_KEYS
from .schema import FLAG_HOURS, LENGTH_NORM, TEXT_FIELDS

K1 = 1.2
_MAX_TERMS = 20_000


def bits_from(ids: Iterable[int]) -> int:
    """Return a bitset (a Python int) with the given bit positions set."""
    ids = sorted(ids)
    if not ids:
        return 0
    buf = bytearray((ids[-1] >> 3) + 1)
    for i in ids:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def ids_from(bits: int) -> list[int]:
    """Return the positions of the set bits, ascending."""
    out = []
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for byte_index, byte in enumerate(data):
        if byte:
            base = byte_index << 3
            for bit in range(8):
                if byte >> bit & 1:
                    out.append(base + bit)
    return out


@dataclass(frozen=True, slots=True)
class Record:
    """The small per-document facts needed to rank and show a hit."""

    id: str
    name: str
    org: str
    org_id: str
    gm: tuple[str, ...]
    national: bool
    themes: tuple[str, ...]
    geo: tuple[tuple[float, float], ...]
    rules: tuple[Rule, ...]
    sortkey: str


def _record(stored: dict[str, Any]) -> Record:
    data = stored.get("data") or {}
    hours = [dict(zip(HOURS_KEYS, h, strict=False)) for h in data.get("h") or ()]
    return Record(
        id=stored.get("id", ""),
        name=data.get("n", ""),
        org=data.get("o", ""),
        org_id=data.get("oid", ""),
        gm=tuple(data.get("gm") or ()),
        national=bool(data.get("nat")),
        themes=tuple(data.get("th") or ()),
        geo=tuple((float(a), float(b)) for a, b in data.get("geo") or ()),
        rules=compile_rules(hours),
        sortkey=data.get("n", "").casefold(),
    )


class SegmentCache:
    """Everything read from one segment, shared by all readers and threads."""

    def __init__(self, segment_id: str, size: int, avgdl: dict[str, float]) -> None:
        self.segment_id = segment_id
        self.size = size
        self.avgdl = avgdl
        self._lock = threading.Lock()
        self._records: list[Record] | None = None
        self._lengths: dict[str, list[int]] = {}
        self._terms: dict[str, tuple[dict[int, float], int]] = {}
        self._keywords: dict[tuple[str, str], tuple[frozenset[int], int]] = {}
        self._open: tuple[Any, frozenset[int]] | None = None
        #: Surface word → number of documents, for the spelling corrector.
        self.word_counts: dict[str, int] = {}

    def update_avgdl(self, avgdl: dict[str, float]) -> None:
        """Drop cached term weights when average field lengths moved by more than a quarter."""
        if any(not 0.8 < avgdl[f] / (self.avgdl.get(f) or 1.0) < 1.25 for f in avgdl):
            self.avgdl = avgdl
            self._terms = {}

    def records(self, reader: Any) -> list[Record]:
        if self._records is None:
            with self._lock:
                if self._records is None:
                    counts: dict[str, int] = {}
                    records = []
                    for d in range(self.size):
                        stored = reader.stored_fields(d)
                        records.append(_record(stored))
                        for w in (stored.get("data") or {}).get("w", "").split():
                            counts[w] = counts.get(w, 0) + 1
                    self.word_counts = counts
                    self._records = records
        return self._records

    def _field_lengths(self, reader: Any, field: str) -> list[int]:
        lengths = self._lengths.get(field)
        if lengths is None:
            lengths = [reader.doc_field_length(d, field, 0) for d in range(self.size)]
            self._lengths[field] = lengths
        return lengths

    def term(self, reader: Any, term: str) -> tuple[dict[int, float], int]:
        """Return (local docnum → field-weighted BM25 term weight, bitset) for ``term``."""
        found = self._terms.get(term)
        if found is not None:
            return found
        scores: dict[int, float] = {}
        for field, boost in TEXT_FIELDS.items():
            if (field, term) not in reader:
                continue
            lengths = self._field_lengths(reader, field)
            b = LENGTH_NORM[field]
            avg = self.avgdl.get(field) or 1.0
            k_base = K1 * (1 - b)
            k_len = K1 * b / avg
            for docnum, tf in reader.postings(field, term).items_as("weight"):
                w = boost * tf * (K1 + 1) / (tf + k_base + k_len * lengths[docnum])
                scores[docnum] = scores.get(docnum, 0.0) + w
        found = (scores, bits_from(scores))
        if len(self._terms) > _MAX_TERMS:
            self._terms.clear()
        self._terms[term] = found
        return found

    def keyword(self, reader: Any, field: str, value: str) -> tuple[frozenset[int], int]:
        """Return the local docnums (and bitset) that carry ``value`` in a keyword field."""
        key = (field, value)
        found = self._keywords.get(key)
        if found is None:
            if (field, value) in reader:
                ids = frozenset(reader.postings(field, value).all_ids())
            else:
                ids = frozenset()
            found = (ids, bits_from(ids))
            if len(self._keywords) > _MAX_TERMS:
                self._keywords.clear()
            self._keywords[key] = found
        return found

    def open_at(self, reader: Any, when: datetime, key: Any) -> frozenset[int]:
        """Return the local docnums open at ``when`` (cached for one minute ``key``)."""
        cached = self._open
        if cached is not None and cached[0] == key:
            return cached[1]
        records = self.records(reader)
        candidates, _ = self.keyword(reader, "flags", FLAG_HOURS)
        result = frozenset(d for d in candidates if is_open_rules(records[d].rules, when))
        self._open = (key, result)
        return result


class View:
    """One reader generation: documents numbered 0..N-1 across its segments."""

    def __init__(self, reader: Any, caches: dict[str, SegmentCache]):
        self.reader = reader
        self.parts: list[tuple[Any, SegmentCache, int]] = []
        deleted: set[int] = set()
        live = 0
        total = reader.doc_count_all() or 1
        avgdl = {f: (reader.field_length(f) or 0) / total or 1.0 for f in TEXT_FIELDS}
        for sub, offset in reader.leaf_readers():
            segment = sub.segment()
            if segment is None:  # an empty index
                continue
            seg_id = segment.segment_id()
            size = sub.doc_count_all()
            cache = caches.get(seg_id)
            if cache is None or cache.size != size:
                cache = SegmentCache(seg_id, size, avgdl)
                caches[seg_id] = cache
            else:
                cache.update_avgdl(avgdl)
            self.parts.append((sub, cache, offset))
            gone = sub.deleted_docs_set if sub.has_deletions() else ()
            deleted.update(offset + d for d in gone)
            live |= ((1 << size) - 1) << offset
        self.size = reader.doc_count_all()
        self.deleted = frozenset(deleted)
        self.live_bits = live & ~bits_from(deleted) if deleted else live
        self.count = self.size - len(deleted)
        self._offsets = [offset for _, _, offset in self.parts]
        self._terms: dict[str, tuple[dict[int, float], int]] = {}
        self._keywords: dict[tuple[str, str], tuple[frozenset[int], int]] = {}
        self._lexicons: dict[str, list[str]] = {}
        self._name_order: list[int] | None = None
        self._open: tuple[Any, frozenset[int], int] | None = None

    # Documents ---------------------------------------------------------------------------

    def record(self, docnum: int) -> Record:
        i = bisect.bisect_right(self._offsets, docnum) - 1
        sub, cache, offset = self.parts[i]
        return cache.records(sub)[docnum - offset]

    def load_records(self) -> None:
        """Read every segment's records now (warm-up), so the first search is fast."""
        for sub, cache, _ in self.parts:
            cache.records(sub)

    def live_ids(self) -> list[int]:
        return [d for d in range(self.size) if d not in self.deleted]

    def name_order(self) -> list[int]:
        """Return live docnums sorted by service name."""
        if self._name_order is None:
            self._name_order = sorted(self.live_ids(), key=lambda d: self.record(d).sortkey)
        return self._name_order

    # Terms -------------------------------------------------------------------------------

    def term(self, term: str) -> tuple[dict[int, float], int]:
        """Return (docnum → term weight, bitset) over the whole reader."""
        found = self._terms.get(term)
        if found is not None:
            return found
        if len(self.parts) == 1 and self.parts[0][2] == 0:
            sub, cache, _ = self.parts[0]
            found = cache.term(sub, term)
        else:
            scores: dict[int, float] = {}
            bits = 0
            for sub, cache, offset in self.parts:
                local, local_bits = cache.term(sub, term)
                if not local:
                    continue
                if offset == 0 and not scores:
                    scores = dict(local)
                else:
                    scores.update({offset + d: w for d, w in local.items()})
                bits |= local_bits << offset
            found = (scores, bits)
        self._terms[term] = found
        return found

    def doc_frequency(self, term: str) -> int:
        return len(self.term(term)[0])

    def idf(self, term: str) -> float:
        df = self.doc_frequency(term)
        return math.log(1 + (self.count - df + 0.5) / (df + 0.5))

    def keyword(self, field: str, value: str) -> tuple[frozenset[int], int]:
        """Return (docnums, bitset) of live and deleted documents with a keyword value."""
        key = (field, value)
        found = self._keywords.get(key)
        if found is not None:
            return found
        ids: frozenset[int] | set[int] = frozenset()
        bits = 0
        for sub, cache, offset in self.parts:
            local, local_bits = cache.keyword(sub, field, value)
            if not local:
                continue
            ids = local if offset == 0 and not ids else set(ids) | {offset + d for d in local}
            bits |= local_bits << offset
        found = (frozenset(ids), bits)
        self._keywords[key] = found
        return found

    def values(self, field: str) -> list[str]:
        """Return the values of a keyword field present in this reader."""
        found = self._lexicons.get(field)
        if found is None:
            found = sorted(
                v.decode("utf-8") if isinstance(v, bytes) else v for v in self.reader.lexicon(field)
            )
            self._lexicons[field] = found
        return found

    def open_at(self, when: datetime) -> tuple[frozenset[int], int]:
        """Return (docnums, bitset) of documents open at ``when`` (per minute)."""
        key = (when.date(), when.hour, when.minute)
        if self._open is not None and self._open[0] == key:
            return self._open[1], self._open[2]
        ids: set[int] = set()
        for sub, cache, offset in self.parts:
            ids.update(offset + d for d in cache.open_at(sub, when, key))
        result = frozenset(ids)
        bits = bits_from(result)
        self._open = (key, result, bits)
        return result, bits

    def segment_words(self) -> Iterable[tuple[str, dict[str, int]]]:
        """Yield (segment id, word → documents) to feed the spelling index per segment."""
        for sub, cache, _ in self.parts:
            cache.records(sub)
            yield cache.segment_id, cache.word_counts
