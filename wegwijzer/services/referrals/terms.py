"""The legal terms of the Wet gemeentelijke schuldhulpverlening, and the signals they give.

Art. 4a Wgs: a first conversation within four weeks of the request for help; within three
working days when there is a threat of eviction, of disconnection of energy or water, or of
cancellation of the health insurance (``THREE_DAY_URGENCIES``). A bailiff, a seizure or no
money for food are urgent too, but the law gives them the four-week term; the inbox still
puts them before referrals without urgency. Four weeks that end on a weekend day or public
holiday end on the next working day (Algemene termijnenwet).
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

from ...domain.hours import TZ
from ...domain.workdays import add_workdays, is_workday, workdays_between
from ...models import THREE_DAY_URGENCIES, Referral, ReferralStatus, Urgency

#: Working days for a first conversation after a threatening situation.
URGENT_WORKDAYS = 3
#: The term for every other request.
NORMAL_TERM = timedelta(weeks=4)

#: Order of the inbox: threats with the short term first, then the other urgent signals.
URGENCY_ORDER = (
    Urgency.EVICTION,
    Urgency.DISCONNECTION,
    Urgency.HEALTH_INSURANCE,
    Urgency.NO_FOOD,
    Urgency.BAILIFF,
    Urgency.NONE,
)


def has_short_term(urgency: str) -> bool:
    """Return True when ``urgency`` gives the three-working-day term."""
    return urgency in THREE_DAY_URGENCIES


def term_ends_on(referred_on: date, urgency: str) -> date:
    """Return the last day on which the first conversation may take place."""
    if has_short_term(urgency):
        return add_workdays(referred_on, URGENT_WORKDAYS)
    end = referred_on + NORMAL_TERM
    while not is_workday(end):
        end += timedelta(days=1)
    return end


def urgency_rank(urgency: str) -> int:
    """Return the place of ``urgency`` in the inbox order (0 first)."""
    try:
        return URGENCY_ORDER.index(Urgency(urgency))
    except ValueError:
        return len(URGENCY_ORDER)


class Signal(enum.StrEnum):
    """Why a referral needs someone to step in."""

    #: No first conversation planned and the term has passed.
    OVERDUE = "termijn-verstreken"
    #: A first conversation is planned, but after the end of the term.
    PLANNED_LATE = "gesprek-na-termijn"
    #: The receiving service set "niet gestart".
    NOT_STARTED = "niet-gestart"


def signal_of(referral: Referral, today: date) -> Signal | None:
    """Return the signal a referral gives today, or None when all is on course."""
    status = referral.status
    if status == ReferralStatus.NOT_STARTED:
        return Signal.NOT_STARTED
    if status in (ReferralStatus.NEW, ReferralStatus.RECEIVED) and today > referral.term_ends_on:
        return Signal.OVERDUE
    planned = referral.first_conversation_on
    if status == ReferralStatus.PLANNED and planned and planned > referral.term_ends_on:
        return Signal.PLANNED_LATE
    return None


def is_in_term(referral: Referral) -> bool:
    """Return True when the first conversation is (planned) within the term."""
    planned = referral.first_conversation_on
    return planned is not None and planned <= referral.term_ends_on


def is_judged(referral: Referral, today: date) -> bool:
    """Return True when it is known whether the term was met.

    That is: a first conversation is planned, or the term passed without one. A referral
    closed within the term without a conversation (the resident withdrew, went elsewhere)
    does not count either way.
    """
    if referral.first_conversation_on is not None:
        return True
    if referral.closed_at is not None:
        return referral.closed_at.astimezone(TZ).date() > referral.term_ends_on
    return today > referral.term_ends_on


def workdays_left(referral: Referral, today: date) -> int:
    """Return the working days left until the end of the term (0 when it has passed)."""
    return workdays_between(today, referral.term_ends_on)
