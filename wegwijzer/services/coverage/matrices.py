"""The coverage matrices: phases x the terms of a facet, counted per scope in one pass."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from ...domain.facets import CORE_FACETS
from ...models import utcnow
from ..taxonomy import TermInfo, list_taxonomies
from .areas import LOCAL, REGIONAL, check_municipalities
from .freshness import Freshness, freshness_of, stale_cutoff
from .mapdata import Point, service_points
from .reads import load_directory

#: Rows of every matrix.
ROW_FACET = "fase"
#: Describes organisations rather than what a service does: a column of the inventory only.
ORGANISATION_FACET = "organisatietype"
#: Columns of the matrices shown on the coverage page, in page (taxonomy) order.
COLUMN_FACETS = tuple(f for f in CORE_FACETS if f not in (ROW_FACET, ORGANISATION_FACET))
#: Facets whose terms may filter a drill-down cell.
CELL_FACETS = (ROW_FACET, *COLUMN_FACETS)


@dataclass(frozen=True)
class Counts:
    """Services in one cell by scope, plus distinct local/regional organisations."""

    local: int = 0
    regional: int = 0
    national: int = 0
    organisations: int = 0

    @property
    def nearby(self) -> int:
        """Return the local plus regional services: the ones that fill a gap."""
        return self.local + self.regional

    @property
    def total(self) -> int:
        return self.local + self.regional + self.national

    @property
    def is_gap(self) -> bool:
        return self.nearby == 0

    def is_overlap(self, threshold: int) -> bool:
        """Return True when at least ``threshold`` organisations offer this locally/regionally."""
        return self.organisations >= threshold

    def cell_text(self) -> str:
        """Return the machine format ``local/regional/national``, e.g. ``2/1/3``."""
        return f"{self.local}/{self.regional}/{self.national}"


EMPTY = Counts()


@dataclass
class Matrix:
    """Counts for rows (phases) x columns (terms of one facet) in one municipality."""

    gm_code: str
    row_facet: str
    col_facet: str
    rows: tuple[TermInfo, ...]
    cols: tuple[TermInfo, ...]
    overlap_threshold: int
    cells: dict[tuple[str, str], Counts] = field(default_factory=dict)

    def cell(self, row: str, col: str) -> Counts:
        return self.cells.get((row, col), EMPTY)

    @property
    def size(self) -> int:
        return len(self.rows) * len(self.cols)

    @property
    def gaps(self) -> int:
        return sum(1 for r in self.rows for c in self.cols if self.cell(r.code, c.code).is_gap)

    @property
    def covered(self) -> int:
        """Return the number of cells with at least one local or regional service."""
        return self.size - self.gaps

    @property
    def overlaps(self) -> int:
        return sum(
            1
            for r in self.rows
            for c in self.cols
            if self.cell(r.code, c.code).is_overlap(self.overlap_threshold)
        )


@dataclass
class MunicipalityCoverage:
    """Everything the coverage page shows for one municipality."""

    gm_code: str
    name: str
    totals: Counts
    #: ``{col_facet: Matrix}`` with phases as rows.
    matrices: dict[str, Matrix]
    #: ``{facet: {code: Counts}}`` regardless of phase (e.g. any walk-in point at all).
    facet_totals: dict[str, dict[str, Counts]]
    points: list[Point]

    def facet_total(self, facet: str, code: str) -> Counts:
        return self.facet_totals.get(facet, {}).get(code, EMPTY)


@dataclass
class RegionCoverage:
    """Coverage of the municipalities a beheerder picked (one or several)."""

    municipalities: list[MunicipalityCoverage]
    overlap_threshold: int
    freshness: Freshness


class _BitCounter:
    """Count, per bit position, how many added masks have that bit set.

    A bit-sliced adder: plane j holds bit j of every position's count, so adding a mask is a
    few big-integer operations instead of one Python step per cell.
    """

    def __init__(self) -> None:
        self.planes: list[int] = []
        self.added = 0

    def add(self, mask: int) -> None:
        self.added += 1
        carry = mask
        for j, plane in enumerate(self.planes):
            if not carry:
                return
            self.planes[j] = plane ^ carry
            carry &= plane
        if carry:
            self.planes.append(carry)

    def counts(self, size: int) -> list[int]:
        out = [0] * size
        for j, plane in enumerate(self.planes):
            weight = 1 << j
            # bin() gives the most significant bit first; reverse to index by position.
            for position, digit in enumerate(bin(plane)[:1:-1]):
                if digit == "1":
                    out[position] += weight
        return out


def compute_coverage(
    session: Session,
    gm_codes: Sequence[str],
    *,
    overlap_threshold: int,
    stale_months: int,
    col_facets: Sequence[str] = COLUMN_FACETS,
    now: datetime | None = None,
    with_points: bool = True,
) -> RegionCoverage:
    """Count the coverage of ``gm_codes`` from one read of the region, not a query per cell.

    Each service becomes a bit mask of its cells (phase x term) and of its terms; per
    municipality and scope the masks are summed position-wise (see ``_BitCounter``), and per
    organisation they are OR-ed first, so an organisation counts once per cell.
    """
    gm_codes = list(dict.fromkeys(gm_codes))
    names = check_municipalities(session, gm_codes)
    taxonomies = {t.facet: t for t in list_taxonomies(session)}
    rows = taxonomies[ROW_FACET].terms
    facets = [f for f in col_facets if f in taxonomies]
    cols = [(facet, t) for facet in facets for t in taxonomies[facet].terms]
    n_cols = len(cols)
    n_cells = len(rows) * n_cols
    # Bit layout: cell (row i, column k) is bit i * n_cols + k; term k alone is n_cells + k.
    phase_index = {t.id: i for i, t in enumerate(rows)}
    col_bit = {t.id: 1 << k for k, (_facet, t) in enumerate(cols)}
    data = load_directory(session, gm_codes, [*phase_index, *col_bit])

    masks: dict[str, int] = {}
    for sid, term_ids in data.terms.items():
        col_mask = 0
        for term in term_ids:
            col_mask |= col_bit.get(term, 0)
        mask = col_mask << n_cells
        for term in term_ids:
            if term in phase_index:
                mask |= col_mask << (phase_index[term] * n_cols)
        masks[sid] = mask

    counters: dict[tuple[str, str], _BitCounter] = defaultdict(_BitCounter)
    org_masks: dict[tuple[str, str], int] = defaultdict(int)
    for gm, sid, org, scope in data.nearby:
        mask = masks.get(sid, 0)
        counters[(gm, scope)].add(mask)
        org_masks[(gm, org)] |= mask
    org_counters: dict[str, _BitCounter] = defaultdict(_BitCounter)
    for (gm, _org), mask in org_masks.items():
        org_counters[gm].add(mask)
    national = _BitCounter()
    for sid in data.national:
        national.add(masks.get(sid, 0))

    size = n_cells + n_cols
    national_counts = national.counts(size)
    points = service_points(session, gm_codes) if with_points else {}
    result: list[MunicipalityCoverage] = []
    for gm in gm_codes:
        local = counters[(gm, LOCAL)].counts(size)
        regional = counters[(gm, REGIONAL)].counts(size)
        orgs = org_counters[gm].counts(size)

        matrices = {
            facet: Matrix(gm, ROW_FACET, facet, rows, taxonomies[facet].terms, overlap_threshold)
            for facet in facets
        }
        facet_totals: dict[str, dict[str, Counts]] = {facet: {} for facet in facets}
        for k, (facet, term) in enumerate(cols):
            for i, row in enumerate(rows):
                counts = _counts_at(i * n_cols + k, local, regional, national_counts, orgs)
                if counts != EMPTY:
                    matrices[facet].cells[(row.code, term.code)] = counts
            facet_totals[facet][term.code] = _counts_at(
                n_cells + k, local, regional, national_counts, orgs
            )
        result.append(
            MunicipalityCoverage(
                gm_code=gm,
                name=names[gm],
                totals=Counts(
                    local=counters[(gm, LOCAL)].added,
                    regional=counters[(gm, REGIONAL)].added,
                    national=national.added,
                    organisations=org_counters[gm].added,
                ),
                matrices=matrices,
                facet_totals=facet_totals,
                points=points.get(gm, []),
            )
        )
    cutoff = stale_cutoff(now or utcnow(), stale_months)
    return RegionCoverage(
        municipalities=result,
        overlap_threshold=overlap_threshold,
        freshness=freshness_of(data, stale_months, cutoff),
    )


def _counts_at(
    bit: int, local: list[int], regional: list[int], national: list[int], orgs: list[int]
) -> Counts:
    return Counts(local[bit], regional[bit], national[bit], orgs[bit])


def matrix_grid(matrix: Matrix) -> tuple[list[str], list[list[str]]]:
    """Return a header (``fase``, term codes) and per phase a row of ``L/R/N`` cells."""
    header = [matrix.row_facet, *(c.code for c in matrix.cols)]
    rows = [
        [r.code, *(matrix.cell(r.code, c.code).cell_text() for c in matrix.cols)]
        for r in matrix.rows
    ]
    return header, rows
