"""Running a site: backup, restore, pruning the change log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import Flask

from .base import CliError, main, with_app


def prune_line(app: Flask, days: int | None = None) -> str:
    """Prune the change log with the configured retention; return one line saying what."""
    from ..extensions import db
    from ..services.changes import prune_changes

    days = int(app.config["CHANGE_LOG_RETENTION_DAYS"] if days is None else days)
    result = prune_changes(db.session, timedelta(days=days))
    forgotten = (
        f"; {result.forgotten_indexes} zoekindex(en) langer dan {days} dagen niet gezien "
        "(die bouwen zichzelf opnieuw als ze terugkomen)"
        if result.forgotten_indexes
        else ""
    )
    return (
        f"Wijzigingenlog opgeschoond: {result.deleted} regel(s) weg, {result.remaining} over; "
        f"{result.live_indexes} actieve zoekindex(en){forgotten}."
    )


@main.command("prune-changes")
@click.option(
    "--days",
    type=click.IntRange(0, 3650),
    default=None,
    help="Bewaartermijn in dagen (standaard CHANGE_LOG_RETENTION_DAYS, 7).",
)
@with_app()
def prune_changes_command(app: Flask, days: int | None) -> None:
    """Ruim het wijzigingenlog van de zoekindex op: regels die elke actieve index heeft
    verwerkt en die ouder zijn dan de bewaartermijn."""
    from ..infra.database import upgrade_database

    upgrade_database(app)
    click.echo(prune_line(app, days))


@main.command("backup")
@click.argument("target", type=click.Path(path_type=Path))
@with_app()
def backup_command(app: Flask, target: Path) -> None:
    """Maak een reservekopie (database en instance-bestanden) in de nieuwe map TARGET.

    Veilig terwijl de site draait. De zoekindex zit er niet in: die wordt na een restore
    opnieuw gebouwd.
    """
    from ..extensions import Database, db
    from ..services.backup import BackupError, backup_instance

    try:
        summary = backup_instance(
            Database.engine(app),
            db.session,
            Path(app.instance_path),
            Path(app.config["INDEX_DIR"]),
            target,
        )
    except BackupError as exc:
        raise CliError(str(exc)) from None
    click.echo(
        f"Reservekopie gemaakt in {summary.path} ({summary.database}, {summary.services} "
        f"diensten): {', '.join(summary.files)}."
    )


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Ook als de database al gegevens bevat (die gaan verloren)."
)
@with_app()
def restore_command(app: Flask, source: Path, force: bool) -> None:
    """Zet een reservekopie uit SOURCE terug, werk het schema bij en bouw de zoekindex."""
    from ..extensions import Database, db
    from ..infra.database import upgrade_database
    from ..search import rebuild_index
    from ..services.backup import BackupError, count_services, mark_restored, restore_instance

    try:
        result = restore_instance(
            Database.engine(app), db.session, Path(app.instance_path), source, force
        )
    except BackupError as exc:
        raise CliError(str(exc)) from None
    db.remove()
    upgrade_database(app)
    mark_restored(db.session, int(result["before"]))  # type: ignore[call-overload]
    count = rebuild_index(app)
    files = result["instance_files"]
    extra = f"; instance-bestanden: {', '.join(files)}" if files else ""  # type: ignore[arg-type]
    click.echo(
        f"Teruggezet uit {source}: {count_services(db.session)} diensten, zoekindex met "
        f"{count} diensten opnieuw gebouwd{extra}."
    )
