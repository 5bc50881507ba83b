"""Municipality-only fields: the fixed choices for funding and collaboration agreements.

These values appear in beheer forms, imports, exports and the inventarisatie; they are never
shown on public pages, in the API or in public exports.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Where the money comes from (``funding_source``).
FUNDING_SOURCES = {
    "gemeentelijke-subsidie": _l("Gemeentelijke subsidie"),
    "provincie": _l("Provincie"),
    "rijk": _l("Rijk"),
    "fondsen": _l("Fondsen"),
    "donaties": _l("Donaties"),
    "eigen-middelen": _l("Eigen middelen"),
}

#: The kind of agreement with the municipality (``collaboration_agreement``).
AGREEMENTS = {
    "subsidieovereenkomst": _l("Subsidieovereenkomst"),
    "convenant": _l("Convenant"),
    "samenwerkingsafspraak": _l("Samenwerkingsafspraak"),
    "inkoopcontract": _l("Inkoopcontract"),
    "informeel": _l("Informele afspraak"),
    "geen": _l("Geen afspraak"),
}


def funding_label(code: str | None) -> str:
    """Return the label of a funding source, or the stored text when it is not a known code."""
    return str(FUNDING_SOURCES.get(code or "", code or ""))


def agreement_label(code: str | None) -> str:
    """Return the label of an agreement type, or the stored text when it is not a known code."""
    return str(AGREEMENTS.get(code or "", code or ""))
