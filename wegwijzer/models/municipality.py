"""Municipalities from the gazetteer, with their own debt-help settings."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .service import Service


class Municipality(Base):
    __tablename__ = "municipalities"

    gm_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    province: Mapped[str] = mapped_column(String(100), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    #: The municipality's own debt-help service: first in urgent results.
    debt_help_service_id: Mapped[str | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL")
    )
    #: Fixed contact for volunteers who want to hand someone over.
    volunteer_contact_name: Mapped[str | None] = mapped_column(String(255))
    volunteer_contact_phone: Mapped[str | None] = mapped_column(String(40))
    volunteer_contact_email: Mapped[str | None] = mapped_column(String(255))
    volunteer_contact_hours: Mapped[str | None] = mapped_column(String(255))

    debt_help_service: Mapped[Service | None] = relationship()
