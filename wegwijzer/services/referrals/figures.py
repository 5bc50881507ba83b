"""Figures for the yearly talk: per month or quarter, per referring organisation or service.

The counts of the referrals still kept and the monthly counts of the deleted ones are added
up with the same measures (``measures_of``), so figures do not change when the history
goes. Anything shared outside the municipality shows counts of 1 to 4 as "< 5", and no
percentage or median that rests on fewer than 5 referrals.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ...domain.text import safe_cell
from ...models import (
    CountMeasure,
    Municipality,
    NotStartedReason,
    Organization,
    Referral,
    ReferralMonthlyCount,
    ReferralStatus,
    Service,
    User,
)
from ..permissions import is_beheerder, may_see_referral_figures, sees_exact_referral_counts
from . import NotAllowed
from .terms import is_in_term, is_judged

PERIODS = ("maand", "kwartaal")
GROUPINGS = ("totaal", "verwijzer", "ontvanger")
#: Counts below this are shown as "< 5" outside the municipality.
SMALL = 5
MASKED = "< 5"
HIDDEN = "–"

_REASON_MEASURE = {r.value: CountMeasure(f"niet-gestart:{r.value}") for r in NotStartedReason}
_STARTED = {ReferralStatus.STARTED, ReferralStatus.FINISHED, ReferralStatus.STOPPED}


def month_of(day: date) -> date:
    """Return the first day of ``day``'s month."""
    return day.replace(day=1)


def measures_of(referral: Referral, today: date) -> list[tuple[CountMeasure, int | None]]:
    """Return what one referral adds to the figures: (measure, days) pairs."""
    found: list[tuple[CountMeasure, int | None]] = [(CountMeasure.MADE, None)]
    if referral.received_at is not None or referral.status != ReferralStatus.NEW:
        found.append((CountMeasure.RECEIVED, None))
    planned = referral.first_conversation_on
    if planned is not None:
        found.append((CountMeasure.PLANNED, None))
        found.append((CountMeasure.DAYS, max(0, (planned - referral.referred_on).days)))
    if is_judged(referral, today):
        found.append((CountMeasure.JUDGED, None))
        if is_in_term(referral):
            found.append((CountMeasure.IN_TERM, None))
    if referral.started_at is not None or referral.status in _STARTED:
        found.append((CountMeasure.STARTED, None))
    if referral.status == ReferralStatus.FINISHED:
        found.append((CountMeasure.FINISHED, None))
    if referral.status == ReferralStatus.STOPPED:
        found.append((CountMeasure.STOPPED, None))
    if referral.status == ReferralStatus.NOT_STARTED and referral.not_started_reason:
        found.append((_REASON_MEASURE[referral.not_started_reason], None))
    return found


@dataclass
class Tally:
    """Counts per measure, and the days to the first conversation as a histogram."""

    counts: Counter[str] = field(default_factory=Counter)
    days: Counter[int] = field(default_factory=Counter)

    def add(self, measure: str, days: int | None, n: int = 1) -> None:
        if measure == CountMeasure.DAYS:
            if days is not None:
                self.days[days] += n
        else:
            self.counts[measure] += n

    def merge(self, other: Tally) -> None:
        self.counts.update(other.counts)
        self.days.update(other.days)


@dataclass
class FigureRow:
    """One line of the figures: a period and (unless the total) an organisation or service."""

    period: date
    group: str
    tally: Tally

    def n(self, measure: CountMeasure | str) -> int:
        return self.tally.counts[str(measure)]

    @property
    def in_term_pct(self) -> float | None:
        judged = self.n(CountMeasure.JUDGED)
        return 100.0 * self.n(CountMeasure.IN_TERM) / judged if judged else None

    @property
    def median_days(self) -> float | None:
        values = [d for d, n in self.tally.days.items() for _ in range(n)]
        return float(statistics.median(values)) if values else None

    @property
    def not_started(self) -> dict[str, int]:
        return {reason: self.n(measure) for reason, measure in _REASON_MEASURE.items()}


@dataclass
class Figures:
    year: int
    period: str
    by: str
    #: True when small counts are masked (shared outside the municipality).
    shared: bool
    rows: list[FigureRow]
    totals: list[FigureRow]

    def cell(self, n: int) -> str:
        """Return a count as shown: "< 5" for 1..4 when shared."""
        return MASKED if self.shared and 0 < n < SMALL else str(n)

    def pct(self, row: FigureRow) -> str:
        """Return the share of first conversations within the term, e.g. "83%"."""
        value = row.in_term_pct
        if value is None or (self.shared and row.n(CountMeasure.JUDGED) < SMALL):
            return HIDDEN
        return f"{value:.0f}%"

    def median(self, row: FigureRow) -> str:
        """Return the median days to the first conversation, e.g. "6"."""
        value = row.median_days
        if value is None or (self.shared and sum(row.tally.days.values()) < SMALL):
            return HIDDEN
        return f"{value:g}"

    def bar(self, row: FigureRow) -> int:
        """Return the bar width in % of the largest period (0 for a masked count)."""
        top = max((r.n(CountMeasure.MADE) for r in self.totals), default=0)
        made = row.n(CountMeasure.MADE)
        if not top or (self.shared and made < SMALL):
            return 0
        return round(100 * made / top)


def _period_start(month: date, period: str) -> date:
    if period == "kwartaal":
        return month.replace(month=(month.month - 1) // 3 * 3 + 1)
    return month


def period_label(day: date, period: str) -> str:
    """Return a period as in the CSV: ``2026-03`` or ``2026-K1``."""
    if period == "kwartaal":
        return f"{day.year}-K{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def _scope_live(gm_code: str | None, organization_id: str | None):  # type: ignore[no-untyped-def]
    if gm_code is not None:
        return Referral.gm_code == gm_code
    return or_(
        Referral.referring_organization_id == organization_id,
        Referral.receiving_service_id.in_(
            select(Service.id).where(Service.organization_id == organization_id)
        ),
    )


def _scope_counts(gm_code: str | None, organization_id: str | None):  # type: ignore[no-untyped-def]
    if gm_code is not None:
        return ReferralMonthlyCount.gm_code == gm_code
    return or_(
        ReferralMonthlyCount.referring_organization_id == organization_id,
        ReferralMonthlyCount.receiving_service_id.in_(
            select(Service.id).where(Service.organization_id == organization_id)
        ),
    )


Key = tuple[date, str | None, str | None]


def collect(
    session: Session,
    year: int,
    today: date,
    gm_code: str | None = None,
    organization_id: str | None = None,
) -> dict[Key, Tally]:
    """Return tallies per (month, referring organisation, receiving service) for one year."""
    if (gm_code is None) == (organization_id is None):
        raise ValueError("give either gm_code or organization_id")
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    tallies: dict[Key, Tally] = defaultdict(Tally)
    live = select(Referral).where(
        _scope_live(gm_code, organization_id),
        Referral.referred_on >= start,
        Referral.referred_on < end,
    )
    for referral in session.scalars(live):
        key = (
            month_of(referral.referred_on),
            referral.referring_organization_id,
            referral.receiving_service_id,
        )
        for measure, days in measures_of(referral, today):
            tallies[key].add(measure, days)
    kept = select(ReferralMonthlyCount).where(
        _scope_counts(gm_code, organization_id),
        ReferralMonthlyCount.month >= start,
        ReferralMonthlyCount.month < end,
    )
    for row in session.scalars(kept):
        key = (row.month, row.referring_organization_id, row.receiving_service_id)
        tallies[key].add(row.measure, row.days, row.count)
    return tallies


def _names(session: Session, by: str, ids: set[str]) -> dict[str, str]:
    model = Organization if by == "verwijzer" else Service
    rows = session.execute(select(model.id, model.name).where(model.id.in_(sorted(ids))))
    return {row.id: row.name for row in rows}


def figures(
    session: Session,
    year: int,
    today: date,
    *,
    gm_code: str | None = None,
    organization_id: str | None = None,
    period: str = "maand",
    by: str = "totaal",
    shared: bool = True,
) -> Figures:
    """Return the figures of a municipality or an organisation for one year."""
    if period not in PERIODS or by not in GROUPINGS:
        raise ValueError(f"unknown period {period!r} or grouping {by!r}")
    tallies = collect(session, year, today, gm_code=gm_code, organization_id=organization_id)
    grouped: dict[tuple[date, str], Tally] = defaultdict(Tally)
    totals: dict[date, Tally] = defaultdict(Tally)
    for (month, org_id, service_id), tally in tallies.items():
        start = _period_start(month, period)
        totals[start].merge(tally)
        if by != "totaal":
            group = (org_id if by == "verwijzer" else service_id) or ""
            grouped[(start, group)].merge(tally)
    names = _names(session, by, {g for _p, g in grouped if g}) if by != "totaal" else {}
    rows = [
        FigureRow(period=start, group=names.get(group, "") or "?", tally=tally)
        for (start, group), tally in grouped.items()
    ]
    rows.sort(key=lambda r: (r.period, r.group.lower()))
    total_rows = [FigureRow(period=p, group="", tally=t) for p, t in sorted(totals.items())]
    return Figures(year=year, period=period, by=by, shared=shared, rows=rows, totals=total_rows)


#: CSV columns: (header, how to get the cell).
CSV_HEADERS = (
    "periode",
    "groep",
    "overdrachten",
    "ontvangen",
    "eerste_gesprek_gepland",
    "binnen_wettelijke_termijn_pct",
    "mediaan_dagen_tot_eerste_gesprek",
    "gestart",
    *(f"niet_gestart_{r.value.replace('-', '_')}" for r in NotStartedReason),
    "afgerond",
    "gestopt",
)


def figure_cells(result: Figures, row: FigureRow) -> list[str]:
    """Return one row's cells in CSV_HEADERS order, masked when shared."""
    cell = result.cell
    return [
        period_label(row.period, result.period),
        safe_cell(row.group or "totaal"),
        cell(row.n(CountMeasure.MADE)),
        cell(row.n(CountMeasure.RECEIVED)),
        cell(row.n(CountMeasure.PLANNED)),
        result.pct(row),
        result.median(row),
        cell(row.n(CountMeasure.STARTED)),
        *(cell(n) for n in row.not_started.values()),
        cell(row.n(CountMeasure.FINISHED)),
        cell(row.n(CountMeasure.STOPPED)),
    ]


def figures_csv(result: Figures) -> str:
    """Return the figures as CSV (semicolons, like the other exports): groups, then totals."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(CSV_HEADERS)
    for row in [*result.rows, *result.totals]:
        writer.writerow(figure_cells(result, row))
    return out.getvalue()


@dataclass
class FigureScope:
    """Whose figures a page shows: one municipality or one organisation, and how exactly."""

    gm_code: str | None
    organization_id: str | None
    name: str
    #: (value, name) of the other municipalities or organisations the account may pick.
    choices: list[tuple[str, str]]
    #: Inside the municipality: exact counts unless the shared version is asked for.
    exact: bool


def figure_scope(
    session: Session, user: User, gm_code: str | None, organization_id: str | None
) -> FigureScope:
    """Return the scope of the figures ``user`` asked for; NotAllowed when not theirs.

    A beheerder sees a municipality of theirs, another account an organisation of theirs.
    """
    if is_beheerder(user):
        municipalities = list(
            session.scalars(
                select(Municipality)
                .where(Municipality.gm_code.in_(sorted(user.gm_codes)))
                .order_by(Municipality.name)
            )
        )
        chosen = gm_code or (municipalities[0].gm_code if municipalities else None)
        if chosen is None or not may_see_referral_figures(user, gm_code=chosen):
            raise NotAllowed(chosen or "")
        name = next(m.name for m in municipalities if m.gm_code == chosen)
        return FigureScope(
            gm_code=chosen,
            organization_id=None,
            name=name,
            choices=[(m.gm_code, m.name) for m in municipalities],
            exact=sees_exact_referral_counts(user, chosen),
        )
    orgs = sorted(user.organizations, key=lambda o: o.name.lower())
    chosen = organization_id or (orgs[0].id if orgs else None)
    if chosen is None or not may_see_referral_figures(user, organization_id=chosen):
        raise NotAllowed(chosen or "")
    return FigureScope(
        gm_code=None,
        organization_id=chosen,
        name=next(o.name for o in orgs if o.id == chosen),
        choices=[(o.id, o.name) for o in orgs],
        exact=False,
    )
