"""Render the cells of the coverage tables: thousands per page, so in Python, not in macros.

The tables are a heat map: a cell's colour goes from light to dark with the number of
organisations that help nearby (``cel--n1``, ``cel--n2``, ``cel--n3``), and the number is in
the cell. Never colour alone: a gap says "Geen aanbod" on a hatched cell (``cel--gat``), an
overlap "Overlap (n)" on a dotted one (``cel--overlap``). The exact local, regional and
national counts are in every cell: for screen readers always, on screen on demand (the page's
"precise" view) and on paper. The row and column are named in hidden text.
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
        self.t_organisations = str(escape(gettext("%(n)s org.")))
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
            # Spaces between the lines: read aloud or copied, "2 lokaal 0 regionaal".
            f'<span class="cel__regel">{self.t_local % {"n": counts.local}}</span> '
            f'<span class="cel__regel">{self.t_regional % {"n": counts.regional}}</span> '
            f'<span class="cel__regel">{self.t_national % {"n": counts.national}}</span>'
        )

    def level(self, counts: Counts) -> str:
        """Return the cell's heat-map class: ``gat``, ``n1``, ``n2``, ``n3`` or ``overlap``."""
        if counts.is_gap:
            return "gat"
        if counts.is_overlap(self.threshold):
            return "overlap"
        return f"n{min(max(counts.organisations, 1), 3)}"

    def lines(self, counts: Counts) -> Markup:
        """Return the three count lines of a cell."""
        return Markup(self._lines(counts))

    def cell(self, counts: Counts, url: str, row_label: str, col_label: str) -> Markup:
        """Return one ``<td>`` of the heat map, linked to its drill-down list."""
        level = self.level(counts)
        n = {"n": counts.organisations}
        if level == "gat":
            head = f'<span class="cel__status">{self.t_gap}</span>'
        elif level == "overlap":
            head = f'<span class="cel__status">{self.t_overlap % n}</span>'
        else:
            head = f'<span class="cel__getal">{self.t_organisations % n}</span>'
        return Markup(
            f'<td class="cel cel--{level}"><a href="{self._esc(url)}">'
            f'<span class="visually-hidden">{self._esc(row_label)}, {self._esc(col_label)}: </span>'
            f'{head} <span class="cel__precies">{self._lines(counts)}</span></a></td>'
        )
