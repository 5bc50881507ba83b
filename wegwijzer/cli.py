"""The ``wegwijzer`` command: thin click commands that call services."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask

F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """A one-line error for the terminal, never a traceback."""

    def show(self, file: Any = None) -> None:
        click.echo(f"Fout: {self.message}", err=True)


def instance_option(func: F) -> F:
    """Add ``--instance DIR`` (or WEGWIJZER_INSTANCE) to a command."""
    return click.option(
        "--instance",
        "instance",
        envvar="WEGWIJZER_INSTANCE",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Map met alle gegevens (database, zoekindex, config.py). "
        "Standaard: ./instance of WEGWIJZER_INSTANCE.",
    )(func)


def make_app(instance: Path | None, **overrides: Any) -> Flask:
    """Create the app or raise a one-line CliError."""
    from . import ConfigError, create_app

    try:
        return create_app(overrides or None, instance_path=str(instance) if instance else None)
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def with_app(**overrides: Any) -> Callable[[F], F]:
    """Run the command inside an application context; turn known failures into one line."""

    def decorate(func: F) -> F:
        @instance_option
        @functools.wraps(func)
        def wrapper(*args: Any, instance: Path | None, **kwargs: Any) -> Any:
            from .domain.limits import find_forbidden
            from .infra.database import DatabaseUnavailable

            bad = find_forbidden(kwargs)
            if bad:
                name = next((p.opts[0] for p in _params() if p.name == bad[0]), bad[0])
                raise CliError(f"{name} bevat een onzichtbaar stuurteken ({bad[1]}).")
            app = make_app(instance, **overrides)
            try:
                with app.app_context():
                    return func(app, *args, **kwargs)
            except DatabaseUnavailable as exc:
                raise CliError(str(exc)) from None

        return wrapper  # type: ignore[return-value]

    return decorate


def _params() -> list[click.Parameter]:
    ctx = click.get_current_context(silent=True)
    return list(ctx.command.params) if ctx else []


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wegwijzer")
def main() -> None:
    """Wegwijzer: sociale kaart voor geldzorgen en schulden.

    Alle gegevens staan in één instance-map (--instance of WEGWIJZER_INSTANCE).
    """


# --- database and set-up --------------------------------------------------------------------


@main.group("db")
def db_group() -> None:
    """Database-schema beheren."""


@db_group.command("upgrade")
@with_app()
def db_upgrade(app: Flask) -> None:
    """Werk het databaseschema bij naar de nieuwste versie."""
    from .infra.database import database_revision, upgrade_database

    before = database_revision(app)
    upgrade_database(app)
    after = database_revision(app)
    click.echo(f"Databaseschema: {before or 'leeg'} → {after}.")


def run_init(app: Flask) -> None:
    """Create/upgrade the schema, load taxonomy and municipalities, sync the search index."""
    from .domain.places import gazetteer
    from .extensions import db
    from .infra.database import upgrade_database
    from .search import ensure_index
    from .services.municipalities import load_municipalities
    from .services.taxonomy import TaxonomyFileError, load_taxonomies

    upgrade_database(app)
    data = Path(app.config["DATA_DIR"])
    try:
        tax = load_taxonomies(db.session, data / "taxonomy.json")
    except TaxonomyFileError as exc:
        raise CliError(str(exc)) from None
    n_muni = load_municipalities(db.session, gazetteer())
    n_docs = ensure_index(app)
    click.echo(
        f"Klaar: {tax.taxonomies} taxonomieën ({tax.terms_added} nieuwe termen), "
        f"{n_muni} gemeenten, zoekindex met {n_docs} diensten."
    )


@main.command("init")
@with_app()
def init(app: Flask) -> None:
    """Maak of werk de database bij, laad taxonomie en gemeenten, bouw de zoekindex."""
    run_init(app)


def write_demo_config(instance: Path) -> None:
    """Give a demo instance its own secret key, so other commands work on it too."""
    import secrets

    config = instance / "config.py"
    if config.exists():
        return
    config.write_text(
        "# Written by `wegwijzer demo`: this instance holds fictional demo data.\n"
        f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
        "DEMO = True\n",
        encoding="utf-8",
    )
    config.chmod(0o600)


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
@click.option("--port", default=5000, show_default=True, type=int, help="Poort.")
@click.option(
    "--no-serve", is_flag=True, help="Alleen de voorbeeldgegevens laden, de site niet starten."
)
@with_app(DEMO=True)
def demo(app: Flask, host: str, port: int, no_serve: bool) -> None:
    """Start de site met fictieve voorbeeldgegevens (Zwolle, Kampen, Dalfsen)."""
    from .devtools.demo import load_demo
    from .extensions import db
    from .search import sync_index

    run_init(app)
    try:
        summary = load_demo(app, db.session)
    except RuntimeError as exc:
        raise CliError(str(exc)) from None
    sync_index()
    write_demo_config(Path(app.instance_path))
    click.echo(f"Voorbeeldgegevens geladen: {summary}")
    if no_serve:
        return
    click.echo(f"Wegwijzer draait op http://{host}:{port}/  (stoppen: Ctrl+C)")
    from .server import run_server

    run_server(app, host=host, port=port, workers=1, demo=True)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
@click.option("--port", default=8000, show_default=True, type=int, help="Poort.")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Aantal werkprocessen (elk met een eigen zoekindex-lezer).",
)
@with_app()
def serve(app: Flask, host: str, port: int, workers: int) -> None:
    """Start de site met een productie-webserver (gunicorn); zet TLS ervoor (nginx, Caddy)."""
    from .infra.database import upgrade_database
    from .search import ensure_index

    upgrade_database(app)
    ensure_index(app)
    click.echo(f"Wegwijzer draait op http://{host}:{port}/ met {workers} werkproces(sen).")
    from .server import run_server

    run_server(app, host=host, port=port, workers=workers, demo=False)


# --- beheer: accounts and freshness (owner: beheer) -----------------------------------------


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
    from .extensions import db
    from .services.accounts import AccountError, create_token, create_user

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
    from .extensions import db
    from .infra.mail import MailError, mail_configured
    from .services.freshness import send_reminders, stale_csv, stale_report

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


# --- guided route (wegwijzer) -----------------------------------------------------------------


@main.group("route")
def route_group() -> None:
    """De vragen van de wegwijzer (data/route.json)."""


def _data_dir() -> Path:
    import os

    from . import config

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
    from .services.route import RouteFileError, check_route_file

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


# --- coverage (dekking) (owner: coverage) ---------------------------------------------------


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

    from .extensions import db
    from .services import coverage

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


# --- import and export (owner: interop) ----------------------------------------------------

INTEROP_FORMATS = ("hsds", "hsds-csv", "csv")


@main.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(INTEROP_FORMATS),
    default=None,
    help="hsds (JSON), hsds-csv (map of zip met CSV-bestanden) of csv (spreadsheet). "
    "Standaard: herkend aan de inhoud.",
)
@click.option("--dry-run", is_flag=True, help="Alleen controleren en rapporteren; niets opslaan.")
@click.option("--actor", default="", help="Naam in het logboek (standaard: cli).")
@with_app()
def import_command(app: Flask, source: Path, fmt: str | None, dry_run: bool, actor: str) -> None:
    """Importeer diensten uit HSDS 3.0 JSON, een HSDS-datapakket of een CSV-spreadsheet.

    Alles of niets: bij één fout wordt niets opgeslagen. Opnieuw importeren is veilig.
    """
    from .interop import import_file

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
        )
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
    for problem in report.sorted_problems():
        click.echo(problem.line_nl())
    if not report.ok:
        raise CliError(report.summary_nl())
    click.echo(report.summary_nl())


@main.command("export")
@click.argument("target", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(INTEROP_FORMATS),
    default=None,
    help="hsds (JSON), hsds-csv (map, of .zip) of csv (spreadsheet). Standaard: uit de "
    "bestandsnaam (.json, .zip of map, .csv).",
)
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

    from .extensions import db
    from .interop import export_flat_csv, export_hsds_csv, export_hsds_json

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


# --- search: query, reindex, synthetic data (owner: search) ---------------------------------


def _facet_options(func: F) -> F:
    for facet in ("organisatietype", "toegang", "doelgroep", "thema", "fase"):
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
@click.option("--lang", default="nl", show_default=True, type=click.Choice(["nl", "en"]))
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

    from .search import search

    if radius_km is not None and not near:
        raise CliError("--radius werkt alleen samen met --near.")
    filters = {k: list(v) for k, v in facets.items() if v}
    result = search(
        query=query,
        filters=filters or None,
        near=near,
        page=page,
        per_page=per_page,
        lang=lang,
        radius_km=radius_km,
        open_now=open_now,
        walk_in=walk_in,
    )
    if result.location_error is not None:
        err = result.location_error
        hint = f" Bedoelt u: {', '.join(err.suggestions[:3])}?" if err.suggestions else ""
        raise CliError(f"Plaats of postcode '{near}' niet gevonden.{hint}")
    if as_json:
        payload = {
            "query": result.query,
            "total": result.total,
            "page": result.page,
            "pages": result.pages,
            "location": result.location.name if result.location else None,
            "suggestion": result.suggestion,
            "urgent": result.urgent,
            "results": [
                {
                    "id": h.service_id,
                    "name": h.name,
                    "organization": h.organization_name,
                    "distance_km": h.distance_km,
                    "is_national": h.is_national,
                    "is_urgent_pick": h.is_urgent_pick,
                    "themes": h.themes,
                    "score": h.score,
                }
                for h in result.results
            ],
            "facets": result.facets,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    where = f" bij {result.location.name}" if result.location else ""
    click.echo(f"{result.total} resultaten{where} (pagina {result.page} van {result.pages or 1}).")
    if result.suggestion:
        click.echo(f"Bedoelde u: {result.suggestion}?")
    if result.urgent:
        names = ", ".join(s.label(lang) for s in result.signals)
        click.echo(f"Dringend: {names}. Neem snel contact op met de schuldhulp van de gemeente.")
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

    from .extensions import db
    from .infra.database import upgrade_database
    from .models import Service
    from .search import rebuild_index

    upgrade_database(app)
    started = time.perf_counter()
    total = db.session.scalar(select(func.count()).select_from(Service)) or 0
    with click.progressbar(length=max(total, 1), label="Indexeren", file=sys.stderr) as bar:
        count = rebuild_index(app, progress=bar.update)
    seconds = time.perf_counter() - started
    click.echo(f"Zoekindex opnieuw gebouwd: {count} diensten in {seconds:.1f} s.")


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

    from .devtools.generate import generate_services
    from .domain.places import gazetteer
    from .extensions import db
    from .infra.database import upgrade_database
    from .models import TaxonomyTerm
    from .search import rebuild_index

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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
