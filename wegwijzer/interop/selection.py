"""Which records an import writes: all or nothing, or (``skip_invalid``) the valid ones; and
their publication status (concept by default, published for a trusted ``publish`` import).

With ``skip_invalid`` every service row with an error is left out, with its reasons, and the
rest is checked again: leaving a row out can leave another without its organisation or
location, which is then left out too. Problems of the file as a whole (it cannot be read, a
table is broken) still refuse the whole import.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..domain.places import gazetteer
from ..models import PublicationStatus
from .build import Builder
from .records import Bundle, RawService
from .report import ImportReport, Problem, RecordKey, Rejected, nl
from .scope import check_scope

#: Rounds of leaving rows out before giving up (each round only removes rows).
MAX_ROUNDS = 6
#: HSDS statuses whose services are never published (a trusted import neither).
NOT_PUBLISHED = frozenset({"inactive", "defunct"})


@dataclass
class Checked:
    """The outcome of checking: the report, and the builder and bundle to write."""

    report: ImportReport
    builder: Builder
    bundle: Bundle


def check_records(
    session: Session,
    raws: list[RawService],
    base: ImportReport,
    *,
    allowed_gm_codes: set[str] | None,
    skip_invalid: bool,
    publish: bool,
) -> Checked:
    """Check the services; with ``skip_invalid`` leave out every one with an error."""
    rejected: dict[RecordKey, list[Problem]] = {}
    for _round in range(MAX_ROUNDS):
        report = _fresh(base)
        kept = [raw for raw in raws if _key(raw) not in rejected]
        builder = Builder(session, gazetteer(), report)
        for raw in kept:
            builder.add_service(raw)
        bundle = builder.finish()
        set_publication(bundle, report, publish=publish)
        if allowed_gm_codes is not None:
            check_scope(session, bundle, allowed_gm_codes, report)
        if report.ok or not skip_invalid:
            break
        errors = report.errors
        if any(p.record is None for p in errors):
            break  # the file as a whole is wrong: nothing can be left out
        for problem in errors:
            assert problem.record is not None
            rejected.setdefault(problem.record, []).append(problem)
    report.rejected = [
        Rejected(
            raw.file,
            raw.row,
            _shown(raw, "id"),
            _shown(raw, "name"),
            rejected[_key(raw)],
            cells=raw.cells,
        )
        for raw in raws
        if _key(raw) in rejected
    ]
    if skip_invalid and rejected and len(rejected) == len(raws):
        report.error(
            None,
            "",
            nl("Geen enkele dienst is zonder fouten; er is niets geïmporteerd."),
        )
    return Checked(report, builder, bundle)


def _fresh(base: ImportReport) -> ImportReport:
    report = ImportReport(
        format=base.format, dry_run=base.dry_run, rows=base.rows, version=base.version
    )
    report.problems = list(base.problems)
    return report


def _key(raw: RawService) -> RecordKey:
    return (raw.file, raw.row)


def _shown(raw: RawService, key: str) -> str:
    """Return the service's id or name as the file wrote it."""
    if raw.cells is not None:
        # A spreadsheet row: its own cell (a row without an id column has no id).
        return raw.cells.get({"id": "id", "name": "naam"}[key], "").strip()
    value = raw.data.get(key)
    return str(value).strip() if isinstance(value, str | int) else ""


def set_publication(bundle: Bundle, report: ImportReport, *, publish: bool) -> None:
    """Publish the services of a trusted import; never publish inactive or defunct ones.

    A service whose HSDS ``status`` is inactive or defunct is archived when the file (or
    ``publish``) would publish it; a concept stays a concept.
    """
    published = held_back = 0
    for record in bundle.services.values():
        fields = record.fields
        status = fields.get("status", record.create_defaults.get("status")) or "active"
        stated = fields.get("publication_status")
        if status in NOT_PUBLISHED:
            if stated == PublicationStatus.PUBLISHED.value or (publish and stated is None):
                fields["publication_status"] = PublicationStatus.ARCHIVED.value
                held_back += 1
            continue
        if publish and stated in (None, PublicationStatus.CONCEPT.value):
            fields["publication_status"] = PublicationStatus.PUBLISHED.value
        if fields.get("publication_status") == PublicationStatus.PUBLISHED.value:
            published += 1
    if publish:
        for org in bundle.organizations.values():
            if org.fields.get("publication_status") in (None, PublicationStatus.CONCEPT.value):
                org.fields["publication_status"] = PublicationStatus.PUBLISHED.value
    report.published = published if publish else 0
    if held_back:
        report.warn(
            None,
            "status",
            nl(
                "%(n)s dienst(en) met status inactive of defunct zijn niet gepubliceerd maar "
                "gearchiveerd.",
                n=held_back,
            ),
        )
