"""Freshness per organisation: available services not verified for a number of months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .reads import Directory


@dataclass(frozen=True)
class OrganisationFreshness:
    organization_id: str
    name: str
    entries: int
    stale: int
    oldest_verified_at: datetime | None


@dataclass
class Freshness:
    stale_months: int
    cutoff: datetime
    entries: int
    stale: int
    organisations: list[OrganisationFreshness]


def stale_cutoff(now: datetime, months: int) -> datetime:
    """Return ``now`` minus ``months`` calendar months (day clamped to the month's end)."""
    index = now.year * 12 + (now.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    days_in_month = [31, 29 if _is_leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return now.replace(year=year, month=month, day=min(now.day, days_in_month[month - 1]))


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass
class Checks:
    """The last-verified dates of a group of services, tallied against a cutoff."""

    cutoff: datetime
    entries: int = 0
    #: Never verified, or verified before the cutoff.
    stale: int = 0
    never: int = 0
    #: The oldest date among the services that were verified.
    oldest: datetime | None = None

    def add(self, verified: datetime | None) -> None:
        self.entries += 1
        if verified is None:
            self.never += 1
            self.stale += 1
            return
        if verified < self.cutoff:
            self.stale += 1
        if self.oldest is None or verified < self.oldest:
            self.oldest = verified


def freshness_of(data: Directory, stale_months: int, cutoff: datetime) -> Freshness:
    """Count, per organisation, the services of ``data`` not verified since ``cutoff``."""
    per_org: dict[str, tuple[str, Checks]] = {}
    for sid, org in data.organisation_of().items():
        name, verified = data.info[sid]
        if org not in per_org:
            per_org[org] = (name, Checks(cutoff))
        per_org[org][1].add(verified)
    orgs = [
        OrganisationFreshness(
            organization_id=org_id,
            name=name,
            entries=checks.entries,
            stale=checks.stale,
            # Never verified is older than any date.
            oldest_verified_at=None if checks.never else checks.oldest,
        )
        for org_id, (name, checks) in per_org.items()
    ]
    orgs.sort(key=lambda o: (-o.stale, o.name.casefold()))
    return Freshness(
        stale_months=stale_months,
        cutoff=cutoff,
        entries=sum(o.entries for o in orgs),
        stale=sum(o.stale for o in orgs),
        organisations=orgs,
    )
