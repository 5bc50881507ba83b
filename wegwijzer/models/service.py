"""Services (HSDS ``service``) and the small records hanging off them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Float,
    Integer,
    String,
    Text,
    and_,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from .base import (
    Base,
    HsdsExtraMixin,
    IdMixin,
    InternalFieldsMixin,
    PublicationMixin,
    PublicationStatus,
    TimestampMixin,
    VersionedMixin,
    child_rows,
    parent_id,
)
from .organization import Organization

if TYPE_CHECKING:
    from .location import ServiceAtLocation
    from .taxonomy import TaxonomyTerm

from .taxonomy import Attribute


class Service(
    IdMixin,
    HsdsExtraMixin,
    TimestampMixin,
    VersionedMixin,
    PublicationMixin,
    InternalFieldsMixin,
    Base,
):
    __tablename__ = "services"

    organization_id: Mapped[str] = parent_id("organizations")
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(255))
    #: HSDS operational status: active, inactive, defunct, temporarily closed.
    status: Mapped[str] = mapped_column(String(30), default="active")
    application_process: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    wait_time: Mapped[str | None] = mapped_column(String(255))
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    alert: Mapped[str | None] = mapped_column(Text)
    #: Plain keywords, "; "-separated: terms of unknown taxonomies kept by the importer.
    keywords: Mapped[str] = mapped_column(Text, default="")

    # Wegwijzer extensions.
    publication_status: Mapped[str] = mapped_column(
        String(20), default=PublicationStatus.CONCEPT.value, index=True
    )
    review_comment: Mapped[str | None] = mapped_column(Text)
    #: How a helper refers someone (aanmeldroute).
    referral_route: Mapped[str | None] = mapped_column(Text)
    #: What a good handover needs: a checklist, one item per entry.
    handover_needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Whether a warm handover (driegesprek) is possible; None when unknown.
    warm_handover: Mapped[bool | None] = mapped_column(Boolean)

    organization: Mapped[Organization] = relationship(back_populates="services")
    phones: Mapped[list[Phone]] = child_rows("service", order_by="Phone.position")
    contacts: Mapped[list[Contact]] = child_rows("service")
    schedules: Mapped[list[Schedule]] = child_rows("service")
    service_areas: Mapped[list[ServiceArea]] = child_rows("service")
    languages: Mapped[list[Language]] = child_rows("service")
    cost_options: Mapped[list[CostOption]] = child_rows("service")
    service_at_locations: Mapped[list[ServiceAtLocation]] = child_rows("service")
    attributes: Mapped[list[Attribute]] = relationship(
        primaryjoin=lambda: and_(
            foreign(Attribute.link_id) == Service.id, Attribute.link_entity == "service"
        ),
        cascade="all, delete-orphan",
        overlaps="attributes",
    )

    @property
    def terms(self) -> list[TaxonomyTerm]:
        return [a.taxonomy_term for a in self.attributes if a.taxonomy_term is not None]

    def codes(self, taxonomy: str) -> list[str]:
        """Return this service's term codes in one taxonomy, e.g. ``wegwijzer-thema``."""
        return sorted(t.code for t in self.terms if t.taxonomy.name == taxonomy)

    @property
    def is_national(self) -> bool:
        return any(a.extent_type == "landelijk" for a in self.service_areas)

    @property
    def gm_codes(self) -> list[str]:
        return sorted({a.gm_code for a in self.service_areas if a.gm_code})

    @hybrid_property
    def is_public(self) -> bool:
        """Whether the public may see this service: the one rule for every public page.

        Published (so not a concept, under review or archived), not deleted, and its
        organisation is public too. ``Service.is_public`` is the same rule in SQL, for
        ``select(Service).where(Service.is_public)``: service pages, print, handover sheets,
        the search index, maps, the route, exports and coverage all use it.
        """
        return (
            self.publication_status == PublicationStatus.PUBLISHED
            and self.deleted_at is None
            and self.organization is not None
            and self.organization.is_public
        )

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> ColumnElement[bool]:
        return and_(
            # The status is wrapped in a function on purpose: most services are published, so
            # the index on it is a bad start; without it the planner starts from the ids, the
            # slug or the region's areas.
            func.coalesce(cls.publication_status, "") == PublicationStatus.PUBLISHED.value,
            cls.deleted_at.is_(None),
            cls.organization.has(Organization.is_public),
        )

    def __repr__(self) -> str:
        return f"<Service {self.name!r}>"


class Phone(IdMixin, HsdsExtraMixin, Base):
    __tablename__ = "phones"

    service_id: Mapped[str | None] = parent_id("services")
    organization_id: Mapped[str | None] = parent_id("organizations")
    location_id: Mapped[str | None] = parent_id("locations")
    contact_id: Mapped[str | None] = parent_id("contacts")
    number: Mapped[str] = mapped_column(String(40))
    extension: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    service: Mapped[Service | None] = relationship(back_populates="phones")
    organization: Mapped[Organization | None] = relationship(back_populates="phones")
    contact: Mapped[Contact | None] = relationship(back_populates="phones")

    @property
    def tel_uri(self) -> str:
        return tel_uri(self.number)


def tel_uri(number: str | None) -> str:
    """Return the ``tel:`` link of a phone number as written ("050 - 123 45 67")."""
    digits = "".join(c for c in number or "" if c.isdigit() or c == "+")
    return f"tel:{digits}"


class Contact(IdMixin, HsdsExtraMixin, Base):
    """A person to contact; ``is_public=False`` shows only to logged-in helpers."""

    __tablename__ = "contacts"

    service_id: Mapped[str | None] = parent_id("services")
    organization_id: Mapped[str | None] = parent_id("organizations")
    name: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    department: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)

    service: Mapped[Service | None] = relationship(back_populates="contacts")
    organization: Mapped[Organization | None] = relationship(back_populates="contacts")
    phones: Mapped[list[Phone]] = child_rows("contact")


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Schedule(IdMixin, HsdsExtraMixin, Base):
    """Opening hours: a weekly rule, or an exception for a date range (closed or other hours)."""

    __tablename__ = "schedules"

    service_id: Mapped[str | None] = parent_id("services")
    location_id: Mapped[str | None] = parent_id("locations")
    freq: Mapped[str | None] = mapped_column(String(10), default="WEEKLY")
    #: Comma-separated RFC 5545 weekdays, e.g. ``MO,WE``.
    byday: Mapped[str | None] = mapped_column(String(40))
    opens_at: Mapped[str | None] = mapped_column(String(5))
    closes_at: Mapped[str | None] = mapped_column(String(5))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    #: How people come: ``inloop`` (walk in), ``op-afspraak``, ``telefonisch``.
    attending_type: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    #: Exception rule: closed on these dates (``valid_from``..``valid_to``).
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)

    service: Mapped[Service | None] = relationship(back_populates="schedules")

    @property
    def days(self) -> list[str]:
        return [d.strip() for d in (self.byday or "").split(",") if d.strip() in WEEKDAYS]


class ServiceArea(IdMixin, HsdsExtraMixin, Base):
    """Where a service is available: one municipality (``gm_code``) or ``landelijk``."""

    __tablename__ = "service_areas"
    __table_args__ = (
        CheckConstraint("extent_type IN ('gemeente','landelijk')", name="extent_type"),
    )

    service_id: Mapped[str] = parent_id("services")
    name: Mapped[str] = mapped_column(String(255))
    extent_type: Mapped[str] = mapped_column(String(20), default="gemeente")
    gm_code: Mapped[str | None] = mapped_column(String(6), index=True)
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_areas")


class Language(IdMixin, HsdsExtraMixin, Base):
    __tablename__ = "languages"

    service_id: Mapped[str | None] = parent_id("services")
    location_id: Mapped[str | None] = parent_id("locations")
    name: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="languages")


class CostOption(IdMixin, HsdsExtraMixin, Base):
    __tablename__ = "cost_options"

    service_id: Mapped[str] = parent_id("services")
    option: Mapped[str | None] = mapped_column(String(255))
    amount: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    amount_description: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    service: Mapped[Service] = relationship(back_populates="cost_options")

    @property
    def is_free(self) -> bool:
        return self.amount is not None and self.amount == 0
