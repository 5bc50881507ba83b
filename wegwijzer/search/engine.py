"""One search engine per app: the index lifecycle, change-log sync and per-thread readers.

Readers are never shared: each thread opens its own (whoosh readers keep file positions and
caches that are not safe to use from two threads) and only that thread closes it, after it
has opened its next one. A missing or damaged generation is noticed on the next search; the
engine then keeps serving from readers whose files are still open, or raises
:class:`SearchUnavailable`, while one background thread per process builds a new generation
(serialised across processes by the rebuild lock). Saves never fail because of the index:
the change log lets the new generation catch up.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from whoosh.index import Index, LockError

from ..domain.places import gazetteer
from ..models import ChangeLog, Organization, Service, TaxonomyTerm
from .analysis import BASE_PARTS, Analyzer, Decompounder, surface_words
from .builder import SegmentBuilder
from .categories import Categories, load_categories
from .documents import affected_service_ids, load_texts, published_ids, whoosh_fields
from .health import Repairer
from .positions import UNWRITABLE, ChangesMissed, Tracker
from .results import SearchUnavailable
from .schema import make_schema
from .signals import Signal, load_signals
from .spelling import SpellIndex
from .store import (
    Applied,
    Damage,
    IndexBroken,
    SegmentFiles,
    create_index,
    current_generation,
    new_generation,
    open_generation,
    pointer_stamp,
    read_applied,
    read_parts,
    rebuild_lock,
    remove_old_generations,
    swap_to,
    write_applied,
    write_meta,
    write_parts,
)
from .synonyms import Synonyms, load_synonyms
from .view import View, share_arrays

log = logging.getLogger(__name__)

#: How often (seconds) a process checks whether other processes changed the database.
CHECK_INTERVAL = 1.0
#: How often (seconds) the taxonomy words are re-read from the database.
CATEGORY_TTL = 60.0
#: A gap in the change log older than this is a rolled-back transaction, not a slow one.
GAP_SECONDS = 60


@dataclass
class _Live:
    """The generation this process serves from."""

    path: Path
    ix: Index
    analyzer: Analyzer
    caches: dict[str, Any]
    spell: SpellIndex
    spell_segments: set[str]
    stamp: tuple[int, int] | None
    files: SegmentFiles
    categories: Categories | None = None
    categories_at: float = 0.0
    #: Set when the generation went missing or was damaged; cleared by opening a new one.
    damage: Damage | None = None


class SearchEngine:
    """Owns the index directory for one app; thread-safe."""

    def __init__(self, app: Flask) -> None:
        self.root = Path(app.config["INDEX_DIR"])
        self.data_dir = Path(app.config["DATA_DIR"])
        self.lock_timeout = float(app.config.get("INDEX_LOCK_TIMEOUT", 30.0))
        self._sessionmaker: Callable[[], Session] = app.extensions["wegwijzer.sessionmaker"]
        self._lock = threading.RLock()
        self._local = threading.local()
        self._live: _Live | None = None
        self._version = 0
        self._last_check = 0.0
        self._dirty = False
        self._disk_generation = -1
        self.repairs = Repairer(lambda broken: self.rebuild(force=False, avoid=broken))
        #: Change-log position in the database, pruning, read-only or full index directory.
        self.tracker = Tracker(app.extensions["wegwijzer.engine"], self.root)

    # Lifecycle ---------------------------------------------------------------------------

    def session(self) -> Session:
        return self._sessionmaker()

    def ensure(self) -> int:
        """Open the live generation, rebuilding it if missing, damaged or outdated; sync it."""
        with self._lock:
            self._live = None
            gen = current_generation(self.root)
            if gen is not None:
                try:
                    self._open(gen)
                except IndexBroken as exc:
                    log.warning("Zoekindex wordt opnieuw gebouwd: %s", exc)
            if self._live is not None and self.tracker.missed(self.session, self._live.path):
                self._live = None
            if self._live is None:
                self.rebuild(force=False, avoid=gen)
            self.sync()
            self.warm()
            return self.document_count()

    def warm(self) -> None:
        """Map the per-document arrays now, so the first search of a worker is fast.

        The arrays of large segments are memory-mapped files of the generation, shared by
        every process; the spelling index, small segments and the gazetteer (for places in
        a search) are loaded before gunicorn forks, so the workers share them copy-on-write.
        """
        view, live = self.view()
        view.warm()
        self.spell(view, live)
        self.categories(live)
        gazetteer()

    def _open(self, gen: Path) -> None:
        ix = open_generation(gen)
        parts = read_parts(gen)
        self._live = _Live(
            path=gen,
            ix=ix,
            analyzer=Analyzer(Decompounder(parts)),
            caches={},
            spell=SpellIndex(),
            spell_segments=set(),
            stamp=pointer_stamp(self.root),
            files=SegmentFiles(gen),
        )
        self._version += 1

    @staticmethod
    def _usable(gen: Path | None) -> Path | None:
        if gen is None:
            return None
        try:
            open_generation(gen)
        except IndexBroken:
            return None
        return gen

    def live(self) -> _Live:
        if self._live is None:
            with self._lock:
                if self._live is None:
                    gen = current_generation(self.root)
                    try:
                        if gen is None:
                            raise IndexBroken("geen index")
                        self._open(gen)
                    except IndexBroken:
                        self.ensure()
        assert self._live is not None
        return self._live

    def document_count(self) -> int:
        with self.live().ix.reader() as reader:
            return reader.doc_count()

    def vocabulary(self, session: Session) -> set[str]:
        """Return the compound-splitting vocabulary: base parts, taxonomy, synonyms, corpus."""
        vocab = set(BASE_PARTS)
        for name, keywords in session.execute(select(TaxonomyTerm.name, TaxonomyTerm.keywords)):
            vocab |= surface_words(f"{name} {keywords or ''}")
        vocab |= load_synonyms(self.data_dir).surface
        # Corpus words used in at least two services are real words, good enough as parts.
        counts: dict[str, int] = {}
        rows = session.execute(
            select(Service.name, Service.description, Organization.name)
            .join(Organization, Organization.id == Service.organization_id)
            .where(Service.is_public)
        )
        for name, description, org_name in rows:
            for w in surface_words(f"{name} {description or ''} {org_name}"):
                counts[w] = counts.get(w, 0) + 1
        vocab |= {w for w, c in counts.items() if c >= 2 and len(w) >= 5}
        return vocab

    def rebuild(
        self,
        progress: Callable[[int], None] | None = None,
        force: bool = True,
        avoid: Path | None = None,
    ) -> int:
        """Build a fresh generation beside the live one, swap to it, apply later changes.

        ``force=False`` (repair) first checks, holding the rebuild lock, whether another
        process has just built a usable generation other than ``avoid`` (the broken one),
        and uses that one instead.
        """
        with rebuild_lock(self.root), self.session() as session:
            current = current_generation(self.root)
            if not force and current != avoid and (ready := self._usable(current)):
                with self._lock:
                    self._open(ready)
                return self.document_count()
            applied = _visible_position(session)
            gen = new_generation(self.root)
            parts = self.vocabulary(session)
            write_parts(gen, parts)
            analyzer = Analyzer(Decompounder(parts))
            ix = create_index(gen, make_schema())
            writer = SegmentBuilder(ix)
            count = 0
            try:
                for doc in load_texts(session, published_ids(session)):
                    writer.add_document(**whoosh_fields(doc, analyzer))
                    count += 1
                    if progress and count % 100 == 0:
                        progress(100)
                writer.commit()
            except BaseException:
                writer.cancel()
                shutil.rmtree(gen, ignore_errors=True)
                raise
            if progress:
                progress(count % 100)
            # Before the swap: every process then maps these instead of reading records.
            share_arrays(ix, gen)
            write_meta(gen, count)
            write_applied(gen, applied)
            self.tracker.report(applied.seq, force=True)
            old = current_generation(self.root)
            swap_to(self.root, gen)
            remove_old_generations(self.root, keep=(gen, old))
        with self._lock:
            self._open(gen)
        self.sync()
        return count

    # Sync --------------------------------------------------------------------------------

    def mark_dirty(self) -> None:
        """Note that this process committed a change; the next search applies it first."""
        self._dirty = True

    def sync(self, wait: bool = True) -> int:
        """Apply change-log rows this generation has not applied; return how many services.

        ``wait=False`` (the search path) never blocks: when another thread or process holds
        the writer, it returns at once and the change follows on a later search. A broken
        index never makes this fail (a save has committed already): it starts a repair, and
        the new generation applies the change log.
        """
        live = self.live()
        if live.damage is not None:
            self._dirty = True
            return 0
        if not self._lock.acquire(blocking=wait):
            self._dirty = True
            return 0
        try:
            return self._sync(live, wait)
        except SQLAlchemyError:
            raise
        except ChangesMissed as exc:
            self.repairs.fail(live, Damage(str(exc), readable=True))
            return 0
        except OSError as exc:
            if exc.errno not in UNWRITABLE:
                reason = f"bijwerken mislukt: {type(exc).__name__}: {exc}"
                self.repairs.fail(live, Damage(reason, readable=True), exc)
                return 0
            self._dirty = True
            self.tracker.unwritable(live.path, exc)
            return 0
        except Exception as exc:  # noqa: BLE001 - whoosh raises many kinds on a broken index
            reason = f"bijwerken mislukt: {type(exc).__name__}: {exc}"
            self.repairs.fail(live, Damage(reason, readable=True), exc)
            return 0
        finally:
            self._lock.release()

    def _sync(self, live: _Live, wait: bool) -> int:
        self._dirty = False
        try:
            writer = live.ix.writer(timeout=self.lock_timeout if wait else 0.0, delay=0.01)
        except LockError:
            if wait:
                log.warning("Zoekindex bezet; de wijzigingen volgen bij de volgende zoekvraag.")
            self._dirty = True
            return 0
        try:
            with self.session() as session:
                applied = read_applied(live.path)
                rows = session.execute(
                    select(ChangeLog.seq, ChangeLog.at, ChangeLog.entity_type, ChangeLog.entity_id)
                    .where(ChangeLog.seq > applied.seq)
                    .order_by(ChangeLog.seq)
                ).all()
                for r in rows:
                    if r.entity_type == ChangeLog.PRUNED and applied.lacks(r.seq, int(r.entity_id)):
                        raise ChangesMissed(
                            f"{live.path.name} mist opgeschoonde wijzigingen tot {r.entity_id}"
                        )
                new = [r for r in rows if r.seq not in applied.extra]
                if not new:
                    writer.cancel()
                    changed = 0
                else:
                    changed = self._apply(session, writer, live, new)
                    writer.commit()
        except BaseException:
            _abandon(writer)
            raise
        if rows:
            position = _advance(applied, rows)
            write_applied(live.path, position)
            self.tracker.report(position.seq)
        if new:
            self._version += 1
        self.tracker.writable_again()
        return changed

    def _apply(self, session: Session, writer: Any, live: _Live, rows: list[Any]) -> int:
        by_type: dict[str, set[str]] = {}
        for r in rows:
            by_type.setdefault(r.entity_type, set()).add(r.entity_id)
        ids: set[str] = set()
        for entity_type, entity_ids in by_type.items():
            ids |= affected_service_ids(session, entity_type, entity_ids)
        ordered = sorted(ids)
        indexed: set[str] = set()
        for doc in load_texts(session, ordered):
            writer.update_document(**whoosh_fields(doc, live.analyzer))
            indexed.add(doc.id)
        for sid in ordered:
            if sid not in indexed:
                # No longer public (Service.is_public): unpublished, archived, deleted,
                # or its organisation deleted or unpublished.
                writer.delete_by_term("id", sid)
        return len(ordered)

    def _check_others(self) -> _Live:
        """Notice a swapped, missing or damaged generation, or other processes' changes.

        The files are checked on every search (a few ``stat`` calls and one directory
        listing), so a save in another worker sharing this index directory shows at once;
        the change log in the database, for processes with their own index, once a second.
        """
        live = self._check_files(self.live())
        now = time.monotonic()
        if live.damage is None and (now - self._last_check >= CHECK_INTERVAL or self._dirty):
            self._last_check = now
            if self._dirty or self._log_advanced(live):
                self.sync(wait=False)
        if live.damage is not None:
            return live
        try:
            latest = live.ix.latest_generation()
        except OSError as exc:
            reason = f"{live.path.name} onleesbaar: {exc}"
            self.repairs.fail(live, Damage(reason, readable=True), exc)
            return live
        if latest != self._disk_generation:
            self._disk_generation = latest
            self._version += 1
        return live

    def _check_files(self, live: _Live) -> _Live:
        """On every search: has the pointer moved, or a file of the live generation changed?"""
        stamp = pointer_stamp(self.root)
        if stamp != live.stamp:
            gen = current_generation(self.root)
            if gen is None:
                missing = Damage("de verwijzing naar de index ontbreekt", readable=True)
                self.repairs.fail(live, missing)
                return live
            if gen != live.path:
                with self._lock:
                    try:
                        self._open(gen)
                    except IndexBroken as exc:
                        log.warning("Nieuwe zoekindex onbruikbaar: %s", exc)
                live = self.live()
            live.stamp = stamp
        if live.damage is None and (damage := live.files.check(live.ix)) is not None:
            self.repairs.fail(live, damage)
        return live

    def wait_for_repair(self, timeout: float | None = None) -> bool:
        """Wait for a running background repair; return True when none is running."""
        return self.repairs.wait(timeout)

    def search_failed(self, exc: Exception) -> bool:
        """Return whether a failed search was the index's fault; if so, start repairing it."""
        return self.repairs.search_failed(self._live, exc)

    def _log_advanced(self, live: _Live) -> bool:
        applied = read_applied(live.path)
        with self.session() as session:
            count = session.scalar(
                select(func.count()).select_from(ChangeLog).where(ChangeLog.seq > applied.seq)
            )
        return bool(count and count > applied.known)

    # Readers -----------------------------------------------------------------------------

    def view(self) -> tuple[View, _Live]:
        """Return this thread's view of the newest index state.

        Raises SearchUnavailable while a missing or damaged index is rebuilt, unless this
        thread still has a reader whose files are intact (then it serves that state).
        """
        live = self._check_others()
        local = self._local
        # A reader inherited across fork() (gunicorn forks after warming the index) shares
        # its open files, and so their read positions, with the parent: open a new one.
        current = getattr(local, "path", None) == live.path and local.pid == os.getpid()
        if live.damage is not None:
            if live.damage.readable and current:
                return local.view, live
            raise SearchUnavailable(live.damage.reason)
        if getattr(local, "version", None) != self._version or not current:
            old = getattr(local, "reader", None)
            # A fresh reader, not reader(reuse=...): whoosh-reloaded 2.7.5 re-adds segments
            # of the reused reader that were merged away. Our caches are per segment anyway.
            try:
                reader = live.ix.reader()
            except Exception as exc:  # noqa: BLE001 - whoosh raises many kinds on lost files
                reason = f"{live.path.name} onleesbaar: {type(exc).__name__}: {exc}"
                self.repairs.fail(live, Damage(reason, readable=True), exc)
                damage = live.damage
                if damage is not None and damage.readable and current:
                    return local.view, live
                raise SearchUnavailable(reason) from exc
            live.files.add(reader)
            if old is not None:
                # Only this thread ever used it, and it is done with it.
                with contextlib.suppress(Exception):
                    old.close()
            local.reader = reader
            local.pid = os.getpid()
            local.path = live.path
            local.version = self._version
            local.generation = reader.generation()
            local.view = View(reader, live.caches, live.path)
            self._prune_caches(live, local.view)
        return local.view, live

    def _prune_caches(self, live: _Live, view: View) -> None:
        # Views already made keep their own references; this only frees merged segments.
        keep = {cache.segment_id for _, cache, _ in view.parts}
        for key in list(live.caches):
            if key not in keep:
                live.caches.pop(key, None)

    def spell(self, view: View, live: _Live) -> SpellIndex:
        """Return the spelling index with the words of every segment in ``view``."""
        for seg_id, counts in view.segment_words(skip=live.spell_segments):
            with self._lock:
                if seg_id not in live.spell_segments:
                    live.spell.add(counts)
                    live.spell_segments.add(seg_id)
        return live.spell

    def categories(self, live: _Live) -> Categories:
        """Return the taxonomy-word map, re-read at most once a minute."""
        now = time.monotonic()
        if live.categories is None or now - live.categories_at > CATEGORY_TTL:
            with self.session() as session:
                cats = load_categories(session, live.analyzer)
            with self._lock:
                live.spell.add(dict.fromkeys(cats.words - set(live.spell.words()), 1))
                live.categories = cats
                live.categories_at = now
        return live.categories

    def signals(self) -> list[Signal]:
        return load_signals(self.data_dir)

    def synonyms(self) -> Synonyms:
        return load_synonyms(self.data_dir)


def _visible_position(session: Session) -> Applied:
    """Return the change-log position a build that reads the database now will cover.

    Every row visible now is covered, since the build reads the services afterwards. A row
    with a lower number that is not visible yet belongs to a transaction still running
    (PostgreSQL hands out numbers before commit); the watermark stays below such gaps for
    a minute, so the sync after the swap still applies them.
    """
    cutoff = datetime.now(UTC) - timedelta(seconds=GAP_SECONDS)
    old = session.scalar(select(func.max(ChangeLog.seq)).where(ChangeLog.at < cutoff)) or 0
    recent = session.execute(
        select(ChangeLog.seq, ChangeLog.at).where(ChangeLog.seq > old).order_by(ChangeLog.seq)
    ).all()
    return _advance(Applied(int(old)), recent)


def _abandon(writer: Any) -> None:
    """Cancel a writer whose update failed, closing its files and lock even on a full disk.

    Whoosh's ``cancel`` first closes the segment's files, which flushes them; on a full disk
    that flush fails again and the files and the write lock stay open. Closing each file of
    the segment still releases its descriptor (Python closes the file after a failed flush).
    """
    try:
        writer.cancel()
        return
    except OSError:
        pass
    for part in (getattr(writer, "fieldwriter", None), getattr(writer, "perdocwriter", None)):
        for file in _open_files(part, depth=2):
            with contextlib.suppress(OSError, ValueError):
                file.close()
    with contextlib.suppress(OSError):
        writer._finish()


def _open_files(obj: Any, depth: int) -> Iterator[Any]:
    """The writable files an index writer part holds, directly or one object further down."""
    if obj is None or not hasattr(obj, "__dict__"):
        return
    for value in vars(obj).values():
        for item in value.values() if isinstance(value, dict) else (value,):
            if hasattr(item, "write") and callable(getattr(item, "close", None)):
                yield item
            elif depth > 1:
                yield from _open_files(item, depth - 1)


def _advance(applied: Applied, rows: list[Any]) -> Applied:
    """Move the watermark over applied rows and over gaps old enough to stay empty."""
    seq = applied.seq
    cutoff = datetime.now(UTC) - timedelta(seconds=GAP_SECONDS)
    extra = set(applied.extra)
    for r in rows:
        extra.add(r.seq)
    for r in rows:
        if r.seq <= seq:
            continue
        at = r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC)
        if r.seq == seq + 1 or at < cutoff:
            seq = r.seq
        else:
            break
    return Applied(seq, {s for s in extra if s > seq})
