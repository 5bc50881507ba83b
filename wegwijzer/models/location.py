"""Locations (HSDS ``location``), addresses, accessibility and service-at-location links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, HsdsExtraMixin, IdMixin, TimestampMixin, child_rows, parent_id

if TYPE_CHECKING:
    from .organization import Organization
    from .service import Service


class Location(IdMixin, HsdsExtraMixin, TimestampMixin, Base):
    __tablename__ = "locations"

    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    #: HSDS: physical, postal or virtual.
    location_type: Mapped[str] = mapped_column(String(20), default="physical")
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    #: Municipality the point lies in, derived at write time from the gazetteer.
    gm_code: Mapped[str | None] = mapped_column(String(6), index=True)

    organization: Mapped[Organization | None] = relationship(back_populates="locations")
    addresses: Mapped[list[Address]] = child_rows("location")
    accessibility: Mapped[list[Accessibility]] = child_rows("location")
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(back_populates="location")

    @property
    def address(self) -> Address | None:
        physical = [a for a in self.addresses if a.address_type == "physical"]
        return (physical or self.addresses or [None])[0]


class Address(IdMixin, HsdsExtraMixin, Base):
    __tablename__ = "addresses"

    location_id: Mapped[str] = parent_id("locations")
    attention: Mapped[str | None] = mapped_column(String(255))
    address_1: Mapped[str] = mapped_column(String(255))
    address_2: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str] = mapped_column(String(255))
    region: Mapped[str | None] = mapped_column(String(255))
    state_province: Mapped[str] = mapped_column(String(255), default="")
    postal_code: Mapped[str] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), default="NL")
    address_type: Mapped[str] = mapped_column(String(20), default="physical")

    location: Mapped[Location] = relationship(back_populates="addresses")

    def one_line(self) -> str:
        return address_line(self.address_1, self.postal_code, self.city)


def address_line(address_1: str | None, postal_code: str | None, city: str | None) -> str:
    """Return an address on one line: "Stationsweg 1, 8011 AB Zwolle"."""
    place = " ".join(p for p in (postal_code, city) if p)
    return ", ".join(p for p in (address_1, place) if p)


class Accessibility(IdMixin, HsdsExtraMixin, Base):
    __tablename__ = "accessibility"

    location_id: Mapped[str] = parent_id("locations")
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))

    location: Mapped[Location] = relationship(back_populates="accessibility")


class ServiceAtLocation(IdMixin, HsdsExtraMixin, Base):
    __tablename__ = "service_at_location"

    service_id: Mapped[str] = parent_id("services")
    location_id: Mapped[str] = parent_id("locations")
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship(back_populates="service_at_locations")
