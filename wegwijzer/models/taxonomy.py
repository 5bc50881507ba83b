"""Taxonomies, their terms (nl and en) and the HSDS ``attribute`` links to them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, HsdsExtraMixin, IdMixin


class Taxonomy(IdMixin, Base):
    __tablename__ = "taxonomies"

    #: Fixed name used in imports, exports, URLs and the API, e.g. ``wegwijzer-thema``.
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: Short key for filters and URLs, e.g. ``thema``.
    facet: Mapped[str] = mapped_column(String(40), unique=True)
    label_nl: Mapped[str] = mapped_column(String(255))
    label_en: Mapped[str] = mapped_column(String(255))
    #: The expert term beside a plain-language label (``Fase``), shown as a hint; may be empty.
    hint_nl: Mapped[str] = mapped_column(String(255), default="", server_default="")
    hint_en: Mapped[str] = mapped_column(String(255), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)

    terms: Mapped[list[TaxonomyTerm]] = relationship(
        back_populates="taxonomy", order_by="TaxonomyTerm.position", cascade="all, delete-orphan"
    )

    def label(self, lang: str = "nl") -> str:
        return self.label_en if lang == "en" and self.label_en else self.label_nl


class TaxonomyTerm(IdMixin, Base):
    __tablename__ = "taxonomy_terms"
    __table_args__ = (UniqueConstraint("taxonomy_id", "code", name="taxonomy_code"),)

    taxonomy_id: Mapped[str] = mapped_column(
        ForeignKey("taxonomies.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(100))
    #: Dutch label (HSDS ``name``).
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255), default="")
    #: The expert term beside the plain label (``Voor en bij aanmelding``); may be empty.
    hint_nl: Mapped[str] = mapped_column(String(255), default="", server_default="")
    hint_en: Mapped[str] = mapped_column(String(255), default="", server_default="")
    #: Dutch plain-language explanation (HSDS ``description``).
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    #: Words residents use for this term, space separated; fed to the search index.
    keywords: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy_terms.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    taxonomy: Mapped[Taxonomy] = relationship(back_populates="terms", lazy="joined")

    def label(self, lang: str = "nl") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    def explanation(self, lang: str = "nl") -> str:
        return self.description_en if lang == "en" and self.description_en else self.description


class Attribute(IdMixin, HsdsExtraMixin, Base):
    """Links an entity (``link_entity`` + ``link_id``) to a taxonomy term, as in HSDS 3.0."""

    __tablename__ = "attributes"
    __table_args__ = (
        UniqueConstraint("link_entity", "link_id", "taxonomy_term_id", name="link_term"),
    )

    link_id: Mapped[str] = mapped_column(String(36), index=True)
    link_entity: Mapped[str] = mapped_column(String(30), default="service")
    link_type: Mapped[str | None] = mapped_column(String(50))
    taxonomy_term_id: Mapped[str] = mapped_column(
        ForeignKey("taxonomy_terms.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str | None] = mapped_column(Text)

    taxonomy_term: Mapped[TaxonomyTerm] = relationship(lazy="joined")
