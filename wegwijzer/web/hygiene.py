"""Refuse control characters in every request: the address, query and form fields, JSON bodies.

Checked once, before any view runs, so no page, form or API call can hand a NUL byte to the
database (PostgreSQL refuses it) or an invisible control character to the search index.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _

from ..domain.limits import forbidden_character
from .errors import BadParameter

#: Deepest JSON nesting looked into (no view reads deeper structures).
MAX_JSON_DEPTH = 64


class BadCharacter(BadParameter):
    """A parameter (or the address) holds a control character; ``parameter`` names it."""

    def __init__(self, parameter: str | None, message: str) -> None:
        super().__init__(message, parameter)


def _printable_name(name: str) -> str:
    return "".join("?" if forbidden_character(c) else c for c in name)[:60]


def _json_texts(value: Any, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """Yield (path, text) for every key and string in a JSON value."""
    if isinstance(value, str):
        yield path, value
    elif depth >= MAX_JSON_DEPTH:
        return
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_texts(item, f"{path}[{i}]", depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key)
            yield from _json_texts(item, child, depth + 1)


def _parameters() -> Iterator[tuple[str, str]]:
    """Yield (name, text) for every name and value the request carries."""
    for source in (request.args, request.form):
        for name, values in source.lists():
            yield name, name
            for value in values:
                yield name, value
    for name, upload in request.files.items(multi=True):
        yield name, name
        yield name, upload.filename or ""
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            # Nested too deep to read: no view can use it either.
            body = None
        if body is not None:
            yield from _json_texts(body, "")


def check_request() -> None:
    """Raise BadCharacter (a 400) when the request holds a forbidden character anywhere."""
    code = forbidden_character(request.path)
    if code:
        raise BadCharacter(
            None,
            _(
                "Het adres bevat een onzichtbaar stuurteken (%(code)s). "
                "Controleer de link en probeer het opnieuw.",
                code=code,
            ),
        )
    for name, text in _parameters():
        code = forbidden_character(text)
        if code:
            shown = _printable_name(name) or "?"
            raise BadCharacter(
                shown,
                _(
                    "Het veld ‘%(field)s’ bevat een onzichtbaar stuurteken (%(code)s). "
                    "Haal het weg en probeer het opnieuw.",
                    field=shown,
                    code=code,
                ),
            )


def init_input_checks(app: Flask) -> None:
    """Check every request before other hooks (CSRF, language) and views read it."""
    app.before_request(check_request)
