"""Referrals (overdrachten) from a helper to a service, without any personal data.

A referral records who referred (organisation and account), to which service, when, how
urgent, which items of the service's own handover checklist were prepared and whether the
resident agreed to feedback. Nothing else: there is no text column on these tables, so a
name, address, BSN or phone number of a resident has nowhere to go. Fixed lists (urgency,
status, reasons) are enums with a CHECK constraint; the prepared checklist items are a
bit mask, not copied text.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

if TYPE_CHECKING:
    from .municipality import Municipality
    from .organization import Organization
    from .service import Service


class Urgency(enum.StrEnum):
    """What makes the handover urgent; the first three give a term of three working days."""

    EVICTION = "huisuitzetting"
    DISCONNECTION = "afsluiting"
    HEALTH_INSURANCE = "zorgverzekering"
    NO_FOOD = "geen-geld-eten"
    BAILIFF = "deurwaarder"
    NONE = "geen"


#: Art. 4a lid 2 Wgs: a threat of eviction, of disconnection of energy or water, or of
#: cancellation of the health insurance gives a first conversation within three working days.
THREE_DAY_URGENCIES = frozenset({Urgency.EVICTION, Urgency.DISCONNECTION, Urgency.HEALTH_INSURANCE})


class ReferralStatus(enum.StrEnum):
    NEW = "nieuw"
    RECEIVED = "ontvangen"
    PLANNED = "gesprek-gepland"
    STARTED = "gestart"
    NOT_STARTED = "niet-gestart"
    FINISHED = "afgerond"
    STOPPED = "gestopt"


#: Statuses after which nothing changes any more; the retention clock starts here.
CLOSED_STATUSES = frozenset(
    {ReferralStatus.NOT_STARTED, ReferralStatus.FINISHED, ReferralStatus.STOPPED}
)


class NotStartedReason(enum.StrEnum):
    UNREACHABLE = "niet-bereikbaar"
    NO_SHOW = "niet-verschenen"
    WITHDREW = "zelf-afgezien"
    FORWARDED = "doorverwezen"
    NOT_SUITABLE = "past-niet"


class CountMeasure(enum.StrEnum):
    """What one row of the monthly counts counts (per month the referral was made)."""

    MADE = "gemaakt"
    RECEIVED = "ontvangen"
    PLANNED = "gesprek-gepland"
    #: Referrals of which it is known whether the term was met (the base of the percentage).
    JUDGED = "termijn-bekend"
    IN_TERM = "binnen-termijn"
    STARTED = "gestart"
    FINISHED = "afgerond"
    STOPPED = "gestopt"
    #: Referrals whose first conversation was ``days`` days after the referral (for medians).
    DAYS = "dagen"
    NOT_STARTED_UNREACHABLE = "niet-gestart:niet-bereikbaar"
    NOT_STARTED_NO_SHOW = "niet-gestart:niet-verschenen"
    NOT_STARTED_WITHDREW = "niet-gestart:zelf-afgezien"
    NOT_STARTED_FORWARDED = "niet-gestart:doorverwezen"
    NOT_STARTED_NOT_SUITABLE = "niet-gestart:past-niet"


#: A service's handover checklist items that can be ticked: one bit each in an Integer.
MAX_CHECKLIST_ITEMS = 30


def _one_of(column: str, values: type[enum.StrEnum], name: str) -> CheckConstraint:
    allowed = ",".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (
        _one_of("urgency", Urgency, "urgency"),
        _one_of("status", ReferralStatus, "status"),
        CheckConstraint(
            "not_started_reason IS NULL OR not_started_reason IN ({})".format(
                ",".join(f"'{r.value}'" for r in NotStartedReason)
            ),
            name="not_started_reason",
        ),
        Index("ix_referrals_service_status", "receiving_service_id", "status"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    #: The short code on the handover sheet, without dashes (see services.referrals.codes).
    code: Mapped[str] = mapped_column(String(12), unique=True)
    #: The municipality the referral counts for: figures and its beheerders' view.
    gm_code: Mapped[str] = mapped_column(
        ForeignKey("municipalities.gm_code", ondelete="CASCADE"), index=True
    )
    referring_organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    referring_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    receiving_service_id: Mapped[str] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    #: The day of the referral (Europe/Amsterdam): the legal term counts from here.
    referred_on: Mapped[date] = mapped_column(Date, index=True)
    #: The last day the first conversation may take place (Wgs), fixed when referring.
    term_ends_on: Mapped[date] = mapped_column(Date)
    urgency: Mapped[str] = mapped_column(String(20))
    #: Bit i set: item i of the service's handover checklist was prepared.
    prepared_items: Mapped[int] = mapped_column(Integer, default=0)
    #: Length of the checklist when referring; a changed list shows as such.
    checklist_size: Mapped[int] = mapped_column(Integer, default=0)
    #: The resident agreed that the helper hears how it goes.
    feedback_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The helper wants an e-mail (without personal data) at each status.
    mail_updates: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=ReferralStatus.NEW.value)
    received_at: Mapped[datetime | None]
    first_conversation_on: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime | None]
    not_started_reason: Mapped[str | None] = mapped_column(String(20))
    forwarded_to_service_id: Mapped[str | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    #: When the "term passed" signal was mailed, so it goes out once.
    signalled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship()
    referring_organization: Mapped[Organization] = relationship()
    receiving_service: Mapped[Service] = relationship(foreign_keys=[receiving_service_id])
    forwarded_to_service: Mapped[Service | None] = relationship(
        foreign_keys=[forwarded_to_service_id]
    )
    changes: Mapped[list[ReferralStatusChange]] = relationship(
        back_populates="referral",
        cascade="all, delete-orphan",
        order_by="ReferralStatusChange.id",
        passive_deletes=True,
    )

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def __repr__(self) -> str:
        return f"<Referral {self.code} {self.status}>"


class ReferralStatusChange(Base):
    """One step in a referral's history; deleted with the referral after the retention time."""

    __tablename__ = "referral_status_changes"
    __table_args__ = (
        _one_of("status", ReferralStatus, "status"),
        CheckConstraint(
            "reason IS NULL OR reason IN ({})".format(
                ",".join(f"'{r.value}'" for r in NotStartedReason)
            ),
            name="reason",
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    referral_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("referrals.id", ondelete="CASCADE"),
        index=True,
    )
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(20))
    conversation_on: Mapped[date | None] = mapped_column(Date)
    forwarded_to_service_id: Mapped[str | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL")
    )

    referral: Mapped[Referral] = relationship(back_populates="changes")


class ReferralIntake(Base):
    """A service whose organisation accepts referrals through Wegwijzer.

    The municipality's own debt help accepts them without a row; a row there only adds mail.
    """

    __tablename__ = "referral_intakes"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    #: Mail the receiving accounts (without personal data) at each new referral.
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferralMonthlyCount(Base):
    """Counts of referrals that were deleted after the retention time, per month made.

    The figures add these to the counts of the referrals still kept, so a year's figures
    stay the same after the history is gone. No account, no code, no dates but the month.
    """

    __tablename__ = "referral_monthly_counts"
    __table_args__ = (
        _one_of("measure", CountMeasure, "measure"),
        Index(
            "ix_referral_monthly_counts_key",
            "gm_code",
            "month",
            "referring_organization_id",
            "receiving_service_id",
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    #: The first day of the month the referrals were made.
    month: Mapped[date] = mapped_column(Date)
    gm_code: Mapped[str] = mapped_column(ForeignKey("municipalities.gm_code", ondelete="CASCADE"))
    referring_organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    receiving_service_id: Mapped[str | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL"), index=True
    )
    measure: Mapped[str] = mapped_column(String(40))
    #: For ``dagen``: the number of days from referral to first conversation.
    days: Mapped[int | None] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)
