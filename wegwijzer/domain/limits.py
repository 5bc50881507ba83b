"""Input limits shared by the beheer forms, the importers and the request checks.

One place for how long a text may be, how many rows a repeated list may have and which
characters never belong in input. Column widths of the database (``String(255)``) are the
ceiling for short fields; the free texts (``Text`` columns) get a cap here so one entry
cannot make a page or a search slow for everybody.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from os import PathLike

#: Names, titles, a contact's function, address lines, a coordinator (``String(255)``).
NAME = 255
#: One-line notes: wait time, the reason of a closed day, what a phone number is for.
SHORT_TEXT = 255
#: An e-mail address (RFC 5321 allows 254 characters).
EMAIL = 254
#: A web address (``String(500)``).
URL = 500
#: A phone number (``String(40)``).
PHONE = 40
#: Any free text: descriptions, how to apply, for whom, costs, notes, the referral route.
TEXT = 10_000

#: Rows per repeated list of one service (or organisation): in the form and in an import.
PHONES = 20
CONTACTS = 20
WEEKLY_HOURS = 30
EXCEPTIONS = 100
#: An import has weekly hours and exceptions in one list.
SCHEDULES = WEEKLY_HOURS + EXCEPTIONS

#: Control characters (C0 except tab, LF and CR; DEL; C1) and lone surrogates. They are
#: invisible, PostgreSQL refuses NUL and a surrogate cannot be stored as UTF-8. C1 only
#: turns up in text read with the wrong character set, so it is refused as well.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def forbidden_character(text: str) -> str | None:
    """Return the first forbidden character of ``text`` as ``U+0000``, or None."""
    match = _FORBIDDEN.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def find_forbidden(values: Mapping[str, object]) -> tuple[str, str] | None:
    """Return (name, ``U+0000``) of the first value with a forbidden character, or None.

    A value may be text, a path or a tuple of those (a repeated command-line option).
    """
    for name, value in values.items():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, str | PathLike):
                code = forbidden_character(str(item))
                if code:
                    return name, code
    return None
