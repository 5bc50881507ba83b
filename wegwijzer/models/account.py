"""Accounts, their roles and scopes, and login throttling."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, IdMixin, TimestampMixin, utcnow
from .organization import Organization


class Role(enum.StrEnum):
    ADMIN = "beheerder"
    EDITOR = "redacteur"
    HELPER = "verwijzer"


user_organizations = Table(
    "user_organizations",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
)


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('beheerder','redacteur','verwijzer')", name="role"),
    )

    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    last_login_at: Mapped[datetime | None]
    #: Bumped on password change and logout-everywhere; part of the login session.
    session_token: Mapped[str | None] = mapped_column(String(64))

    municipalities: Mapped[list[UserMunicipality]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    organizations: Mapped[list[Organization]] = relationship(
        secondary=user_organizations, lazy="selectin"
    )

    @property
    def gm_codes(self) -> set[str]:
        return {m.gm_code for m in self.municipalities}

    @property
    def organization_ids(self) -> set[str]:
        return {o.id for o in self.organizations}

    # Flask-Login protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token or ''}"


class UserMunicipality(Base):
    __tablename__ = "user_municipalities"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    gm_code: Mapped[str] = mapped_column(
        ForeignKey("municipalities.gm_code", ondelete="CASCADE"), primary_key=True
    )


class LoginAttempt(IdMixin, Base):
    """A failed login, kept briefly to rate-limit by account and IP across processes."""

    __tablename__ = "login_attempts"

    key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Token(IdMixin, Base):
    """A one-time link to set or reset a password; only the hash is stored."""

    __tablename__ = "tokens"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
