"""The beheer menu: grouped by task, the current page marked, folding into one button."""

from __future__ import annotations

import re

from flask import Flask

from tests.manage_support import login, make_user, new_client


def _menu(html: str) -> str:
    return html.split('class="beheer-nav"', 1)[1].split("</nav>", 1)[0]


def test_menu_is_grouped_and_marks_the_current_page_and_section(app: Flask) -> None:
    make_user("beheer@zwolle.example.org", "beheerder", gm_codes=["GM0193"])
    client = new_client(app)
    login(client, "beheer@zwolle.example.org")
    menu = _menu(client.get("/beheer/diensten").get_data(as_text=True))
    groups = re.findall(r'<p class="beheer-nav__kop" id="([^"]+)">([^<]+)</p>', menu)
    assert [name for _, name in groups] == [
        "Gegevens bijhouden",
        "De gemeente",
        "Doorverwijzen",
        "Uw account",
    ]
    # Each list is named by its group.
    for group_id, _name in groups:
        assert f'<ul aria-labelledby="{group_id}">' in menu
    assert '<a href="/beheer/diensten" aria-current="page">Diensten</a>' in menu
    assert menu.count("aria-current") == 1
    assert '<a href="/signalen">Signalen</a>' in menu
    # A page inside a section marks the section; the folded menu says where you are.
    menu = _menu(client.get("/beheer/gebruikers/nieuw").get_data(as_text=True))
    assert '<a href="/beheer/gebruikers" aria-current="true">Gebruikers</a>' in menu
    assert '<span class="beheer-nav__hier">: Gebruikers</span>' in menu
    # On a phone it is one button; it opens without any script.
    assert '<details class="beheer-nav__menu" data-open-wide>' in menu


def test_a_helper_sees_only_their_groups(app: Flask) -> None:
    make_user("helper@zwolle.example.org", "verwijzer", gm_codes=["GM0193"])
    client = new_client(app)
    login(client, "helper@zwolle.example.org")
    menu = _menu(client.get("/beheer/account").get_data(as_text=True))
    assert "De gemeente" not in menu and "Diensten" not in menu
    assert "Doorverwijzen" in menu and '<a href="/signalen">Signalen</a>' in menu
    assert '<a href="/beheer/account" aria-current="page">Mijn account</a>' in menu


def test_wide_tables_scroll_in_their_own_labelled_box(app: Flask) -> None:
    make_user("beheer@zwolle.example.org", "beheerder", gm_codes=["GM0193"])
    client = new_client(app)
    login(client, "beheer@zwolle.example.org")
    for url in ("/beheer/diensten", "/beheer/verouderd", "/beheer/audit", "/beheer/gebruikers"):
        html = client.get(url).get_data(as_text=True)
        boxes = re.findall(r'<div class="tabel-box" role="region" ([^>]*)>\s*<table', html)
        assert len(boxes) == 1, url
        assert 'tabindex="0"' in boxes[0] and re.search(r'aria-label="[^"]+"', boxes[0]), url
