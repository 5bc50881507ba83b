"""Load and read the taxonomies (fase, thema, doelgroep, …) from ``data/taxonomy.json``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain.datafiles import new_code, read_json_list
from ..domain.languages import Labelled, language_texts
from ..models import Taxonomy, TaxonomyTerm, stable_id

#: The taxonomies every installation has; codes are fixed (imports, URLs, API use them).


class TaxonomyFileError(ValueError):
    """The taxonomy file is not valid; the message names the place."""


@dataclass
class LoadSummary:
    taxonomies: int = 0
    terms_added: int = 0
    terms_updated: int = 0


def term_id(taxonomy: str, code: str) -> str:
    """Return the stable HSDS id of a term, the same on every installation."""
    return stable_id(taxonomy, code)


def read_taxonomy_file(path: Path) -> list[dict[str, Any]]:
    """Read and check a taxonomy file; raise TaxonomyFileError naming the bad entry."""
    taxonomies = read_json_list(path, "taxonomies", TaxonomyFileError)
    for i, tax in enumerate(taxonomies, 1):
        where = f"{path}: taxonomie {i}"
        if not isinstance(tax, dict) or not isinstance(tax.get("name"), str):
            raise TaxonomyFileError(f"{where}: 'name' ontbreekt.")
        where = f"{path}: taxonomie {tax['name']}"
        if not isinstance(tax.get("facet"), str) or not tax["facet"]:
            raise TaxonomyFileError(f"{where}: 'facet' ontbreekt.")
        _check_labels(tax.get("label"), f"{where}: 'label'")
        _check_hint(tax.get("hint"), f"{where}: 'hint'")
        terms = tax.get("terms")
        if not isinstance(terms, list) or not terms:
            raise TaxonomyFileError(f"{where}: 'terms' moet een niet-lege lijst zijn.")
        seen: set[str] = set()
        for j, term in enumerate(terms, 1):
            code = new_code(term, seen, f"{where}, term {j}", TaxonomyFileError)
            _check_labels(term.get("label"), f"{where}, term {code}: 'label'")
            _check_hint(term.get("hint"), f"{where}, term {code}: 'hint'")
    return taxonomies


def _check_hint(value: Any, where: str) -> None:
    """A hint (the expert term beside a plain label) is optional, but then in both languages."""
    if value is not None:
        _check_labels(value, where)


def _check_labels(value: Any, where: str) -> None:
    try:
        language_texts(value, where)
    except ValueError as exc:
        raise TaxonomyFileError(str(exc)) from None


def load_taxonomies(session: Session, path: Path) -> LoadSummary:
    """Insert or update taxonomies and terms from ``path``; never deletes terms in use."""
    taxonomies = read_taxonomy_file(path)
    summary = LoadSummary()
    existing = {
        t.name: t for t in session.scalars(select(Taxonomy).options(selectinload(Taxonomy.terms)))
    }
    for position, data in enumerate(taxonomies):
        tax = existing.get(data["name"])
        if tax is None:
            tax = Taxonomy(id=stable_id("taxonomy", data["name"]), name=data["name"])
            session.add(tax)
        tax.facet = data["facet"]
        tax.label_nl = data["label"]["nl"]
        tax.label_en = data["label"]["en"]
        tax.hint_nl, tax.hint_en = _hints(data)
        desc = data.get("description") or {}
        tax.description = desc.get("nl", "")
        tax.description_en = desc.get("en", "")
        tax.position = position
        summary.taxonomies += 1
        by_code = {t.code: t for t in tax.terms}
        for tpos, tdata in enumerate(data["terms"]):
            term = by_code.get(tdata["code"])
            if term is None:
                term = TaxonomyTerm(id=term_id(data["name"], tdata["code"]), code=tdata["code"])
                tax.terms.append(term)
                summary.terms_added += 1
            else:
                summary.terms_updated += 1
            term.name = tdata["label"]["nl"]
            term.name_en = tdata["label"]["en"]
            term.hint_nl, term.hint_en = _hints(tdata)
            expl = tdata.get("explanation") or {}
            term.description = expl.get("nl", "")
            term.description_en = expl.get("en", "")
            keywords = tdata.get("keywords") or []
            term.keywords = " ".join(k for k in keywords if isinstance(k, str))
            term.position = tpos
    session.commit()
    return summary


def _hints(data: dict[str, Any]) -> tuple[str, str]:
    hint = data.get("hint") or {}
    return hint.get("nl", "").strip(), hint.get("en", "").strip()


class _LabelAndHint(Labelled):
    """A plain label and, beside it, the expert term (``hint_nl``, ``hint_en``)."""

    def hint(self, lang: str = "nl") -> str:
        """Return the expert term beside the plain label ("" when the label says it all)."""
        return self.text_in("hint", lang)


@dataclass(frozen=True)
class TermInfo(_LabelAndHint):
    id: str
    code: str
    label_nl: str
    label_en: str
    explanation_nl: str
    explanation_en: str
    hint_nl: str = ""
    hint_en: str = ""

    def explanation(self, lang: str = "nl") -> str:
        return self.text_in("explanation", lang)


@dataclass(frozen=True)
class TaxonomyInfo(_LabelAndHint):
    name: str
    facet: str
    label_nl: str
    label_en: str
    terms: tuple[TermInfo, ...]
    hint_nl: str = ""
    hint_en: str = ""

    def term(self, code: str) -> TermInfo | None:
        return next((t for t in self.terms if t.code == code), None)


#: Built once (building a statement costs more than running this one).
_TAXONOMY_ROWS = (
    select(
        Taxonomy.id.label("tax_id"),
        Taxonomy.name.label("tax_name"),
        Taxonomy.facet,
        Taxonomy.label_nl.label("tax_label_nl"),
        Taxonomy.label_en.label("tax_label_en"),
        Taxonomy.hint_nl.label("tax_hint_nl"),
        Taxonomy.hint_en.label("tax_hint_en"),
        TaxonomyTerm.id,
        TaxonomyTerm.code,
        TaxonomyTerm.name,
        TaxonomyTerm.name_en,
        TaxonomyTerm.description,
        TaxonomyTerm.description_en,
        TaxonomyTerm.hint_nl,
        TaxonomyTerm.hint_en,
    )
    .outerjoin(TaxonomyTerm, TaxonomyTerm.taxonomy_id == Taxonomy.id)
    .order_by(Taxonomy.position, Taxonomy.id, TaxonomyTerm.position, TaxonomyTerm.id)
)


def list_taxonomies(session: Session) -> list[TaxonomyInfo]:
    """Return all taxonomies with their terms, in display order, as plain values.

    Every public page needs this (filters, labels), so it is one query of plain rows.
    """
    rows = session.execute(_TAXONOMY_ROWS).all()
    heads: dict[str, Any] = {}
    terms: dict[str, list[TermInfo]] = {}
    for row in rows:
        if row.tax_id not in heads:
            heads[row.tax_id] = row
            terms[row.tax_id] = []
        if row.id is not None:
            terms[row.tax_id].append(
                TermInfo(
                    id=row.id,
                    code=row.code,
                    label_nl=row.name,
                    label_en=row.name_en or row.name,
                    explanation_nl=row.description,
                    explanation_en=row.description_en or row.description,
                    hint_nl=row.hint_nl,
                    hint_en=row.hint_en,
                )
            )
    return [
        TaxonomyInfo(
            name=head.tax_name,
            facet=head.facet,
            label_nl=head.tax_label_nl,
            label_en=head.tax_label_en,
            terms=tuple(terms[tax_id]),
            hint_nl=head.tax_hint_nl,
            hint_en=head.tax_hint_en,
        )
        for tax_id, head in heads.items()
    ]
