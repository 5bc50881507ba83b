"""``wegwijzer referrals``: figures for the yearly talk, retention and the term signals."""

from __future__ import annotations

import click
from flask import Flask, url_for

from .base import CliError, main, with_app


@main.group("referrals")
def referrals_group() -> None:
    """Overdrachten: cijfers, bewaartermijn en signalen (zonder persoonsgegevens)."""


@referrals_group.command("report")
@click.option(
    "--municipality", "municipality", required=True, help="Gemeente: code (GM0193) of naam."
)
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Standaard: dit jaar.")
@click.option(
    "--period", type=click.Choice(["maand", "kwartaal"]), default="maand", show_default=True
)
@click.option(
    "--by",
    type=click.Choice(["totaal", "verwijzer", "ontvanger"]),
    default="totaal",
    show_default=True,
    help="Uitsplitsen naar verwijzende organisatie of ontvangende dienst.",
)
@click.option("--csv", "as_csv", is_flag=True, help="Schrijf CSV (puntkomma's).")
@click.option(
    "--shared",
    is_flag=True,
    help="Versie om te delen buiten de gemeente: aantallen onder de 5 als '< 5'.",
)
@with_app()
def report_command(
    app: Flask,
    municipality: str,
    year: int | None,
    period: str,
    by: str,
    as_csv: bool,
    shared: bool,
) -> None:
    """Toon de cijfers over overdrachten van een gemeente, per maand of kwartaal."""
    from ..domain.hours import today
    from ..extensions import db
    from ..services.coverage import UnknownMunicipality, find_municipality
    from ..services.referrals.figures import CSV_HEADERS, figure_cells, figures, figures_csv

    try:
        gm_code = find_municipality(db.session, municipality)
    except UnknownMunicipality:
        raise CliError(
            f"Onbekende gemeente: '{municipality}'. Geef een GM-code of de naam, "
            "bijvoorbeeld --municipality GM0193 of --municipality Zwolle."
        ) from None
    now = today()
    result = figures(
        db.session,
        year or now.year,
        now,
        gm_code=gm_code,
        period=period,
        by=by,
        shared=shared,
    )
    if as_csv:
        click.echo(figures_csv(result), nl=False)
        return
    click.echo(f"Overdrachten {gm_code}, {result.year}, per {period}:")
    if not result.totals:
        click.echo("Nog geen overdrachten in deze periode.")
        return
    for row in [*result.rows, *result.totals]:
        cells = dict(zip(CSV_HEADERS, figure_cells(result, row), strict=True))
        click.echo(
            f"{cells['periode']} {cells['groep']}: {cells['overdrachten']} gemaakt, "
            f"{cells['ontvangen']} ontvangen, binnen termijn "
            f"{cells['binnen_wettelijke_termijn_pct']}, mediaan "
            f"{cells['mediaan_dagen_tot_eerste_gesprek']} dagen, {cells['gestart']} gestart"
        )


@referrals_group.command("retention")
@click.option(
    "--months",
    type=click.IntRange(1, 240),
    default=None,
    help="Standaard: REFERRAL_RETENTION_MONTHS (18).",
)
@with_app()
def retention_command(app: Flask, months: int | None) -> None:
    """Wis overdrachten die langer dan de bewaartermijn afgesloten zijn; de tellingen blijven."""
    from ..extensions import db
    from ..services.referrals.retention import purge_closed

    months = months or int(app.config["REFERRAL_RETENTION_MONTHS"])
    deleted = purge_closed(db.session, months)
    click.echo(f"{deleted} overdracht(en) gewist die langer dan {months} maanden afgesloten waren.")


@referrals_group.command("signals")
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Adres van de site, voor de links in de mail.",
)
@with_app()
def signals_command(app: Flask, base_url: str) -> None:
    """Mail overdrachten waarvan de termijn voorbij is zonder gepland gesprek (eenmalig)."""
    from ..domain.hours import today
    from ..extensions import db
    from ..infra.mail import mail_configured
    from ..services.referrals.codes import format_code
    from ..services.referrals.notify import send_signals

    if not mail_configured():
        raise CliError("Geen mailserver ingesteld (MAIL_SERVER); er is niets gemaild.")
    with app.test_request_context(base_url=base_url):

        def link(code: str) -> str:
            return url_for("referrals.detail", code=format_code(code), _external=True)

        sent = send_signals(db.session, link, today())
    click.echo(f"{sent} signaal-mail(s) verstuurd.")
