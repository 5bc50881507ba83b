"""Declarative base, id and time helpers shared by all models."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    MappedColumn,
    Relationship,
    declared_attr,
    mapped_column,
    relationship,
)
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Namespace for deterministic ids (taxonomy terms, demo data).
ID_NAMESPACE = uuid.UUID("6f1d8d7e-8a4b-4f0e-9a53-2f1c3b7d9e10")


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def new_id() -> str:
    """Return a new HSDS id (a UUID string)."""
    return str(uuid.uuid4())


def stable_id(*parts: str) -> str:
    """Return a UUID derived from ``parts``, the same on every machine."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(parts)))


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC and always return aware datetimes (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class PublicationStatus(enum.StrEnum):
    CONCEPT = "concept"
    REVIEW = "ter-beoordeling"
    PUBLISHED = "gepubliceerd"
    ARCHIVED = "gearchiveerd"


PUBLICATION_STATUSES = tuple(s.value for s in PublicationStatus)


def parent_id(table: str) -> MappedColumn[Any]:
    """Return the indexed column holding the id of the ``table`` row this row belongs to;
    deleting that row deletes this one too."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True)


def child_rows(parent: str, **options: Any) -> Relationship[Any]:
    """Return the rows that belong to this one (``parent`` is their way back): saved and
    deleted with it; a row taken out of the list is deleted."""
    return relationship(back_populates=parent, cascade="all, delete-orphan", **options)


class IdMixin:
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)


class HsdsExtraMixin:
    """What an HSDS file said about this row that Wegwijzer does not use itself.

    ``{field: value}`` as in the file (nested lists and objects too), plus ``id`` when the
    file's id is not the row's own (a non-UUID id, or a UUID used twice); written back on
    export, so a foreign file survives an import and export whole.
    """

    hsds_extra: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps ``version``."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class PublicationMixin:
    """What organisations and services share for publishing: the allowed statuses, when the
    entry was last checked and its soft delete. Each declares its own ``publication_status``
    (the default differs)."""

    last_verified_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        statuses = ",".join(f"'{s}'" for s in PUBLICATION_STATUSES)
        return (CheckConstraint(f"publication_status IN ({statuses})", name="publication_status"),)


class InternalFieldsMixin:
    """Municipality-only fields: never in public pages, the API or public exports."""

    funding_source: Mapped[str | None] = mapped_column(String(40))
    collaboration_agreement: Mapped[str | None] = mapped_column(String(40))
    coordinator: Mapped[str | None] = mapped_column(String(255))
    internal_notes: Mapped[str | None] = mapped_column(Text)
