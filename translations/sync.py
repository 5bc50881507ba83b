"""Extract fixed texts, update the nl and en catalogues and compile them.

Dutch is the source language, so the nl catalogue repeats each msgid; English translations are
written by hand in ``en/LC_MESSAGES/messages.po``. Run from the project root:

    .venv/bin/python translations/sync.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]


def run(*args: str) -> None:
    subprocess.run([*PYBABEL, *args], cwd=ROOT, check=True)


def fill_dutch() -> None:
    """Make every nl entry its own msgid (the source text), never fuzzy."""
    path = HERE / "nl" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="nl")
    for message in catalog:
        if not message.id:
            continue
        message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100)


def main() -> None:
    run("extract", "-F", "babel.cfg", "-k", "_l", "-k", "_n:1,2", "--add-comments=TRANSLATORS:",
        "--sort-by-file", "-w", "100", "-o", "translations/messages.pot", "wegwijzer")
    for lang in ("nl", "en"):
        po = HERE / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            run("update", "-i", "translations/messages.pot", "-d", "translations", "-l", lang,
                "-w", "100", "--no-fuzzy-matching")
        else:
            run("init", "-i", "translations/messages.pot", "-d", "translations", "-l", lang,
                "-w", "100")
    fill_dutch()
    run("compile", "-d", "translations", "--statistics")


if __name__ == "__main__":
    main()
