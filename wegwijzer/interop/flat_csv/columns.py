"""The spreadsheet's columns, the other spellings people use, and lists inside one cell.

What each column holds is documented for users in data/templates/wegwijzer-diensten.md.
"""

from __future__ import annotations

import re

from ...domain.facets import CORE
from ...domain.text import ascii_fold

#: One term column per shipped taxonomy, named by its facet: column → taxonomy name.
TAXONOMY_COLUMNS = {f.facet: f.taxonomy for f in CORE}
#: One location per service: its name, id, address and point.
LOCATION_COLUMNS = (
    "locatie",
    "locatie-id",
    "adres",
    "postcode",
    "plaats",
    "breedtegraad",
    "lengtegraad",
)
#: The service's fixed contact for referrers (internal export only).
CONTACT_COLUMNS = ("contactpersoon", "contact-telefoon", "contact-e-mail", "contact-openbaar")
#: Municipality-only fields (internal export only): column → Service attribute.
INTERNAL_COLUMNS = {
    "financiering": "funding_source",
    "samenwerkingsafspraak": "collaboration_agreement",
    "coordinator": "coordinator",
    "interne-notities": "internal_notes",
}
#: The columns of the public template and export, in order.
PUBLIC_HEADERS = (
    "id",
    "organisatie",
    "organisatie-id",
    "naam",
    "omschrijving",
    "telefoon",
    "e-mail",
    "website",
    *LOCATION_COLUMNS,
    "gemeenten",
    *TAXONOMY_COLUMNS,
    "openingstijden",
    "aanmeldroute",
    "overdracht",
    "warme-overdracht",
    "kosten",
    "talen",
    "trefwoorden",
    "publicatiestatus",
    "laatst-gecontroleerd",
)
#: The columns of the internal export: the public ones, then the contact and internal fields.
HEADERS = (*PUBLIC_HEADERS, *CONTACT_COLUMNS, *INTERNAL_COLUMNS)

#: Other spellings people use in spreadsheets, after folding (lowercase, no accents/spaces).
ALIASES = {
    "dienst": "naam",
    "naamdienst": "naam",
    "beschrijving": "omschrijving",
    "telefoonnummer": "telefoon",
    "tel": "telefoon",
    "email": "e-mail",
    "mail": "e-mail",
    "url": "website",
    "straat": "adres",
    "woonplaats": "plaats",
    "latitude": "breedtegraad",
    "lat": "breedtegraad",
    "longitude": "lengtegraad",
    "lon": "lengtegraad",
    "lng": "lengtegraad",
    "gemeente": "gemeenten",
    "werkgebied": "gemeenten",
    "themas": "thema",
    "fases": "fase",
    "doelgroepen": "doelgroep",
    "aanmelden": "aanmeldroute",
    "status": "publicatiestatus",
    "laatstgecontroleerd": "laatst-gecontroleerd",
    "gecontroleerd": "laatst-gecontroleerd",
    "coordinatorgemeente": "coordinator",
}
#: Language names in the ``talen`` column → ISO 639 codes.
LANGUAGE_CODES = {
    "nederlands": "nl", "engels": "en", "duits": "de", "frans": "fr", "spaans": "es",
    "portugees": "pt", "pools": "pl", "turks": "tr", "arabisch": "ar", "tigrinya": "ti",
    "oekraiens": "uk", "russisch": "ru", "somalisch": "so", "papiaments": "pap",
    "farsi": "fa", "perzisch": "fa", "dari": "prs", "koerdisch": "ku", "roemeens": "ro",
    "bulgaars": "bg", "chinees": "zh", "berbers": "ber", "tamazight": "ber",
    "italiaans": "it", "hongaars": "hu", "fries": "fy",
}  # fmt: skip


def fold_header(text: str) -> str:
    """Return a header in a comparable form: lowercase, no accents, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


_KNOWN = {fold_header(h): h for h in HEADERS}
_KNOWN.update(ALIASES)


def known_header(text: str) -> str | None:
    """Return the template column a spreadsheet header means, or None."""
    return _KNOWN.get(fold_header(text))


def split_cell(value: str, separators: str = ";,\n") -> list[str]:
    """Return the non-empty parts of a cell holding several values."""
    return [part.strip() for part in re.split(f"[{re.escape(separators)}]", value) if part.strip()]


def cell_items(value: str) -> list[str]:
    """Split a checklist cell: items separated by ``;``, or one per line (``•`` optional)."""
    if "\n" in value or value.startswith("•"):
        return [item.strip().lstrip("•").strip() for item in split_cell(value, "\n")]
    return split_cell(value, ";")


def join_items(items: list[str]) -> str:
    """Return checklist items as one cell (see :func:`cell_items`)."""
    if any(";" in item for item in items):
        # An item with its own ";": one bulleted item per line in the cell.
        return "\n".join(f"• {item}" for item in items)
    return "; ".join(items)
