"""Per-segment arrays stored beside the index, memory-mapped read-only by every process.

What a search needs for every document of a segment (places, field lengths, name sort
keys, weekly opening hours, the words for the spelling index) is derived once from the
segment's stored records and written to ``arrays-<segment id>.bin`` in the generation
directory: by ``reindex`` for the segment it builds, and by the first process that meets a
large segment without one (a merge). Every worker maps the same file, so the operating
system keeps one copy in memory however many workers there are, and a fresh process
starts searching without reading every record.

Small segments (the ones an edit adds) are not written: each process derives them itself,
an overlay of a few documents on top of the shared base segment.

Why a memory map is safe here, where :mod:`.store` avoids them for Whoosh's own files: a
map of a file that is later truncated kills the process with SIGBUS on the next read.
These files are written to a temporary name, flushed to disk and renamed into place, so a
reader never sees a partial file; they are never rewritten or truncated afterwards (the
rename is a hard link, which fails when the name exists: a second writer drops its own
copy); a removed generation only unlinks them, which leaves existing maps intact. A file is
mapped only when its size is exactly what its header says (otherwise the process derives
the arrays itself). What remains is truncation by hand, or a failing disk, while a worker
maps the file; do not edit files in a live generation (``reindex`` builds a new one).
"""

from __future__ import annotations

import contextlib
import json
import logging
import mmap
import os
import secrets
import struct
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: Changes with the set of arrays: a file of another layout is not used (derived instead).
MAGIC = b"WWSEGAR2"
_HEAD = struct.Struct("<8sQ")
_ALIGN = 64
#: Segments with at least this many documents get a shared file; smaller ones stay private.
PERSIST_MIN = 1000

Arrays = dict[str, np.ndarray]


def file_name(segment_id: str) -> str:
    return f"arrays-{segment_id}.bin"


def _aligned(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def write_arrays(path: Path, arrays: Arrays, size: int) -> None:
    """Write ``arrays`` to ``path`` atomically (temporary file, fsync, link); never replace."""
    layout: dict[str, Any] = {}
    offset = 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        layout[name] = [arr.dtype.str, list(arr.shape), offset]
        offset = _aligned(offset + arr.nbytes)
    header = {"size": size, "arrays": layout}
    text = json.dumps(header).encode("utf-8")
    start = _aligned(_HEAD.size + len(text))
    header["total"] = start + offset
    # The total is part of the header, which moves the start: recompute until stable.
    while True:
        text = json.dumps(header).encode("utf-8")
        new_start = _aligned(_HEAD.size + len(text))
        if new_start == start:
            break
        start = new_start
        header["total"] = start + offset
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(_HEAD.pack(MAGIC, len(text)))
            fh.write(text)
            fh.write(b"\0" * (start - _HEAD.size - len(text)))
            pos = 0
            for name, arr in arrays.items():
                arr = np.ascontiguousarray(arr)
                fh.write(b"\0" * (layout[name][2] - pos))
                fh.write(arr.tobytes())
                pos = layout[name][2] + arr.nbytes
            fh.write(b"\0" * (offset - pos))
            fh.flush()
            os.fsync(fh.fileno())
        # A hard link never replaces: when another process wrote this segment's file
        # first, its file (perhaps mapped already) stays as it is, and ours is dropped.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def open_arrays(path: Path, size: int) -> Arrays | None:
    """Map the arrays of ``path`` read-only; None when missing, damaged or for another size."""
    try:
        with open(path, "rb") as fh:
            magic, length = _HEAD.unpack(fh.read(_HEAD.size))
            if magic != MAGIC or length > 1 << 20:
                raise ValueError("not an arrays file")
            header = json.loads(fh.read(length))
            total = int(header["total"])
            if header["size"] != size or os.fstat(fh.fileno()).st_size != total:
                raise ValueError("size differs from header")
            start = _aligned(_HEAD.size + length)
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, struct.error) as exc:
        log.warning("Gedeelde zoekgegevens %s onbruikbaar: %s", path.name, exc)
        return None
    out: Arrays = {}
    for name, (dtype, shape, offset) in header["arrays"].items():
        dt = np.dtype(dtype)
        count = int(np.prod(shape)) if shape else 1
        arr = np.frombuffer(mapped, dtype=dt, count=count, offset=start + offset)
        out[name] = arr.reshape(shape)
    return out


def persist(directory: Path, segment_id: str, arrays: Arrays, size: int) -> Arrays:
    """Write a segment's arrays and return the mapped copy; the given ones if that fails.

    A read-only or full index directory is not an error: this process keeps its own copy.
    """
    path = directory / file_name(segment_id)
    try:
        write_arrays(path, arrays, size)
    except OSError as exc:
        log.info("Gedeelde zoekgegevens niet geschreven (%s): %s", path.name, exc)
        return arrays
    return open_arrays(path, size) or arrays


def pack_words(counts: dict[str, int], name: str = "words") -> Arrays:
    """Pack words (no line breaks in them) with a count each."""
    words = list(counts)
    blob = "\n".join(words).encode("utf-8")
    return {
        name: np.frombuffer(blob, dtype=np.uint8) if blob else np.zeros(0, np.uint8),
        f"{name}_counts": np.array([counts[w] for w in words], dtype=np.int32),
    }


def unpack_words(arrays: Arrays, name: str = "words") -> dict[str, int]:
    blob = arrays[name].tobytes().decode("utf-8")
    counts = arrays[f"{name}_counts"].tolist()
    words = blob.split("\n") if blob else []
    return dict(zip(words, counts, strict=True))


def pack_keywords(reader: Any, fields: tuple[str, ...]) -> Arrays:
    """Return every value of the keyword ``fields`` with its documents (one segment)."""
    out: Arrays = {}
    for field in fields:
        values, starts, docs = [], [0], []
        for raw in reader.lexicon(field):
            value = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            ids = np.fromiter(reader.postings(field, value).all_ids(), dtype=np.int32)
            values.append(value)
            docs.append(ids)
            starts.append(starts[-1] + len(ids))
        out.update(pack_words(dict.fromkeys(values, 0), f"kw_{field}"))
        out[f"kw_{field}_start"] = np.array(starts, dtype=np.int64)
        out[f"kw_{field}_docs"] = np.concatenate(docs) if docs else np.zeros(0, np.int32)
    return out


class Keywords:
    """Look up keyword postings in packed arrays (:func:`pack_keywords`)."""

    def __init__(self, arrays: Arrays, field: str) -> None:
        self.values = {v: i for i, v in enumerate(unpack_words(arrays, f"kw_{field}"))}
        self._starts = arrays[f"kw_{field}_start"]
        self._docs = arrays[f"kw_{field}_docs"]

    def docs(self, value: str) -> np.ndarray | None:
        i = self.values.get(value)
        if i is None:
            return None
        return self._docs[int(self._starts[i]) : int(self._starts[i + 1])]
