"""Synthetic but realistic published services for benchmarks and load tests.

``generate_services(session, gazetteer, count, seed)`` inserts ``count`` services spread
over the real municipalities and places of the gazetteer, with Dutch names and plain-language
descriptions built from word lists, taxonomy terms, service areas (some national), opening
hours, locations and phone numbers. Rows go in with bulk inserts (tens of thousands per
second on SQLite) and one change-log row per service, in one transaction; the caller then
builds the search index once.

Everything is fictional: names are composed, phone numbers use the 0800-000 range,
websites use example.org.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ..domain.facets import CORE
from ..domain.geo import Gazetteer
from ..infra.database import refresh_statistics
from ..models import (
    Address,
    Attribute,
    ChangeLog,
    Location,
    Municipality,
    Organization,
    Phone,
    PublicationStatus,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    new_id,
    utcnow,
)
from ..services.taxonomy import term_id

_BATCH = 2000
_SCHEDULE_KEYS = (
    "byday",
    "opens_at",
    "closes_at",
    "attending_type",
    "valid_from",
    "valid_to",
    "is_closed",
)

# Term codes as the shipped taxonomy file lists them (the same order, so the same services).
_CODES = {f.facet: f.codes for f in CORE}
THEMES = _CODES["thema"]
PHASES = _CODES["fase"]
GROUPS = _CODES["doelgroep"]
ACCESS = _CODES["toegang"]

# Per theme: words for service names, and sentences for descriptions.
SERVICE_NAMES: dict[str, tuple[str, ...]] = {
    "brieven-formulieren": (
        "Formulierenbrigade",
        "Formulierenspreekuur",
        "Hulp bij brieven",
        "Briefhulp",
        "Post en papieren",
        "Belastingaangifte-hulp",
        "DigiD-spreekuur",
    ),
    "thuisadministratie": (
        "Thuisadministratie",
        "Papieren op orde",
        "Administratiemaatje",
        "Ordenen aan huis",
        "Overzicht in je post",
    ),
    "budget": (
        "Budgetcoach",
        "Geldcursus",
        "Rondkomen met je budget",
        "Budgetspreekuur",
        "Grip op geld",
        "Huishoudboekje-cursus",
    ),
    "schulden": (
        "Schuldhulpverlening",
        "Schuldhulpmaatje",
        "Schuldenwijzer",
        "Vroegsignalering schulden",
        "Hulp bij betalingsachterstanden",
        "Schuldbemiddeling",
    ),
    "regelingen": (
        "Toeslagenspreekuur",
        "Regelingencheck",
        "Kwijtscheldingshulp",
        "Hulp bij toeslagen",
        "Minimaregelingen-loket",
    ),
    "wonen-energie": (
        "Energiecoach",
        "Huurachterstand-hulp",
        "Energiefixers",
        "Woonlastenhulp",
        "Hulp bij afsluiting",
    ),
    "maatje": ("Maatjesproject", "Buddy voor geldzaken", "Samen op weg", "Steunmaatje"),
    "juridisch": ("Sociaal raadslieden", "Juridisch spreekuur", "Rechtswinkel", "Bezwaarhulp"),
    "levensgebeurtenis": (
        "Scheidingsloket",
        "18 worden en geld",
        "Baan kwijt, wat nu",
        "Rouw en geldzaken",
    ),
    "werk-inkomen": ("Werkloket", "Inkomenswijzer", "Ondernemersloket", "Zzp-hulp"),
}

SENTENCES: dict[str, tuple[str, ...]] = {
    "brieven-formulieren": (
        "Krijgt u brieven die u niet begrijpt?",
        "Wij lezen uw post met u door en leggen uit wat er staat.",
        "Samen vullen we formulieren in, ook online met DigiD.",
        "Ook voor de belastingaangifte kunt u bij ons terecht.",
        "Neem de brieven en formulieren mee naar het spreekuur.",
    ),
    "thuisadministratie": (
        "Is uw administratie een stapel papieren geworden?",
        "Een vrijwilliger komt bij u thuis en helpt met ordenen.",
        "Samen maken we een overzicht van uw rekeningen en vaste lasten.",
        "U leert zelf uw papieren bij te houden met een eenvoudig mappensysteem.",
        "We kijken welke rekeningen nog open staan.",
    ),
    "budget": (
        "Komt u niet rond met uw geld?",
        "Een budgetcoach maakt samen met u een budgetplan.",
        "U krijgt tips om te besparen op boodschappen en vaste lasten.",
        "In de geldcursus leert u grip te krijgen op uw inkomsten en uitgaven.",
        "We kijken samen naar uw huishoudboekje.",
    ),
    "schulden": (
        "Heeft u schulden of betalingsachterstanden?",
        "Belt een incassobureau of staat de deurwaarder voor de deur?",
        "Wij maken een overzicht van uw schulden en praten met schuldeisers.",
        "Samen zoeken we naar een betalingsregeling of een schuldregeling.",
        "Hoe eerder u hulp vraagt, hoe meer we kunnen doen.",
        "Ook bij beslag op uw loon of uitkering helpen we u verder.",
    ),
    "regelingen": (
        "Misschien heeft u recht op toeslagen of kwijtschelding.",
        "We zoeken uit welke regelingen er voor u zijn, zoals huurtoeslag en zorgtoeslag.",
        "Samen vragen we bijzondere bijstand of een minimaregeling aan.",
        "We controleren of u geen geld laat liggen.",
    ),
    "wonen-energie": (
        "Heeft u een huurachterstand of een hoge energierekening?",
        "Dreigt afsluiting van gas, water of stroom? Neem dan snel contact op.",
        "Een energiecoach komt langs en geeft tips om energie te besparen.",
        "We helpen u als uithuiszetting dreigt en praten met de verhuurder.",
    ),
    "maatje": (
        "Een maatje gaat met u mee naar afspraken.",
        "Een vrijwilliger luistert, steunt en helpt u op weg.",
        "U staat er niet alleen voor: samen zetten we de volgende stap.",
        "Uw buddy helpt u het overzicht te houden.",
    ),
    "juridisch": (
        "Heeft u een juridische vraag of wilt u bezwaar maken?",
        "De sociaal raadsman helpt met brieven van instanties en met bezwaarschriften.",
        "We geven gratis advies over uw rechten.",
        "Bij een dagvaarding of beslag kijken we wat u kunt doen.",
    ),
    "levensgebeurtenis": (
        "Er verandert veel als u gaat scheiden, uw baan kwijtraakt of 18 wordt.",
        "We helpen u op tijd te regelen wat er geregeld moet worden.",
        "Samen kijken we wat er verandert in uw inkomen en uitgaven.",
    ),
    "werk-inkomen": (
        "Zoekt u werk of wilt u meer inkomen?",
        "Als ondernemer of zzp'er met geldzorgen kunt u bij ons terecht.",
        "We helpen met solliciteren en met vragen over uw uitkering.",
    ),
}

GENERIC = (
    "De hulp is gratis.",
    "U kunt ook iemand meenemen.",
    "Wij werken met getrainde vrijwilligers.",
    "We werken samen met de gemeente en het wijkteam.",
    "Bel of mail ons voor een afspraak.",
    "U bent welkom zonder afspraak tijdens het inloopspreekuur.",
    "Alles wat u vertelt blijft tussen ons.",
    "Wij spreken ook Engels, Arabisch en Turks.",
    "Ook voor ouderen en mensen die moeite hebben met lezen.",
    "Jongeren tot 27 jaar kunnen ook bij ons terecht.",
)

ORG_PATTERNS = (
    "Stichting Geldwijs {place}",
    "{place} Helpt",
    "Vrijwilligerscentrale {place}",
    "Welzijn {place}",
    "Stichting Samen Rond {place}",
    "Wijkteam {place}",
    "Bibliotheek {place}",
    "Diaconie {place}",
    "Stichting Thuisadmin {place}",
    "Sociaal Raadslieden {place}",
)
ORG_TYPES = {
    "Stichting Geldwijs": "vrijwilligersorganisatie",
    "Helpt": "vrijwilligersorganisatie",
    "Vrijwilligerscentrale": "vrijwilligersorganisatie",
    "Welzijn": "welzijnsorganisatie",
    "Stichting Samen Rond": "vrijwilligersorganisatie",
    "Wijkteam": "welzijnsorganisatie",
    "Bibliotheek": "maatschappelijke-organisatie",
    "Diaconie": "vrijwilligersorganisatie",
    "Stichting Thuisadmin": "vrijwilligersorganisatie",
    "Sociaal Raadslieden": "maatschappelijke-organisatie",
}
NATIONAL_ORGS = (
    "Landelijke Geldlijn (fictief)",
    "Stichting Geldvragen Nederland (fictief)",
    "Hulplijn Schulden (fictief)",
)
STREETS = ("Stationsweg", "Kerkstraat", "Marktplein", "Dorpsstraat", "Schoolstraat", "Molenweg")


@dataclass
class GenerateSummary:
    services: int
    organizations: int
    municipalities: int

    def __str__(self) -> str:
        return (
            f"{self.services} diensten van {self.organizations} organisaties "
            f"in {self.municipalities} gemeenten"
        )


def _schedules(rnd: random.Random, access: list[str]) -> list[dict[str, Any]]:
    out = []
    if "inloop" in access or rnd.random() < 0.3:
        days = rnd.choice(("MO", "TU", "WE", "TH", "FR", "MO,WE", "TU,TH", "MO,WE,FR"))
        start = rnd.choice(("09:00", "09:30", "10:00", "13:00", "13:30", "19:00"))
        end = {"09:00": "12:00", "09:30": "12:30", "10:00": "12:00", "13:00": "16:00"}.get(
            start, "21:00" if start == "19:00" else "16:30"
        )
        out.append(dict(byday=days, opens_at=start, closes_at=end, attending_type="inloop"))
    if "telefonisch" in access or rnd.random() < 0.3:
        out.append(
            dict(
                byday="MO,TU,WE,TH,FR",
                opens_at="09:00",
                closes_at="17:00",
                attending_type="telefonisch",
            )
        )
    if out and rnd.random() < 0.05:
        day = date(2026, 12, 24)
        out.append(dict(is_closed=True, valid_from=day, valid_to=day + timedelta(days=9)))
    return out


def generate_services(
    session: Session,
    gazetteer: Gazetteer,
    count: int,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> GenerateSummary:
    """Insert ``count`` synthetic published services with change-log rows; commit once."""
    if count < 1:
        raise ValueError("count moet minstens 1 zijn")
    rnd = random.Random(seed)
    tag = f"{seed}-{rnd.getrandbits(32):08x}"
    munis = sorted(gazetteer.municipalities(), key=lambda m: m.gm_code)
    by_gm: dict[str, list[Any]] = {}
    for place in gazetteer.places:
        by_gm.setdefault(place.gm_code, []).append(place)
    weights = [max(1, len(by_gm.get(m.gm_code, ()))) for m in munis]
    now = utcnow()

    rows: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in (
            "org",
            "svc",
            "attr",
            "area",
            "sched",
            "loc",
            "addr",
            "sal",
            "phone",
            "log",
        )
    }
    orgs: dict[tuple[str, str], str] = {}
    debt_help: dict[str, str] = {}
    touched: set[str] = set()

    def org_for(name: str, kind: str) -> str:
        key = (name, kind)
        if key not in orgs:
            oid = new_id()
            orgs[key] = oid
            rows["org"].append(
                dict(
                    id=oid,
                    name=name,
                    slug=f"gen-{tag}-o{len(orgs)}",
                    description=f"{name} helpt inwoners met geldzorgen (gegenereerd).",
                    website="https://example.org",
                    publication_status=PublicationStatus.PUBLISHED,
                    created_at=now,
                    updated_at=now,
                    version=1,
                    last_verified_at=now,
                )
            )
        return orgs[key]

    def add_term(sid: str, taxonomy: str, code: str) -> None:
        rows["attr"].append(
            dict(
                id=new_id(),
                link_id=sid,
                link_entity="service",
                link_type="service",
                taxonomy_term_id=term_id(f"wegwijzer-{taxonomy}", code),
            )
        )

    def flush() -> None:
        for model, key in (
            (Organization, "org"),
            (Service, "svc"),
            (Attribute, "attr"),
            (ServiceArea, "area"),
            (Location, "loc"),
            (Address, "addr"),
            (ServiceAtLocation, "sal"),
            (Schedule, "sched"),
            (Phone, "phone"),
            (ChangeLog, "log"),
        ):
            if rows[key]:
                session.execute(insert(model), rows[key])
                rows[key].clear()

    for i in range(count):
        sid = new_id()
        is_national = rnd.random() < 0.06
        muni = rnd.choices(munis, weights)[0]
        touched.add(muni.gm_code)
        municipal = not is_national and (muni.gm_code not in debt_help or rnd.random() < 0.04)
        if municipal:
            theme_list = ["schulden"] + rnd.sample(["regelingen", "budget", "wonen-energie"], 1)
            name = f"Schuldhulpverlening {muni.name}"
            org = org_for(f"Gemeente {muni.name}", "gemeente")
            org_type = "gemeente"
            access = ["inloop", "telefonisch", "op-afspraak"]
        else:
            theme_list = rnd.sample(THEMES, rnd.choice((1, 1, 2, 2, 3)))
            base = rnd.choice(SERVICE_NAMES[theme_list[0]])
            if is_national:
                org = org_for(rnd.choice(NATIONAL_ORGS), "landelijke-hulplijn")
                org_type = "landelijke-hulplijn"
                name = f"{base} (landelijk)"
                access = ["telefonisch", "online"]
            else:
                pattern = rnd.choice(ORG_PATTERNS)
                org_type = ORG_TYPES[pattern.replace("{place}", "").strip()]
                org = org_for(pattern.format(place=muni.name), org_type)
                name = f"{base} {muni.name}"
                access = rnd.sample(ACCESS, rnd.choice((1, 2, 2, 3)))
        sentences = [
            s for t in theme_list for s in rnd.sample(SENTENCES[t], min(3, len(SENTENCES[t])))
        ]
        sentences += rnd.sample(GENERIC, rnd.choice((1, 2, 3)))
        rnd.shuffle(sentences)
        rows["svc"].append(
            dict(
                id=sid,
                organization_id=org,
                name=name,
                slug=f"gen-{tag}-s{i}",
                description=" ".join(sentences),
                application_process=rnd.choice(
                    (
                        "Bel of mail voor een afspraak.",
                        "Loop binnen tijdens het spreekuur.",
                        "Meld u aan via het formulier op de website.",
                        "Vraag uw wijkteam om u aan te melden.",
                    )
                ),
                eligibility_description="Voor inwoners van "
                + ("heel Nederland." if is_national else f"de gemeente {muni.name}."),
                status="active",
                publication_status=PublicationStatus.PUBLISHED,
                last_verified_at=now - timedelta(days=rnd.randrange(0, 400)),
                created_at=now,
                updated_at=now,
                version=1,
                handover_needs=[],
                keywords="",
            )
        )
        if municipal:
            debt_help.setdefault(muni.gm_code, sid)
        for t in theme_list:
            add_term(sid, "thema", t)
        for code in rnd.sample(PHASES, rnd.choice((1, 1, 2))):
            add_term(sid, "fase", code)
        for code in rnd.sample(GROUPS, rnd.choice((1, 1, 2))):
            add_term(sid, "doelgroep", code)
        for code in access:
            add_term(sid, "toegang", code)
        add_term(sid, "organisatietype", org_type)
        if is_national:
            rows["area"].append(
                dict(
                    id=new_id(),
                    service_id=sid,
                    name="Nederland",
                    extent_type="landelijk",
                    gm_code=None,
                )
            )
        else:
            areas = [muni]
            if rnd.random() < 0.15:
                near = sorted(
                    munis, key=lambda m: (m.lat - muni.lat) ** 2 + (m.lon - muni.lon) ** 2
                )
                areas += near[1 : 1 + rnd.choice((1, 2, 3))]
            for m in areas:
                rows["area"].append(
                    dict(
                        id=new_id(),
                        service_id=sid,
                        name=m.name,
                        extent_type="gemeente",
                        gm_code=m.gm_code,
                    )
                )
            if rnd.random() < 0.85:
                places = by_gm.get(muni.gm_code) or []
                place = rnd.choice(places) if places else None
                lat = (place.lat if place else muni.lat) + rnd.uniform(-0.01, 0.01)
                lon = (place.lon if place else muni.lon) + rnd.uniform(-0.015, 0.015)
                lid = new_id()
                rows["loc"].append(
                    dict(
                        id=lid,
                        organization_id=org,
                        location_type="physical",
                        name=name,
                        latitude=round(lat, 6),
                        longitude=round(lon, 6),
                        gm_code=muni.gm_code,
                        created_at=now,
                        updated_at=now,
                    )
                )
                rows["addr"].append(
                    dict(
                        id=new_id(),
                        location_id=lid,
                        address_1=f"{rnd.choice(STREETS)} {rnd.randrange(1, 200)}",
                        city=place.name if place else muni.name,
                        state_province=muni.province,
                        postal_code="",
                        country="NL",
                        address_type="physical",
                    )
                )
                rows["sal"].append(dict(id=new_id(), service_id=sid, location_id=lid))
        for sched in _schedules(rnd, access):
            # Bulk inserts need the same keys in every row.
            row = dict.fromkeys(_SCHEDULE_KEYS)
            row.update(id=new_id(), service_id=sid, freq="WEEKLY", is_closed=False)
            row.update(sched)
            rows["sched"].append(row)
        rows["phone"].append(
            dict(
                id=new_id(),
                service_id=sid,
                number=f"0800-000{rnd.randrange(1000, 9999)}",
                type="voice",
                is_public=True,
                position=0,
            )
        )
        rows["log"].append(dict(entity_type="service", entity_id=sid, at=now))
        if len(rows["svc"]) >= _BATCH:
            flush()
            if progress:
                progress(_BATCH)
    pending = len(rows["svc"])
    flush()
    if progress and pending:
        progress(pending)
    # Municipalities without their own debt help get the generated one.
    existing = dict(
        session.execute(
            select(Municipality.gm_code, Municipality.debt_help_service_id).where(
                Municipality.gm_code.in_(list(debt_help))
            )
        ).all()
    )
    for gm, sid in debt_help.items():
        if gm in existing and existing[gm] is None:
            session.execute(
                update(Municipality)
                .where(Municipality.gm_code == gm)
                .values(debt_help_service_id=sid)
            )
    session.commit()
    refresh_statistics(session, count)
    return GenerateSummary(count, len(orgs), len(touched))
