"""Language and link helpers for templates; the language travels in ``?lang=``, not a cookie."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale as babel_locale
from markupsafe import Markup

#: Languages the public site speaks; the first is the default and is left out of URLs.
LANGUAGES = ("nl", "en")
DEFAULT_LANG = LANGUAGES[0]


def get_locale() -> str:
    """Return the language of this request: ``nl`` or ``en``."""
    locale = babel_locale()
    lang = locale.language if locale is not None else DEFAULT_LANG
    return lang if lang in LANGUAGES else DEFAULT_LANG


def url_lang(endpoint: str, **values: Any) -> str:
    """Build a URL like ``url_for`` that keeps the visitor's language (``?lang=en``)."""
    lang = values.pop("lang", None) or get_locale()
    if lang != DEFAULT_LANG:
        values["lang"] = lang
    return url_for(endpoint, **values)


def path_lang(path: str) -> str:
    """Add the visitor's language to a plain site path such as ``/wegwijzer``."""
    lang = get_locale()
    if lang == DEFAULT_LANG:
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
    if lang == DEFAULT_LANG:
        return Markup("")
    return Markup('<input type="hidden" name="lang" value="{}">').format(lang)


def has_endpoint(endpoint: str) -> bool:
    """Return True when the app has a view called ``endpoint`` (optional parts of the site)."""
    return endpoint in current_app.view_functions


def is_web_url(value: object) -> bool:
    """Return True for http(s) addresses: only those become links (never ``javascript:``)."""
    return isinstance(value, str) and urlsplit(value.strip()).scheme in ("http", "https")


def init_template_globals(app: Flask) -> None:
    """Make the language and link helpers available in every template."""
    app.jinja_env.globals.update(
        get_locale=get_locale,
        url_lang=url_lang,
        path_lang=path_lang,
        switch_lang_url=switch_lang_url,
        lang_field=lang_field,
        has_endpoint=has_endpoint,
    )
    app.jinja_env.tests["web_url"] = is_web_url
