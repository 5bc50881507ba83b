"""Import and export (HSDS JSON, HSDS tabular, flat CSV)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask

from .base import CliError, main, with_app

INTEROP_FORMATS = ("hsds", "hsds-csv", "csv")


def _format_option(otherwise: str) -> Any:
    """Return the --format option of import and export; ``otherwise`` says how it is chosen
    when not given."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(INTEROP_FORMATS),
        default=None,
        help="hsds (JSON), hsds-csv (map of zip met CSV-bestanden) of csv (spreadsheet). "
        f"Standaard: {otherwise}.",
    )


@main.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@_format_option("herkend aan de inhoud")
@click.option("--dry-run", is_flag=True, help="Alleen controleren en rapporteren; niets opslaan.")
@click.option("--actor", default="", help="Naam in het logboek (standaard: cli).")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Sla diensten met fouten over en importeer de rest; de overgeslagen diensten en hun "
    "redenen komen in een CSV-bestand.",
)
@click.option(
    "--rejected",
    "rejected_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Waar de overgeslagen diensten komen (standaard: <bestand>-afgewezen.csv in de "
    "huidige map).",
)
@click.option(
    "--publish",
    is_flag=True,
    help="Publiceer de diensten meteen (voor een vertrouwde bron). Zonder deze optie worden "
    "nieuwe diensten concept. Diensten met status inactive of defunct worden nooit "
    "gepubliceerd.",
)
@with_app()
def import_command(
    app: Flask,
    source: Path,
    fmt: str | None,
    dry_run: bool,
    actor: str,
    skip_invalid: bool,
    rejected_path: Path | None,
    publish: bool,
) -> None:
    """Importeer diensten uit HSDS JSON (3.1, 3.0, 2.0, 1.x, Open Referral UK), een
    HSDS-datapakket of een CSV-spreadsheet.

    Alles of niets: bij één fout wordt niets opgeslagen, tenzij u --skip-invalid kiest.
    Opnieuw importeren is veilig.
    """
    from ..interop import import_file
    from ..interop.report import rejected_csv

    bars: list[Any] = []

    def progress(done: int, total: int) -> None:
        if not bars:
            bar = click.progressbar(length=total, label="Diensten verwerken", file=sys.stderr)
            bar.__enter__()
            bars.append(bar)
        bars[0].update(done - bars[0].pos)

    try:
        report = import_file(
            source,
            fmt,
            dry_run=dry_run,
            actor=actor or "cli",
            user_id=None,
            max_bytes=app.config["MAX_IMPORT_BYTES"],
            progress=progress,
            skip_invalid=skip_invalid,
            publish=publish,
        )
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
    if report.version:
        click.echo(f"Gevonden: {report.version}")
    for group in report.grouped():
        click.echo(group.line_nl())
    for group in report.rejected_grouped():
        click.echo(group.line_nl("overgeslagen"))
    if report.rejected:
        target = rejected_path or Path.cwd() / f"{source.stem}-afgewezen.csv"
        try:
            target.write_text("\ufeff" + rejected_csv(report), encoding="utf-8")
        except OSError as exc:
            raise CliError(f"Kan {target} niet schrijven: {exc.strerror or exc}.") from exc
        click.echo(
            f"{len(report.rejected)} dienst(en) met fouten overgeslagen; de redenen staan in "
            f"{target}"
        )
    if not report.ok:
        raise CliError(report.summary_nl())
    click.echo(report.summary_nl())


@main.command("export")
@click.argument("target", type=click.Path(path_type=Path))
@_format_option("uit de bestandsnaam (.json, .zip of map, .csv)")
@click.option(
    "--internal",
    is_flag=True,
    help="Ook concepten, niet-openbare contacten en gemeente-interne velden (alleen voor de "
    "gemeente; deel dit bestand niet).",
)
@with_app()
def export_command(app: Flask, target: Path, fmt: str | None, internal: bool) -> None:
    """Exporteer de sociale kaart (standaard: alleen gepubliceerde, openbare gegevens)."""
    import json

    from ..extensions import db
    from ..interop import export_flat_csv, export_hsds_csv, export_hsds_json

    suffix = target.suffix.lower()
    fmt = fmt or {".json": "hsds", ".csv": "csv", ".zip": "hsds-csv"}.get(suffix)
    if fmt is None:
        if target.suffix:
            raise CliError(f"Kies --format: onbekende extensie '{target.suffix}'.")
        fmt = "hsds-csv"
    try:
        if fmt == "hsds":
            data = export_hsds_json(db.session, internal=internal)
            target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
            count = len(data)
        elif fmt == "hsds-csv":
            count = export_hsds_csv(db.session, target, internal=internal)
        else:
            with target.open("w", encoding="utf-8-sig", newline="") as stream:
                count = export_flat_csv(db.session, stream, internal=internal)
    except OSError as exc:
        raise CliError(f"Kan {target} niet schrijven: {exc.strerror or exc}.") from None
    kind = "interne" if internal else "openbare"
    click.echo(f"{count} diensten geëxporteerd naar {target} ({fmt}, {kind} gegevens).")
