"""Wegwijzer: a sociale kaart for money worries and debts in Dutch municipalities."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from . import config as default_config
from .extensions import babel, csrf, db, login_manager
from .resources import TRANSLATIONS_DIR


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to change."""


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Create the Wegwijzer application: config, extensions, blueprints, CLI hooks."""
    instance_path = instance_path or os.environ.get("WEGWIJZER_INSTANCE") or None
    if instance_path:
        instance_path = str(Path(instance_path).expanduser().resolve())
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(default_config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("WEGWIJZER")
    if test_config:
        app.config.update(test_config)
    _finish_config(app)

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    from .web import init_request_checks, init_web
    from .web.i18n import select_locale

    db.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: "Europe/Amsterdam",
        # An absolute path: Flask-Babel resolves relative ones against the package.
        default_translation_directories=str(TRANSLATIONS_DIR),
    )
    # First of all request hooks: nothing may read a control character before it is refused.
    init_request_checks(app)
    csrf.init_app(app)
    login_manager.init_app(app)

    from .security import init_security

    init_security(app)

    from .search import init_search

    init_search(app)

    init_web(app)
    return app


def _finish_config(app: Flask) -> None:
    instance = Path(app.instance_path)
    if instance.exists() and not instance.is_dir():
        raise ConfigError(f"De instance-map {instance} is geen map.")
    try:
        instance.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"Kan de instance-map {instance} niet maken: {exc.strerror}.") from exc
    if not os.access(instance, os.W_OK):
        raise ConfigError(f"De instance-map {instance} is niet schrijfbaar.")
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'wegwijzer.sqlite3'}"
    if not app.config["INDEX_DIR"]:
        app.config["INDEX_DIR"] = str(instance / "index")
    if not app.config.get("SECRET_KEY"):
        if app.config.get("DEMO") or app.debug or app.testing:
            # Per-process key: fine for a demo, logins end when the process stops.
            app.config["SECRET_KEY"] = secrets.token_hex(32)
        else:
            raise ConfigError(
                "WEGWIJZER_SECRET_KEY ontbreekt: zet een lange geheime sleutel in de omgeving "
                "of in instance/config.py (alleen de demo draait zonder)."
            )
    from .logs import check_format, configure_logging

    try:
        app.config["LOG_FORMAT"] = check_format(str(app.config.get("LOG_FORMAT", "text")))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    configure_logging(app.config["LOG_FORMAT"])
    if app.debug or app.testing or app.config.get("DEMO"):
        app.config.setdefault("SESSION_COOKIE_SECURE", False)
        if app.config.get("DEMO") or app.testing:
            app.config["SESSION_COOKIE_SECURE"] = False
