"""The route file: the shipped route loads, and every kind of bad file is rejected clearly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from wegwijzer.cli import main
from wegwijzer.services.route import (
    RouteFileError,
    check_route_file,
    parse_route,
    taxonomy_codes,
)

ROOT = Path(__file__).resolve().parent.parent
ROUTE = ROOT / "data" / "route.json"
TAXONOMY = ROOT / "data" / "taxonomy.json"


@pytest.fixture(scope="module")
def codes() -> dict[str, set[str]]:
    return taxonomy_codes(TAXONOMY)


@pytest.fixture
def good() -> dict[str, Any]:
    return json.loads(ROUTE.read_text(encoding="utf-8"))


def test_shipped_route_loads_with_the_four_steps() -> None:
    route = check_route_file(ROUTE, TAXONOMY)
    assert [q.kind for q in route.questions] == ["need", "place", "preference", "preference"]
    first = route.questions[0]
    labels = [a.label("nl") for a in first.answers]
    assert "Ik krijg brieven die ik niet begrijp" in labels
    assert "Er komt een deurwaarder of ik krijg een afsluiting" in labels
    assert "Mijn traject is klaar" in labels
    assert first.answer("deurwaarder").is_urgent
    assert not first.answer("brieven").is_urgent
    assert first.answer("brieven").label("en") == "I get letters I do not understand"
    assert route.place_question.id == "plaats"


def test_shipped_route_covers_every_way_of_being_helped(codes: dict[str, set[str]]) -> None:
    route = check_route_file(ROUTE, TAXONOMY)
    hulp = route.question("hulp")
    assert hulp is not None
    mapped = {c for a in hulp.answers for c in a.codes.get("toegang", ())}
    assert {"inloop", "huisbezoek", "telefonisch", "online"} <= mapped
    assert any("maatje" in a.codes.get("thema", ()) for a in hulp.answers)


def _bad(data: dict[str, Any], codes: dict[str, set[str]]) -> str:
    with pytest.raises(RouteFileError) as info:
        parse_route(data, codes, "route.json")
    return str(info.value)


def test_missing_question_text_in_a_language_names_question_and_language(
    good: dict[str, Any], codes: dict[str, set[str]]
) -> None:
    del good["questions"][2]["text"]["en"]
    message = _bad(good, codes)
    assert "vraag 3 ('hulp')" in message
    assert "'en'" in message


def test_empty_answer_text_names_the_answer(
    good: dict[str, Any], codes: dict[str, set[str]]
) -> None:
    good["questions"][0]["answers"][1]["text"]["nl"] = "  "
    message = _bad(good, codes)
    assert "vraag 1 ('situatie'), antwoord 2 ('rekeningen')" in message
    assert "'nl'" in message


def test_unknown_taxonomy_code_is_named(good: dict[str, Any], codes: dict[str, set[str]]) -> None:
    good["questions"][0]["answers"][0]["thema"] = ["brieven-formulieren", "post-en-brieven"]
    message = _bad(good, codes)
    assert "onbekende code 'post-en-brieven'" in message
    assert "antwoord 1 ('brieven')" in message
    assert "'thema'" in message


def test_duplicate_answer_ids_are_rejected(
    good: dict[str, Any], codes: dict[str, set[str]]
) -> None:
    answers = good["questions"][3]["answers"]
    answers.append(copy.deepcopy(answers[0]))
    message = _bad(good, codes)
    assert "id 'jong' komt twee keer voor" in message
    assert "vraag 4 ('over-u')" in message


def test_duplicate_question_ids_are_rejected(
    good: dict[str, Any], codes: dict[str, set[str]]
) -> None:
    good["questions"][3]["id"] = "hulp"
    assert "id 'hulp' komt twee keer voor" in _bad(good, codes)


@pytest.mark.parametrize("flag", ["ja", "true", 1, None])
def test_bad_urgency_flag_is_rejected(
    good: dict[str, Any], codes: dict[str, set[str]], flag: Any
) -> None:
    good["questions"][0]["answers"][2]["urgent"] = flag
    message = _bad(good, codes)
    assert "antwoord 3 ('deurwaarder')" in message
    assert "'urgent' moet true of false zijn" in message


def test_general_answers_are_marked_and_a_bad_mark_is_rejected(
    good: dict[str, Any], codes: dict[str, set[str]]
) -> None:
    first = parse_route(copy.deepcopy(good), codes).questions[0]
    marked = [a.id for a in first.answers if a.is_first_steps]
    assert marked == ["rekeningen", "rondkomen", "weet-niet"]
    good["questions"][0]["answers"][0]["first_steps"] = "ja"
    message = _bad(good, codes)
    assert "antwoord 1 ('brieven')" in message
    assert "'first_steps' moet true of false zijn" in message


def test_misspelt_field_is_not_silently_ignored(
    good: dict[str, Any], codes: dict[str, set[str]]
) -> None:
    good["questions"][0]["answers"][0]["urgentie"] = True
    assert "onbekend veld 'urgentie'" in _bad(good, codes)


def test_mapping_must_be_a_list_of_codes(good: dict[str, Any], codes: dict[str, set[str]]) -> None:
    good["questions"][2]["answers"][0]["toegang"] = "inloop"
    assert "'toegang' moet een lijst met codes zijn" in _bad(good, codes)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(version=2), "'version' moet 1 zijn"),
        (lambda d: d.update(questions=[]), "'questions' moet een niet-lege lijst zijn"),
        (lambda d: d["questions"].pop(1), "precies één vraag met kind 'place'"),
        (lambda d: d["questions"][0].update(kind="vraag"), "'kind' moet een van"),
        (lambda d: d["questions"][0].update(answers=[]), "'answers' moet een niet-lege lijst"),
        (lambda d: d["questions"][0].update(id="lang"), "'id' ontbreekt of is ongeldig"),
        (lambda d: d["questions"][0].update(id="Wat Speelt"), "'id' ontbreekt of is ongeldig"),
        (lambda d: d["questions"][2].update(multiple="ja"), "'multiple' moet true of false"),
        (lambda d: d["questions"][1].update(required=False), "moet 'required' zijn"),
        (lambda d: d["questions"][1].update(answers=[]), "heeft geen 'answers'"),
        (
            lambda d: [q.update(kind="preference") for q in d["questions"] if q["kind"] == "need"],
            "minstens één vraag met kind 'need'",
        ),
        (
            lambda d: d["questions"][0]["answers"][0].update(words="brieven"),
            "'words' moet een lijst met woorden zijn",
        ),
    ],
)
def test_structural_errors_are_named(
    good: dict[str, Any], codes: dict[str, set[str]], change: Any, expected: str
) -> None:
    change(good)
    assert expected in _bad(good, codes)


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "route.json"
    path.write_text('{\n  "version": 1,\n  "questions": [\n    {"id": "a",}\n  ]\n}\n')
    with pytest.raises(RouteFileError) as info:
        check_route_file(path, TAXONOMY)
    assert str(path) in str(info.value)
    assert "regel 4" in str(info.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RouteFileError, match="bestaat niet"):
        check_route_file(tmp_path / "weg.json", TAXONOMY)


def test_cli_check_accepts_the_shipped_route() -> None:
    result = CliRunner().invoke(main, ["route", "check", str(ROUTE)])
    assert result.exit_code == 0, result.output
    assert "in orde. 4 vragen" in result.output


def test_cli_check_rejects_a_bad_file_in_one_line(tmp_path: Path, good: dict[str, Any]) -> None:
    good["questions"][0]["answers"][0]["thema"] = ["bestaat-niet"]
    path = tmp_path / "route.json"
    path.write_text(json.dumps(good), encoding="utf-8")
    result = CliRunner().invoke(main, ["route", "check", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("Fout: ")
    assert "onbekende code 'bestaat-niet'" in lines[0]
    assert "Traceback" not in result.output
