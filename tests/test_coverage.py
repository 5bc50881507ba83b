"""Coverage counts compared with brute-force counts over the ORM objects."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from wegwijzer.domain.facets import CORE_FACETS, CORE_TAXONOMIES
from wegwijzer.extensions import db
from wegwijzer.models import Organization, PublicationStatus, Service, ServiceArea, utcnow
from wegwijzer.services.coverage import (
    COLUMN_FACETS,
    LOCAL,
    NATIONAL,
    REGIONAL,
    UnknownMunicipality,
    compute_coverage,
    list_cell,
)
from wegwijzer.services.coverage.freshness import stale_cutoff
from wegwijzer.services.taxonomy import list_taxonomies

ROOT = Path(__file__).resolve().parent.parent

GMS = ["GM0193", "GM0166", "GM0148", "GM0150"]
STATUSES = [PublicationStatus.PUBLISHED] * 5 + [
    PublicationStatus.CONCEPT,
    PublicationStatus.REVIEW,
    PublicationStatus.ARCHIVED,
]


def term_codes() -> dict[str, list[str]]:
    """Return ``{facet: [codes]}`` from the database."""
    return {t.facet: [term.code for term in t.terms] for t in list_taxonomies(db.session)}


def build_directory(
    make_service: Callable[..., Service],
    make_organization: Callable[..., Organization],
    seed: int,
    n: int = 60,
) -> None:
    """Create a random directory: several municipalities, national, every status, deletions."""
    rng = random.Random(seed)
    codes = term_codes()
    orgs = [make_organization(f"Organisatie {seed}-{i}") for i in range(7)]
    for i in range(n):
        terms = {
            "fase": rng.sample(codes["fase"], rng.randint(0, 2)),
            "thema": rng.sample(codes["thema"], rng.randint(0, 3)),
            "doelgroep": rng.sample(codes["doelgroep"], rng.randint(0, 2)),
            "toegang": rng.sample(codes["toegang"], rng.randint(0, 2)),
            "rol": rng.sample(codes["rol"], rng.randint(0, 2)),
            "activiteit": rng.sample(codes["activiteit"], rng.randint(0, 2)),
        }
        national = rng.random() < 0.15
        kwargs: dict[str, Any] = {}
        if rng.random() < 0.3:
            kwargs.update(lat=52.5 + rng.random() / 10, lon=6.1 + rng.random() / 10)
        svc = make_service(
            f"Dienst {seed}-{i}",
            organization=rng.choice(orgs),
            terms=terms,
            national=national,
            gm_codes=rng.sample(GMS, rng.choice([1, 1, 1, 2, 3])),
            publication_status=rng.choice(STATUSES),
            last_verified_at=rng.choice([None, utcnow() - timedelta(days=rng.randint(1, 500))]),
            **kwargs,
        )
        if rng.random() < 0.1:
            svc.deleted_at = utcnow()
        if national and rng.random() < 0.5:
            # National services that also list a municipality stay national.
            svc.service_areas.append(
                ServiceArea(name="Zwolle", extent_type="gemeente", gm_code="GM0193")
            )
        if rng.random() < 0.05:
            # A duplicated area row must not make a local service regional.
            gm = svc.gm_codes[0] if svc.gm_codes else "GM0193"
            svc.service_areas.append(ServiceArea(name=gm, extent_type="gemeente", gm_code=gm))
    orgs[-1].deleted_at = utcnow()
    db.session.commit()


def available(gm: str) -> list[tuple[Service, str]]:
    """Return (service, scope) for every service that counts in ``gm``, from Python alone."""
    out = []
    for svc in db.session.scalars(select(Service)):
        if not svc.is_public:
            continue
        if svc.is_national:
            out.append((svc, NATIONAL))
        elif gm in svc.gm_codes:
            out.append((svc, LOCAL if len(svc.gm_codes) == 1 else REGIONAL))
    return out


def brute_cells(gm: str, facet: str) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    """Return ``{(phase, code): (local, regional, national, organisations)}``."""
    scopes: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    orgs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for svc, scope in available(gm):
        for phase in svc.codes("wegwijzer-fase"):
            for code in svc.codes(f"wegwijzer-{facet}"):
                scopes[(phase, code)][scope] += 1
                if scope != NATIONAL:
                    orgs[(phase, code)].add(svc.organization_id)
    return {key: (v[LOCAL], v[REGIONAL], v[NATIONAL], len(orgs[key])) for key, v in scopes.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matrix_counts_equal_brute_force(
    make_service: Callable[..., Service],
    make_organization: Callable[..., Organization],
    seed: int,
) -> None:
    build_directory(make_service, make_organization, seed)
    cov = compute_coverage(db.session, GMS, overlap_threshold=2, stale_months=6)
    assert [m.gm_code for m in cov.municipalities] == GMS
    nonzero = 0
    for muni in cov.municipalities:
        avail = available(muni.gm_code)
        assert muni.totals.local == sum(1 for _, s in avail if s == LOCAL)
        assert muni.totals.regional == sum(1 for _, s in avail if s == REGIONAL)
        assert muni.totals.national == sum(1 for _, s in avail if s == NATIONAL)
        for facet in COLUMN_FACETS:
            expected = brute_cells(muni.gm_code, facet)
            matrix = muni.matrices[facet]
            got = {
                (r.code, c.code): (
                    matrix.cell(r.code, c.code).local,
                    matrix.cell(r.code, c.code).regional,
                    matrix.cell(r.code, c.code).national,
                    matrix.cell(r.code, c.code).organisations,
                )
                for r in matrix.rows
                for c in matrix.cols
            }
            assert {k: v for k, v in got.items() if v != (0, 0, 0, 0)} == expected
            nonzero += len(expected)
            gaps = sum(1 for k in got if expected.get(k, (0, 0, 0, 0))[:2] == (0, 0))
            assert matrix.gaps == gaps
            assert matrix.covered == matrix.size - gaps
            assert matrix.overlaps == sum(1 for v in expected.values() if v[3] >= 2)
            for code, counts in muni.facet_totals[facet].items():
                with_term = [(s, sc) for s, sc in avail if code in s.codes(f"wegwijzer-{facet}")]
                assert counts.local == sum(1 for _, sc in with_term if sc == LOCAL)
                assert counts.regional == sum(1 for _, sc in with_term if sc == REGIONAL)
                assert counts.national == sum(1 for _, sc in with_term if sc == NATIONAL)
                assert counts.organisations == len(
                    {s.organization_id for s, sc in with_term if sc != NATIONAL}
                )
    # The generated directory must actually exercise the counts.
    assert nonzero > 50


@pytest.mark.parametrize("seed", [4, 5])
def test_drill_down_lists_exactly_the_counted_services(
    make_service: Callable[..., Service],
    make_organization: Callable[..., Organization],
    seed: int,
) -> None:
    build_directory(make_service, make_organization, seed, n=40)
    for gm in GMS[:2]:
        avail = available(gm)
        for phase in term_codes()["fase"]:
            for theme in ("schulden", "budget", "maatje"):
                entries = list_cell(db.session, gm, {"fase": phase, "thema": theme})
                expected = sorted(
                    (s.id, scope)
                    for s, scope in avail
                    if phase in s.codes("wegwijzer-fase") and theme in s.codes("wegwijzer-thema")
                )
                assert sorted((e.service_id, e.scope) for e in entries) == expected
        walk_in = list_cell(db.session, gm, {"toegang": "inloop"})
        assert sorted(e.service_id for e in walk_in) == sorted(
            s.id for s, _ in avail if "inloop" in s.codes("wegwijzer-toegang")
        )


def test_drill_down_is_sorted_local_regional_national(
    make_service: Callable[..., Service],
) -> None:
    terms = {"fase": ["nazorg"], "thema": ["budget"]}
    make_service("Landelijke lijn", terms=terms, national=True)
    make_service("Regio-hulp", terms=terms, gm_codes=["GM0193", "GM0166"])
    make_service("Zwolse hulp", terms=terms, gm_codes=["GM0193"])
    entries = list_cell(db.session, "GM0193", {"fase": "nazorg", "thema": "budget"})
    assert [(e.service_name, e.scope) for e in entries] == [
        ("Zwolse hulp", LOCAL),
        ("Regio-hulp", REGIONAL),
        ("Landelijke lijn", NATIONAL),
    ]
    assert entries[0].organization_name == "Organisatie Zwolse hulp"


def test_gap_and_overlap_follow_the_threshold(
    make_service: Callable[..., Service],
    make_organization: Callable[..., Organization],
) -> None:
    cell = {"fase": ["voor-aanmelding"], "thema": ["schulden"]}
    for i in range(3):
        make_service(f"Schuldhulp {i}", terms=cell, gm_codes=["GM0193"])
    same_org = make_organization("Eén organisatie")
    for i in range(4):
        make_service(
            f"Budget {i}",
            organization=same_org,
            terms={"fase": ["voor-aanmelding"], "thema": ["budget"]},
            gm_codes=["GM0193", "GM0166"],
        )
    for i in range(5):
        make_service(
            f"Landelijk {i}",
            terms={"fase": ["voor-aanmelding"], "thema": ["juridisch"]},
            national=True,
        )

    def matrix(threshold: int):
        cov = compute_coverage(db.session, ["GM0193"], overlap_threshold=threshold, stale_months=6)
        return cov.municipalities[0].matrices["thema"]

    m3 = matrix(3)
    debts = m3.cell("voor-aanmelding", "schulden")
    assert (debts.local, debts.regional, debts.national, debts.organisations) == (3, 0, 0, 3)
    assert debts.is_overlap(3) and not debts.is_gap
    assert not debts.is_overlap(4)
    assert m3.overlaps == 1
    assert matrix(4).overlaps == 0
    # Four services of one organisation are not overlap: overlap counts organisations.
    budget = m3.cell("voor-aanmelding", "budget")
    assert (budget.regional, budget.organisations) == (4, 1)
    assert not budget.is_overlap(2)
    # Only national help: still a gap for the municipality.
    legal = m3.cell("voor-aanmelding", "juridisch")
    assert (legal.national, legal.organisations) == (5, 0)
    assert legal.is_gap
    assert m3.gaps == m3.size - 2
    assert legal.cell_text() == "0/0/5"


def test_services_that_are_not_published_never_count(
    make_service: Callable[..., Service],
    make_organization: Callable[..., Organization],
) -> None:
    cell = {"fase": ["nazorg"], "thema": ["maatje"]}
    for status in (PublicationStatus.CONCEPT, PublicationStatus.REVIEW, PublicationStatus.ARCHIVED):
        make_service(f"Status {status}", terms=cell, publication_status=status)
    deleted = make_service("Verwijderd", terms=cell)
    deleted.deleted_at = utcnow()
    gone_org = make_organization("Opgeheven organisatie")
    make_service("Van opgeheven organisatie", terms=cell, organization=gone_org)
    gone_org.deleted_at = utcnow()
    db.session.commit()
    make_service("Wel gepubliceerd", terms=cell)
    cov = compute_coverage(db.session, ["GM0193"], overlap_threshold=3, stale_months=6)
    muni = cov.municipalities[0]
    assert muni.matrices["thema"].cell("nazorg", "maatje").local == 1
    assert muni.totals.total == 1
    assert [e.service_name for e in list_cell(db.session, "GM0193", cell_terms(cell))] == [
        "Wel gepubliceerd"
    ]
    assert cov.freshness.entries == 1


def cell_terms(terms: dict[str, list[str]]) -> dict[str, str]:
    return {facet: codes[0] for facet, codes in terms.items()}


def test_freshness_counts_stale_and_never_verified_per_organisation(
    make_service: Callable[..., Service],
    make_organization: Callable[..., Organization],
) -> None:
    now = datetime(2025, 8, 31, 12, 0, tzinfo=UTC)
    org = make_organization("Formulierenhulp")
    make_service("Vers", organization=org, last_verified_at=now - timedelta(days=30))
    make_service("Oud", organization=org, last_verified_at=datetime(2025, 2, 27, tzinfo=UTC))
    make_service("Nooit", organization=org, last_verified_at=None)
    make_service("Net op tijd", last_verified_at=datetime(2025, 3, 1, tzinfo=UTC))
    make_service(
        "Concept oud",
        organization=org,
        publication_status=PublicationStatus.CONCEPT,
        last_verified_at=None,
    )
    fresh = compute_coverage(
        db.session, ["GM0193"], overlap_threshold=2, stale_months=6, now=now
    ).freshness
    # 31 August minus six months is 28 February (clamped).
    assert fresh.cutoff == datetime(2025, 2, 28, 12, 0, tzinfo=UTC)
    assert (fresh.entries, fresh.stale) == (4, 2)
    first = fresh.organisations[0]
    assert (first.name, first.entries, first.stale) == ("Formulierenhulp", 3, 2)
    assert first.oldest_verified_at is None
    assert fresh.organisations[1].stale == 0


@pytest.mark.parametrize(
    ("now", "months", "expected"),
    [
        (datetime(2025, 3, 31, tzinfo=UTC), 1, datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2024, 3, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2025, 1, 15, tzinfo=UTC), 6, datetime(2024, 7, 15, tzinfo=UTC)),
        (datetime(2025, 1, 15, tzinfo=UTC), 12, datetime(2024, 1, 15, tzinfo=UTC)),
        (datetime(2025, 1, 15, tzinfo=UTC), 0, datetime(2025, 1, 15, tzinfo=UTC)),
    ],
)
def test_stale_cutoff_uses_calendar_months(now: datetime, months: int, expected: datetime) -> None:
    assert stale_cutoff(now, months) == expected


def test_unknown_municipality_is_refused(app: Any) -> None:
    with pytest.raises(UnknownMunicipality, match="GM9999"):
        compute_coverage(db.session, ["GM9999"], overlap_threshold=3, stale_months=6)


def test_points_are_the_located_nearby_services(make_service: Callable[..., Service]) -> None:
    make_service("Inloop Zwolle", lat=52.51, lon=6.09, gm_codes=["GM0193"])
    make_service("Inloop Kampen", lat=52.55, lon=5.91, gm_codes=["GM0166"])
    make_service("Landelijk met adres", lat=52.1, lon=5.1, national=True)
    make_service("Concept", lat=52.52, lon=6.1, publication_status=PublicationStatus.CONCEPT)
    cov = compute_coverage(db.session, ["GM0193"], overlap_threshold=3, stale_months=6)
    points = cov.municipalities[0].points
    assert [(p.lat, p.lon) for p in points] == [(52.51, 6.09)]
    assert points[0].label == "Organisatie Inloop Zwolle: Inloop Zwolle"


@pytest.mark.parametrize("seed", [6, 7])
def test_inventory_equals_brute_force(
    make_service: Callable[..., Service],
    make_organization: Callable[..., Organization],
    seed: int,
) -> None:
    from wegwijzer.models import Attribute
    from wegwijzer.services.coverage import compute_inventory
    from wegwijzer.services.taxonomy import term_id

    build_directory(make_service, make_organization, seed, n=40)
    # An organisation type set on the organisation itself, not on a service.
    first = db.session.scalars(select(Organization).order_by(Organization.name)).first()
    db.session.add(
        Attribute(
            link_id=first.id,
            link_entity="organization",
            taxonomy_term_id=term_id("wegwijzer-organisatietype", "welzijnsorganisatie"),
        )
    )
    db.session.commit()
    gms = ["GM0193", "GM0148"]
    inv = compute_inventory(db.session, gms, stale_months=6)
    expected: dict[str, dict[str, Any]] = {}
    for gm in gms:
        for svc, scope in available(gm):
            row = expected.setdefault(
                svc.organization_id,
                {
                    "services": set(),
                    "scopes": set(),
                    "gms": set(),
                    "codes": defaultdict(set),
                    "verified": {},
                },
            )
            row["services"].add(svc.name)
            row["verified"][svc.id] = svc.last_verified_at
            row["scopes"].add(scope)
            if scope != NATIONAL:
                row["gms"].add(gm)
            for facet in ("fase", "thema", "doelgroep", "organisatietype"):
                row["codes"][facet].update(svc.codes(f"wegwijzer-{facet}"))
    if first.id in expected:
        expected[first.id]["codes"]["organisatietype"].add("welzijnsorganisatie")
    got = {r.organization_id: r for r in inv.rows}
    assert set(got) == set(expected)
    assert len(got) > 3
    for org_id, row in got.items():
        want = expected[org_id]
        assert sorted(row.services) == sorted(want["services"])
        assert set(row.scopes) == want["scopes"]
        assert set(row.gm_codes) == want["gms"]
        for facet in ("fase", "thema", "doelgroep", "organisatietype"):
            assert set(row.codes[facet]) == want["codes"][facet], facet
        verified = list(want["verified"].values())
        dates = [v for v in verified if v is not None]
        assert row.never_verified == verified.count(None)
        assert row.stale == sum(1 for v in verified if v is None or v < inv.cutoff)
        assert row.oldest_verified_at == (min(dates) if dates else None)
    # The freshness table counts the same services per organisation.
    fresh = compute_coverage(db.session, gms, overlap_threshold=2, stale_months=6).freshness
    assert {o.organization_id: (o.entries, o.stale) for o in fresh.organisations} == {
        org_id: (r.entries, r.stale) for org_id, r in got.items()
    }
    assert any(o.stale for o in fresh.organisations)


def test_matrix_columns_come_from_the_core_taxonomies() -> None:
    data = json.loads((ROOT / "data" / "taxonomy.json").read_text(encoding="utf-8"))
    facet_of = {t["name"]: t["facet"] for t in data["taxonomies"]}
    assert tuple(facet_of[name] for name in CORE_TAXONOMIES) == CORE_FACETS
    # Every facet that describes a service, in taxonomy order; the phases are the rows.
    assert COLUMN_FACETS == ("thema", "doelgroep", "toegang", "rol", "activiteit")
