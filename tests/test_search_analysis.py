"""Dutch analysis, compound splitting, spelling, synonyms and urgent signals (no index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wegwijzer.search.analysis import (
    Analyzer,
    Decompounder,
    fold,
    is_stop,
    stem,
    surface,
    surface_words,
    words,
)
from wegwijzer.search.query import apply_corrections
from wegwijzer.search.signals import SignalsFileError, load_signals, match_signals, read_signals
from wegwijzer.search.spelling import SpellIndex, edit_distance
from wegwijzer.search.synonyms import SynonymsFileError, load_synonyms, parse_synonyms

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(Decompounder(["hulpverlening", "aangifte", "uitzetting", "verzoek"]))


def test_fold_and_words() -> None:
    assert fold("Financiële Zorgen") == "financiele zorgen"
    assert words("Zzp'er? Hulp bij (belasting)aangifte!") == [
        "zzper",
        "hulp",
        "bij",
        "belasting",
        "aangifte",
    ]


def test_stems_join_plural_and_singular() -> None:
    for a, b in [
        ("brieven", "brief"),
        ("schulden", "schuld"),
        ("gezinnen", "gezin"),
        ("maatjes", "maatje"),
        ("huizen", "huis"),
        ("rekeningen", "rekening"),
    ]:
        assert stem(a) == stem(b), (a, b)


def test_meaningful_words_are_not_stop_words() -> None:
    for word in ("niet", "geen", "zonder"):
        assert not is_stop(word)
    for word in ("de", "het", "een", "ik", "mijn", "voor", "hoe"):
        assert is_stop(word)


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("huurachterstand", {"huur", "achterstand"}),
        ("betalingsachterstanden", {"betaling", "achterstand"}),
        ("belastingaangifte", {"belasting", "aangifte"}),
        ("schuldhulpverlening", {"schuld", "hulp"}),
        ("energieafsluiting", {"energie", "afsluiting"}),
        ("huisuitzetting", {"huis", "uitzetting"}),
        ("kwijtscheldingsverzoek", {"kwijtschelding", "verzoek"}),
        ("zorgverzekeringspremie", {"zorg", "verzekering", "premie"}),
    ],
)
def test_compounds_split_into_known_parts(analyzer: Analyzer, word: str, parts: set[str]) -> None:
    analysed = analyzer.word(word)
    assert {stem(p) for p in parts} <= set(analysed.parts)


@pytest.mark.parametrize("word", ["beslag", "ouderen", "uitkering", "ondersteuning", "overzicht"])
def test_ordinary_words_are_not_split(analyzer: Analyzer, word: str) -> None:
    assert analyzer.word(word).parts == ()


def test_index_terms_drop_stop_words_and_add_parts(analyzer: Analyzer) -> None:
    terms = analyzer.index_terms("De huurachterstand is niet betaald")
    assert stem("huur") in terms and stem("achterstand") in terms
    assert "niet" in terms
    assert "de" not in terms and "is" not in terms


TEXTS = [
    "De huurachterstand is niet betaald",
    "Zzp'er? Hulp bij (belasting)aangifte!",
    "Financiële   zorgen, kwijtscheldingsverzoek en huisuitzetting",
    "l’Aide — schulden; schulden; SCHULDEN",
    "",
    "a b c de het graag",
]


def test_index_text_gives_the_terms_of_index_terms(analyzer: Analyzer) -> None:
    # The rebuild indexes index_text (one cached string per word); search analyses queries
    # with index_terms: both must give the same terms in the same order.
    for text in TEXTS:
        assert analyzer.index_text(words(text)).split() == analyzer.index_terms(text)
    # Twice: the second time from the cache.
    assert analyzer.index_text(words(TEXTS[2])).split() == analyzer.index_terms(TEXTS[2])


def test_spelling_words_of_joined_texts_are_those_of_each_text() -> None:
    joined = surface(words(" ".join(TEXTS)))
    assert joined == set().union(*(surface_words(t) for t in TEXTS))
    assert {"huurachterstand", "schulden", "zorgen"} <= joined
    assert "graag" not in joined and "zzper" in joined


def test_edit_distance_counts_swaps_once() -> None:
    assert edit_distance("kwijtscheling", "kwijtschelding") == 1
    assert edit_distance("thuisadminstratie", "thuisadministratie") == 1
    assert edit_distance("scuhld", "schuld") == 1
    assert edit_distance("aaaa", "bbbbbbbb") == 3  # capped at limit + 1


def test_spell_index_prefers_fewer_edits_then_frequent_words() -> None:
    spell = SpellIndex()
    spell.add(
        {"schuldhulpverlening": 40, "schuldhulp": 12, "kwijtschelding": 5, "kwijtscheldingen": 1}
    )
    assert spell.correct("schuldhulpverleenig") == "schuldhulpverlening"
    assert spell.correct("kwijtscheling") == "kwijtschelding"
    assert spell.correct("xyz") is None
    assert spell.correct("volkomenanders") is None
    assert "schuldhulp" in spell and spell.frequency("schuldhulp") == 12


def test_corrections_keep_the_rest_of_the_query() -> None:
    text = "Hulp met Thuisadminstratie in Zwolle"
    assert apply_corrections(text, {"thuisadminstratie": "thuisadministratie"}) == (
        "Hulp met thuisadministratie in Zwolle"
    )


def test_synonyms_file_parses_both_directions() -> None:
    synonyms = parse_synonyms(
        "# uitleg\nbuddy, maatje\ndeurwaarder => beslag, schulden\ngrip op geld => budget\n"
    )
    pairs = synonyms.expand([stem("buddy")])
    assert (0, (stem("maatje"),)) in pairs
    assert (0, (stem("buddy"),)) in synonyms.expand([stem("maatje")])
    assert synonyms.expand([stem("beslag")]) == []  # one-way only
    assert (0, (stem("beslag"),)) in synonyms.expand([stem("deurwaarder")])
    phrase = synonyms.expand([stem("grip"), stem("geld")])
    assert (1, (stem("budget"),)) in phrase


def test_one_way_words_are_marked_related_unless_also_the_same() -> None:
    synonyms = parse_synonyms("buddy, maatje\ndeurwaarder => beslag\nbuddy => maatje, coach\n")
    assert (0, (stem("beslag"),), True) in synonyms.expand_related([stem("deurwaarder")])
    pairs = synonyms.expand_related([stem("buddy")])
    assert (0, (stem("maatje"),), False) in pairs  # also on a line of the same meaning
    assert (0, (stem("coach"),), True) in pairs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("alleen\n", "regel 1: noem minstens twee woorden"),
        ("a => b => c\n", "regel 1: gebruik de pijl"),
        ("# x\nschuld =>\n", "regel 2: na de pijl"),
        ("de, het\n", "regel 1: geen woorden"),
    ],
)
def test_synonyms_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(SynonymsFileError, match=message):
        parse_synonyms(text)


def test_shipped_synonyms_and_signals_load() -> None:
    synonyms = load_synonyms(DATA)
    assert (0, (stem("maatje"),)) in synonyms.expand([stem("buddy")])
    signals = load_signals(DATA)
    codes = {s.code for s in signals}
    assert {"deurwaarder", "beslag", "afsluiting", "uithuiszetting"} <= codes
    for signal in signals:
        assert signal.label("nl") and signal.label("en") and signal.why("nl") and signal.why("en")


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("er staat een deurwaarder voor de deur", {"deurwaarder"}),
        ("Loonbeslag!", {"beslag"}),
        ("brief over energieafsluiting", {"afsluiting"}),
        ("dreigende huisuitzetting", {"uithuiszetting"}),
        ("ik heb aanmaningen van veel schuldeisers", {"veel-schuldeisers"}),
        ("geen geld voor eten", {"geen-geld-eten"}),
        ("verzekering afsluiten", set()),
        ("hulp bij formulieren", set()),
    ],
)
def test_signals_match_words_phrases_and_compounds(text: str, codes: set[str]) -> None:
    assert {s.code for s in match_signals(text, load_signals(DATA))} == codes


def test_signals_file_errors_name_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "signals.json"
    path.write_text('{"signals": [{"code": "x", "words": ["a"], "label": {"nl": "A"}}]}')
    with pytest.raises(SignalsFileError, match="signaal 1 \\(x\\): 'label'"):
        read_signals(path)
    path.write_text("{")
    with pytest.raises(SignalsFileError, match="geen geldige JSON"):
        read_signals(path)
