"""The index directory: generations, the ``current`` pointer, applied change-log position.

Layout of ``INDEX_DIR``::

    current                 name of the live generation (replaced atomically)
    gen-<time>-<random>/    a Whoosh index plus meta.json, applied.json and parts.txt
    .rebuild.lock           serialises rebuilds between processes

``reindex`` builds a new generation beside the live one and swaps ``current``; readers of
the old generation keep working and switch on their next freshness check.

Segment files are read with plain file reads, never memory maps: when a file is truncated or
overwritten on disk, a read then raises an error this process can recover from, where a
memory map would kill the worker with SIGBUS. Whoosh never changes a segment file once it is
committed, so :class:`SegmentFiles` notices damage by comparing each file's inode, size and
modification time with what it was when a reader first opened it.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import secrets
import shutil
import threading
import time
import warnings
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.index import TOC, Index

from .schema import SCHEMA_VERSION

POINTER = "current"
META = "meta.json"
APPLIED = "applied.json"
PARTS = "parts.txt"
_GEN_PREFIX = "gen-"
#: Old generations are removed only when they are this old, so slow readers can finish.
KEEP_OLD_SECONDS = 600
#: Index files up to this size are read into memory when a reader opens them.
SMALL_FILE = 1 << 20


class IndexBroken(RuntimeError):
    """The index generation cannot be used; it must be rebuilt."""


@dataclass
class Applied:
    """Which change-log rows this generation has applied.

    ``seq`` is a watermark: every row at or below it is applied (or was a gap that stayed
    empty long enough to be a rolled-back transaction). ``extra`` are applied rows above it.
    """

    seq: int = 0
    extra: set[int] = field(default_factory=set)

    @property
    def known(self) -> int:
        return len(self.extra)

    def lacks(self, *seqs: int) -> bool:
        """Return whether none of the change-log rows ``seqs`` is applied."""
        return all(seq > self.seq and seq not in self.extra for seq in seqs)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def current_generation(root: Path) -> Path | None:
    """Return the live generation directory, or None when there is none."""
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not name.startswith(_GEN_PREFIX) or "/" in name:
        return None
    path = root / name
    return path if path.is_dir() else None


def pointer_stamp(root: Path) -> tuple[int, int] | None:
    """Return a cheap fingerprint of the pointer file (inode, mtime) to notice a swap."""
    try:
        st = os.stat(root / POINTER)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def new_generation(root: Path) -> Path:
    """Create an empty directory for a new generation."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = root / f"{_GEN_PREFIX}{stamp}-{secrets.token_hex(3)}"
    path.mkdir()
    return path


def write_meta(gen: Path, services: int) -> None:
    """Record the schema version the generation was built with."""
    meta = {
        "schema": SCHEMA_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "services": services,
    }
    _atomic_write(gen / META, json.dumps(meta))


def read_meta(gen: Path) -> dict[str, Any]:
    """Return meta.json; raise IndexBroken when missing or from another schema version."""
    try:
        meta = json.loads((gen / META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexBroken(f"{gen.name}: meta.json ontbreekt of is onleesbaar") from exc
    if not isinstance(meta, dict) or meta.get("schema") != SCHEMA_VERSION:
        raise IndexBroken(f"{gen.name}: gebouwd met een andere indexversie")
    return meta


def read_applied(gen: Path) -> Applied:
    """Return the applied change-log position (0 when unknown)."""
    try:
        data = json.loads((gen / APPLIED).read_text(encoding="utf-8"))
        return Applied(int(data["seq"]), {int(s) for s in data.get("extra", [])})
    except (OSError, ValueError, KeyError, TypeError):
        return Applied()


def write_applied(gen: Path, applied: Applied) -> None:
    """Store the applied position; call only after the index commit it describes."""
    _atomic_write(gen / APPLIED, json.dumps({"seq": applied.seq, "extra": sorted(applied.extra)}))


def write_parts(gen: Path, parts: set[str]) -> None:
    """Store the compound-splitting vocabulary this generation was built with."""
    _atomic_write(gen / PARTS, "\n".join(sorted(parts)) + "\n")


def read_parts(gen: Path) -> set[str]:
    """Return the vocabulary from :func:`write_parts`; raise IndexBroken when missing."""
    try:
        return set((gen / PARTS).read_text(encoding="utf-8").split())
    except OSError as exc:
        raise IndexBroken(f"{gen.name}: parts.txt ontbreekt") from exc


class _Storage(FileStorage):  # type: ignore[misc]
    """Plain file reads, no memory maps; a file closes when the reader holding it is dropped.

    Without memory maps a reader costs a file handle instead of a private copy of every
    sub-file (about 40 MB per reader at 20,000 services), and a file damaged on disk raises
    an error instead of SIGBUS. A thread that ends without closing its reader leaves no
    open file behind.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False)

    def open_file(self, name: str, **kwargs: Any) -> Any:
        path = self._fpath(name)
        if os.path.getsize(path) <= SMALL_FILE:
            # The segments an edit adds are small: read at once, they cost no file handle,
            # and the many tiny reads of opening them come from memory.
            with open(path, "rb") as fh:
                return BufferFile(fh.read(), name=name)
        f = super().open_file(name, **kwargs)
        weakref.finalize(f, f.file.close)
        return f


def _storage(gen: Path) -> FileStorage:
    return _Storage(str(gen))


def create_index(gen: Path, schema: Schema) -> Index:
    """Create an empty Whoosh index in a new generation directory."""
    return _storage(gen).create_index(schema)


def open_generation(gen: Path) -> Index:
    """Open and check a generation; raise IndexBroken if it cannot serve searches."""
    read_meta(gen)
    read_parts(gen)
    # Whoosh leaves the file of a damaged table of contents open; it is closed when the
    # error is dropped, which must not turn into a warning in this repair path.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = _storage(gen).open_index()
            with ix.reader() as reader:
                reader.doc_count()
                # Touch every segment's stored fields: a half-written segment fails here.
                for sub, _base in reader.leaf_readers():
                    if sub.doc_count_all():
                        sub.stored_fields(0)
        except Exception as exc:  # Whoosh raises many kinds of errors on damaged files
            error = f"{gen.name}: {type(exc).__name__}: {exc}"
        else:
            return ix
        gc.collect()
    raise IndexBroken(error)


def swap_to(root: Path, gen: Path) -> None:
    """Make ``gen`` the live generation (atomic for readers of the pointer)."""
    _atomic_write(root / POINTER, gen.name + "\n")


def remove_old_generations(root: Path, keep: tuple[Path | None, ...]) -> None:
    """Delete generations not in ``keep`` that are old enough to have no readers left."""
    now = time.time()
    for path in root.glob(f"{_GEN_PREFIX}*"):
        if path in keep or not path.is_dir():
            continue
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > KEEP_OLD_SECONDS:
                shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def rebuild_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock that serialises rebuilds (released if the process dies)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".rebuild.lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


Fingerprint = tuple[int, int, int]


def _fingerprint(path: Path) -> Fingerprint | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _segment_names(segments: Any, storage: Any) -> set[str]:
    names: set[str] = set()
    for segment in segments:
        if segment.is_compound():
            names.add(segment.make_filename(segment.COMPOUND_EXT))
        else:
            names.update(segment.list_files(storage))
    return names


@dataclass
class Damage:
    """What is wrong with a generation; ``readable`` when open readers still work."""

    reason: str
    readable: bool


class SegmentFiles:
    """The segment files readers of one generation opened, with their fingerprints."""

    def __init__(self, gen: Path) -> None:
        self.gen = gen
        self._seen: dict[str, Fingerprint] = {}
        self._lock = threading.Lock()

    def add(self, reader: Any) -> None:
        """Remember the files of a reader just opened (first sight counts)."""
        leaves = [sub for sub, _ in reader.leaf_readers()]
        segments = [s for s in (sub.segment() for sub in leaves) if s is not None]
        if not segments:
            return
        names = _segment_names(segments, leaves[0].storage())
        with self._lock:
            for name in names - self._seen.keys():
                found = _fingerprint(self.gen / name)
                if found is not None:
                    self._seen[name] = found

    def check(self, ix: Index) -> Damage | None:
        """Return what is wrong with the files on disk, or None (a few ``stat`` calls)."""
        if not self.gen.is_dir():
            return Damage(f"{self.gen.name} ontbreekt", readable=True)
        with self._lock:
            seen = list(self._seen.items())
        for name, was in seen:
            now = _fingerprint(self.gen / name)
            if now == was:
                continue
            if now is not None:
                return Damage(f"{self.gen.name}/{name} is veranderd", readable=False)
            # Gone: merged away by a commit (fine), or deleted while still in use.
            try:
                toc = TOC.read(ix.storage, ix.indexname)
                in_use = name in _segment_names(toc.segments, ix.storage)
            except Exception:  # noqa: BLE001 - a missing or unreadable TOC is the answer
                return Damage(f"{self.gen.name}: inhoudsopgave onleesbaar", readable=True)
            if in_use:
                return Damage(f"{self.gen.name}/{name} ontbreekt", readable=True)
            with self._lock:
                self._seen.pop(name, None)
        return None
