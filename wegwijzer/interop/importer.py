"""Import a file: read → check → compare → write in one transaction → one search pass."""

from __future__ import annotations

import logging
from typing import Literal

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..extensions import db
from ..infra.database import refresh_statistics
from ..search import sync_index
from .flat_csv import parse_flat_csv
from .hsds_csv import parse_datapackage
from .hsds_json import parse_hsds_json
from .reading import Input, Source, is_zip, open_input, read_zip
from .records import RawService
from .report import ImportFailed, ImportReport, Problem, nl
from .selection import check_records
from .writer import Progress, Writer

log = logging.getLogger(__name__)

Format = Literal["hsds", "hsds-csv", "csv"]
FORMATS: tuple[str, ...] = ("hsds", "hsds-csv", "csv")


def sniff_format(inp: Input) -> str:
    """Guess the format: a directory or zip is a data package, ``[``/``{`` is JSON, else CSV."""
    if inp.files is not None:
        return "hsds-csv"
    data = inp.data or b""
    if is_zip(data):
        return "hsds-csv"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"[", b"{"):
        return "hsds"
    return "csv"


def parse_input(
    inp: Input, fmt: str, max_bytes: int
) -> tuple[list[RawService], list[str | Problem], str]:
    """Read the services out of the input in the given format; return them, file-level
    warnings and the HSDS version found; raise ImportFailed."""
    if fmt == "hsds":
        if inp.data is None:
            raise ImportFailed(nl("Verwacht één JSON-bestand, maar kreeg een map."))
        return parse_hsds_json(inp.data)
    if fmt == "hsds-csv":
        files = inp.files
        if files is None:
            assert inp.data is not None
            if not is_zip(inp.data):
                raise ImportFailed(
                    nl(
                        "Een HSDS-datapakket is een map of zip-bestand met CSV-bestanden en "
                        "datapackage.json."
                    )
                )
            files = read_zip(inp.data, max_bytes)
        return parse_datapackage(files)
    if fmt == "csv":
        if inp.data is None:
            raise ImportFailed(nl("Verwacht één CSV-bestand, maar kreeg een map."))
        raws, warnings = parse_flat_csv(inp.data)
        return raws, warnings, nl("CSV (één regel per dienst)")
    raise ImportFailed(
        nl("Onbekend formaat '%(fmt)s'; kies uit %(choices)s.", fmt=fmt, choices=", ".join(FORMATS))
    )


def import_file(
    source: Source,
    fmt: str | None = None,
    *,
    dry_run: bool,
    actor: str,
    user_id: str | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    session: Session | None = None,
    allowed_gm_codes: set[str] | None = None,
    skip_invalid: bool = False,
    publish: bool = False,
) -> ImportReport:
    """Import services from a file, path or bytes; never raises for bad input.

    ``fmt`` is "hsds" (JSON), "hsds-csv" (data package: directory or zip) or "csv" (flat
    spreadsheet), or None to recognise it. Everything is checked first; when there is any
    error, or for a dry run, nothing is written. A real import is one transaction, followed
    by one search-index pass. The caller's session (default ``db.session``) is committed or
    rolled back. ``allowed_gm_codes`` limits the import to what lies wholly within those
    municipalities (services, organisations, locations), as for a beheerder uploading in the
    browser; without it (the command line) everything may change.

    ``skip_invalid`` writes the services without errors and lists the others, with their
    reasons, in ``report.rejected``. ``publish`` publishes the services (a trusted import);
    inactive and defunct ones never are. Without it new services are concepts.
    """
    session = session or db.session
    if max_bytes is None:
        max_bytes = int(current_app.config["MAX_IMPORT_BYTES"])
    report = ImportReport(dry_run=dry_run)
    try:
        inp = open_input(source, max_bytes)
        chosen = fmt or sniff_format(inp)
        report.format = chosen
        raws, warnings, report.version = parse_input(inp, chosen, max_bytes)
    except ImportFailed as exc:
        report.problems.append(exc.problem)
        return report
    for warning in warnings:
        if isinstance(warning, Problem):
            report.problems.append(warning)
        else:
            report.warn(None, "", warning)
    report.rows = len(raws)
    if not raws:
        report.error(None, "", nl("Het bestand bevat geen diensten."))
        return report

    checked = check_records(
        session,
        raws,
        report,
        allowed_gm_codes=allowed_gm_codes,
        skip_invalid=skip_invalid,
        publish=publish,
    )
    report, builder, bundle = checked.report, checked.builder, checked.bundle

    apply = report.ok and not dry_run
    writer = Writer(
        session,
        report,
        actor=actor,
        user_id=user_id,
        comment=f"Import uit {inp.name}" if inp.name != "upload" else "Import",
    )
    try:
        writer.run(bundle, apply=apply, progress=progress)
        builder.note_new_services(writer.existing_services)
        if apply:
            session.commit()
            report.written = True
            refresh_statistics(session, len(bundle.services))
        else:
            session.rollback()
    except SQLAlchemyError as exc:
        session.rollback()
        log.exception("import failed while writing")
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        report.error(
            None,
            "",
            nl(
                "De database weigerde de import; er is niets opgeslagen (%(reason)s).",
                reason=reason,
            ),
        )
        return report
    if report.written:
        sync_index()
    return report
