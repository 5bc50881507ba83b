"""Accounts, freshness reminders, the guided-route file and coverage figures."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from .base import CliError, main, with_app


@main.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["beheerder", "redacteur", "verwijzer"]),
    help="beheerder (gemeente), redacteur (organisatie) of verwijzer (alleen lezen).",
)
@click.option(
    "--municipality", "municipalities", multiple=True, help="GM-code, bijvoorbeeld GM0193."
)
@click.option(
    "--organization", "organizations", multiple=True, help="Id van een organisatie (redacteur)."
)
@click.option("--name", default="", help="Naam van de persoon.")
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Adres van de site, voor de link.",
)
@with_app()
def create_user_command(
    app: Flask,
    email: str,
    role: str,
    municipalities: tuple[str, ...],
    organizations: tuple[str, ...],
    name: str,
    base_url: str,
) -> None:
    """Maak een account en toon een eenmalige link om het wachtwoord te kiezen."""
    from ..extensions import db
    from ..services.accounts import AccountError, create_token, create_user

    try:
        user = create_user(
            db.session,
            email,
            role,
            gm_codes=municipalities,
            organization_ids=organizations,
            name=name,
            actor="opdrachtregel",
        )
    except AccountError as exc:
        raise CliError(str(exc)) from None
    raw = create_token(db.session, user, "invite", actor="opdrachtregel")
    click.echo(f"Account gemaakt: {user.email} ({user.role}).")
    click.echo("Eenmalige link om het wachtwoord te kiezen (72 uur geldig):")
    click.echo(f"{base_url.rstrip('/')}/beheer/wachtwoord/{raw}")


@main.command("stale")
@click.option(
    "--months", type=click.IntRange(1, 120), default=None, help="Standaard: STALE_MONTHS (6)."
)
@click.option("--csv", "as_csv", is_flag=True, help="Schrijf CSV (puntkomma's) voor een mailing.")
@click.option(
    "--mail", "send", is_flag=True, help="Mail de redacteuren (alleen met MAIL_SERVER ingesteld)."
)
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Adres van de site, voor de links in de mail.",
)
@with_app()
def stale_command(app: Flask, months: int | None, as_csv: bool, send: bool, base_url: str) -> None:
    """Toon diensten die te lang niet gecontroleerd zijn, of mail hun redacteuren."""
    from ..extensions import db
    from ..infra.mail import MailError, mail_configured
    from ..services.freshness import send_reminders, stale_csv, stale_report

    months = months or int(app.config["STALE_MONTHS"])
    rows = stale_report(db.session, months)
    if as_csv:
        click.echo(stale_csv(rows), nl=False)
    else:
        click.echo(f"{len(rows)} dienst(en) langer dan {months} maanden niet gecontroleerd.")
        for row in rows:
            checked = row.service.last_verified_at
            when = checked.date().isoformat() if checked else "nooit"
            who = ", ".join(row.editors or row.admins) or "niemand"
            click.echo(f"- {row.service.name} (laatst: {when}; {who})")
    if send:
        if not mail_configured():
            raise CliError("Geen mailserver ingesteld (MAIL_SERVER); er is niets gemaild.")
        try:
            sent = send_reminders(rows, base_url)
        except MailError as exc:
            raise CliError(str(exc)) from None
        click.echo(f"{sent} herinnering(en) gemaild.", err=as_csv)


@main.group("route")
def route_group() -> None:
    """De vragen van de wegwijzer (data/route.json)."""


def _data_dir() -> Path:
    import os

    from .. import config

    return Path(os.environ.get("WEGWIJZER_DATA_DIR") or config.DATA_DIR)


@route_group.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--taxonomy",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Taxonomiebestand met de toegestane codes. Standaard: data/taxonomy.json.",
)
def route_check(path: Path | None, taxonomy: Path | None) -> None:
    """Controleer een routebestand: vragen, antwoorden, codes en teksten in nl en en.

    Zonder PATH: data/route.json. Een fout noemt de vraag en het antwoord.
    """
    from ..services.route import RouteFileError, check_route_file

    target = path or _data_dir() / "route.json"
    try:
        route = check_route_file(target, taxonomy or _data_dir() / "taxonomy.json")
    except RouteFileError as exc:
        raise CliError(str(exc)) from None
    answers = [a for q in route.questions for a in q.answers]
    urgent = sum(1 for a in answers if a.is_urgent)
    click.echo(
        f"{target}: in orde. {route.steps} vragen, {len(answers)} antwoorden ({urgent} met spoed)."
    )


@main.command("coverage")
@click.option(
    "--municipality",
    "municipality",
    required=True,
    help="Gemeente: code (GM0193) of naam (Zwolle).",
)
@click.option(
    "--by",
    "by",
    type=click.Choice(["thema", "doelgroep", "toegang", "rol", "activiteit"]),
    default="thema",
    show_default=True,
    help="Wat in de kolommen staat. De rijen zijn altijd de fasen.",
)
@click.option("--csv", "as_csv", is_flag=True, help="Schrijf CSV (komma's, UTF-8) voor scripts.")
@with_app()
def coverage_command(app: Flask, municipality: str, by: str, as_csv: bool) -> None:
    """Toon de dekking van een gemeente: fasen (rijen) x termen (kolommen).

    Elke cel is LOKAAL/REGIONAAL/LANDELIJK: het aantal gepubliceerde diensten voor
    inwoners van de gemeente met die fase en die term. Lokaal: alleen deze gemeente.
    Regionaal: deze en andere gemeenten. Landelijk: heel Nederland. Concepten,
    gearchiveerde en verwijderde diensten tellen niet mee. Voorbeeld: 2/1/3.
    """
    import csv as csv_module
    import io

    from ..extensions import db
    from ..services import coverage

    try:
        gm_code = coverage.find_municipality(db.session, municipality)
    except coverage.UnknownMunicipality as exc:
        raise CliError(str(exc)) from None
    threshold = int(app.config["OVERLAP_THRESHOLD"])
    cov = coverage.compute_coverage(
        db.session,
        [gm_code],
        overlap_threshold=threshold,
        stale_months=int(app.config["STALE_MONTHS"]),
        col_facets=[by],
        with_points=False,
    )
    muni = cov.municipalities[0]
    matrix = muni.matrices[by]
    header, rows = coverage.matrix_grid(matrix)
    if as_csv:
        out = io.StringIO()
        writer = csv_module.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
        return
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    click.echo(f"Dekking van {muni.name} ({gm_code}): fase x {by}.")
    click.echo("Elke cel: lokaal/regionaal/landelijk (aantal diensten).")
    for row in [header, *rows]:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    click.echo(
        f"Geen lokaal of regionaal aanbod: {matrix.gaps} van {matrix.size} vakjes. "
        f"Overlap ({threshold} of meer organisaties): {matrix.overlaps} vakjes."
    )
