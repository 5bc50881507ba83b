"""The guided route (wegwijzer): the route file and residents' answers.

The route is data (``data/route.json``): questions, answers in nl and en, and how each answer
maps to taxonomy codes, search words and urgency. A municipality adapts it without code; an
invalid file is rejected when it is loaded, with a message that names the place of the error.
Nothing here writes to the database: a resident's answers live only in the URL.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app
from flask_babel import gettext as _

from ..domain.facets import SEARCH_FACETS
from ..domain.geo import NotFound, Resolved
from ..domain.languages import language_texts
from ..domain.places import gazetteer
from .taxonomy import TaxonomyFileError, read_taxonomy_file

#: Taxonomy facets an answer may map to: exactly the search filters.
MAPPED_FACETS = tuple(SEARCH_FACETS)
#: Kinds of question: what the resident needs (hard filters), where they live, and wishes
#: that only change the order of the results.
KINDS = ("need", "place", "preference")
#: Query parameters the pages use themselves; a question id may not take one of these.
RESERVED_IDS = frozenset({"lang", "verder", "weergave", "stap", "q", "page"})
_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_QUESTION_KEYS = {"id", "kind", "multiple", "required", "text", "help", "answers"}
_ANSWER_KEYS = {"id", "text", "words", "urgent", "first_steps", *MAPPED_FACETS}


class RouteFileError(ValueError):
    """The route file is not valid; the message names the file and the place of the error."""


@dataclass(frozen=True)
class Answer:
    id: str
    text: Mapping[str, str]
    codes: Mapping[str, tuple[str, ...]]
    words: tuple[str, ...] = ()
    is_urgent: bool = False
    #: A general answer ("weet niet", "rondkomen"): lead with the municipality's debt help
    #: and other general first steps.
    is_first_steps: bool = False

    def label(self, lang: str = "nl") -> str:
        return self.text.get(lang) or self.text["nl"]


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    text: Mapping[str, str]
    help: Mapping[str, str] | None
    multiple: bool
    required: bool
    answers: tuple[Answer, ...] = ()

    def label(self, lang: str = "nl") -> str:
        return self.text.get(lang) or self.text["nl"]

    def help_text(self, lang: str = "nl") -> str:
        if not self.help:
            return ""
        return self.help.get(lang) or self.help["nl"]

    def answer(self, answer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)


_Item = TypeVar("_Item", Question, Answer)


@dataclass(frozen=True)
class Route:
    questions: tuple[Question, ...]
    source: str

    @property
    def steps(self) -> int:
        return len(self.questions)

    @property
    def place_question(self) -> Question:
        return next(q for q in self.questions if q.kind == "place")

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


# --- reading and checking the route file -------------------------------------------------------


def taxonomy_codes(taxonomy_path: Path) -> dict[str, set[str]]:
    """Return the term codes per facet from a taxonomy file, for checking a route file."""
    try:
        taxonomies = read_taxonomy_file(taxonomy_path)
    except TaxonomyFileError as exc:
        raise RouteFileError(f"De taxonomie is niet bruikbaar: {exc}") from exc
    return {t["facet"]: {term["code"] for term in t["terms"]} for t in taxonomies}


def read_route_file(path: Path, codes: Mapping[str, set[str]]) -> Route:
    """Read and check a route file against the taxonomy ``codes``; raise RouteFileError."""
    name = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RouteFileError(f"{name}: het bestand bestaat niet.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RouteFileError(f"{name}: kan het bestand niet lezen ({exc}).") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RouteFileError(
            f"{name}: geen geldige JSON op regel {exc.lineno}, kolom {exc.colno} ({exc.msg})."
        ) from None
    return parse_route(data, codes, name)


def parse_route(data: Any, codes: Mapping[str, set[str]], name: str = "route") -> Route:
    """Check parsed route data and build a Route; raise RouteFileError naming the place."""
    if not isinstance(data, dict):
        raise RouteFileError(f"{name}: verwacht een JSON-object met 'version' en 'questions'.")
    if data.get("version") != 1:
        raise RouteFileError(f"{name}: 'version' moet 1 zijn.")
    questions = _parse_list(
        data.get("questions"),
        f"{name}: 'questions'",
        f"{name}: vraag",
        lambda raw, where: _parse_question(raw, where, codes),
    )
    kinds = [q.kind for q in questions]
    if kinds.count("place") != 1:
        raise RouteFileError(f"{name}: er moet precies één vraag met kind 'place' zijn.")
    if "need" not in kinds:
        raise RouteFileError(f"{name}: er moet minstens één vraag met kind 'need' zijn.")
    return Route(questions=tuple(questions), source=name)


def _parse_list(
    raw: Any,
    where: str,
    item: str,
    parse: Callable[[Any, str], _Item],
    scope: str = "",
) -> list[_Item]:
    """Parse the non-empty list ``raw``, its n-th entry as ``f"{item} {n}"``; refuse an id
    that comes twice (within ``scope``)."""
    if not isinstance(raw, list) or not raw:
        raise RouteFileError(f"{where} moet een niet-lege lijst zijn.")
    parsed: list[_Item] = []
    seen: set[str] = set()
    for n, raw_entry in enumerate(raw, 1):
        entry = parse(raw_entry, f"{item} {n}")
        if entry.id in seen:
            raise RouteFileError(f"{item} {n}: id '{entry.id}' komt twee keer voor{scope}.")
        seen.add(entry.id)
        parsed.append(entry)
    return parsed


def _parse_question(raw: Any, where: str, codes: Mapping[str, set[str]]) -> Question:
    if not isinstance(raw, dict):
        raise RouteFileError(f"{where}: verwacht een object.")
    qid = raw.get("id")
    if not isinstance(qid, str) or not _ID.match(qid) or qid in RESERVED_IDS:
        raise RouteFileError(
            f"{where}: 'id' ontbreekt of is ongeldig (kleine letters, cijfers en '-'; "
            f"niet {', '.join(sorted(RESERVED_IDS))})."
        )
    where = f"{where} ('{qid}')"
    _no_unknown_keys(raw, _QUESTION_KEYS, where)
    kind = raw.get("kind")
    if kind not in KINDS:
        raise RouteFileError(f"{where}: 'kind' moet een van {', '.join(KINDS)} zijn.")
    text = _texts(raw.get("text"), f"{where}: 'text'")
    help_text = _texts(raw["help"], f"{where}: 'help'") if "help" in raw else None
    multiple = _flag(raw, "multiple", False, where)
    required = _flag(raw, "required", kind != "preference", where)
    if kind == "place":
        if "answers" in raw:
            raise RouteFileError(f"{where}: een vraag met kind 'place' heeft geen 'answers'.")
        if not required:
            raise RouteFileError(f"{where}: de vraag naar de woonplaats moet 'required' zijn.")
        return Question(qid, kind, text, help_text, False, True)
    answers = _parse_list(
        raw.get("answers"),
        f"{where}: 'answers'",
        f"{where}, antwoord",
        lambda raw_answer, at: _parse_answer(raw_answer, at, codes),
        " in deze vraag",
    )
    return Question(qid, kind, text, help_text, multiple, required, tuple(answers))


def _parse_answer(raw: Any, where: str, codes: Mapping[str, set[str]]) -> Answer:
    if not isinstance(raw, dict):
        raise RouteFileError(f"{where}: verwacht een object.")
    aid = raw.get("id")
    if not isinstance(aid, str) or not _ID.match(aid):
        raise RouteFileError(
            f"{where}: 'id' ontbreekt of is ongeldig (kleine letters, cijfers en '-')."
        )
    where = f"{where} ('{aid}')"
    _no_unknown_keys(raw, _ANSWER_KEYS, where)
    text = _texts(raw.get("text"), f"{where}: 'text'")
    mapped: dict[str, tuple[str, ...]] = {}
    for facet in MAPPED_FACETS:
        if facet not in raw:
            continue
        values = raw[facet]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise RouteFileError(f"{where}: '{facet}' moet een lijst met codes zijn.")
        known = codes.get(facet, set())
        for code in values:
            if code not in known:
                raise RouteFileError(
                    f"{where}: '{facet}' bevat de onbekende code '{code}'. "
                    f"Bekende codes: {', '.join(sorted(known)) or 'geen'}."
                )
        if values:
            mapped[facet] = tuple(dict.fromkeys(values))
    words = raw.get("words", [])
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise RouteFileError(f"{where}: 'words' moet een lijst met woorden zijn.")
    urgent = raw.get("urgent", False)
    if not isinstance(urgent, bool):
        raise RouteFileError(
            f"{where}: 'urgent' moet true of false zijn (zonder aanhalingstekens)."
        )
    first_steps = raw.get("first_steps", False)
    if not isinstance(first_steps, bool):
        raise RouteFileError(
            f"{where}: 'first_steps' moet true of false zijn (zonder aanhalingstekens)."
        )
    return Answer(aid, text, mapped, tuple(w.strip() for w in words), urgent, first_steps)


def _texts(value: Any, where: str) -> dict[str, str]:
    try:
        return language_texts(value, where)
    except ValueError as exc:
        raise RouteFileError(str(exc)) from None


def _flag(raw: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise RouteFileError(f"{where}: '{key}' moet true of false zijn (zonder aanhalingstekens).")
    return value


def _no_unknown_keys(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    # A typo such as "urgentie" or "themas" would otherwise be ignored without a word.
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise RouteFileError(
            f"{where}: onbekend veld '{unknown[0]}'. Toegestaan: {', '.join(sorted(allowed))}."
        )


_cache: dict[tuple[str, int, int], Route] = {}
_cache_lock = threading.Lock()


def route_path() -> Path:
    """Return the route file of this app (ROUTE_FILE, or route.json in DATA_DIR)."""
    configured = current_app.config.get("ROUTE_FILE")
    return Path(configured) if configured else Path(current_app.config["DATA_DIR"]) / "route.json"


def check_route_file(path: Path, taxonomy_path: Path) -> Route:
    """Read and check ``path`` against the taxonomy file; raise RouteFileError."""
    return read_route_file(path, taxonomy_codes(taxonomy_path))


def load_route() -> Route:
    """Return this app's checked route; re-read when the file changes, raise RouteFileError."""
    path = route_path()
    taxonomy_path = Path(current_app.config["DATA_DIR"]) / "taxonomy.json"
    try:
        key = (str(path), path.stat().st_mtime_ns, taxonomy_path.stat().st_mtime_ns)
    except FileNotFoundError as exc:
        raise RouteFileError(f"{exc.filename}: het bestand bestaat niet.") from None
    with _cache_lock:
        route = _cache.get(key)
    if route is None:
        route = check_route_file(path, taxonomy_path)
        with _cache_lock:
            _cache[key] = route
    return route


# --- a resident's answers --------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    """What the resident chose, read from the URL; never stored anywhere."""

    choices: Mapping[str, tuple[str, ...]]
    place: str = ""

    def chosen(self, question: Question) -> list[Answer]:
        """Return the known answers chosen for ``question``, in the file's order."""
        ids = set(self.choices.get(question.id, ()))
        return [a for a in question.answers if a.id in ids]

    def query_args(self, route: Route, upto: int | None = None) -> list[tuple[str, str]]:
        """Return the answers to the first ``upto`` questions as URL query pairs."""
        pairs: list[tuple[str, str]] = []
        for question in route.questions[:upto]:
            if question.kind == "place":
                if self.place:
                    pairs.append((question.id, self.place))
            else:
                pairs.extend((question.id, a.id) for a in self.chosen(question))
        return pairs

    def without(self, question: Question) -> Answers:
        """Return these answers with ``question`` left empty (the resident skipped it)."""
        if question.kind == "place":
            return Answers(self.choices, "")
        return Answers({k: v for k, v in self.choices.items() if k != question.id}, self.place)


def read_answers(route: Route, args: Any) -> Answers:
    """Read the answers from request args (a MultiDict); unknown parameters are ignored."""
    choices: dict[str, tuple[str, ...]] = {}
    place = ""
    for question in route.questions:
        if question.kind == "place":
            place = " ".join(str(args.get(question.id, "")).split())[:100]
            continue
        values = [v.strip() for v in args.getlist(question.id) if v.strip()]
        if values:
            choices[question.id] = tuple(dict.fromkeys(values))
    return Answers(choices, place)


@dataclass(frozen=True)
class StepProblem:
    """Why an answer cannot be used yet, in plain words, with optional place suggestions."""

    message: str
    suggestions: tuple[str, ...] = ()


def check_answer(route: Route, answers: Answers, index: int) -> StepProblem | None:
    """Check the answer to question ``index`` (0-based); return a problem or None."""
    question = route.questions[index]
    if question.kind == "place":
        result = resolve_place(answers.place)
        if isinstance(result, NotFound):
            return place_problem(result)
        return None
    given = answers.choices.get(question.id, ())
    known = {a.id for a in question.answers}
    if any(v not in known for v in given):
        return StepProblem(_("Dit antwoord kennen we niet. Kies een van de antwoorden hieronder."))
    if question.required and not given:
        return StepProblem(_("Kies minstens één antwoord."))
    if not question.multiple and len(given) > 1:
        return StepProblem(_("Kies één antwoord."))
    return None


def first_problem(route: Route, answers: Answers, upto: int) -> tuple[int, StepProblem] | None:
    """Return the first of questions ``0..upto-1`` with a problem, or None."""
    for index in range(upto):
        problem = check_answer(route, answers, index)
        if problem is not None:
            return index, problem
    return None


def resolve_place(text: str) -> Resolved | NotFound:
    """Resolve a postcode or place with the offline gazetteer."""
    return gazetteer().resolve(text)


def place_problem(result: NotFound) -> StepProblem:
    """Explain in plain words why a place was not found, with suggestions."""
    if result.reason == "empty":
        message = _("Vul uw postcode of woonplaats in.")
    elif result.reason in ("postcode_invalid", "postcode_unknown"):
        message = _(
            "We kennen de postcode %(query)s niet. Kijk of de cijfers kloppen, "
            "of vul uw woonplaats in.",
            query=result.query,
        )
    elif result.suggestions:
        message = _(
            "We kennen %(query)s niet. Bedoelt u een van deze plaatsen?", query=result.query
        )
    else:
        message = _(
            "We kennen %(query)s niet. Vul uw postcode in, bijvoorbeeld 8011, "
            "of de naam van uw woonplaats.",
            query=result.query,
        )
    return StepProblem(message, tuple(result.suggestions[:5]))
