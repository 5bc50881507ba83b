"""Foreign HSDS data: 1.x and 2.0 packages, the UK profile, organisation and
service_at_location files (tests/foreign, written for these tests) arrive with their
locations and opening hours, and the report says which version it found."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from tests.interop_support import as_bytes, service_obj, table_counts
from wegwijzer.extensions import db
from wegwijzer.interop import import_file
from wegwijzer.interop.report import ImportReport
from wegwijzer.models import Location, Service

FOREIGN = Path(__file__).resolve().parent / "foreign"


def _import(source: object, **kw: object) -> ImportReport:
    kw.setdefault("dry_run", False)
    kw.setdefault("actor", "test")
    return import_file(source, None, **kw)  # type: ignore[arg-type]


def _service(name: str) -> Service:
    svc = db.session.scalar(select(Service).where(Service.name == name))
    assert svc is not None, name
    return svc


def _hours(svc: Service) -> set[tuple[str | None, str | None, str | None]]:
    return {(s.byday, s.opens_at, s.closes_at) for s in svc.schedules if not s.is_closed}


def _warned(report: ImportReport, file: str | None, words: str) -> bool:
    return any(
        p.file == file and words in f"{p.field} {p.message_nl}" for p in report.warnings
    )


def test_hsds_11_package_arrives_with_locations_schedules_and_named_leftovers(
    app: Flask,
) -> None:
    report = _import(FOREIGN / "hsds11")
    assert report.ok, [str(p) for p in report.errors]
    assert report.version == "HSDS 1.x (tabellen)"
    assert report.counts["service"].created == 3
    assert report.counts["location"].created == 2

    home = _service("Thuisadministratie")
    assert home.description.startswith("Een vrijwilliger komt bij u thuis.\nSamen")
    assert _hours(home) == {("MO", "09:00", "12:00"), ("WE", "13:00", "16:00")}
    closed = [s for s in home.schedules if s.is_closed]
    assert [(str(s.valid_from), str(s.valid_to)) for s in closed] == [
        ("2026-12-24", "2027-01-02")
    ]
    assert home.eligibility_description == "Voor inwoners van Zwolle"
    assert home.fees_description == "Gratis"
    assert home.organization.website == "https://www.rekenhulp.example"
    [link] = home.service_at_locations
    place: Location = link.location
    assert place.name == "Wijkcentrum Assendorp"
    assert {(a.address_type, a.address_1) for a in place.addresses} == {
        ("physical", "Voorbeeldstraat 1"),
        ("postal", "Postbus 10"),
    }
    assert place.gm_code == "GM0193"

    # A schedule and a phone linked through service_at_location belong to that service.
    desk = _service("Formulierenspreekuur")
    assert _hours(desk) == {("TU", "10:00", "12:00")}
    assert [p.number for p in desk.phones] == ["038-7654321"]
    # Opening hours given for a location hold for the service offered there.
    cafe = _service("Budgetcafé")
    assert _hours(cafe) == {("FR", "14:00", "17:00")}

    # The program travels with its service; nothing is dropped without a word.
    assert (home.hsds_extra or {}).get("program", {}).get("name") == "Geldzaken op orde"
    assert _warned(report, "payment_accepted.csv", "niet gebruikt")
    assert _warned(report, "services.csv", "taxonomy_ids")
    assert _warned(report, "phones.csv", "language")
    dangling = [p for p in report.warnings if p.file == "phones.csv" and p.row == 5]
    assert dangling and "svc-99" in dangling[0].message_nl
    assert "services.csv" in dangling[0].message_nl


def test_hsds_11_rows_are_spreadsheet_rows_and_ids_are_the_files_own(
    app: Flask, tmp_path: Path
) -> None:
    package = tmp_path / "pakket"
    shutil.copytree(FOREIGN / "hsds11", package)
    services = package / "services.csv"
    text = services.read_text(encoding="utf-8")
    # The third service (spreadsheet row 4, but line 6 of the file: row 2 holds line breaks).
    services.write_text(text.replace("org-2,,Budgetcafé", "org-9,,Budgetcafé"), "utf-8")
    before = table_counts(db.session)
    report = _import(package)
    assert not report.ok
    first, second = report.errors
    assert (first.file, first.row, first.field) == ("services.csv", 4, "organization_id")
    assert "org-9" in first.message_nl  # the file's id, not a derived UUID
    # The location of that service names org-2, which now has no service in the file: the
    # problem is named where the reference stands, in locations.csv.
    assert (second.file, second.row, second.field) == ("locations.csv", 3, "organization_id")
    assert "org-2" in second.message_nl
    assert table_counts(db.session) == before


def test_hsds_20_package_with_attributes_and_schedules_through_links(app: Flask) -> None:
    report = _import(FOREIGN / "hsds20")
    assert report.ok, [str(p) for p in report.errors]
    assert report.version == "HSDS 2.0 (tabellen)"
    buddy = _service("Maatje bij schulden")
    assert _hours(buddy) == {("MO", "10:00", "12:00")}
    assert buddy.service_at_locations[0].location.name == "Kerkelijk centrum"
    assert [a.taxonomy_term.code for a in buddy.attributes] == ["schulden"]
    desk = _service("Spreekuur geldzorgen")
    assert _hours(desk) == {("TH", "19:00", "21:00")}
    assert _warned(report, "metadata.csv", "niet gebruikt")


def test_uk_profile_json(app: Flask) -> None:
    report = _import(FOREIGN / "oruk_services.json")
    assert report.ok, [str(p) for p in report.errors]
    assert report.version == "Open Referral UK (HSDS 1.1-profiel) (JSON)"
    coach = _service("Geldcoach aan huis")
    assert _hours(coach) == {
        ("TU", "09:00", "17:00"),
        ("TH", "09:00", "12:00"),
        ("FR", "13:00", "15:00"),
    }
    assert any(s.is_closed and str(s.valid_from) == "2026-12-25" for s in coach.schedules)
    assert coach.minimum_age == 18
    assert coach.eligibility_description == "adult"
    assert [a.name for a in coach.service_areas] == ["Zwolle"]
    assert [lang.name for lang in coach.languages] == ["Nederlands"]
    place = coach.service_at_locations[0].location
    assert [a.address_1 for a in place.addresses] == ["Voorbeeldstraat 1"]
    assert [a.description for a in place.accessibility] == ["Rolstoeltoegankelijk"]
    assert "schulden" in {a.taxonomy_term.code for a in coach.attributes}
    for field in ("reviews", "deliverable_type", "attending_access"):
        assert any(f"'{field}'" in p.message_nl for p in report.warnings), field


def test_organization_file_is_an_organisation_with_services(app: Flask) -> None:
    report = _import(FOREIGN / "organization_full.json")
    assert report.ok, [str(p) for p in report.errors]
    assert report.version == "HSDS 3.0 (JSON)"
    assert report.counts["service"].created == 2
    budget = _service("Budgetgesprek")
    assert budget.organization.name == "Stichting Voorbeeld Geldhulp"
    assert budget.service_at_locations[0].location.name == "Kantoor Geldhulp"
    assert _hours(budget) == {("MO", "09:00", "12:00")}  # "MONDAY" is Monday
    assert _service("Formulierenhulp").organization_id == budget.organization_id


def test_service_at_location_file_is_a_service_at_its_location(app: Flask) -> None:
    report = _import(FOREIGN / "service_at_location_full.json")
    assert report.ok, [str(p) for p in report.errors]
    svc = _service("Digitaal spreekuur geldzaken")
    [link] = svc.service_at_locations
    assert link.location.name == "Bibliotheek Zwolle"
    assert link.description == "Op dinsdag in de bibliotheek"
    assert _hours(svc) == {("TU", "14:00", "16:00")}


def test_hsds_31_json_is_recognised_and_unknown_fields_are_named(app: Flask) -> None:
    svc = service_obj(1, additional_urls=[{"url": "https://extra.example", "label": "Meer"}])
    svc["x_eigen"] = "blijft weg uit de waarschuwing"
    svc["beoordeling"] = "5 sterren"
    report = _import(as_bytes([svc]), dry_run=True)
    assert report.ok, [str(p) for p in report.errors]
    assert report.version == "HSDS 3.1 (JSON)"
    named = [p.message_nl for p in report.warnings if "'beoordeling'" in p.message_nl]
    assert named and "hoort niet bij HSDS 3" in named[0]
    assert not any("x_eigen" in p.message_nl for p in report.warnings)


def test_weekday_names_and_numbers_in_older_json(app: Flask) -> None:
    svc = service_obj(1, schedules=None)
    svc["regular_schedules"] = [
        {"weekday": "maandag", "opens_at": "09:00", "closes_at": "10:00"},
        {"weekday": 3, "opens_at": "11:00", "closes_at": "12:00"},
        {"weekday": "SUNDAY", "opens_at": "13:00", "closes_at": "14:00"},
    ]
    report = _import(as_bytes([svc]))
    assert report.ok, [str(p) for p in report.errors]
    assert report.version == "HSDS 1.x (JSON)"
    assert _hours(_service("Geldhulp 1")) == {
        ("MO", "09:00", "10:00"),
        ("WE", "11:00", "12:00"),
        ("SU", "13:00", "14:00"),
    }


def test_spreadsheet_rows_do_not_shift_with_line_breaks_in_cells(app: Flask) -> None:
    lines = ["organisatie;naam;omschrijving;gemeenten"]
    for n in range(1, 40):
        lines.append(f'Org;Dienst {n};"regel een\nregel twee\nregel drie";Zwolle')
    lines.append("Org;Dienst fout;Zonder gemeente;Atlantis")
    body = "\n".join(lines).encode("utf-8")
    report = _import(body, dry_run=True)
    [error] = report.errors
    # Physical line 1 + 39 * 3 + 1 = 119, but spreadsheet row 41 (the header is row 1).
    assert error.row == 41
    assert "Atlantis" in error.message_nl


def test_ohana_shaped_package(app: Flask) -> None:
    report = _import(FOREIGN / "ohana")
    assert report.ok, [str(p) for p in report.errors]
    assert report.version == "HSDS 1.x (tabellen)"
    svc = _service("Administratiehulp")
    assert svc.organization.name == "Stichting Geldwijzer"
    assert svc.url == "https://geldwijzer.example/hulp"
    assert svc.eligibility_description == "Inwoners van Zwolle"
    assert [a.name for a in svc.service_areas] == ["Zwolle"]
    assert sorted(lang.name for lang in svc.languages) == ["Engels", "Nederlands"]
    assert "rekeningen" in svc.keywords
    place = svc.service_at_locations[0].location
    assert {(a.address_type, a.address_1) for a in place.addresses} == {
        ("physical", "Voorbeeldstraat 1"),
        ("postal", "Postbus 20"),
    }
    assert _hours(svc) == {("MO", "09:00", "12:00"), ("TH", "13:00", "16:00")}
    assert _warned(report, "services.csv", "audience")


def test_organisations_without_services_get_a_clear_message(app: Flask) -> None:
    page = {
        "total_items": 1,
        "contents": [
            {"id": "org-a", "name": "Stichting Zonder Diensten", "website": "https://a.example"}
        ],
    }
    report = _import(as_bytes(page), dry_run=True)
    [error] = report.errors
    assert "alleen organisaties, zonder hun diensten" in error.message_nl
    assert "geen organisatie" not in error.message_nl


def test_importing_older_shapes_twice_changes_nothing(app: Flask) -> None:
    for source in ("hsds11", "hsds20", "ohana", "oruk_services.json", "organization_full.json"):
        first = _import(FOREIGN / source)
        assert first.ok, (source, [str(p) for p in first.errors])
        again = _import(FOREIGN / source)
        assert again.ok
        changed = {name: c.updated + c.created for name, c in again.counts.items()}
        assert changed == {"organization": 0, "service": 0, "location": 0}, source
