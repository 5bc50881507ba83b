"""Municipalities from the gazetteer, with their own debt-help settings."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base
from .service import Service, ServiceArea
from .taxonomy import Attribute, Taxonomy, TaxonomyTerm

#: Without a setting, the municipality's debt help is its own service about debts:
#: organisation type "gemeente" and theme "schulden" (taxonomy name, term code).
DEBT_HELP_TERMS = (("wegwijzer-organisatietype", "gemeente"), ("wegwijzer-thema", "schulden"))


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

    @classmethod
    def debt_help_id(cls, session: Session, gm_code: str) -> str | None:
        """Return the id of the municipality's own debt help, the one rule for it.

        The municipality's setting when that service is public; otherwise the first public
        service (by name) of organisation type "gemeente" with theme "schulden" whose area
        covers the municipality. None when there is neither.
        """
        chosen = session.scalar(
            select(Service.id)
            .join(cls, cls.debt_help_service_id == Service.id)
            .where(cls.gm_code == gm_code, Service.is_public)
        )
        if chosen is not None:
            return chosen
        query = select(Service.id).join(ServiceArea, ServiceArea.service_id == Service.id)
        query = query.where(ServiceArea.gm_code == gm_code, Service.is_public)
        for taxonomy, code in DEBT_HELP_TERMS:
            query = query.where(
                Service.id.in_(
                    select(Attribute.link_id)
                    .join(TaxonomyTerm, Attribute.taxonomy_term_id == TaxonomyTerm.id)
                    .join(Taxonomy, TaxonomyTerm.taxonomy_id == Taxonomy.id)
                    .where(
                        Attribute.link_entity == "service",
                        Taxonomy.name == taxonomy,
                        TaxonomyTerm.code == code,
                    )
                )
            )
        return session.scalar(query.order_by(Service.name, Service.id).limit(1))
