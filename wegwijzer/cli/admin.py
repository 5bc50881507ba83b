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
    "--municipality",
    "municipalities",
    multiple=True,
    help="Gemeente (nodig voor een beheerder): GM-code of naam, bijvoorbeeld GM0193 of Zwolle. "
    "Meer gemeenten: herhaal de optie.",
)
@click.option(
    "--organization", "organizations", multiple=True, help="Id van een organisatie (redacteur)."
)
@click.option("--name", default="", help="Naam van de persoon.")
@click.option(
    "--base-url",
    default=None,
    help="Adres van de site, voor de link. Standaard: BASE_URL uit de configuratie "
    "(demo: http://127.0.0.1:5000).",
)
@with_app()
def create_user_command(
    app: Flask,
    email: str,
    role: str,
    municipalities: tuple[str, ...],
    organizations: tuple[str, ...],
    name: str,
    base_url: str | None,
) -> None:
    """Maak een account en toon een eenmalige link om het wachtwoord te kiezen.

    Een beheerder hoort bij een of meer gemeenten (--municipality GM0193 of --municipality
    Zwolle); een redacteur bij een of meer organisaties (--organization ID).
    """
    from ..extensions import db
    from ..services.accounts import AccountError, create_token, create_user

    if role == "beheerder" and not municipalities:
        raise CliError(_missing_municipality())
    gm_codes = [_municipality_code(text) for text in municipalities]
    try:
        user = create_user(
            db.session,
            email,
            role,
            gm_codes=gm_codes,
            organization_ids=organizations,
            name=name,
            actor="opdrachtregel",
        )
    except AccountError as exc:
        raise CliError(str(exc)) from None
    raw = create_token(db.session, user, "invite", actor="opdrachtregel")
    click.echo(f"Account gemaakt: {user.email} ({user.role}).")
    click.echo("Eenmalige link om het wachtwoord te kiezen (72 uur geldig):")
    click.echo(f"{site_url(app, base_url)}/beheer/wachtwoord/{raw}")


def site_url(app: Flask, given: str | None) -> str:
    """Return the site's address for printed links: ``--base-url``, else the configuration."""
    url = given or app.config.get("BASE_URL") or ""
    if not url:
        # What `wegwijzer demo` and `wegwijzer serve` listen on when given no --port.
        url = "http://127.0.0.1:5000" if app.config.get("DEMO") else "http://127.0.0.1:8000"
    return url.rstrip("/")


def _municipality_code(text: str) -> str:
    """Return the GM-code of a code or a name, or stop with the way to find it."""
    from ..extensions import db
    from ..services.coverage import UnknownMunicipality, find_municipality

    try:
        return find_municipality(db.session, text)
    except UnknownMunicipality:
        raise CliError(
            f"Onbekende gemeente: '{text}'. Geef een GM-code of de naam, "
            "bijvoorbeeld --municipality GM0193 of --municipality Zwolle."
        ) from None


def _missing_municipality() -> str:
    """Say how to name a beheerder's municipalities, with the ones that have services."""
    from ..extensions import db
    from ..services.municipalities import municipalities_with_services

    known = municipalities_with_services(db.session)
    listed = ", ".join(f"{code} ({name})" for code, name in known[:8])
    more = f" en {len(known) - 8} andere" if len(known) > 8 else ""
    where = f" Gemeenten met diensten: {listed}{more}." if known else ""
    return (
        "Een beheerder hoort bij minstens één gemeente: geef --municipality met een GM-code of "
        "naam, bijvoorbeeld --municipality GM0193 of --municipality Zwolle (herhaal de optie "
        f"voor meer gemeenten).{where}"
    )


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
    default=None,
    help="Adres van de site, voor de links in de mail. Standaard: BASE_URL uit de configuratie.",
)
@with_app()
def stale_command(
    app: Flask, months: int | None, as_csv: bool, send: bool, base_url: str | None
) -> None:
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
            sent = send_reminders(rows, site_url(app, base_url))
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
