"""The flat spreadsheet format: one row per service, Dutch column names, ``;`` or ``,``.

``columns``: the template's columns, their other spellings and lists in a cell;
``read``: a spreadsheet into HSDS-shaped services; ``write``: services into rows;
``opening_hours``: the notation "ma 09:00-12:00 inloop" both ways.
"""

from .columns import HEADERS, PUBLIC_HEADERS
from .opening_hours import format_opening_hours, parse_opening_hours
from .read import parse_flat_csv
from .write import export_flat_csv, flat_row

__all__ = [
    "HEADERS",
    "PUBLIC_HEADERS",
    "export_flat_csv",
    "flat_row",
    "format_opening_hours",
    "parse_flat_csv",
    "parse_opening_hours",
]
