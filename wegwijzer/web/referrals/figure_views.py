"""Figures for the yearly talk: a page with a chart and a table, CSV and an A4 print."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from ...domain.hours import today as local_today
from ...extensions import db
from ...models import Role
from ...services.referrals import NotAllowed, figures
from ..auth import role_required
from ..manage.blueprint import logged_in_user
from .blueprint import bp

#: Years the figures page accepts.
FIRST_YEAR = 2000
LAST_YEAR = 2100


class BadParameter(ValueError):
    """A parameter the page cannot use; the message names it in plain Dutch."""


@bp.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter) -> tuple[str, int]:
    return render_template("referrals/refused.html", status=400, message=str(exc)), 400


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    if value not in allowed:
        raise BadParameter(
            _("%(name)s moet een van deze zijn: %(values)s.", name=name, values=", ".join(allowed))
        )
    return value


def _year(default: int) -> int:
    raw = request.args.get("jaar", "")
    if not raw:
        return default
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise BadParameter(
            _("jaar moet een jaartal zijn tussen %(a)s en %(b)s.", a=FIRST_YEAR, b=LAST_YEAR)
        )
    return int(raw)


@bp.get("/cijfers")
@role_required(Role.ADMIN, Role.EDITOR, Role.HELPER)
def figures_page() -> str | Response:
    """Referrals made, received, in term, days to the first talk, started, not started."""
    user = logged_in_user()
    today = local_today()
    year = _year(today.year)
    period = _choice("periode", figures.PERIODS, "maand")
    by = _choice("per", figures.GROUPINGS, "totaal")
    share = request.args.get("delen", "") == "1"
    try:
        scope = figures.figure_scope(
            db.session, user, request.args.get("gemeente"), request.args.get("organisatie")
        )
    except NotAllowed:
        abort(403)
    result = figures.figures(
        db.session,
        year,
        today,
        gm_code=scope.gm_code,
        organization_id=scope.organization_id,
        period=period,
        by=by,
        shared=share or not scope.exact,
    )
    if request.args.get("csv"):
        name = f"overdrachten-{scope.gm_code or 'organisatie'}-{year}.csv"
        return Response(
            "\ufeff" + figures.figures_csv(result),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={name}"},
        )
    template = "referrals/figures_print.html" if request.args.get("afdrukken") else None
    return render_template(
        template or "referrals/figures.html",
        result=result,
        scope=scope,
        headers=figures.CSV_HEADERS,
        cells=figures.figure_cells,
        period_label=figures.period_label,
        years=list(range(today.year, today.year - 6, -1)),
        args={k: v for k, v in request.args.items() if k not in ("csv", "afdrukken")},
    )
