"""Municipalities from the gazetteer, with their own debt-help settings."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Float, ForeignKey, Select, String, bindparam, select
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
        chosen_query, fallback_query = _debt_help_queries()
        chosen = session.scalar(chosen_query, {"gm": gm_code})
        if chosen is not None:
            return chosen
        return session.scalar(fallback_query, {"gm": gm_code})


@cache
def _debt_help_queries() -> tuple[Select[Any], Select[Any]]:
    """The two statements of :meth:`Municipality.debt_help_id`, built once (building them
    costs more than running them); the municipality is the parameter ``gm``."""
    gm = bindparam("gm")
    chosen = (
        select(Service.id)
        .join(Municipality, Municipality.debt_help_service_id == Service.id)
        .where(Municipality.gm_code == gm, Service.is_public)
    )
    fallback = select(Service.id).join(ServiceArea, ServiceArea.service_id == Service.id)
    fallback = fallback.where(ServiceArea.gm_code == gm, Service.is_public)
    for taxonomy, code in DEBT_HELP_TERMS:
        fallback = fallback.where(
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
    return chosen, fallback.order_by(Service.name, Service.id).limit(1)
