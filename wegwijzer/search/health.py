"""Notice a missing or damaged index generation and build a new one in the background.

Searches keep going from readers whose files are still open (a deleted directory) or are
refused with SearchUnavailable (changed files), while one thread per process rebuilds; the
rebuild lock makes that one builder per index directory, and a process that waited for it
reuses the generation the other one built.
"""

from __future__ import annotations

import logging
import pickle
import struct
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from whoosh.index import Index

from .results import SearchUnavailable
from .store import Damage, IndexBroken, SegmentFiles, open_generation

log = logging.getLogger(__name__)

#: After a failed repair, wait this long (seconds) before trying again.
REPAIR_RETRY = 60.0
#: Errors a damaged or truncated segment file raises while it is read.
DATA_ERRORS = (OSError, EOFError, zlib.error, struct.error, pickle.UnpicklingError)


class Live(Protocol):
    """The generation a process serves from (``engine._Live``)."""

    path: Path
    ix: Index
    files: SegmentFiles
    damage: Damage | None


class Repairer:
    """Marks a generation broken and runs at most one background rebuild at a time."""

    def __init__(self, rebuild: Callable[[Path], int]) -> None:
        """``rebuild(broken)`` builds (or adopts) a generation other than ``broken``."""
        self._rebuild = rebuild
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._not_before = 0.0

    def fail(self, live: Live, fallback: Damage, exc: BaseException | None = None) -> None:
        """Stop using ``live`` for new readers (or at all, if unreadable); build a new one."""
        damage = live.files.check(live.ix) or fallback
        if live.damage is None or (live.damage.readable and not damage.readable):
            live.damage = damage
            log.warning("Zoekindex: %s; er wordt een nieuwe gebouwd.", damage.reason, exc_info=exc)
        with self._lock:
            busy = self._thread is not None and self._thread.is_alive()
            if busy or time.monotonic() < self._not_before:
                return
            self._thread = threading.Thread(
                target=self._run, args=(live.path,), name="wegwijzer-zoekindex-herstel", daemon=True
            )
            self._thread.start()

    def _run(self, broken: Path) -> None:
        try:
            count = self._rebuild(broken)
        except Exception:  # noqa: BLE001 - a background thread must report, then retry later
            log.exception("Zoekindex herstellen mislukt; nieuwe poging over %.0f s.", REPAIR_RETRY)
            self._not_before = time.monotonic() + REPAIR_RETRY
        else:
            log.warning("Zoekindex hersteld: %s diensten.", count)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a running repair; return True when none is running."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def search_failed(self, live: Live | None, exc: Exception) -> bool:
        """Return whether a failed search was the index's fault; if so, start repairing it."""
        if live is None or isinstance(exc, SQLAlchemyError | SearchUnavailable):
            return False
        if live.damage is not None:
            return True
        damage = live.files.check(live.ix)
        if damage is None and isinstance(exc, DATA_ERRORS):
            damage = Damage(f"lezen mislukt: {type(exc).__name__}: {exc}", readable=False)
        if damage is None:
            try:
                open_generation(live.path)
            except IndexBroken as broken:
                damage = Damage(str(broken), readable=False)
        if damage is None:
            return False
        self.fail(live, damage, exc)
        return True


def index_status(engine: Any, catch_up: bool = True) -> dict[str, Any]:
    """Return what ``/readyz`` says about this process's index (no paths, no personal data).

    ``generation`` is the live generation on disk, ``applied`` its change-log watermark and
    the numbers above it it applied too; ``serving`` is False while a damaged index is
    rebuilt; ``write_problem`` says why updates cannot be written (read-only or full).
    Raises SQLAlchemyError when the database cannot be reached.
    """
    from .store import current_generation, read_applied, read_meta

    live = getattr(engine, "_live", None)
    if catch_up and live is not None and live.damage is None:
        # A quiet process applies waiting changes here, so its lag means a real problem;
        # never blocks, never builds an index (that would make a probe take minutes).
        engine.sync(wait=False)
    gen = current_generation(engine.root)
    damage = live.damage if live is not None else None
    out: dict[str, Any] = {
        "generation": gen.name if gen else None,
        "built_at": None,
        "services": None,
        "applied": None,
        "applied_extra": [],
        "serving": gen is not None and (damage is None or damage.readable),
        "problem": damage.reason if damage is not None else None,
        "write_problem": engine.tracker.write_problem,
    }
    if gen is not None:
        try:
            meta = read_meta(gen)
        except IndexBroken as exc:
            out["serving"] = False
            out["problem"] = str(exc)
        else:
            out["built_at"] = meta.get("built_at")
            out["services"] = meta.get("services")
        applied = read_applied(gen)
        out["applied"] = applied.seq
        out["applied_extra"] = sorted(applied.extra)
    return out
