"""Plain words (B1) for residents: the taxonomy labels and the public pages' texts.

The readability hints editors get (``wegwijzer.domain.readability``: sentences over 20 words,
words over 15 letters) are applied to every Dutch text a resident reads: taxonomy labels and
explanations, and every fixed text of the public templates. An expert term may stand beside a
plain label as a hint, in brackets ("Waar staat u nu? (fase)"); the check skips those.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from flask import Flask
from flask.testing import FlaskClient

from wegwijzer.domain.readability import readability_hints

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "wegwijzer" / "templates"
#: Folders (and files) of templates residents see.
PUBLIC_TEMPLATES = ("public", "route", "errors", "base.html", "_simple_page.html")
#: Long words kept on purpose, each with its reason.
ALLOWED_LONG_WORDS = {
    # The page every Dutch public site must have under this name (toegankelijkheidsverklaring).
    "toegankelijkheid",
    # The helpers' own word, on the pages and links for helpers.
    "overdrachtsformulier",
    # Only on the demo site's banner.
    "voorbeeldgegevens",
}
_BRACKETS = re.compile(r"\([^)]*\)")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _problems(text: str) -> list[str]:
    text = _PLACEHOLDER.sub("X", _BRACKETS.sub("", text))
    hints = readability_hints(text)
    words = {w.lower() for w in re.findall(r"[^\W\d_]{16,}", text)}
    if words and words <= ALLOWED_LONG_WORDS and not any("zin" in h for h in hints):
        return []
    return hints


def _taxonomy() -> list[dict]:
    return json.loads((ROOT / "data" / "taxonomy.json").read_text(encoding="utf-8"))["taxonomies"]


def test_taxonomy_labels_and_explanations_are_plain_dutch(app: Flask) -> None:
    found = {}
    with app.test_request_context():
        for tax in _taxonomy():
            texts = [tax["label"]["nl"], tax.get("description", {}).get("nl", "")]
            for term in tax["terms"]:
                texts += [term["label"]["nl"], term.get("explanation", {}).get("nl", "")]
            for text in texts:
                if _problems(text):
                    found[text] = _problems(text)
    assert found == {}


def test_expert_terms_are_hints_beside_plain_labels() -> None:
    taxonomies = {t["facet"]: t for t in _taxonomy()}
    assert taxonomies["fase"]["label"]["nl"] == "Waar staat u nu?"
    assert taxonomies["fase"]["hint"]["nl"] == "fase"
    assert taxonomies["organisatietype"]["hint"]["nl"] == "soort organisatie"
    phases = {t["code"]: t for t in taxonomies["fase"]["terms"]}
    assert phases["voor-aanmelding"]["label"]["nl"] == "Nog geen schuldhulp"
    assert phases["voor-aanmelding"]["hint"] == {
        "nl": "voor en bij aanmelding",
        "en": "before and at registration",
    }
    labels = [t["label"]["nl"] for t in taxonomies.values()] + [
        term["label"]["nl"] for t in taxonomies.values() for term in t["terms"]
    ]
    for jargon in ("Fase", "Voor en bij aanmelding", "Soort organisatie", "Nazorg"):
        assert jargon not in labels


def _public_msgids() -> dict[str, str]:
    found = {}
    for name in PUBLIC_TEMPLATES:
        path = TEMPLATES / name
        for template in sorted(path.rglob("*.html") if path.is_dir() else [path]):
            for _line, message, _comments, _context in extract_from_file(
                "jinja2",
                str(template),
                keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
                options={"extensions": "jinja2.ext.i18n"},
            ):
                for text in [message] if isinstance(message, str) else message:
                    found[text] = template.relative_to(TEMPLATES).as_posix()
    return found


def test_public_page_texts_are_plain_dutch(app: Flask) -> None:
    texts = _public_msgids()
    assert len(texts) > 150
    with app.test_request_context():
        found = {f"{where}: {text[:60]}": _problems(text) for text, where in texts.items()}
    assert {k: v for k, v in found.items() if v} == {}


def test_results_page_shows_plain_labels_with_the_expert_term_as_hint(
    client: FlaskClient, make_service
) -> None:  # type: ignore[no-untyped-def]
    make_service(
        "Vroeg erbij Zwolle",
        terms={"fase": ["voor-aanmelding"], "organisatietype": ["vrijwilligersorganisatie"]},
    )
    for lang, label, hint in (
        ("nl", "Waar staat u nu?", "(fase)"),
        ("en", "Where are you now?", "(phase)"),
    ):
        html = client.get(f"/zoeken?q=vroeg&lang={lang}").get_data(as_text=True)
        summary = re.search(r"<summary>([^<]*)<span class=\"term-hint\">([^<]*)</span>", html)
        assert summary is not None
        assert (summary.group(1).strip(), summary.group(2)) == (label, hint)
    html = client.get("/zoeken?q=vroeg").get_data(as_text=True)
    assert 'Nog geen schuldhulp (1)<span class="term-hint">voor en bij aanmelding</span>' in html
    assert "Wie helpt er?" in html and '<span class="term-hint">(soort organisatie)</span>' in html


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_hints_are_loaded_in_both_languages(app: Flask, lang: str) -> None:
    from wegwijzer.extensions import db
    from wegwijzer.services.taxonomy import list_taxonomies

    with app.app_context():
        taxonomies = {t.facet: t for t in list_taxonomies(db.session)}
    phase = taxonomies["fase"]
    assert phase.hint(lang) == {"nl": "fase", "en": "phase"}[lang]
    assert phase.term("voor-aanmelding").hint(lang)
    assert taxonomies["thema"].hint(lang) == ""
