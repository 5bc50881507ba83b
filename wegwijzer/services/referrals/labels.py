"""Plain-language labels of the fixed lists: urgency, status, reasons, signals, figures."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...models import NotStartedReason, ReferralStatus, Urgency
from .terms import Signal

URGENCY_LABELS = {
    Urgency.EVICTION: _l("Dreigende huisuitzetting"),
    Urgency.DISCONNECTION: _l("Dreigende afsluiting van energie of water"),
    Urgency.HEALTH_INSURANCE: _l("Dreigende opzegging van de zorgverzekering"),
    Urgency.NO_FOOD: _l("Geen geld voor eten"),
    Urgency.BAILIFF: _l("Deurwaarder of beslag"),
    Urgency.NONE: _l("Geen spoed"),
}

#: Short forms for lists and mail subjects.
URGENCY_SHORT = {
    Urgency.EVICTION: _l("huisuitzetting"),
    Urgency.DISCONNECTION: _l("afsluiting"),
    Urgency.HEALTH_INSURANCE: _l("zorgverzekering"),
    Urgency.NO_FOOD: _l("geen geld voor eten"),
    Urgency.BAILIFF: _l("deurwaarder"),
    Urgency.NONE: _l("geen"),
}

STATUS_LABELS = {
    ReferralStatus.NEW: _l("Nieuw"),
    ReferralStatus.RECEIVED: _l("Ontvangen"),
    ReferralStatus.PLANNED: _l("Eerste gesprek gepland"),
    ReferralStatus.STARTED: _l("Traject gestart"),
    ReferralStatus.NOT_STARTED: _l("Niet gestart"),
    ReferralStatus.FINISHED: _l("Afgerond"),
    ReferralStatus.STOPPED: _l("Gestopt"),
}

REASON_LABELS = {
    NotStartedReason.UNREACHABLE: _l("Niet bereikbaar"),
    NotStartedReason.NO_SHOW: _l("Niet verschenen"),
    NotStartedReason.WITHDREW: _l("Zelf afgezien"),
    NotStartedReason.FORWARDED: _l("Doorverwezen naar andere hulp"),
    NotStartedReason.NOT_SUITABLE: _l("Past niet bij deze hulp"),
}

SIGNAL_LABELS = {
    Signal.OVERDUE: _l("Termijn voorbij: nog geen eerste gesprek gepland"),
    Signal.PLANNED_LATE: _l("Eerste gesprek valt na de wettelijke termijn"),
    Signal.NOT_STARTED: _l("Niet gestart"),
}


def urgency_label(code: str) -> str:
    """Return the label of an urgency code (the code itself when unknown)."""
    return str(URGENCY_LABELS.get(code, code))  # type: ignore[call-overload]


def status_label(code: str) -> str:
    """Return the label of a status code."""
    return str(STATUS_LABELS.get(code, code))  # type: ignore[call-overload]


def reason_label(code: str | None) -> str:
    """Return the label of a not-started reason."""
    return str(REASON_LABELS.get(code or "", code or ""))  # type: ignore[call-overload]
