"""Text from editors and imports is shown as text on every page, never run as a template.

folium's rendering (branca) compiles each rendered map element again as a Jinja template, so a
service name like ``{{ 7*7 }}`` showed 49 on the map and ``{{ lipsum.__globals__ ... }}`` ran
commands on the server. These tests put Jinja syntax in every text field, through the beheer
forms and through the importer, and read every page that shows those texts.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import branca.element
import folium
import jinja2
import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from wegwijzer import maps
from wegwijzer.extensions import db
from wegwijzer.models import Location, Organization, Service
from wegwijzer.search import sync_index
from wegwijzer.services.taxonomy import term_id

from .interop_support import as_bytes, service_obj
from .manage_support import csrf_token, login, make_user, new_client
from .test_manage_editing import _form_values

#: Each text field starts with its own word, so every place a text shows up can be found.
SERVICE_TEXTS = {
    "name": "ZqDienstnaam",
    "alternate_name": "ZqAnderenaam",
    "description": "ZqBeschrijving",
    "alert": "ZqMelding",
    "application_process": "ZqAanmelden",
    "eligibility_description": "ZqVoorwie",
    "fees_description": "ZqKosten",
    "wait_time": "ZqWachttijd",
    "referral_route": "ZqVerwijsroute",
    "handover_needs": "ZqOverdrachtpunt",
    "phones-0-description": "ZqTelefoonuitleg",
    "contacts-0-name": "ZqContactnaam",
    "contacts-0-title": "ZqFunctie",
    "exceptions-0-description": "ZqUitzondering",
    "coordinator": "ZqCoordinator",
    "internal_notes": "ZqIntern",
}
ORGANIZATION_TEXTS = {
    "name": "ZqOrganisatie",
    "alternate_name": "ZqOrgafkorting",
    "description": "ZqOrgtekst",
}
LOCATION_TEXTS = {
    "name": "ZqLocatie",
    "address_1": "ZqStraat",
    "description": "ZqPlekuitleg",
    "transportation": "ZqVervoer",
    "accessibility_details": "ZqRolstoel",
}
ALL_LABELS = {*SERVICE_TEXTS.values(), *ORGANIZATION_TEXTS.values(), *LOCATION_TEXTS.values()}
#: A label as a word of its own (not inside a random token such as a nonce).
LABEL_WORD = re.compile(
    r"(?<![\w+/=-])(" + "|".join(sorted(ALL_LABELS, key=len, reverse=True)) + r")(?!\w)"
)

#: The environment variable with the command the payload runs (it writes the marker file).
COMMAND = "WEGWIJZER_TEST_OPDRACHT"

#: (kind, the first part every text shows, the rest). The first part is the same as text, as
#: HTML and as JSON, so it must follow each label wherever the label shows up.
PAYLOADS = {
    # Runs when rendered as a template: 49, and the command. No quotes: folium's JSON escapes
    # them, which would keep the template from compiling at all.
    "expressie": (
        "{{7*7}}",
        " {{ lipsum.__globals__.os.system(lipsum.__globals__.os.environ." + COMMAND + ") }}",
    ),
    # Cannot even be compiled as a template: an open tag and an open comment.
    "tag": ("{% if 1 %}", " {%- for x in y"),
    "commentaar": ("{#", " geen einde"),
}


def _text(label: str, kind: str) -> str:
    first, rest = PAYLOADS[kind]
    return f"{label} {first}{rest}"


@pytest.fixture
def marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file the payload's command writes; it must never exist."""
    path = tmp_path / "uitgevoerd"
    monkeypatch.setenv(COMMAND, f"touch {path}")
    return path


def _encodings(text: str) -> set[str]:
    """The ways a text may rightly appear in a page: HTML, JSON in a script, both."""
    return {
        str(escape(text)),
        maps.js_string(text)[1:-1],
        maps.js_string(str(escape(text)))[1:-1],
    }


def _scripts(html: str) -> str:
    return "\n".join(re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S))


class Site:
    """The texts that were written and the pages that should show them."""

    def __init__(
        self, kind: str, marker: Path, service: Service, written: set[str] = ALL_LABELS
    ) -> None:
        self.kind = kind
        self.marker = marker
        self.service = service
        self.written = written

    def text(self, label: str) -> str:
        return _text(label, self.kind)

    def check_page(self, client: FlaskClient, url: str, shows: tuple[str, ...] = ()) -> str:
        """Fetch ``url`` and check every text on it is intact; return the page."""
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, (url, page[:1000])
        assert not self.marker.exists(), f"{url} ran a command from an editor's text"
        first = PAYLOADS[self.kind][0]
        found = set()
        for match in LABEL_WORD.finditer(page):
            label = match.group(0)
            found.add(label)
            after = page[match.end() : match.end() + 1 + len(first)]
            # The text goes on as typed: not 49, not cut off where a template tag started.
            assert after == " " + first, (url, label, page[match.start() : match.end() + 80])
        for label in (s for s in shows if s in self.written):
            assert label in found, (url, label, sorted(set(shows) - found))
            assert any(e in page for e in _encodings(self.text(label))), (url, label)
        return page

    def check_all_pages(self, client: FlaskClient, admin: FlaskClient) -> None:
        svc = self.service
        svc_name = SERVICE_TEXTS["name"]
        org_name = ORGANIZATION_TEXTS["name"]
        loc_name = LOCATION_TEXTS["name"]
        street = LOCATION_TEXTS["address_1"]
        # Results list, map view and printed list.
        self.check_page(client, "/zoeken?plaats=Zwolle", (svc_name, org_name, street))
        page = self.check_page(
            client, "/zoeken?plaats=Zwolle&weergave=kaart", (svc_name, org_name, street)
        )
        script = _scripts(page)
        for label in (svc_name, org_name):
            assert maps.js_string(self.text(label)) in script, label
        assert 'data-markers="1"' in page
        self.check_page(client, "/zoeken?plaats=Zwolle&print=1", (svc_name, org_name, street))
        # The service page with its small map and JSON-LD, and its printed version.
        # (The other names, the reason of a closed day and the location's own description
        # are not on the public page; internal fields never are.)
        hidden = {"alternate_name", "exceptions-0-description", "coordinator", "internal_notes"}
        public = [label for field, label in SERVICE_TEXTS.items() if field not in hidden]
        places = [label for field, label in LOCATION_TEXTS.items() if field != "description"]
        shown = (*public, org_name, *places)
        page = self.check_page(client, f"/hulp/{svc.slug}", shown)
        assert maps.js_string(self.text(loc_name)) in _scripts(page)
        jsonld = json.loads(
            re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)[1]
        )
        assert jsonld["name"] == self.text(svc_name)
        assert jsonld["provider"]["name"] == self.text(org_name)
        self.check_page(client, f"/hulp/{svc.slug}?print=1", (svc_name, org_name, street))
        # The handover sheet and the organisation page.
        self.check_page(
            client,
            f"/hulp/{svc.slug}/overdracht",
            (svc_name, org_name, street, SERVICE_TEXTS["referral_route"]),
        )
        self.check_page(
            client,
            f"/organisatie/{svc.organization.slug}",
            (org_name, ORGANIZATION_TEXTS["description"], svc_name),
        )
        # The JSON API.
        response = client.get("/api/v1/search?near=Zwolle")
        assert response.status_code == 200
        hit = next(r for r in response.get_json()["results"] if r["id"] == svc.id)
        assert hit["name"] == self.text(svc_name)
        assert hit["organization"]["name"] == self.text(org_name)
        assert "49" not in hit["snippet"]
        # Coverage: the boundary map of one municipality, the choropleth of two, a cell.
        page = self.check_page(admin, "/beheer/dekking/?gm=GM0193", (svc_name, org_name))
        label = f"{self.text(org_name)}: {self.text(svc_name)}"
        assert maps.js_string(str(escape(label))) in _scripts(page)
        self.check_page(admin, "/beheer/dekking/?gm=GM0193&gm=GM0166")
        self.check_page(admin, "/beheer/dekking/cel?gm=GM0193&thema=schulden", (svc_name, org_name))
        # The beheer pages that show the texts again.
        self.check_page(admin, f"/beheer/diensten/{svc.id}", (svc_name,))
        self.check_page(admin, f"/beheer/organisaties/{svc.organization_id}", (org_name,))
        assert not self.marker.exists()


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    """A beheerder of Zwolle and Kampen, logged in through the login form."""
    make_user("beheer@zwolle.nl", "beheerder", gm_codes=["GM0193", "GM0166"])
    client = new_client(app)
    assert login(client, "beheer@zwolle.nl").status_code == 302
    return client


def _submit(client: FlaskClient, url: str, values: dict[str, Any]) -> None:
    data = _form_values(client, url)
    data.update(values)
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


@pytest.mark.parametrize("kind", PAYLOADS)
def test_texts_typed_in_the_beheer_forms_stay_text(
    app: Flask, admin: FlaskClient, marker: Path, kind: str
) -> None:
    def text(label: str) -> str:
        return _text(label, kind)

    _submit(
        admin,
        "/beheer/organisaties/nieuw",
        {field: text(label) for field, label in ORGANIZATION_TEXTS.items()},
    )
    org = db.session.scalar(select(Organization).where(Organization.name.like("ZqOrganisatie%")))
    _submit(
        admin,
        f"/beheer/organisaties/{org.id}/locaties/nieuw",
        {
            **{field: text(label) for field, label in LOCATION_TEXTS.items()},
            "postal_code": "8011 AB",
            "city": "Zwolle",
            "latitude": "52.5125",
            "longitude": "6.0944",
        },
    )
    loc = db.session.scalar(select(Location).where(Location.organization_id == org.id))
    _submit(
        admin,
        "/beheer/diensten/nieuw",
        {
            **{field: text(label) for field, label in SERVICE_TEXTS.items()},
            "organization_id": org.id,
            "municipalities": ["GM0193"],
            "locations": [loc.id],
            "terms": [term_id("wegwijzer-thema", "schulden")],
            "phones-0-number": "038-1234567",
            "phones-0-is_public": "y",
            "contacts-0-is_public": "y",
            "exceptions-0-valid_from": (date.today() + timedelta(days=3)).isoformat(),
            "exceptions-0-is_closed": "y",
            "weekly-0-days": ["TU"],
            "weekly-0-opens_at": "09:00",
            "weekly-0-closes_at": "12:00",
        },
    )
    svc = db.session.scalar(select(Service).where(Service.organization_id == org.id))
    token = csrf_token(admin, f"/beheer/diensten/{svc.id}")
    published = admin.post(f"/beheer/diensten/{svc.id}/publiceren", data={"csrf_token": token})
    assert published.status_code == 302
    db.session.refresh(svc)
    assert svc.name == text("ZqDienstnaam") and svc.publication_status == "gepubliceerd"
    assert svc.service_at_locations[0].location.address.address_1 == text("ZqStraat")
    sync_index()
    Site(kind, marker, svc).check_all_pages(new_client(app), admin)


@pytest.mark.parametrize("kind", PAYLOADS)
def test_imported_texts_stay_text(app: Flask, admin: FlaskClient, marker: Path, kind: str) -> None:
    def text(label: str) -> str:
        return _text(label, kind)

    record = service_obj(1)
    for field in ("name", "alternate_name", "description", "alert", "application_process"):
        record[field] = text(SERVICE_TEXTS[field])
    for field in ("eligibility_description", "fees_description", "wait_time"):
        record[field] = text(SERVICE_TEXTS[field])
    record["x_wegwijzer"]["referral_route"] = text(SERVICE_TEXTS["referral_route"])
    record["x_wegwijzer"]["handover_needs"] = [text(SERVICE_TEXTS["handover_needs"])]
    record["phones"][0]["description"] = text(SERVICE_TEXTS["phones-0-description"])
    record["contacts"] = [
        {
            "id": "5e1d0000-0000-4000-8003-000000000001",
            "name": text(SERVICE_TEXTS["contacts-0-name"]),
            "title": text(SERVICE_TEXTS["contacts-0-title"]),
            "phones": [{"id": "5e1d0000-0000-4000-8004-000000000001", "number": "038-1112223"}],
        }
    ]
    record["schedules"].append(
        {
            "id": "5e1d0000-0000-4000-8002-000000000099",
            "valid_from": (date.today() + timedelta(days=3)).isoformat(),
            "valid_to": (date.today() + timedelta(days=3)).isoformat(),
            "description": text(SERVICE_TEXTS["exceptions-0-description"]),
            "x_wegwijzer": {"is_closed": True},
        }
    )
    for field, label in ORGANIZATION_TEXTS.items():
        record["organization"][field] = text(label)
    location = record["service_at_locations"][0]["location"]
    for field in ("name", "description", "transportation"):
        location[field] = text(LOCATION_TEXTS[field])
    location["addresses"][0]["address_1"] = text(LOCATION_TEXTS["address_1"])
    token = csrf_token(admin, "/beheer/import-export")
    response = admin.post(
        "/beheer/import-export",
        data={"csrf_token": token, "file": (io.BytesIO(as_bytes([record])), "diensten.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    assert "Geïmporteerd" in response.get_data(as_text=True)
    svc = db.session.get(Service, record["id"])
    assert svc is not None and svc.name == text("ZqDienstnaam")
    sync_index()
    # An import has no accessibility details and (without "internal") no internal fields.
    written = ALL_LABELS - {"ZqRolstoel", "ZqCoordinator", "ZqIntern"}
    Site(kind, marker, svc, written).check_all_pages(new_client(app), admin)


# --- the map module itself -----------------------------------------------------------------


@pytest.fixture
def fixed_ids(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Make folium's element ids predictable, so two renders of one map can be compared."""

    def reset() -> None:
        counter = itertools.count()
        monkeypatch.setattr(
            branca.element.Element,
            "_generate_id",
            classmethod(lambda cls: f"{next(counter):032x}"),
        )

    return reset


class _AsIs(maps.MapTexts):
    """Texts straight into folium, as before the tokens."""

    def __call__(self, value: str) -> str:
        return value

    def feature(self, feature: dict[str, Any]) -> dict[str, Any]:
        return {**feature, "properties": dict(feature.get("properties") or {})}


def _folium_script(m: folium.Map, _texts: maps.MapTexts) -> str:
    """How folium itself renders the script of a map."""
    root = m.get_root()
    root.render()
    return root.script.render()


def _both(
    monkeypatch: pytest.MonkeyPatch, fixed_ids: Callable[[], None], build: Callable[[], Any]
) -> tuple[Any, Any]:
    """Return (our rendering, folium's rendering of the same map with the texts as they are)."""
    maps.load_folium()
    maps.map_cache().clear()
    fixed_ids()
    ours = build()
    with monkeypatch.context() as patch:
        patch.setattr(maps, "MapTexts", _AsIs)
        patch.setattr(maps, "_render_script", _folium_script)
        # branca as it ships: every rendered part compiled and run as a Jinja template.
        patch.setattr(branca.element, "Template", jinja2.Template)
        maps.map_cache().clear()
        fixed_ids()
        theirs = build()
    return ours, theirs


HARMLESS = ["Café 'de Hoek' & <Zwolle>", "Schuldhulp Zwolle", "Budget — “koffie”"]


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context("/"):
        yield


def test_the_results_map_script_is_what_folium_makes_of_harmless_text(
    request_context: None, monkeypatch: pytest.MonkeyPatch, fixed_ids: Callable[[], None]
) -> None:
    markers = [
        maps.Marker(52.51 + i / 100, 6.09, name, f"/hulp/{i}", HARMLESS[-1 - i])
        for i, name in enumerate(HARMLESS)
    ]
    ours, theirs = _both(monkeypatch, fixed_ids, lambda: maps.build_map(markers, None))
    assert ours == theirs
    assert '"gm_code": "GM0193"' in str(ours.script)
    assert maps.js_string(HARMLESS[0]) in str(ours.script)
    one, one_theirs = _both(monkeypatch, fixed_ids, lambda: maps.build_map(markers[:1], None))
    assert one == one_theirs


def test_the_coverage_map_scripts_are_what_folium_makes_of_harmless_text(
    request_context: None, monkeypatch: pytest.MonkeyPatch, fixed_ids: Callable[[], None]
) -> None:
    from wegwijzer.services.coverage import municipality_boundaries

    features = municipality_boundaries(["GM0193", "GM0166"])
    points = [(52.51, 6.09, f"{HARMLESS[0]}: {HARMLESS[1]}"), (52.52, 6.08, HARMLESS[2])]
    ours, theirs = _both(
        monkeypatch, fixed_ids, lambda: maps.boundary_map(features[:1], points, "Kaart")
    )
    assert ours == theirs
    values = {"GM0193": (HARMLESS[0], 3), "GM0166": ("Kampen", 0)}
    ours, theirs = _both(
        monkeypatch,
        fixed_ids,
        lambda: maps.choropleth_map(features, values, 8, "Kaart", "{name}: {value} van {maximum}"),
    )
    assert ours == theirs
    # The choropleth writes each label with textContent, so the text goes in as it is.
    assert maps.js_string(f"{HARMLESS[0]}: 3 van 8") in str(ours.script)
    assert "label.textContent = feature.properties.label" in str(ours.script)


@pytest.mark.parametrize(
    "name",
    [
        "</script><script>alert(1)</script>",
        "<!--<script>",
        "a\u2028b\u2029c",
        "{{ 7*7 }} {% raw %}",
    ],
)
def test_a_name_cannot_break_out_of_the_map_script(request_context: None, name: str) -> None:
    parts = maps.build_map([maps.Marker(52.51, 6.09, name, "/hulp/x", name)], None)
    script = str(parts.script)
    body = script[script.index(">") + 1 : script.rindex("</script>")]
    assert "</" not in body and "<!--" not in body and "<script" not in body
    assert "\u2028" not in body and "\u2029" not in body
    assert body.count(maps.js_string(name)) == 2  # name and organisation
    coverage = maps.boundary_map([], [(52.51, 6.09, name)], "Kaart")
    assert maps.js_string(str(escape(name))) in str(coverage.script)
    assert "<script" not in str(coverage.script).split(">", 1)[1]


def test_map_texts_are_opaque_tokens_put_back_only_as_json_strings() -> None:
    texts = maps.MapTexts()
    token = texts("{{ 7*7 }}")
    assert re.fullmatch(r"[a-z0-9]+", token)
    assert texts("{{ 7*7 }}") == token and texts("ander") != token
    assert texts("") == ""
    assert texts.splice(f"[{json.dumps(token)}]") == '["{{ 7*7 }}"]'
    with pytest.raises(RuntimeError):
        texts.splice(f'"voor {token}"')


def test_a_folium_element_given_raw_text_is_refused_not_run(request_context: None) -> None:
    m = folium.Map(location=[52.5, 6.1], tiles=None)
    folium.Marker([52.5, 6.1], tooltip="{{ 7*7 }}").add_to(m)
    with pytest.raises(RuntimeError, match="template"):
        maps._render_script(m, maps.MapTexts())


# --- pages with a script-breaking name -----------------------------------------------------


def test_a_script_breaking_name_stays_text_on_the_service_and_map_pages(
    app: Flask, client: FlaskClient, make_service: Callable[..., Service]
) -> None:
    name = "</script><script>alert(1)</script> \u2028"
    svc = make_service(name, lat=52.5125, lon=6.0944, organization_name=name)
    sync_index()
    for url in (f"/hulp/{svc.slug}", "/zoeken?plaats=Zwolle&weergave=kaart"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "<script>alert(1)" not in page, url
        assert page.count("<script") == page.count("</script>"), url
        assert "\u2028" not in _scripts(page), url
    jsonld = re.search(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>',
        client.get(f"/hulp/{svc.slug}").get_data(as_text=True),
        re.S,
    )[1]
    assert json.loads(jsonld)["name"] == name
