"""Taxonomy links of a service (HSDS ``attributes``): terms by code or label, else keywords."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.geo import normalise
from ..models import Attribute, Taxonomy, TaxonomyTerm
from .checks import Checker, Foreign
from .records import RawService, Row
from .report import Text, nl
from .schema import max_length
from .values import clip

#: Pseudo-taxonomy for plain keywords: kept as keywords without a warning.
KEYWORD_TAXONOMY = "wegwijzer-trefwoord"


@dataclass
class TermIndex:
    """The taxonomies and terms in the database, to look a file's terms up in."""

    #: Taxonomy name → term code → term id.
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Taxonomy name → normalised Dutch or English label → term code.
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)
    #: Facet (``thema``) → taxonomy name (``wegwijzer-thema``).
    facets: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> TermIndex:
        """Read every taxonomy and term."""
        index = cls()
        for tax in session.scalars(select(Taxonomy)):
            index.facets[tax.facet] = tax.name
            index.codes.setdefault(tax.name, {})
            index.labels.setdefault(tax.name, {})
        for term in session.scalars(select(TaxonomyTerm)):
            name = term.taxonomy.name
            index.codes[name][term.code] = term.id
            index.labels[name][normalise(term.name)] = term.code
            if term.name_en:
                index.labels[name].setdefault(normalise(term.name_en), term.code)
            index.ids.add(term.id)
        return index


class TermChecks(Checker):
    """Link terms of known taxonomies; keep terms of unknown ones as keywords, with one warning.

    The builder sets ``terms`` and ``unknown_taxonomies`` (taxonomy name → terms kept).
    """

    terms: TermIndex
    unknown_taxonomies: dict[str, int]

    def attributes(
        self,
        raw: RawService,
        data: dict[str, Any],
        service_id: str,
        keywords: list[str],
        foreign: list[dict[str, Any]] | None = None,
    ) -> list[Row]:
        """Return one attribute row per known term; add unknown terms to ``keywords`` and,
        as the file has them, to ``foreign``."""
        convert = partial(self._attribute, keywords=keywords)
        return self.children_of(
            raw,
            data,
            "attributes",
            "",
            service_id,
            convert,
            table="attribute",
            distinct=_term_id,
            kept=foreign,
        )

    def _attribute(
        self, raw: RawService, item: dict[str, Any], path: str, *, keywords: list[str]
    ) -> dict[str, Any]:
        term_id = self._term(raw, item, path, keywords)
        if term_id is None:
            raise Foreign
        return {
            "taxonomy_term_id": term_id,
            "link_entity": "service",
            "link_type": self.text(
                raw, item, "link_type", path, limit=max_length(Attribute, "link_type")
            ),
            "value": self.text(raw, item, "value", path),
        }

    def _term(
        self, raw: RawService, item: dict[str, Any], path: str, keywords: list[str]
    ) -> str | None:
        term = item.get("taxonomy_term")
        if term is None:
            term_id = item.get("taxonomy_term_id")
            if isinstance(term_id, str) and term_id.strip() in self.terms.ids:
                return term_id.strip()
            self.refuse(
                raw,
                f"{path}.taxonomy_term",
                nl("Onbekende term: geef taxonomy_term met taxonomy en code."),
            )
        if not isinstance(term, dict):
            self.refuse(raw, f"{path}.taxonomy_term", nl("Verwacht een object."))
        tpath = f"{path}.taxonomy_term"
        taxonomy = self.text(raw, term, "taxonomy", tpath)
        detail = term.get("taxonomy_detail")
        if taxonomy is None and isinstance(detail, dict):
            taxonomy = self.text(raw, detail, "name", f"{tpath}.taxonomy_detail")
        code = self.text(raw, term, "code", tpath)
        label = self.text(raw, term, "name", tpath)
        if taxonomy is not None and taxonomy not in self.terms.codes:
            taxonomy = self.terms.facets.get(taxonomy.lower(), taxonomy)
        if taxonomy is None or taxonomy not in self.terms.codes:
            self._keep_as_keyword(raw, tpath, taxonomy, label or code, keywords)
            return None
        codes = self.terms.codes[taxonomy]
        if code is not None and code.lower() in codes:
            return codes[code.lower()]
        # A Dutch or English label typed instead of the code.
        by_label = self.terms.labels[taxonomy].get(normalise(code or label or ""))
        if by_label:
            return codes[by_label]
        self.refuse(
            raw,
            f"{tpath}.code",
            nl(
                "Onbekende code '%(code)s' in taxonomie %(taxonomy)s; kies uit: %(codes)s.",
                code=clip(code or label),
                taxonomy=taxonomy,
                codes=", ".join(sorted(codes)),
            ),
        )

    def _keep_as_keyword(
        self,
        raw: RawService,
        path: str,
        taxonomy: str | None,
        word: str | None,
        keywords: list[str],
    ) -> None:
        if word:
            keywords.append(word)
        if taxonomy == KEYWORD_TAXONOMY:
            return
        name = taxonomy or nl("(zonder naam)")
        self.unknown_taxonomies[name] = self.unknown_taxonomies.get(name, 0) + 1
        if self.unknown_taxonomies[name] == 1:
            self.warn(
                raw,
                path,
                nl(
                    "Onbekende taxonomie '%(name)s': de termen worden als trefwoord bewaard "
                    "(vindbaar in zoeken, niet als filter).",
                    name=name if isinstance(name, Text) else clip(name),
                ),
            )

    def report_unknown_taxonomies(self) -> None:
        """Warn once per unknown taxonomy with more than one term, with the count."""
        for name, count in self.unknown_taxonomies.items():
            if count > 1:
                self.report.warn(
                    None,
                    "attributes",
                    nl(
                        "Taxonomie '%(name)s' is onbekend: %(count)s termen zijn als trefwoord "
                        "bewaard.",
                        name=name if isinstance(name, Text) else clip(name),
                        count=count,
                    ),
                )


def _term_id(values: dict[str, Any]) -> Any:
    return values["taxonomy_term_id"]
