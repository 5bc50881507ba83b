"""The web entry points: blueprints for the public site, the guided route, beheer, coverage,
referrals and the JSON API, plus what every request shares (input checks, language, errors,
template helpers), registered by :func:`init_web`.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import csrf, db
from ..models import PublicationStatus, Role
from ..services.site import is_demo
from .auth import is_helper
from .errors import register_error_handlers
from .hygiene import init_input_checks
from .i18n import init_i18n


def _is_demo_site() -> bool:
    if current_app.config.get("DEMO"):
        return True
    if g.get("database_down"):
        return False
    try:
        return is_demo(db.session)
    except SQLAlchemyError:
        # The error page must still render when the database is the problem.
        db.session.rollback()
        return False


def init_request_checks(app: Flask) -> None:
    """Register the checks that must run before any other request hook.

    Control characters are refused before anything (CSRF included) reads the request.
    """
    init_input_checks(app)


def init_web(app: Flask) -> None:
    """Register language, error pages, template helpers and every blueprint."""
    from .api.views import bp as api_bp
    from .coverage.views import bp as coverage_bp
    from .health import bp as health_bp
    from .manage.views import bp as manage_bp
    from .public import bp as public_bp
    from .referrals import bp as referrals_bp
    from .route.views import bp as route_bp

    init_i18n(app)
    register_error_handlers(app)
    app.jinja_env.globals.update(
        is_demo_site=_is_demo_site, PublicationStatus=PublicationStatus, Role=Role
    )
    # The menu shows helpers (every logged-in account) the signals checklist.
    app.jinja_env.globals["is_helper"] = is_helper
    for bp in (public_bp, route_bp, manage_bp, coverage_bp, referrals_bp, api_bp, health_bp):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)
