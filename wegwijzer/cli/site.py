"""Set up and run a site: db upgrade, init, demo, serve."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from .base import CliError, main, with_app


@main.group("db")
def db_group() -> None:
    """Database-schema beheren."""


@db_group.command("upgrade")
@with_app()
def db_upgrade(app: Flask) -> None:
    """Werk het databaseschema bij naar de nieuwste versie."""
    from ..infra.database import database_revision, upgrade_database

    before = database_revision(app)
    upgrade_database(app)
    after = database_revision(app)
    click.echo(f"Databaseschema: {before or 'leeg'} → {after}.")


def run_init(app: Flask) -> tuple[str, int]:
    """Create/upgrade the schema, load taxonomy and municipalities, sync the search index.

    Return what was loaded (one line) and the number of services in the search index.
    """
    from ..domain.places import gazetteer
    from ..extensions import db
    from ..infra.database import upgrade_database
    from ..search import ensure_index
    from ..services.municipalities import load_municipalities
    from ..services.taxonomy import TaxonomyFileError, load_taxonomies

    upgrade_database(app)
    data = Path(app.config["DATA_DIR"])
    try:
        tax = load_taxonomies(db.session, data / "taxonomy.json")
    except TaxonomyFileError as exc:
        raise CliError(str(exc)) from None
    n_muni = load_municipalities(db.session, gazetteer())
    n_docs = ensure_index(app)
    loaded = f"{tax.taxonomies} taxonomieën ({tax.terms_added} nieuwe termen), {n_muni} gemeenten"
    return loaded, n_docs


def index_line(n_docs: int) -> str:
    """Say what is in the search index; an empty one is ready, not a problem."""
    if n_docs == 0:
        return (
            "zoekindex klaar, nog zonder gepubliceerde diensten "
            "(voeg ze toe met wegwijzer import of in /beheer)"
        )
    return f"zoekindex met {n_docs} diensten"


@main.command("init")
@with_app()
def init(app: Flask) -> None:
    """Maak of werk de database bij, laad taxonomie en gemeenten, bouw de zoekindex."""
    loaded, n_docs = run_init(app)
    click.echo(f"Klaar: {loaded}, {index_line(n_docs)}.")


def check_port(host: str, port: int) -> None:
    """Stop with one line when the server could not listen on ``host:port``."""
    from ..server import port_problem

    problem = port_problem(host, port)
    if problem:
        raise CliError(problem)


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
    from ..devtools.demo import load_demo
    from ..extensions import db
    from ..search import ensure_index, sync_index

    if not no_serve:
        # Before the loading: a taken port should not cost the wait.
        check_port(host, port)
    loaded, _ = run_init(app)
    click.echo(f"Database klaar: {loaded}.")
    try:
        summary = load_demo(app, db.session)
    except RuntimeError as exc:
        raise CliError(str(exc)) from None
    sync_index()
    write_demo_config(Path(app.instance_path))
    indexed = index_line(ensure_index(app))
    click.echo(f"Voorbeeldgegevens geladen: {summary.rstrip('.')}; {indexed}.")
    if no_serve:
        return
    check_port(host, port)
    click.echo(f"Wegwijzer draait op http://{host}:{port}/  (stoppen: Ctrl+C)")
    from ..server import run_server

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
    from ..infra.database import upgrade_database
    from ..search import ensure_index

    check_port(host, port)
    upgrade_database(app)
    ensure_index(app)
    check_port(host, port)
    click.echo(f"Wegwijzer draait op http://{host}:{port}/ met {workers} werkproces(sen).")
    from ..maps import load_folium
    from ..server import run_server

    load_folium()  # before the fork, so the workers share one copy of folium's templates
    run_server(app, host=host, port=port, workers=workers, demo=False)
