"""The languages of the site (configuration ``LANGUAGES``), and texts given in each of them."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context

from .. import config


def site_languages() -> tuple[str, ...]:
    """Return the site's languages, the default first (the app's, else the default config)."""
    if has_app_context():
        return tuple(current_app.config["LANGUAGES"])
    return tuple(config.LANGUAGES)


def language_texts(value: Any, where: str) -> dict[str, str]:
    """Return ``{lang: text}`` for every site language; raise ValueError naming ``where``."""
    languages = site_languages()
    if not isinstance(value, dict):
        raise ValueError(f"{where} moet een tekst in {_names(languages)} hebben.")
    for lang in languages:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: de tekst in '{lang}' ontbreekt of is leeg.")
    return {lang: value[lang].strip() for lang in languages}


def _names(languages: tuple[str, ...]) -> str:
    quoted = [f"'{lang}'" for lang in languages]
    return " en ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)


class Labelled:
    """A record with its texts in a Dutch and an English field (``label_nl``, ``label_en``,
    …): ``label(lang)``, and ``text_in`` for the others. Other languages get the Dutch text."""

    def text_in(self, name: str, lang: str) -> str:
        """Return the text ``name`` (e.g. ``"label"``) in ``lang``."""
        return str(getattr(self, f"{name}_en" if lang == "en" else f"{name}_nl"))

    def label(self, lang: str = "nl") -> str:
        return self.text_in("label", lang)
