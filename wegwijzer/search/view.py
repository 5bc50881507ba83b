"""Per-segment caches and a per-reader view: term weights, document masks, places, hours.

Whoosh segments never change once written, except that their set of deleted documents
grows. So everything read from a segment (postings, stored records, field lengths) is
cached per segment id and reused by every later reader; a view over one reader generation
only adds which documents are deleted. After an edit, a new reader shares the big
segment's caches and only the small new segment is read.

Per-document values are numpy arrays indexed by document number, so scoring, filtering,
facet counting and distance sorting are a few array operations instead of Python loops
over thousands of matching documents.
"""

from __future__ import annotations

import bisect
import json
import math
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..domain.hours import Rule, compile_rules, is_open_rules
from . import segarrays
from .documents import HOURS_KEYS
from .schema import FLAG_HOURS, KEYWORD_FIELDS, LENGTH_NORM, TEXT_FIELDS
from .segarrays import Arrays

K1 = 1.2
_MAX_TERMS = 20_000
_MAX_RECORDS = 4096
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Record:
    """The small per-document facts needed to show a hit."""

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


def _rules(stored_hours: Any) -> tuple[Rule, ...]:
    return compile_rules([dict(zip(HOURS_KEYS, h, strict=False)) for h in stored_hours or ()])


def _record(stored: dict[str, Any]) -> Record:
    data = stored.get("data") or {}
    return Record(
        id=stored.get("id", ""),
        name=data.get("n", ""),
        org=data.get("o", ""),
        org_id=data.get("oid", ""),
        gm=tuple(data.get("gm") or ()),
        national=bool(data.get("nat")),
        themes=tuple(data.get("th") or ()),
        geo=tuple((float(a), float(b)) for a, b in data.get("geo") or ()),
        rules=_rules(data.get("h")),
        sortkey=data.get("n", "").casefold(),
    )


class _Hours:
    """Weekly opening intervals of a segment as arrays, plus documents with dated rules."""

    def __init__(self, arrays: Arrays) -> None:
        self.docs = arrays["hours_docs"]
        self.days = arrays["hours_days"]
        self.opens = arrays["hours_opens"]
        self.closes = arrays["hours_closes"]
        self.special = arrays["hours_special"].tolist()
        self._special_hours = arrays["hours_special_json"]
        #: Rules of the documents with dated rules, compiled at first use.
        self._rules: dict[int, tuple[Rule, ...]] | None = None

    @staticmethod
    def derive(
        records: dict[int, Record], raw: dict[int, Any], candidates: np.ndarray
    ) -> Arrays:
        docs, days, opens, closes, special = [], [], [], [], []
        for d in candidates.tolist():
            rules = records[d].rules
            if any(r.is_dated or r.is_closed for r in rules):
                special.append(d)
                continue
            for r in rules:
                for day in r.days or range(7):
                    docs.append(d)
                    days.append(day)
                    opens.append(r.opens)
                    closes.append(r.closes)
        return {
            "hours_docs": np.array(docs, dtype=np.int32),
            "hours_days": np.array(days, dtype=np.int8),
            "hours_opens": np.array(opens, dtype=np.int16),
            "hours_closes": np.array(closes, dtype=np.int16),
            "hours_special": np.array(special, dtype=np.int32),
            # Their stored opening hours, as in the records, to compile without reading them.
            "hours_special_json": np.frombuffer(
                json.dumps([raw[d] for d in special]).encode("utf-8"), dtype=np.uint8
            ),
        }

    def open_at(self, when: datetime) -> np.ndarray:
        minute = when.hour * 60 + when.minute
        hit = (self.days == when.weekday()) & (self.opens <= minute) & (minute < self.closes)
        ids = set(self.docs[hit].tolist())
        if self._rules is None:
            stored = json.loads(self._special_hours.tobytes().decode("utf-8"))
            self._rules = {d: _rules(h) for d, h in zip(self.special, stored, strict=True)}
        ids.update(d for d, rules in self._rules.items() if is_open_rules(rules, when))
        return np.array(sorted(ids), dtype=np.int64)


class SegmentCache:
    """Everything read from one segment, shared by all readers and threads.

    The per-document arrays come from the segment's shared file when there is one
    (:mod:`.segarrays`), else they are derived from the stored records once; records
    themselves are read per hit and kept in a small cache.
    """

    def __init__(
        self, segment_id: str, size: int, avgdl: dict[str, float], directory: Path | None = None
    ) -> None:
        self.segment_id = segment_id
        self.size = size
        self.avgdl = avgdl
        self.directory = directory
        self._lock = threading.Lock()
        self._arrays: Arrays | None = None
        #: Whether the arrays are the shared, memory-mapped file (else private to this process).
        self.shared = False
        self._records: dict[int, Record] = {}
        self._extra_geo: dict[int, tuple[tuple[float, float], ...]] | None = None
        self._terms: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._keywords: dict[tuple[str, str], np.ndarray] = {}
        self._packed_keywords: dict[str, segarrays.Keywords] = {}
        self._lexicons: dict[str, frozenset[str]] = {}
        self._hours: _Hours | None = None
        self._open: tuple[Any, np.ndarray] | None = None

    def update_avgdl(self, avgdl: dict[str, float]) -> None:
        """Drop cached term weights when average field lengths moved by more than a quarter."""
        if any(not 0.8 < avgdl[f] / (self.avgdl.get(f) or 1.0) < 1.25 for f in avgdl):
            self.avgdl = avgdl
            self._terms = {}

    def arrays(self, reader: Any) -> Arrays:
        """Return the per-document arrays: mapped from the shared file, or derived now."""
        if self._arrays is None:
            with self._lock:
                if self._arrays is None:
                    self._arrays = self._load(reader)
        return self._arrays

    def _load(self, reader: Any) -> Arrays:
        directory = self.directory
        shareable = directory is not None and self.size >= segarrays.PERSIST_MIN
        if shareable:
            path = directory / segarrays.file_name(self.segment_id)
            found = segarrays.open_arrays(path, self.size)
            if found is not None:
                self.shared = True
                return found
        arrays = self.derive(reader)
        if shareable:
            mapped = segarrays.persist(directory, self.segment_id, arrays, self.size)
            self.shared = mapped is not arrays
            return mapped
        return arrays

    def derive(self, reader: Any) -> Arrays:
        """Read every stored record of the segment once and return its arrays."""
        counts: dict[str, int] = {}
        records: dict[int, Record] = {}
        raw_hours: dict[int, Any] = {}
        lat = np.full(self.size, np.nan)
        lon = np.full(self.size, np.nan)
        keys: list[bytes] = []
        geo_docs: list[int] = []
        geo_start: list[int] = [0]
        geo_points: list[tuple[float, float]] = []
        for d in range(self.size):
            stored = reader.stored_fields(d)
            rec = records[d] = _record(stored)
            raw_hours[d] = (stored.get("data") or {}).get("h") or []
            keys.append(rec.sortkey.encode("utf-8"))
            for w in (stored.get("data") or {}).get("w", "").split():
                counts[w] = counts.get(w, 0) + 1
            if rec.geo:
                lat[d], lon[d] = rec.geo[0]
                if len(rec.geo) > 1:
                    geo_docs.append(d)
                    geo_points.extend(rec.geo)
                    geo_start.append(len(geo_points))
        arrays: Arrays = {
            "lat": lat,
            "lon": lon,
            # UTF-8 bytes sort in the same order as the strings (code point order).
            "sortkeys": np.array(keys, dtype=bytes) if keys else np.zeros(0, "S1"),
            "geo_docs": np.array(geo_docs, dtype=np.int32),
            "geo_start": np.array(geo_start, dtype=np.int64),
            "geo_points": np.array(geo_points, dtype=np.float64).reshape(-1, 2),
        }
        for field in TEXT_FIELDS:
            arrays[f"len_{field}"] = np.array(
                [reader.doc_field_length(d, field, 0) for d in range(self.size)],
                dtype=np.float32,
            )
        flagged = self.keyword(reader, "flags", FLAG_HOURS)
        arrays.update(_Hours.derive(records, raw_hours, flagged))
        arrays.update(segarrays.pack_words(counts))
        arrays.update(segarrays.pack_keywords(reader, KEYWORD_FIELDS))
        return arrays

    def record(self, reader: Any, docnum: int) -> Record:
        """Return one document's record (read from the segment, cached)."""
        found = self._records.get(docnum)
        if found is None:
            found = _record(reader.stored_fields(docnum))
            if len(self._records) > _MAX_RECORDS:
                self._records = {}
            self._records[docnum] = found
        return found

    def lat(self, reader: Any) -> np.ndarray:
        return self.arrays(reader)["lat"]

    def lon(self, reader: Any) -> np.ndarray:
        return self.arrays(reader)["lon"]

    def sortkeys(self, reader: Any) -> np.ndarray:
        return self.arrays(reader)["sortkeys"]

    def extra_geo(self, reader: Any) -> dict[int, tuple[tuple[float, float], ...]]:
        """Documents with more than one location: all their points."""
        if self._extra_geo is None:
            a = self.arrays(reader)
            starts = a["geo_start"].tolist()
            points = a["geo_points"]
            self._extra_geo = {
                d: tuple(map(tuple, points[starts[i] : starts[i + 1]].tolist()))
                for i, d in enumerate(a["geo_docs"].tolist())
            }
        return self._extra_geo

    def word_counts(self, reader: Any) -> dict[str, int]:
        """Surface word → number of documents, for the spelling corrector."""
        return segarrays.unpack_words(self.arrays(reader))

    def field_lengths(self, reader: Any, field: str) -> np.ndarray:
        return self.arrays(reader)[f"len_{field}"]

    def term(self, reader: Any, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (local docnums, field-weighted BM25 term weights) for ``term``."""
        found = self._terms.get(term)
        if found is not None:
            return found
        id_parts, weight_parts = [], []
        for field, boost in TEXT_FIELDS.items():
            if (field, term) not in reader:
                continue
            lengths = self.field_lengths(reader, field)
            b = LENGTH_NORM[field]
            avg = self.avgdl.get(field) or 1.0
            postings = list(reader.postings(field, term).items_as("weight"))
            ids = np.fromiter((p[0] for p in postings), dtype=np.int64, count=len(postings))
            tf = np.fromiter((p[1] for p in postings), dtype=np.float32, count=len(postings))
            id_parts.append(ids)
            weight_parts.append(
                boost * tf * (K1 + 1) / (tf + K1 * (1 - b) + K1 * b * lengths[ids] / avg)
            )
        if not id_parts:
            found = (_EMPTY_IDS, _EMPTY_WEIGHTS)
        elif len(id_parts) == 1:
            found = (id_parts[0], weight_parts[0].astype(np.float32))
        else:
            # One weight per document: the sum over the fields it occurs in.
            ids, inverse = np.unique(np.concatenate(id_parts), return_inverse=True)
            sums = np.bincount(inverse, weights=np.concatenate(weight_parts))
            found = (ids, sums.astype(np.float32))
        if len(self._terms) > _MAX_TERMS:
            self._terms = {}
        self._terms[term] = found
        return found

    def keyword(self, reader: Any, field: str, value: str) -> np.ndarray:
        """Return the local docnums that carry ``value`` in a keyword field."""
        key = (field, value)
        found = self._keywords.get(key)
        if found is None:
            packed = self._packed(field)
            if packed is not None:
                found = packed.docs(value)
                if found is None:
                    found = _EMPTY_IDS
            elif (field, value) in reader:
                found = np.fromiter(reader.postings(field, value).all_ids(), dtype=np.int64)
            else:
                found = _EMPTY_IDS
            if len(self._keywords) > _MAX_TERMS:
                self._keywords = {}
            self._keywords[key] = found
        return found

    def lexicon(self, reader: Any, field: str) -> frozenset[str]:
        """Return the values of a keyword field in this segment."""
        found = self._lexicons.get(field)
        if found is None:
            packed = self._packed(field)
            if packed is not None:
                found = frozenset(packed.values)
            else:
                found = frozenset(
                    v.decode("utf-8") if isinstance(v, bytes) else v for v in reader.lexicon(field)
                )
            self._lexicons[field] = found
        return found

    def _packed(self, field: str) -> segarrays.Keywords | None:
        """The keyword postings of ``field`` from the arrays, once they are loaded."""
        found = self._packed_keywords.get(field)
        if found is None and self._arrays is not None and f"kw_{field}" in self._arrays:
            found = self._packed_keywords[field] = segarrays.Keywords(self._arrays, field)
        return found

    def open_at(self, reader: Any, when: datetime, key: Any) -> np.ndarray:
        """Return the local docnums open at ``when`` (cached for one minute ``key``)."""
        cached = self._open
        if cached is not None and cached[0] == key:
            return cached[1]
        if self._hours is None:
            self._hours = _Hours(self.arrays(reader))
        result = self._hours.open_at(when)
        self._open = (key, result)
        return result


class View:
    """One reader generation: documents numbered 0..N-1 across its segments."""

    def __init__(
        self, reader: Any, caches: dict[str, SegmentCache], directory: Path | None = None
    ):
        self.reader = reader
        self.parts: list[tuple[Any, SegmentCache, int]] = []
        total = reader.doc_count_all() or 1
        avgdl = {f: (reader.field_length(f) or 0) / total or 1.0 for f in TEXT_FIELDS}
        self.size = reader.doc_count_all()
        self.live = np.ones(self.size, dtype=bool)
        for sub, offset in reader.leaf_readers():
            segment = sub.segment()
            if segment is None:  # an empty index
                continue
            seg_id = segment.segment_id()
            size = sub.doc_count_all()
            cache = caches.get(seg_id)
            if cache is None or cache.size != size:
                cache = SegmentCache(seg_id, size, avgdl, directory)
                caches[seg_id] = cache
            else:
                cache.update_avgdl(avgdl)
            self.parts.append((sub, cache, offset))
            if sub.has_deletions():
                gone = np.fromiter(sub.deleted_docs_set, dtype=np.int64)
                self.live[gone + offset] = False
        self.count = int(self.live.sum())
        self._offsets = [offset for _, _, offset in self.parts]
        self._terms: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._masks: dict[tuple[str, str], np.ndarray] = {}
        self._lexicons: dict[str, list[str]] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._extra_geo: dict[int, tuple[tuple[float, float], ...]] | None = None
        self._name_order: np.ndarray | None = None
        self._open: tuple[Any, np.ndarray] | None = None

    # Documents ---------------------------------------------------------------------------

    def record(self, docnum: int) -> Record:
        i = bisect.bisect_right(self._offsets, docnum) - 1
        sub, cache, offset = self.parts[i]
        return cache.record(sub, docnum - offset)

    def warm(self) -> None:
        """Map (or derive) the per-document arrays of every segment now."""
        for sub, cache, _ in self.parts:
            cache.arrays(sub)
        _ = (self.lat, self.lon, self.sortkeys)

    def _concat(self, name: str, empty: np.ndarray) -> np.ndarray:
        found = self._arrays.get(name)
        if found is None:
            pieces = [getattr(cache, name)(sub) for sub, cache, _ in self.parts]
            if not pieces:
                found = empty
            elif len(pieces) == 1:
                # One segment (after a reindex): the shared array itself, no private copy.
                found = pieces[0]
            else:
                found = np.concatenate(pieces)
            self._arrays[name] = found
        return found

    @property
    def lat(self) -> np.ndarray:
        return self._concat("lat", np.zeros(0))

    @property
    def lon(self) -> np.ndarray:
        return self._concat("lon", np.zeros(0))

    @property
    def sortkeys(self) -> np.ndarray:
        """Casefolded service names as UTF-8 bytes (they sort like the names)."""
        return self._concat("sortkeys", np.zeros(0, dtype="S1"))

    @property
    def extra_geo(self) -> dict[int, tuple[tuple[float, float], ...]]:
        if self._extra_geo is None:
            self._extra_geo = {
                offset + d: points
                for sub, cache, offset in self.parts
                for d, points in cache.extra_geo(sub).items()
            }
        return self._extra_geo

    def name_order(self) -> np.ndarray:
        """Return live docnums sorted by service name."""
        if self._name_order is None:
            order = np.argsort(self.sortkeys, kind="stable")
            self._name_order = order[self.live[order]]
        return self._name_order

    # Terms and keywords ------------------------------------------------------------------

    def term(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (docnums, term weights) over the whole reader (deleted ones included)."""
        found = self._terms.get(term)
        if found is not None:
            return found
        ids_parts, weight_parts = [], []
        for sub, cache, offset in self.parts:
            ids, weights = cache.term(sub, term)
            if len(ids):
                ids_parts.append(ids + offset if offset else ids)
                weight_parts.append(weights)
        if not ids_parts:
            found = (_EMPTY_IDS, _EMPTY_WEIGHTS)
        elif len(ids_parts) == 1:
            found = (ids_parts[0], weight_parts[0])
        else:
            found = (np.concatenate(ids_parts), np.concatenate(weight_parts))
        self._terms[term] = found
        return found

    def doc_frequency(self, term: str) -> int:
        """Return how many live documents contain ``term``."""
        ids = self.term(term)[0]
        return int(np.count_nonzero(self.live[ids])) if len(ids) else 0

    def idf(self, term: str) -> float:
        return idf(self.count, self.doc_frequency(term))

    def mask(self, field: str, value: str) -> np.ndarray:
        """Return a boolean array: which live documents carry ``value`` in a keyword field."""
        key = (field, value)
        found = self._masks.get(key)
        if found is None:
            found = self._live_mask(lambda sub, cache: cache.keyword(sub, field, value))
            self._masks[key] = found
        return found

    def _live_mask(self, ids_in: Callable[[Any, Any], np.ndarray]) -> np.ndarray:
        """Return a boolean array over all segments: the live documents among the ids that
        ``ids_in(segment reader, segment cache)`` gives per segment."""
        found = np.zeros(self.size, dtype=bool)
        for sub, cache, offset in self.parts:
            ids = ids_in(sub, cache)
            if len(ids):
                found[ids + offset] = True
        found &= self.live
        return found

    def values(self, field: str) -> list[str]:
        """Return the values of a keyword field present in this reader."""
        found = self._lexicons.get(field)
        if found is None:
            # Per segment: after an edit only the new, small segment is read.
            found = sorted(set().union(*(c.lexicon(sub, field) for sub, c, _ in self.parts)))
            self._lexicons[field] = found
        return found

    def open_at(self, when: datetime) -> np.ndarray:
        """Return a boolean array of documents open at ``when`` (cached per minute)."""
        key = (when.date(), when.hour, when.minute)
        if self._open is not None and self._open[0] == key:
            return self._open[1]
        result = self._live_mask(lambda sub, cache: cache.open_at(sub, when, key))
        self._open = (key, result)
        return result

    def segment_words(self, skip: Collection[str] = ()) -> list[tuple[str, dict[str, int]]]:
        """Return (segment id, word → documents) to feed the spelling index per segment,
        for the segments not in ``skip`` (the words are unpacked only for those)."""
        return [
            (cache.segment_id, cache.word_counts(sub))
            for sub, cache, _ in self.parts
            if cache.segment_id not in skip
        ]


def idf(total: int, df: int) -> float:
    """BM25 inverse document frequency (never negative)."""
    return math.log(1 + (max(total, df) - df + 0.5) / (df + 0.5))


def share_arrays(ix: Any, directory: Path) -> None:
    """Write the shared arrays file of every large segment of a freshly built index."""
    with ix.reader() as reader:
        total = reader.doc_count_all() or 1
        avgdl = {f: (reader.field_length(f) or 0) / total or 1.0 for f in TEXT_FIELDS}
        for sub, _offset in reader.leaf_readers():
            segment = sub.segment()
            if segment is not None:
                cache = SegmentCache(segment.segment_id(), sub.doc_count_all(), avgdl, directory)
                cache.arrays(sub)
