"""The language of a request and the link helpers of every template.

The language travels in ``?lang=`` (never a cookie); the languages are ``LANGUAGES`` in the
configuration, the first being the default that is left out of URLs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..domain.languages import site_languages
from .errors import BadParameter


def languages() -> tuple[str, ...]:
    """Return the languages of the site (configuration ``LANGUAGES``); the first is the default."""
    return site_languages()


def default_language() -> str:
    return languages()[0]


def select_locale() -> str:
    """Return the language of this request (Flask-Babel's locale selector)."""
    if has_request_context():
        lang = request.args.get("lang")
        if lang in languages():
            return lang
    return getattr(g, "lang", None) or default_language()


def get_locale() -> str:
    """Return the language of this request, one of ``LANGUAGES``."""
    return select_locale()


def check_language() -> None:
    """Refuse ``?lang=`` values the site does not speak (a 400 naming the choices)."""
    lang = request.args.get("lang")
    if lang is not None and lang not in languages():
        raise BadParameter(
            _(
                "De taal ‘%(lang)s’ kennen we niet. Kies %(choices)s.",
                lang=lang[:20],
                choices=" of ".join(languages()),
            ),
            "lang",
        )


def url_lang(endpoint: str, **values: Any) -> str:
    """Build a URL like ``url_for`` that keeps the visitor's language (``?lang=en``)."""
    lang = values.pop("lang", None) or get_locale()
    if lang != default_language():
        values["lang"] = lang
    return url_for(endpoint, **values)


def path_lang(path: str) -> str:
    """Add the visitor's language to a plain site path such as ``/wegwijzer``."""
    lang = get_locale()
    if lang == default_language():
        return path
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}lang={lang}"


def switch_lang_url(lang: str) -> str:
    """Return the current page in another language, keeping every other parameter."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    pairs.append(("lang", lang))
    return f"{request.path}?{urlencode(pairs)}"


def lang_field() -> Markup:
    """Return a hidden ``lang`` input for GET forms when the page is not in Dutch."""
    lang = get_locale()
    if lang == default_language():
        return Markup("")
    return Markup('<input type="hidden" name="lang" value="{}">').format(lang)


def has_endpoint(endpoint: str) -> bool:
    """Return True when the app has a view called ``endpoint`` (optional parts of the site)."""
    return endpoint in current_app.view_functions


def is_web_url(value: object) -> bool:
    """Return True for http(s) addresses: only those become links (never ``javascript:``)."""
    return isinstance(value, str) and urlsplit(value.strip()).scheme in ("http", "https")


def init_i18n(app: Flask) -> None:
    """Check ``?lang=`` on every request and give every template the language helpers."""
    app.before_request(check_language)
    app.jinja_env.globals.update(
        get_locale=get_locale,
        url_lang=url_lang,
        path_lang=path_lang,
        switch_lang_url=switch_lang_url,
        lang_field=lang_field,
        has_endpoint=has_endpoint,
    )
    app.jinja_env.tests["web_url"] = is_web_url
