"""Every path through the shipped route ends in next steps, in each demo municipality."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from wegwijzer.extensions import db
from wegwijzer.services.route import Answers, Route, load_route
from wegwijzer.services.route_result import compute_route

ROOT = Path(__file__).resolve().parent.parent
DEMO_MUNICIPALITIES = json.loads(
    (ROOT / "data" / "demo" / "municipalities.json").read_text(encoding="utf-8")
)
#: What a resident types for each demo municipality: a place, and a postcode.
PLACES = {"GM0193": ("Zwolle", "8011"), "GM0166": ("Kampen", "8261"), "GM0148": ("Dalfsen", "7721")}


@pytest.fixture
def demo_app(app: Flask) -> Iterator[Flask]:
    """The app with the demo directory imported through the real importer and indexed."""
    from wegwijzer.devtools.demo import load_demo
    from wegwijzer.search import sync_index

    load_demo(app, db.session)
    sync_index()
    with app.test_request_context("/wegwijzer/resultaat"):
        yield app


def _need_paths(route: Route) -> list[str]:
    return [a.id for a in route.questions[0].answers]


def _wish_paths(route: Route) -> list[tuple[str | None, str | None]]:
    """Every answer of the two optional steps (each with 'skipped' for the other)."""
    hulp, over_u = route.question("hulp"), route.question("over-u")
    assert hulp is not None and over_u is not None
    paths: list[tuple[str | None, str | None]] = [(None, None)]
    paths += [(a.id, None) for a in hulp.answers]
    paths += [(None, a.id) for a in over_u.answers]
    return paths


def test_every_path_reaches_next_steps_in_each_demo_municipality(demo_app: Flask) -> None:
    route = load_route()
    checked = 0
    for gm_code, places in sorted(PLACES.items()):
        debt_help_id = DEMO_MUNICIPALITIES[gm_code]["debt_help_service_id"]
        for n, need in enumerate(_need_paths(route)):
            urgent = route.questions[0].answer(need).is_urgent  # type: ignore[union-attr]
            for m, (hulp, over_u) in enumerate(_wish_paths(route)):
                # Residents type a place name or a postcode; both are covered, alternately.
                place = places[(n + m) % 2]
                choices: dict[str, tuple[str, ...]] = {"situatie": (need,)}
                if hulp:
                    choices["hulp"] = (hulp,)
                if over_u:
                    choices["over-u"] = (over_u,)
                outcome = compute_route(db.session, route, Answers(choices, place))
                where = f"{place} / {need} / {hulp} / {over_u}"
                assert outcome.location.gm_code == gm_code, where
                assert outcome.best, where
                assert len(outcome.best) <= 2, where
                shown = outcome.best + outcome.others
                ids = [s.service.id for s in shown]
                assert len(ids) == len(set(ids)), where
                assert all(s.service.is_public for s in shown), where
                assert all(s.service.is_national or gm_code in s.service.gm_codes for s in shown), (
                    where
                )
                if urgent:
                    assert outcome.is_urgent, where
                    assert outcome.best[0].service.id == debt_help_id, where
                    assert outcome.best[0].is_debt_help, where
                checked += 1
    assert checked == len(PLACES) * len(_need_paths(route)) * len(_wish_paths(route))


def test_every_first_answer_gives_a_result_page_in_both_languages(demo_app: Flask) -> None:
    route = load_route()
    client = demo_app.test_client()
    for gm_code, (place, _postcode) in sorted(PLACES.items()):
        for need in _need_paths(route):
            for lang in ("nl", "en"):
                response = client.get(
                    f"/wegwijzer/resultaat?situatie={need}&plaats={place}&lang={lang}"
                )
                html = response.get_data(as_text=True)
                assert response.status_code == 200, (gm_code, need, lang)
                best = html.split('id="beste-stappen"', 1)[1].split("</section>", 1)[0]
                assert "<h3>" in best, (gm_code, need, lang)
                assert "Set-Cookie" not in response.headers


def test_several_urgent_and_other_answers_together_keep_debt_help_first(
    demo_app: Flask,
) -> None:
    route = load_route()
    answers = Answers(
        {"situatie": ("brieven", "deurwaarder", "maatje"), "hulp": ("meegaan",)}, "Dalfsen"
    )
    outcome = compute_route(db.session, route, answers)
    assert outcome.best[0].service.id == DEMO_MUNICIPALITIES["GM0148"]["debt_help_service_id"]
    assert len(outcome.best) == 2
    assert not outcome.best[1].is_debt_help


def _groups(service: object) -> set[str]:
    return {t.code for t in service.terms if t.taxonomy.facet == "doelgroep"}  # type: ignore[attr-defined]


def test_every_path_leads_with_general_help_unless_a_group_was_picked(demo_app: Flask) -> None:
    """Youth, entrepreneurs', newcomers', elderly and faith services only lead when picked."""
    from wegwijzer.domain.facets import meant_for_one_group

    route = load_route()
    checked = 0
    one_group_seen = 0
    for _gm, (place, _postcode) in sorted(PLACES.items()):
        for need in _need_paths(route):
            for hulp, over_u in _wish_paths(route):
                choices: dict[str, tuple[str, ...]] = {"situatie": (need,)}
                if hulp:
                    choices["hulp"] = (hulp,)
                if over_u:
                    choices["over-u"] = (over_u,)
                answers = Answers(choices, place)
                picked = {
                    code
                    for q in route.questions
                    if q.kind != "place"
                    for a in answers.chosen(q)
                    for code in a.codes.get("doelgroep", ())
                }
                outcome = compute_route(db.session, route, answers)
                where = f"{place} / {need} / {hulp} / {over_u}"
                for step in outcome.best:
                    assert not meant_for_one_group(_groups(step.service), picked), (
                        where,
                        step.service.name,
                    )
                one_group_seen += sum(
                    meant_for_one_group(_groups(s.service)) for s in outcome.best if picked
                )
                checked += 1
    assert checked == len(PLACES) * len(_need_paths(route)) * len(_wish_paths(route))
    # Picking a group does bring its own services forward (the rule is not "never").
    assert one_group_seen > 0


@pytest.mark.parametrize("need", ["weet-niet", "rondkomen", "rekeningen"])
def test_general_answers_lead_with_the_municipalitys_debt_help_and_a_first_step(
    demo_app: Flask, need: str
) -> None:
    route = load_route()
    for gm_code, (place, _postcode) in sorted(PLACES.items()):
        outcome = compute_route(db.session, route, Answers({"situatie": (need,)}, place))
        first, second = outcome.best
        assert first.service.id == DEMO_MUNICIPALITIES[gm_code]["debt_help_service_id"], place
        assert first.is_debt_help and not outcome.is_urgent, place
        # The second step is a general first step: walk in, the municipality or the social team.
        codes = {(t.taxonomy.facet, t.code) for t in second.service.terms}
        assert codes & {
            ("toegang", "inloop"),
            ("organisatietype", "gemeente"),
            ("organisatietype", "welzijnsorganisatie"),
        }, (place, second.service.name)


def test_the_result_page_of_a_general_answer_shows_no_urgent_notice(demo_app: Flask) -> None:
    html = (
        demo_app.test_client()
        .get("/wegwijzer/resultaat?situatie=weet-niet&plaats=Zwolle")
        .get_data(as_text=True)
    )
    best = html.split('id="beste-stappen"', 1)[1].split("</section>", 1)[0]
    assert "Schuldhulpverlening Zwolle" in best
    assert "Steunpunt ondernemers" not in best and "Werk vinden met schulden" not in best
    assert "Bel nu de schuldhulp van uw gemeente" not in html
