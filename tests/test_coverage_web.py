"""The coverage pages: role scoping, what the matrix shows, drill-down, exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wegwijzer.extensions import db
from wegwijzer.models import (
    Organization,
    PublicationStatus,
    Service,
    User,
    UserMunicipality,
    utcnow,
)
from wegwijzer.web.coverage.export import neutralise

MakeUser = Callable[..., User]


@pytest.fixture
def make_user(app: Flask) -> MakeUser:
    def make(email: str, role: str = "beheerder", gm_codes: tuple[str, ...] = ()) -> User:
        user = User(email=email, role=role, name=email, session_token="tok-" + email)
        user.municipalities = [UserMunicipality(gm_code=gm) for gm in gm_codes]
        db.session.add(user)
        db.session.commit()
        return user

    return make


def login(client: FlaskClient, user: User) -> None:
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


@pytest.fixture
def admin_client(client: FlaskClient, make_user: MakeUser) -> FlaskClient:
    """A beheerder of Zwolle and Kampen."""
    login(client, make_user("beheer@zwolle.example.org", gm_codes=("GM0193", "GM0166")))
    return client


class TableReader(HTMLParser):
    """Collect every <table>: caption, header texts and the text of each cell."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._stack: list[str] = []
        self._text: list[str] | None = None
        self._cell_attrs: dict = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th", "caption"):
            self._text = []
            self._cell_attrs = dict(attrs) | {"tag": tag}
        elif tag == "a" and self._text is not None:
            self._cell_attrs["href"] = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "caption") and self._text is not None:
            text = " ".join("".join(self._text).split())
            if tag == "caption":
                self.tables[-1]["caption"] = text
            else:
                self.tables[-1]["rows"][-1].append((text, self._cell_attrs))
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def tables(html: str) -> dict[str, list[list[tuple[str, dict]]]]:
    reader = TableReader()
    reader.feed(html)
    return {t["caption"]: t["rows"] for t in reader.tables}


# --- role scoping ------------------------------------------------------------------------------


def test_anonymous_visitors_are_refused(client: FlaskClient) -> None:
    for url in (
        "/beheer/dekking/",
        "/beheer/dekking/cel?gm=GM0193&fase=nazorg",
        "/beheer/dekking/inventarisatie.csv",
        "/beheer/dekking/inventarisatie",
    ):
        response = client.get(url)
        assert response.status_code in (302, 401), url
        if response.status_code == 302:
            assert "/beheer/login" in response.headers["Location"]
        assert b"Zwolle" not in response.data


@pytest.mark.parametrize("role", ["redacteur", "verwijzer"])
def test_other_roles_are_refused(
    client: FlaskClient, make_user: MakeUser, make_organization: Callable, role: str
) -> None:
    user = make_user(f"{role}@example.org", role=role)
    if role == "redacteur":
        user.organizations = [make_organization("Eigen organisatie")]
        db.session.commit()
    login(client, user)
    for url in (
        "/beheer/dekking/",
        "/beheer/dekking/?gm=GM0193",
        "/beheer/dekking/cel?gm=GM0193&fase=nazorg",
        "/beheer/dekking/inventarisatie.csv?gm=GM0193",
    ):
        assert client.get(url).status_code == 403, url


def test_beheerder_sees_only_their_municipalities(
    client: FlaskClient, make_user: MakeUser, make_service: Callable
) -> None:
    make_service(
        "Hulp in Dalfsen", gm_codes=["GM0148"], terms={"fase": ["nazorg"], "thema": ["budget"]}
    )
    login(client, make_user("beheer@kampen.example.org", gm_codes=("GM0166",)))
    page = client.get("/beheer/dekking/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kampen" in html
    assert "Dalfsen" not in html and "Zwolle" not in html
    for url in (
        "/beheer/dekking/?gm=GM0193",
        "/beheer/dekking/?gm=GM0166&gm=GM0148",
        "/beheer/dekking/?gm=GM9999",
        "/beheer/dekking/cel?gm=GM0148&fase=nazorg&thema=budget",
        "/beheer/dekking/inventarisatie.csv?gm=GM0148",
        "/beheer/dekking/inventarisatie?gm=GM0193",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Hulp in Dalfsen" not in response.get_data(as_text=True)


# --- the matrix ----------------------------------------------------------------------------------


def test_matrix_shows_counts_gaps_and_overlap_as_text(
    app: Flask, admin_client: FlaskClient, make_service: Callable
) -> None:
    app.config["OVERLAP_THRESHOLD"] = 3
    cell = {"fase": ["voor-aanmelding"], "thema": ["schulden"]}
    for i in range(3):
        make_service(f"Schuldhulp {i}", terms=cell, gm_codes=["GM0193"])
    make_service(
        "Regio budget",
        terms={"fase": ["nazorg"], "thema": ["budget"]},
        gm_codes=["GM0193", "GM0166"],
    )
    make_service(
        "Landelijke lijn", terms={"fase": ["nazorg"], "thema": ["juridisch"]}, national=True
    )
    make_service("Concept", terms=cell, publication_status=PublicationStatus.CONCEPT)
    html = admin_client.get("/beheer/dekking/?gm=GM0193").get_data(as_text=True)
    found = tables(html)
    matrix = found["Fasen en thema's in Zwolle"]
    header = [text for text, _ in matrix[0]]
    assert header[0] == "Fase"
    assert "Schulden en achterstanden" in header or len(header) == 11
    rows = {r[0][0]: r[1:] for r in matrix[1:]}
    assert len(rows) == 4
    col = header.index(next(h for h in header if h.startswith("Schulden"))) - 1
    debts = rows["Nog geen schuldhulp (voor en bij aanmelding)"][col]
    assert "Overlap (3)" in debts[0]
    assert "3 lokaal" in debts[0] and "0 regionaal" in debts[0] and "0 landelijk" in debts[0]
    assert "cel--overlap" in debts[1]["class"]
    assert debts[1]["href"].startswith("/beheer/dekking/cel?")
    assert "fase=voor-aanmelding" in debts[1]["href"] and "thema=schulden" in debts[1]["href"]
    nazorg = rows["Na de schuldhulp (nazorg)"]
    texts = [t for t, _ in nazorg]
    assert sum("1 regionaal" in t for t in texts) == 1
    legal = next(t for t, a in nazorg if "1 landelijk" in t)
    assert "Geen aanbod" in legal
    # Every other cell is a gap, shown by text and by the hatched class.
    gaps = [a for r in rows.values() for t, a in r if "Geen aanbod" in t]
    assert len(gaps) == 40 - 2
    assert all("cel--gat" in a["class"] for a in gaps)
    # Screen readers get the row and column with each cell.
    assert "Nog geen schuldhulp, Schulden" in debts[0]
    for caption in (
        "Doelgroepen per fase in Zwolle",
        "Toegang per fase in Zwolle",
        "Rollen van vrijwilligers per fase in Zwolle",
        "Activiteiten per fase in Zwolle",
    ):
        assert caption in found
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert "Geen aanbod" in html and "gestreept" in html


def test_walk_in_and_home_visits_are_answered(
    admin_client: FlaskClient, make_service: Callable
) -> None:
    make_service(
        "Inloop", terms={"fase": ["voor-aanmelding"], "toegang": ["inloop"]}, gm_codes=["GM0193"]
    )
    make_service("Huisbezoek landelijk", terms={"toegang": ["huisbezoek"]}, national=True)
    html = admin_client.get("/beheer/dekking/?gm=GM0193").get_data(as_text=True)
    assert "Ja, 1 dienst met inloop (zonder afspraak)." in html
    assert "Nee, geen lokale of regionale huisbezoeken." in html
    assert "toegang=inloop" in html


def test_region_shows_each_municipality_and_a_summary(
    admin_client: FlaskClient, make_service: Callable
) -> None:
    make_service(
        "Regio",
        terms={"fase": ["nazorg"], "thema": ["budget", "schulden"]},
        gm_codes=["GM0193", "GM0166"],
    )
    make_service(
        "Zwolle lokaal", terms={"fase": ["nazorg"], "thema": ["maatje"]}, gm_codes=["GM0193"]
    )
    html = admin_client.get("/beheer/dekking/?gm=GM0193&gm=GM0166").get_data(as_text=True)
    found = tables(html)
    assert "Fasen en thema's in Zwolle" in found and "Fasen en thema's in Kampen" in found
    summary = {
        r[0][0]: [t for t, _ in r[1:]] for r in found["Dekking per gemeente (fasen en thema's)"][1:]
    }
    assert summary["Zwolle"][0] == "3 van 40"
    assert summary["Kampen"][0] == "2 van 40"
    assert summary["Zwolle"][1] == "37"
    assert "Kaart van de regio" in html


def test_default_selection_is_every_managed_municipality(admin_client: FlaskClient) -> None:
    html = admin_client.get("/beheer/dekking/").get_data(as_text=True)
    assert "Fasen en thema's in Zwolle" in html and "Fasen en thema's in Kampen" in html
    assert 'name="gm" value="GM0193" checked' in html


def test_map_is_an_extra_with_a_nonce_and_no_foreign_assets(
    admin_client: FlaskClient, make_service: Callable
) -> None:
    make_service("Inloop <b>Zwolle</b>", lat=52.51, lon=6.09, gm_codes=["GM0193"])
    response = admin_client.get("/beheer/dekking/?gm=GM0193")
    html = response.get_data(as_text=True)
    assert 'class="folium-map"' in html
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in html
    assert "vendor/leaflet-1.9.4/leaflet.js" in html
    assert "cdn" not in html.lower() and "jquery" not in html.lower()
    # The name reaches the tooltip escaped: no markup from editors.
    assert "Inloop \\u0026lt;b\\u0026gt;Zwolle" in html
    assert "<b>Zwolle" not in html.split("<script nonce")[1]
    assert "De kaart is een extra" in html


def test_page_in_english(admin_client: FlaskClient) -> None:
    response = admin_client.get("/beheer/dekking/?gm=GM0193&lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No debt help yet" in html
    assert "lang=en" in html.split("cel?")[1][:120]


# --- drill-down --------------------------------------------------------------------------------


def test_drill_down_lists_organisations_and_services(
    admin_client: FlaskClient, make_service: Callable, make_organization: Callable
) -> None:
    org = make_organization("Humanitas Zwolle")
    terms = {"fase": ["tijdens-traject"], "thema": ["thuisadministratie"]}
    make_service("Thuisadministratie", organization=org, terms=terms)
    make_service("Regionale hulp", terms=terms, gm_codes=["GM0193", "GM0148"])
    make_service("Landelijke lijn", terms=terms, national=True)
    make_service("Gearchiveerd", terms=terms, publication_status=PublicationStatus.ARCHIVED)
    make_service("Andere fase", terms={"fase": ["nazorg"], "thema": ["thuisadministratie"]})
    url = "/beheer/dekking/cel?gm=GM0193&fase=tijdens-traject&thema=thuisadministratie"
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = tables(html)
    local = [[t for t, _ in r] for r in found["Lokaal: diensten en organisaties"][1:]]
    assert local == [["Humanitas Zwolle", "Thuisadministratie", local[0][2]]]
    regional = [[t for t, _ in r][:2] for r in found["Regionaal: diensten en organisaties"][1:]]
    assert regional == [["Organisatie Regionale hulp", "Regionale hulp"]]
    assert "Landelijke lijn" in html
    assert "Gearchiveerd" not in html and "Andere fase" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("gm=GM0193", "Kies minstens een fase"),
        ("gm=GM0193&fase=onzin", "Onbekende waarde &#39;onzin&#39; voor fase"),
        ("gm=GM0193&fase=nazorg&thema=%3Cscript%3E", "Onbekende waarde"),
        ("fase=nazorg", "Kies een gemeente"),
        ("gm=GM0193&gm=GM0166&fase=nazorg", "Kies één gemeente"),
    ],
)
def test_drill_down_bad_parameters_get_a_clear_400(
    admin_client: FlaskClient, query: str, message: str
) -> None:
    response = admin_client.get(f"/beheer/dekking/cel?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html


def test_drill_down_echoes_bad_values_escaped(admin_client: FlaskClient) -> None:
    response = admin_client.get("/beheer/dekking/cel?gm=GM0193&thema=%3Cscript%3Ex")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Onbekende waarde &#39;&lt;script&gt;x&#39; voor thema" in html
    assert "<script>x" not in html


# --- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+31 38", "'+31 38"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Schuldhulp = fijn", "Schuldhulp = fijn"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_neutralise_formula_cells(value: object, expected: str) -> None:
    assert neutralise(value) == expected


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_inventory_csv_content_and_injection(
    admin_client: FlaskClient,
    make_service: Callable,
    make_organization: Callable,
) -> None:
    org = make_organization(
        '=HYPERLINK("http://evil.example")',
        funding_source="gemeentelijke-subsidie",
        collaboration_agreement="convenant",
        coordinator="@Piet; de Vries",
    )
    make_service(
        "+Budgetcursus",
        organization=org,
        terms={
            "fase": ["voor-aanmelding"],
            "thema": ["budget"],
            "doelgroep": ["jongeren"],
            "organisatietype": ["vrijwilligersorganisatie"],
        },
        gm_codes=["GM0193", "GM0166"],
        last_verified_at=utcnow() - timedelta(days=400),
    )
    make_service("Landelijk", national=True, last_verified_at=None)
    make_service("Concept", publication_status=PublicationStatus.CONCEPT)
    response = admin_client.get("/beheer/dekking/inventarisatie.csv?gm=GM0193")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "inventarisatie-GM0193" in response.headers["Content-Disposition"]
    rows = read_csv(response.data)
    header = rows[0]
    assert header[:3] == ["Organisatie", "Soort organisatie", "Bereik"]
    body = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(body) == {'\'=HYPERLINK("http://evil.example")', "Organisatie Landelijk"}
    row = body['\'=HYPERLINK("http://evil.example")']
    assert row["Soort organisatie"] == "Vrijwilligers"
    assert row["Bereik"] == "regionaal"
    assert row["Gemeenten"] == "Zwolle"
    assert row["Diensten"] == "'+Budgetcursus"
    assert row["Doelgroepen"] == "Jongeren (tot 27 jaar)"
    assert row["Financiering"] == "gemeentelijke-subsidie"
    assert row["Samenwerkingsafspraak"] == "convenant"
    assert row["Coördinator"] == "'@Piet; de Vries"
    assert row["Ouder dan 6 maanden"] == "1"
    national = body["Organisatie Landelijk"]
    assert national["Bereik"] == "landelijk"
    assert national["Nooit gecontroleerd"] == "1"
    for r in rows:
        for cell in r:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_inventory_report_prints_on_a4(
    admin_client: FlaskClient, make_service: Callable, make_organization: Callable
) -> None:
    org = make_organization("Schuldhulpmaatje Zwolle", funding_source="fondsen")
    make_service(
        "Maatje",
        organization=org,
        terms={
            "fase": ["begeleiding"],
            "thema": ["maatje"],
            "organisatietype": ["vrijwilligersorganisatie"],
        },
    )
    make_service("Zonder soort")
    response = admin_client.get("/beheer/dekking/inventarisatie?gm=GM0193")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # A4 landscape comes from the stylesheet's named page, chosen by the body class.
    assert '<body class="print-liggend">' in html
    with admin_client.get("/static/css/site.css") as sheet:
        css = sheet.get_data(as_text=True)
    assert "@page liggend { size: A4 landscape" in css
    found = tables(html)
    volunteer = found["Vrijwilligers"]
    assert volunteer[1][0][0] == "Schuldhulpmaatje Zwolle"
    assert "fondsen" in [t for t, _ in volunteer[1]]
    assert "Soort organisatie onbekend" in found


def test_organisation_without_counting_services_is_not_in_the_inventory(
    admin_client: FlaskClient, make_service: Callable
) -> None:
    svc: Service = make_service("Verwijderd")
    svc.deleted_at = utcnow()
    db.session.commit()
    rows = read_csv(admin_client.get("/beheer/dekking/inventarisatie.csv?gm=GM0193").data)
    assert rows[1:] == []
    assert isinstance(db.session.get(Organization, svc.organization_id), Organization)


# --- the heat map --------------------------------------------------------------------------------


def test_heat_map_colours_by_organisations_and_names_gaps_and_overlap_in_words(
    app: Flask, admin_client: FlaskClient, make_service: Callable
) -> None:
    app.config["OVERLAP_THRESHOLD"] = 3
    counts = {"schulden": 3, "budget": 2, "brieven-formulieren": 1}
    for theme, n in counts.items():
        for i in range(n):
            make_service(
                f"{theme} {i}",
                terms={"fase": ["voor-aanmelding"], "thema": [theme]},
                gm_codes=["GM0193"],
            )
    make_service("Landelijk", terms={"fase": ["nazorg"], "thema": ["budget"]}, national=True)
    html = admin_client.get("/beheer/dekking/?gm=GM0193").get_data(as_text=True)
    matrix = tables(html)["Fasen en thema's in Zwolle"]
    header = [text for text, _ in matrix[0]]
    rows = {r[0][0]: r[1:] for r in matrix[1:]}

    def cell(row: str, theme: str) -> tuple[str, str]:
        text, attrs = rows[row][next(i for i, h in enumerate(header) if h.startswith(theme)) - 1]
        return text, attrs["class"]

    first = "Nog geen schuldhulp (voor en bij aanmelding)"
    # Colour by the number of organisations, and that number in the cell.
    assert cell(first, "Brieven")[1] == "cel cel--n1"
    assert "1 org." in cell(first, "Brieven")[0]
    assert cell(first, "Rondkomen")[1] == "cel cel--n2"
    assert "2 org." in cell(first, "Rondkomen")[0]
    # Overlap and gaps: a pattern class and words, never only a colour.
    assert cell(first, "Schulden")[1] == "cel cel--overlap"
    assert "Overlap (3)" in cell(first, "Schulden")[0]
    text, css = cell("Na de schuldhulp (nazorg)", "Rondkomen")
    assert css == "cel cel--gat" and "Geen aanbod" in text
    # The exact counts are in every cell (for screen readers; on screen on demand).
    assert "2 lokaal 0 regionaal 0 landelijk" in cell(first, "Rondkomen")[0]
    assert "0 lokaal 0 regionaal 1 landelijk" in text
    assert 'class="dekking dekking--precies"' not in html
    assert 'cijfers=alle#uitleg">Toon in elk vakje ook de aantallen diensten' in html
    # The key shows every colour with the words a cell shows.
    legend = html.split('class="dekking-legenda"', 1)[1].split("</ul>", 1)[0]
    for css, words in (
        ("gat", "Geen aanbod"),
        ("n1", "1 org."),
        ("n2", "2 org."),
        ("overlap", "Overlap (3)"),
    ):
        assert f'dekking-staal cel--{css}"' in legend and words in legend

    precise = admin_client.get("/beheer/dekking/?gm=GM0193&cijfers=alle").get_data(as_text=True)
    assert 'class="dekking dekking--precies"' in precise
    assert "Toon alleen de kleuren en het aantal organisaties" in precise
    # Printed on A4 landscape, from the stylesheet's named page.
    assert 'class="dekking-breed print-liggend"' in precise


def test_region_map_writes_each_value_beside_its_colour(
    admin_client: FlaskClient, make_service: Callable
) -> None:
    make_service("Hulp", terms={"fase": ["nazorg"], "thema": ["budget"]}, gm_codes=["GM0193"])
    html = admin_client.get("/beheer/dekking/?gm=GM0193&gm=GM0166").get_data(as_text=True)
    # The choropleth labels every municipality with its numbers, always shown.
    assert '"Zwolle: 1 van 40 vakjes met aanbod"' in html
    assert '"Kampen: 0 van 40 vakjes met aanbod"' in html
    assert "permanent: true" in html
