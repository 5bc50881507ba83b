"""The guided route (wegwijzer) and referral guidance for helpers.

Every route page is a GET form: the resident's answers travel in the query string only, so
the back button works, a link reproduces the route, and nothing is stored or logged.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ...domain.geo import NotFound, Resolved
from ...extensions import db
from ...search.signals import SignalsFileError, load_signals
from ...services import referral
from ...services.route import (
    Answers,
    Route,
    RouteFileError,
    StepProblem,
    check_answer,
    first_problem,
    load_route,
    place_problem,
    read_answers,
    resolve_place,
)
from ...services.route_result import compute_route
from ..auth import is_helper
from ..i18n import get_locale

bp = Blueprint("route", __name__)


class RouteUnavailable(Exception):
    """The route file on the server is invalid; residents get a calm page, not a 500."""


@bp.errorhandler(RouteUnavailable)
def _route_unavailable(_error: RouteUnavailable) -> ResponseReturnValue:
    return render_template("route/unavailable.html"), 503


def _route() -> Route:
    try:
        return load_route()
    except RouteFileError as exc:
        # The message names the file and place; it holds nothing about the visitor.
        current_app.logger.error("Wegwijzer-route niet bruikbaar: %s", exc)
        raise RouteUnavailable from exc


def _with_query(base: str, pairs: list[tuple[str, str]]) -> str:
    lang = get_locale()
    if lang != "nl":
        pairs = [*pairs, ("lang", lang)]
    return f"{base}?{urlencode(pairs)}" if pairs else base


def step_url(route: Route, answers: Answers, number: int, **extra: str) -> str:
    """Return the URL of step ``number`` (1-based) carrying all answers."""
    pairs = answers.query_args(route) + list(extra.items())
    return _with_query(url_for("route.step", number=number), pairs)


def result_url(route: Route, answers: Answers, **extra: str) -> str:
    """Return the URL of the result page for these answers: it reproduces the route."""
    return _with_query(url_for("route.result"), answers.query_args(route) + list(extra.items()))


def _render_step(
    route: Route, answers: Answers, index: int, problem: StepProblem | None
) -> ResponseReturnValue:
    question = route.questions[index]
    number = index + 1
    hidden = [(k, v) for k, v in answers.query_args(route) if k != question.id]
    return render_template(
        "route/step.html",
        route=route,
        question=question,
        number=number,
        answers=answers,
        chosen={a.id for a in answers.chosen(question)},
        hidden=hidden,
        problem=problem,
        lang=get_locale(),
        previous_url=step_url(route, answers, number - 1) if number > 1 else None,
        suggestion_url=lambda place: step_url(
            route, _replace_place(answers, place), number, verder="1"
        ),
    )


def _replace_place(answers: Answers, place: str) -> Answers:
    return Answers(answers.choices, place)


@bp.get("/wegwijzer")
def start() -> ResponseReturnValue:
    """Show the first question of the route."""
    return step(1)


@bp.get("/wegwijzer/stap/<int:number>")
def step(number: int) -> ResponseReturnValue:
    """Show question ``number``; with ``verder`` check the answer and go on."""
    route = _route()
    if not 1 <= number <= route.steps:
        abort(404)
    answers = read_answers(route, request.args)
    earlier = first_problem(route, answers, number - 1)
    if earlier is not None:
        return _render_step(route, answers, *earlier)
    index = number - 1
    question = route.questions[index]
    action = request.args.get("verder")
    if action == "overslaan" and not question.required:
        answers = answers.without(question)
    elif action:
        problem = check_answer(route, answers, index)
        if problem is not None:
            return _render_step(route, answers, index, problem)
    else:
        return _render_step(route, answers, index, None)
    if number < route.steps:
        return redirect(step_url(route, answers, number + 1), 303)
    return redirect(result_url(route, answers), 303)


@bp.get("/wegwijzer/resultaat")
def result() -> ResponseReturnValue:
    """Show the resident's route: best next steps first, then other options."""
    route = _route()
    answers = read_answers(route, request.args)
    problem = first_problem(route, answers, route.steps)
    if problem is not None:
        return _render_step(route, answers, *problem)
    lang = get_locale()
    outcome = compute_route(db.session, route, answers, lang)
    printing = request.args.get("weergave") == "print"
    services = [s.service for s in outcome.best + outcome.others]
    if outcome.debt_help is not None:
        services.append(outcome.debt_help)
    return render_template(
        "route/result_print.html" if printing else "route/result.html",
        route=route,
        outcome=outcome,
        infos={s.id: referral.service_info(s, lang) for s in services},
        lang=lang,
        back_url=result_url(route, answers),
        share_url=request.host_url.rstrip("/") + result_url(route, answers),
        print_url=result_url(route, answers, weergave="print"),
        change_url=lambda number: step_url(route, answers, number),
        search_url=_with_query(url_for("public.search"), [("plaats", answers.place)]),
    )


@bp.get("/signalen")
def signals() -> ResponseReturnValue:
    """Show when to hand over to the municipality's debt help now, and whom to call."""
    lang = get_locale()
    helper = is_helper(current_user)
    try:
        signal_list = load_signals(current_app.config["DATA_DIR"])
    except SignalsFileError as exc:
        current_app.logger.error("Signalenbestand niet bruikbaar: %s", exc)
        signal_list = []
    plaats = " ".join(request.args.get("plaats", "").split())[:100]
    place = resolve_place(plaats) if plaats else None
    gm_code = place.gm_code if isinstance(place, Resolved) else None
    if gm_code is None and not plaats and helper and len(current_user.gm_codes) == 1:
        gm_code = next(iter(current_user.gm_codes))
    desk = referral.volunteer_desk(db.session, gm_code, helper) if gm_code else None
    return render_template(
        "route/signals.html",
        signals=signal_list,
        plaats=plaats,
        place_problem=place_problem(place) if isinstance(place, NotFound) else None,
        desk=desk,
        debt_help_info=referral.service_info(desk.debt_help, lang)
        if desk and desk.debt_help
        else None,
        helper=helper,
        lang=lang,
    )
