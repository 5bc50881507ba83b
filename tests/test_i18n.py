"""Both catalogues are complete: every fixed text of the site exists in Dutch and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
with (ROOT / "babel.cfg").open(encoding="utf-8") as _cfg:
    METHOD_MAP, OPTIONS = parse_mapping_cfg(_cfg)
KEYWORDS = {
    "_": None,
    "_l": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "_n": (1, 2),
}


@pytest.fixture(scope="module")
def source_msgids() -> set[str | tuple[str, ...]]:
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "wegwijzer"), METHOD_MAP, OPTIONS, keywords=KEYWORDS
    ):
        found.add(message)
    return found


def _msgid_key(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_fixed_text_is_translated(lang: str, source_msgids: set) -> None:  # type: ignore[type-arg]
    po_path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    missing = []
    for msgid in source_msgids:
        message = catalog.get(_msgid_key(msgid))
        if message is None or message.fuzzy:
            missing.append(_msgid_key(msgid))
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings):
            missing.append(_msgid_key(msgid))
    assert not missing, f"{len(missing)} untranslated in {lang}: {sorted(missing)[:15]}"
    assert len(source_msgids) > 100


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_compiled_catalogue_matches_the_po_file(lang: str) -> None:
    folder = ROOT / "translations" / lang / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as fh:
        po = read_po(fh, locale=lang)
    with (folder / "messages.mo").open("rb") as fh:
        mo = read_mo(fh)

    def key(value: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
        return value if isinstance(value, str) else tuple(value)

    expected = {
        key(m.id): key(m.string)
        for m in po
        if m.id
        and not m.fuzzy
        and all(key(m.string) if not isinstance(m.string, str) else [m.string])
    }
    actual = {key(m.id): key(m.string) for m in mo if m.id}
    assert actual == expected, "run: pybabel compile -d translations"


def test_english_pages_speak_english(client) -> None:  # type: ignore[no-untyped-def]
    dutch = client.get("/").get_data(as_text=True)
    english = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="nl"' in dutch
    assert 'lang="en"' in english
    assert "Waar zoekt u hulp bij?" in dutch
    assert "Waar zoekt u hulp bij?" not in english
