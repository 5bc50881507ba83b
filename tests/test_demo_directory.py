"""The demo directory shows everyday needs working: food bank, bewind, emergency funds, legal
aid and help in one's own language, found by residents' own words in each municipality."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from wegwijzer.extensions import db
from wegwijzer.search import search


@pytest.fixture
def demo_app(app: Flask) -> Iterator[Flask]:
    from wegwijzer.devtools.demo import load_demo
    from wegwijzer.search import sync_index

    load_demo(app, db.session)
    sync_index()
    with app.test_request_context("/zoeken"):
        yield app


@pytest.mark.parametrize(
    ("words", "place", "first"),
    [
        ("voedselbank", "Zwolle", "Voedselbank Zwolle"),
        ("voedselbank", "Kampen", "Voedselbank Kampen"),
        ("voedselbank", "Dalfsen", "Voedselbank Vechtdal"),
        ("beschermingsbewind", "Kampen", "Beschermingsbewind en budgetbeheer"),
        ("bewindvoerder", "Dalfsen", "Beschermingsbewind en budgetbeheer"),
        ("noodfonds", "Zwolle", "Noodfonds Zwolle"),
        ("renteloze lening", "Zwolle", "Noodfonds Zwolle"),
        ("noodhulp", "Kampen", "Noodfonds en noodhulp Kampen en Dalfsen"),
        ("juridisch loket", "Dalfsen", "Sociaal raadslieden en juridisch loket Kampen en Dalfsen"),
        (
            "hulp bij brieven in het Arabisch",
            "Dalfsen",
            "Hulp bij brieven in het Turks, Arabisch en Tigrinya",
        ),
    ],
)
def test_everyday_needs_find_their_demo_service_first(
    demo_app: Flask, words: str, place: str, first: str
) -> None:
    result = search(words, near=place)
    assert result.results, (words, place)
    assert result.results[0].name == first, [h.name for h in result.results[:3]]


def test_no_money_for_food_leads_to_the_municipality_then_the_food_bank(demo_app: Flask) -> None:
    result = search("ik heb geen geld voor eten", near="Kampen")
    names = [h.name for h in result.results[:3]]
    assert names[0] == "Schuldhulpverlening Kampen"
    assert "Voedselbank Kampen" in names


def test_the_language_service_lists_its_languages(demo_app: Flask) -> None:
    from sqlalchemy import select

    from wegwijzer.models import Service

    svc = db.session.scalars(
        select(Service).where(Service.name == "Hulp bij brieven in het Turks, Arabisch en Tigrinya")
    ).one()
    assert {lang.code for lang in svc.languages} == {"nl", "tr", "ar", "ti", "uk"}
