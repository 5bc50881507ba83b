"""The ``wegwijzer`` group and what every command shares: the instance option, the app, errors."""

from __future__ import annotations

import contextlib
import functools
import signal
import threading
from collections.abc import Callable, Iterator
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
            from sqlalchemy.exc import OperationalError

            from ..domain.limits import find_forbidden
            from ..infra.database import DatabaseUnavailable

            bad = find_forbidden(kwargs)
            if bad:
                name = next((p.opts[0] for p in _params() if p.name == bad[0]), bad[0])
                raise CliError(f"{name} bevat een onzichtbaar stuurteken ({bad[1]}).")
            app = make_app(instance, **overrides)
            try:
                with app.app_context(), _sigterm_interrupts():
                    return func(app, *args, **kwargs)
            except DatabaseUnavailable as exc:
                raise CliError(str(exc)) from None
            except OperationalError as exc:
                orig = exc.orig or exc
                reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
                raise CliError(f"Database niet bereikbaar: {reason}") from None
            except KeyboardInterrupt:
                raise CliError(
                    "Afgebroken. Wat nog niet was opgeslagen is teruggedraaid; er staat niets "
                    "half in de database."
                ) from None

        return wrapper  # type: ignore[return-value]

    return decorate


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Treat SIGTERM (a stopping service manager, ``kill``) like Ctrl+C during a command.

    The running transaction is then rolled back and the command ends with one line, instead
    of the process vanishing mid-way. ``serve`` replaces this with gunicorn's own handling.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _params() -> list[click.Parameter]:
    ctx = click.get_current_context(silent=True)
    return list(ctx.command.params) if ctx else []


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wegwijzer")
def main() -> None:
    """Wegwijzer: sociale kaart voor geldzorgen en schulden.

    Alle gegevens staan in één instance-map (--instance of WEGWIJZER_INSTANCE).
    """
