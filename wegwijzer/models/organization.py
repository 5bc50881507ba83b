"""Organisations (HSDS ``organization``) with municipality-only fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ColumnElement, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
)

if TYPE_CHECKING:
    from .location import Location
    from .service import Contact, Phone, Service


class Organization(
    IdMixin,
    HsdsExtraMixin,
    TimestampMixin,
    VersionedMixin,
    PublicationMixin,
    InternalFieldsMixin,
    Base,
):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(255), index=True)
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(500))
    publication_status: Mapped[str] = mapped_column(
        String(20), default=PublicationStatus.PUBLISHED.value
    )
    #: A redacteur's edit waiting for a beheerder: ``{field: new value}``; the live values
    #: stay on the site until the edit is approved.
    pending_changes: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    pending_by: Mapped[str | None] = mapped_column(String(255))

    services: Mapped[list[Service]] = relationship(back_populates="organization")
    locations: Mapped[list[Location]] = relationship(back_populates="organization")
    phones: Mapped[list[Phone]] = child_rows("organization")
    contacts: Mapped[list[Contact]] = child_rows("organization")

    @hybrid_property
    def is_public(self) -> bool:
        """Whether anyone may see this organisation: published and not deleted.

        Part of ``Service.is_public``; the SQL form below must say the same.
        """
        return self.publication_status == PublicationStatus.PUBLISHED and self.deleted_at is None

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> ColumnElement[bool]:
        return and_(
            cls.publication_status == PublicationStatus.PUBLISHED.value, cls.deleted_at.is_(None)
        )

    def __repr__(self) -> str:
        return f"<Organization {self.name!r}>"
