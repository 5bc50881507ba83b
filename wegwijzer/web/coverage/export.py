"""The inventarisatie as CSV that Excel opens correctly, and the shared CSV cell guard."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask_babel import gettext as _

from ...domain.text import safe_cell as neutralise
from ...services.coverage import LOCAL, NATIONAL, REGIONAL, Inventory

#: Excel reads UTF-8 only with a byte-order mark; Dutch Excel splits on semicolons.
BOM = "\ufeff"


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return a semicolon CSV with a BOM and CRLF line ends, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return BOM + out.getvalue()


def scope_label(scope: str) -> str:
    """Return the Dutch (or English) word for a scope."""
    return {LOCAL: _("lokaal"), REGIONAL: _("regionaal"), NATIONAL: _("landelijk")}[scope]


def inventory_csv(inv: Inventory, lang: str = "nl") -> str:
    """Return the inventarisatie: one row per organisation, internal fields included."""
    header = [
        _("Organisatie"),
        _("Soort organisatie"),
        _("Bereik"),
        _("Gemeenten"),
        _("Aantal diensten"),
        _("Diensten"),
        _("Fasen"),
        _("Thema's"),
        _("Doelgroepen"),
        _("Financiering"),
        _("Samenwerkingsafspraak"),
        _("Coördinator"),
        _("Oudste controle"),
        _("Nooit gecontroleerd"),
        _("Ouder dan %(n)s maanden", n=inv.stale_months),
    ]
    rows = []
    for row in inv.rows:
        rows.append(
            [
                row.name,
                ", ".join(inv.labels(row, "organisatietype", lang)),
                ", ".join(scope_label(s) for s in row.scopes),
                ", ".join(inv.names[gm] for gm in row.gm_codes),
                row.entries,
                "; ".join(row.services),
                ", ".join(inv.labels(row, "fase", lang)),
                ", ".join(inv.labels(row, "thema", lang)),
                ", ".join(inv.labels(row, "doelgroep", lang)),
                ", ".join(row.funding),
                ", ".join(row.agreements),
                ", ".join(row.coordinators),
                row.oldest_verified_at.date().isoformat() if row.oldest_verified_at else "",
                row.never_verified,
                row.stale,
            ]
        )
    return write_csv(header, rows)
