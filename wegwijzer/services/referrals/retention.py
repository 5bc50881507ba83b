"""Retention: a closed referral's history goes after REFERRAL_RETENTION_MONTHS months.

The referral, its status steps and its audit entries are deleted; what it added to the
figures is kept as monthly counts (``ReferralMonthlyCount``), without code, account or
dates other than the month it was made.
"""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from ...domain.hours import TZ
from ...models import AuditEntry, Referral, ReferralMonthlyCount, ReferralStatusChange, utcnow
from .figures import measures_of, month_of

#: Referrals folded and deleted per transaction.
BATCH = 500


def months_before(moment: datetime, months: int) -> datetime:
    """Return the same moment ``months`` calendar months earlier (31 March − 1 = 28/29 Feb)."""
    years, index = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + years, index + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def _same(column: ColumnElement[str | None], value: str | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


CountKey = tuple[object, str, str | None, str | None, str, int | None]


def _fold(session: Session, referrals: list[Referral], now: datetime) -> None:
    today = now.astimezone(TZ).date()
    counts: Counter[CountKey] = Counter()
    for r in referrals:
        for measure, days in measures_of(r, today):
            key = (
                month_of(r.referred_on),
                r.gm_code,
                r.referring_organization_id,
                r.receiving_service_id,
                measure.value,
                days,
            )
            counts[key] += 1
    for (month, gm_code, org_id, service_id, measure, days), n in counts.items():
        row = session.scalar(
            select(ReferralMonthlyCount).where(
                ReferralMonthlyCount.month == month,
                ReferralMonthlyCount.gm_code == gm_code,
                _same(ReferralMonthlyCount.referring_organization_id, org_id),
                _same(ReferralMonthlyCount.receiving_service_id, service_id),
                ReferralMonthlyCount.measure == measure,
                ReferralMonthlyCount.days.is_(None)
                if days is None
                else ReferralMonthlyCount.days == days,
            )
        )
        if row is None:
            session.add(
                ReferralMonthlyCount(
                    month=month,
                    gm_code=gm_code,
                    referring_organization_id=org_id,
                    receiving_service_id=service_id,
                    measure=measure,
                    days=days,
                    count=n,
                )
            )
        else:
            row.count += n


def purge_closed(session: Session, months: int, now: datetime | None = None) -> int:
    """Delete the referrals closed more than ``months`` months ago, keeping their counts.

    Returns how many referrals were deleted; commits once per BATCH.
    """
    if months < 1:
        raise ValueError("months must be 1 or more")
    now = now or utcnow()
    cutoff = months_before(now, months)
    deleted = 0
    while True:
        batch = list(
            session.scalars(
                select(Referral)
                .where(Referral.closed_at.is_not(None), Referral.closed_at < cutoff)
                .order_by(Referral.id)
                .limit(BATCH)
            )
        )
        if not batch:
            return deleted
        ids = [r.id for r in batch]
        _fold(session, batch, now)
        session.execute(
            delete(AuditEntry).where(
                AuditEntry.entity_type == "referral",
                AuditEntry.entity_id.in_([str(i) for i in ids]),
            )
        )
        session.execute(
            delete(ReferralStatusChange).where(ReferralStatusChange.referral_id.in_(ids))
        )
        session.execute(
            delete(Referral)
            .where(Referral.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        session.commit()
        deleted += len(ids)
