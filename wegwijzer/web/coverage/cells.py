"""Render the cells of the coverage tables: thousands per page, so in Python, not in macros.

A cell says in words what it holds (for screen readers and without colour): "Geen aanbod" or
"Overlap (n)", then the local, regional and national counts, with the row and column named in
hidden text. The pattern classes (``cel--gat`` hatched, ``cel--overlap`` dotted) add the
visual cue.
"""

from __future__ import annotations

from urllib.parse import quote_plus

from flask import url_for
from flask_babel import gettext
from markupsafe import Markup, escape

from ...services.coverage import Counts


class CellRenderer:
    """Build cell HTML and drill-down URLs; texts are translated once per page."""

    def __init__(self, threshold: int, lang: str) -> None:
        self.threshold = threshold
        self.base = url_for("coverage.cell")
        self.lang = lang
        # Escaped format strings, filled per cell below (gettext without values returns them
        # unfilled). Plain string building: Markup.format per cell costs ten times as much.
        self.t_local = str(escape(gettext("%(n)s lokaal")))
        self.t_regional = str(escape(gettext("%(n)s regionaal")))
        self.t_national = str(escape(gettext("%(n)s landelijk")))
        self.t_gap = str(escape(gettext("Geen aanbod")))
        self.t_overlap = str(escape(gettext("Overlap (%(n)s)")))
        self._escaped: dict[str, str] = {}
        self._quoted: dict[str, str] = {}

    def _esc(self, text: str) -> str:
        if text not in self._escaped:
            self._escaped[text] = str(escape(text))
        return self._escaped[text]

    def url(self, gm_code: str, facet: str, code: str, phase: str | None = None) -> str:
        """Return ``/beheer/dekking/cel?gm=…&fase=…&<facet>=…`` in the page language."""
        query = f"gm={self._quote(gm_code)}"
        if phase:
            query += f"&fase={self._quote(phase)}"
        query += f"&{self._quote(facet)}={self._quote(code)}"
        if self.lang == "en":
            query += "&lang=en"
        return f"{self.base}?{query}"

    def _quote(self, value: str) -> str:
        if value not in self._quoted:
            self._quoted[value] = quote_plus(value)
        return self._quoted[value]

    def _lines(self, counts: Counts) -> str:
        return (
            f'<span class="cel__regel">{self.t_local % {"n": counts.local}}</span>'
            f'<span class="cel__regel">{self.t_regional % {"n": counts.regional}}</span>'
            f'<span class="cel__regel">{self.t_national % {"n": counts.national}}</span>'
        )

    def lines(self, counts: Counts) -> Markup:
        """Return the three count lines of a cell."""
        return Markup(self._lines(counts))

    def cell(self, counts: Counts, url: str, row_label: str, col_label: str) -> Markup:
        """Return one ``<td>`` of a matrix, linked to its drill-down list."""
        if counts.is_gap:
            css, badge = " cel--gat", f'<span class="cel__status">{self.t_gap}</span>'
        elif counts.is_overlap(self.threshold):
            text = self.t_overlap % {"n": counts.organisations}
            css, badge = " cel--overlap", f'<span class="cel__status">{text}</span>'
        else:
            css, badge = "", ""
        return Markup(
            f'<td class="cel{css}"><a href="{self._esc(url)}"><span class="visually-hidden">'
            f"{self._esc(row_label)}, {self._esc(col_label)}: </span>"
            f"{badge}{self._lines(counts)}</a></td>"
        )
