"""The ``wegwijzer`` group and what every command shares: the instance option, the app, errors."""

from __future__ import annotations

import functools
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
    from .. import ConfigError, create_app

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
            from ..domain.limits import find_forbidden
            from ..infra.database import DatabaseUnavailable

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
