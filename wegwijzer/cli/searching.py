"""Search from the command line, rebuild the index, add synthetic services."""

from __future__ import annotations

import sys

import click
from flask import Flask

from ..search.schema import FACETS
from .base import CliError, F, main, with_app


def _facet_options(func: F) -> F:
    for facet in reversed(FACETS):
        func = click.option(
            f"--{facet}",
            facet,
            multiple=True,
            metavar="CODE",
            help=f"Filter op {facet} (mag vaker; codes zoals op de site).",
        )(func)
    return func


@main.command("search")
@click.argument("query", required=False, default="")
@click.option("--near", default=None, help="Postcode of plaats, bijvoorbeeld 8011 of Zwolle.")
@click.option(
    "--radius",
    "radius_km",
    type=click.FloatRange(0, 300, min_open=True),
    default=None,
    help="Alleen diensten binnen zoveel kilometer (landelijke blijven erbij).",
)
@_facet_options
@click.option("--open-now", is_flag=True, help="Alleen wat nu open is.")
@click.option("--walk-in", is_flag=True, help="Alleen inloop zonder afspraak.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 1000))
@click.option("--per-page", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option(
    "--lang",
    default="nl",
    show_default=True,
    help="Taal van de namen van signalen en van de links (een van LANGUAGES: nl, en).",
)
@click.option("--json", "as_json", is_flag=True, help="Geef het resultaat als JSON.")
@with_app()
def search_command(
    app: Flask,
    query: str,
    near: str | None,
    radius_km: float | None,
    open_now: bool,
    walk_in: bool,
    page: int,
    per_page: int,
    lang: str,
    as_json: bool,
    **facets: tuple[str, ...],
) -> None:
    """Zoek in de sociale kaart, zoals een inwoner op de site (handig voor verwijzers)."""
    import json

    from werkzeug.datastructures import MultiDict

    from ..extensions import db
    from ..search import SearchParameterError, parse_search_query, search
    from ..services.taxonomy import list_taxonomies

    if lang not in app.config["LANGUAGES"]:
        raise CliError(f"--lang kent '{lang}' niet; kies {' of '.join(app.config['LANGUAGES'])}.")
    # The options become the API's parameters, read by the one parser of the site and the API.
    args: MultiDict[str, str] = MultiDict(
        [("q", query), ("page", str(page)), ("per_page", str(per_page))]
        + [("near", near)] * bool(near)
        + [("radius_km", str(radius_km))] * (radius_km is not None)
        + [("open_now", "1")] * open_now
        + [("walk_in", "1")] * walk_in
        + [(facet, code) for facet, codes in facets.items() for code in codes]
    )
    known = {t.facet: {term.code for term in t.terms} for t in list_taxonomies(db.session)}
    try:
        search_query = parse_search_query(args, known)
    except SearchParameterError as exc:
        option = {"near": "--near", "radius_km": "--radius", "q": "QUERY"}.get(
            exc.parameter, f"--{exc.parameter.replace('_', '-')}"
        )
        raise CliError(f"{option}: {exc.message}") from None
    result = search(search_query)
    if result.location_error is not None:
        err = result.location_error
        hint = f" Bedoelt u: {', '.join(err.suggestions[:3])}?" if err.suggestions else ""
        raise CliError(f"Plaats of postcode '{near}' niet gevonden.{hint}")
    if as_json:
        base = (app.config.get("BASE_URL") or "http://localhost").rstrip("/")
        with app.test_request_context(base_url=base):
            from flask import url_for

            extra = {"lang": lang} if lang != app.config["LANGUAGES"][0] else {}
            payload = result.to_dict(
                lambda hit: url_for("public.service", key=hit.service_id, _external=True, **extra)
            )
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    where = f" bij {result.location.name}" if result.location else ""
    click.echo(f"{result.total} resultaten{where} (pagina {result.page} van {result.pages or 1}).")
    if result.suggestion:
        click.echo(f"Bedoelde u: {result.suggestion}?")
    if result.urgent:
        names = ", ".join(s.label(lang) for s in result.signals)
        click.echo(f"Dringend: {names}. Neem snel contact op met de schuldhulp van de gemeente.")
    if result.weak:
        click.echo(
            "Geen goede match: bel de schuldhulp van de gemeente of een landelijke hulplijn, "
            "of beantwoord de vragen van de wegwijzer."
        )
    for n, hit in enumerate(result.results, (result.page - 1) * result.per_page + 1):
        if hit.is_national:
            where = "landelijk"
        elif hit.distance_km is not None:
            where = f"{hit.distance_km:.1f} km"
        else:
            where = ", ".join(hit.gm_codes)
        mark = " [eerst: schuldhulp gemeente]" if hit.is_urgent_pick else ""
        click.echo(f"{n:3}. {hit.name} — {hit.organization_name} ({where}){mark}")


@main.command("reindex")
@with_app()
def reindex_command(app: Flask) -> None:
    """Bouw de zoekindex opnieuw op naast de huidige en wissel daarna (zoeken blijft werken)."""
    import time

    from sqlalchemy import func, select

    from ..extensions import db
    from ..infra.database import upgrade_database
    from ..models import Service
    from ..search import rebuild_index

    upgrade_database(app)
    started = time.perf_counter()
    total = db.session.scalar(select(func.count()).select_from(Service)) or 0
    with click.progressbar(length=max(total, 1), label="Indexeren", file=sys.stderr) as bar:
        count = rebuild_index(app, progress=bar.update)
    seconds = time.perf_counter() - started
    click.echo(f"Zoekindex opnieuw gebouwd: {count} diensten in {seconds:.1f} s.")
    from .ops import prune_line

    # A good moment to prune: this index has just applied everything.
    click.echo(prune_line(app))


@main.command("generate")
@click.option(
    "--count",
    required=True,
    type=click.IntRange(1, 1_000_000),
    help="Aantal diensten om toe te voegen.",
)
@click.option(
    "--seed",
    default=1,
    show_default=True,
    type=int,
    help="Startgetal: dezelfde seed geeft dezelfde gegevens.",
)
@with_app()
def generate_command(app: Flask, count: int, seed: int) -> None:
    """Voeg verzonnen, gepubliceerde diensten toe (voor metingen), en bouw de zoekindex."""
    import time

    from sqlalchemy import func, select

    from ..devtools.generate import generate_services
    from ..domain.places import gazetteer
    from ..extensions import db
    from ..infra.database import upgrade_database
    from ..models import TaxonomyTerm
    from ..search import rebuild_index

    upgrade_database(app)
    if not db.session.scalar(select(func.count()).select_from(TaxonomyTerm)):
        raise CliError("De taxonomie ontbreekt: voer eerst 'wegwijzer init' uit.")
    started = time.perf_counter()
    with click.progressbar(length=count, label="Diensten maken", file=sys.stderr) as bar:
        summary = generate_services(db.session, gazetteer(), count, seed, progress=bar.update)
    inserted = time.perf_counter() - started
    with click.progressbar(length=count, label="Indexeren", file=sys.stderr) as bar:
        indexed = rebuild_index(app, progress=bar.update)
    total = time.perf_counter() - started
    click.echo(
        f"Toegevoegd: {summary} ({inserted:.1f} s); zoekindex met {indexed} diensten "
        f"({total - inserted:.1f} s)."
    )
