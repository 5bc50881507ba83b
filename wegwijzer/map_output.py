"""What a map becomes on a page, and the per-process cache of rendered maps.

``maps`` builds maps with folium; this module holds what needs no folium: the tokens that
keep texts out of folium's templates (``MapTexts``, ``js_string``), plain-text stand-ins for
the templates branca would compile from our already rendered parts, the rendered map without
its CSP nonce (``RenderedMap``, kept in the cache with its script compressed) and with it
(``MapParts``, what a page gets), and a small LRU bounded in entries and bytes.

A map is a pure function of its inputs (markers, language, tile settings, static URLs), and
rendering one costs milliseconds; the same service page or result list is asked for again and
again. Each gunicorn worker has its own cache, so the bounds are per worker; an entry larger
than a quarter of the byte budget is not kept at all.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import json
import re
import secrets
import sys
import threading
import types
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import jinja2
from markupsafe import Markup

from . import config
from .security import csp_nonce


def js_string(value: str) -> str:
    """Return ``value`` as a JSON string literal that is safe inside an inline ``<script>``.

    The same encoding as folium's ``tojson``: ASCII only (so also U+2028/U+2029 escaped) and
    ``< > & '`` as ``\\u`` escapes, so the text can never close the script or start markup.
    """
    return (
        json.dumps(value)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


#: What Jinja would read as a tag, an expression or a comment.
TEMPLATE_SYNTAX = ("{{", "{%", "{#")


class MapTexts:
    """Stand-ins for the texts on one map, so no text ever becomes template source.

    branca renders each folium element to a string and then wraps that string in
    ``Element(...)``, which compiles it as a Jinja template and runs it when the page script
    is rendered (unless it is plain text built under ``plain_templates``). Text inside
    folium's data would be template source: ``{{ 7*7 }}`` in a service name showed 49 and
    ``{{ lipsum.__globals__ ... }}`` ran commands. So every text (names,
    addresses, links, labels, the tile settings) goes into folium as an opaque token of
    ``[0-9a-z]`` and is put back, JSON-encoded, into the finished script by ``splice``.
    """

    _TOKEN = re.compile(r"wwt[0-9a-f]{32}")

    def __init__(self) -> None:
        self._token_of: dict[str, str] = {}
        self._value_of: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        """Return the token that stands for ``value`` (the same token for the same text)."""
        if not value:
            # Nothing to hide, and folium tests some settings for being empty.
            return value
        token = self._token_of.get(value)
        if token is None:
            token = "wwt" + secrets.token_hex(16)
            self._token_of[value] = token
            self._value_of[token] = value
        return token

    def feature(self, feature: dict[str, Any]) -> dict[str, Any]:
        """Return a copy of a GeoJSON feature whose text properties are tokens."""
        properties = {
            key: self(value) if isinstance(value, str) else value
            for key, value in (feature.get("properties") or {}).items()
        }
        return {**feature, "properties": properties}

    def splice(self, script: str) -> str:
        """Put the texts back into a rendered script, each as a JSON string literal."""
        pieces = []
        done = 0
        # A plain prefix ("wwt") lets the regex skip ahead; the quotes are checked by hand.
        for match in self._TOKEN.finditer(script):
            value = self._value_of.get(match.group())
            if value is None:
                continue
            start, end = match.span()
            if script[start - 1 : start] != '"' or script[end : end + 1] != '"':
                # Outside a JSON string the text could not be put back safely.
                raise RuntimeError("map text outside a JSON string in the folium output")
            pieces += (script[done : start - 1], js_string(value))
            done = end + 1
        pieces.append(script[done:])
        return "".join(pieces)


# While we build a map, a branca ``Element`` made from plain text (every rendered part of our
# maps: texts are tokens) is not compiled as a Jinja template, which cost some 0.5 ms each,
# a dozen times per map. Anywhere else, and for any text that looks like a template, branca
# gets the real ``jinja2.Template``.
_PLAIN_TEMPLATES: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "plain_map_templates", default=False
)
_NEWLINE = re.compile(r"\r\n|\r|\n")


class PlainText:
    """What ``jinja2.Template(source).render()`` returns for a source without any syntax."""

    module = types.SimpleNamespace()  # no macros, like Jinja's module of plain text

    def __init__(self, source: str) -> None:
        lines = _NEWLINE.split(source)
        # Jinja drops one trailing newline and writes every newline as "\n".
        if lines[-1] == "":
            lines.pop()
        self.text = "\n".join(lines)

    def render(self, *_args: Any, **_kwargs: Any) -> str:
        return self.text


def branca_template(source: str) -> Any:
    """Return ``jinja2.Template(source)``, or plain text while a map is built if it has no syntax.

    ``maps.load_folium`` puts this in branca's place of ``jinja2.Template``.
    """
    if _PLAIN_TEMPLATES.get() and not any(mark in source for mark in TEMPLATE_SYNTAX):
        return PlainText(source)
    return jinja2.Template(source)


@contextlib.contextmanager
def plain_templates() -> Iterator[None]:
    """Let ``branca_template`` return plain text in this block (this thread or task only)."""
    token = _PLAIN_TEMPLATES.set(True)
    try:
        yield
    finally:
        _PLAIN_TEMPLATES.reset(token)


@dataclass(frozen=True)
class MapParts:
    """A rendered map: asset tags for ``<head>``, the map ``<div>`` and its nonce'd script."""

    header: Markup
    html: Markup
    script: Markup
    markers: int


@dataclass(frozen=True)
class RenderedMap:
    """A map as cached: everything of ``MapParts`` except the response's nonce.

    In the cache the script (mostly GeoJSON boundaries, 30-100 KB) is kept compressed, about
    a third of its size; unpacking it costs some 0.2 ms against milliseconds to render it.
    """

    header: Markup
    html: Markup
    body: str | bytes  # the script, or the script compressed
    markers: int

    @property
    def script(self) -> str:
        return self.body if isinstance(self.body, str) else zlib.decompress(self.body).decode()

    def packed(self) -> RenderedMap:
        """Return this map with its script compressed, as the cache keeps it."""
        if isinstance(self.body, bytes):
            return self
        return dataclasses.replace(self, body=zlib.compress(self.body.encode(), 1))

    def nbytes(self) -> int:
        return sum(sys.getsizeof(part) for part in (self.header, self.html, self.body))


def with_nonce(rendered: RenderedMap) -> MapParts:
    """Return the parts of a rendered map with its script under this response's CSP nonce."""
    return MapParts(
        header=rendered.header,
        html=rendered.html,
        script=Markup('<script nonce="{}">\n').format(csp_nonce())
        + Markup(rendered.script)
        + Markup("\n</script>"),
        markers=rendered.markers,
    )


V = TypeVar("V")

#: Defaults: the configuration's (``MAP_CACHE_ENTRIES``, ``MAP_CACHE_BYTES``).
DEFAULT_ENTRIES = config.MAP_CACHE_ENTRIES
DEFAULT_BYTES = config.MAP_CACHE_BYTES


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0


class Identity:
    """A cache-key part that stands for one object (compared with ``is``), kept alive.

    For inputs that are shared, never-mutated objects (the gazetteer's boundary features):
    the key holds a reference, so the object's ``id`` cannot be reused while the entry lives.
    """

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Identity) and other.obj is self.obj


class RenderCache(Generic[V]):
    """A thread-safe LRU mapping of hashable keys to values with a known size in bytes."""

    def __init__(self, *, max_entries: int = DEFAULT_ENTRIES, max_bytes: int = DEFAULT_BYTES):
        self.max_entries = max(0, max_entries)
        self.max_bytes = max(0, max_bytes)
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    def get_or_build(
        self,
        key: Hashable,
        build: Callable[[], V],
        size: Callable[[V], int],
        pack: Callable[[V], V] | None = None,
    ) -> V:
        """Return the value for ``key``, building (outside the lock) and keeping it if new.

        What is kept is ``pack(value)`` (if given): its memory in bytes is ``size`` of it plus
        the key's own size. Two threads that miss the same key at once both build it; the
        second one's copy wins.
        """
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self._hits += 1
                return found[0]
            self._misses += 1
        value = build()
        if self.max_entries and self.max_bytes:
            kept = pack(value) if pack is not None else value
            self._keep(key, kept, size(kept) + key_size(key))
        return value

    def _keep(self, key: Hashable, value: V, nbytes: int) -> None:
        if nbytes > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _key, (_value, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._items), self._bytes)


def key_size(key: object) -> int:
    """Estimate the memory of a key made of tuples, strings, numbers and ``Identity``."""
    if isinstance(key, tuple):
        return sys.getsizeof(key) + sum(key_size(part) for part in key)
    if isinstance(key, Identity):
        # The object itself is shared with its owner; only the reference is ours.
        return sys.getsizeof(key)
    if hasattr(key, "__dataclass_fields__"):
        return sys.getsizeof(key) + sum(
            key_size(getattr(key, name)) for name in key.__dataclass_fields__
        )
    return sys.getsizeof(key)
