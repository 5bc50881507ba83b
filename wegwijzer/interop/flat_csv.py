"""The flat spreadsheet format: one row per service, Dutch column names, ``;`` or ``,``."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy.orm import Session

from ..domain.geo import normalise
from ..models import stable_id
from .export import export_services, split_keywords
from .reading import decode_text, read_csv
from .records import RawService
from .report import ImportFailed
from .safety import safe_cell, unsafe_cell


@dataclass(frozen=True)
class Column:
    header: str
    description: str
    example: str = ""
    internal: bool = False


#: The columns of the template, in order; documented in data/templates/.
COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "Vaste id van de dienst (UUID). Laat leeg voor een nieuwe dienst: Wegwijzer maakt dan "
        "een vaste id uit organisatie en naam, zodat opnieuw importeren niets dubbel maakt.",
    ),
    Column("organisatie", "Naam van de organisatie. Verplicht.", "Stichting Voorbeeldhulp"),
    Column(
        "organisatie-id",
        "Id van de organisatie, als u die weet. Leeg: de organisatie wordt op naam gezocht.",
    ),
    Column("naam", "Naam van de dienst. Verplicht.", "Inloopspreekuur geldzaken"),
    Column(
        "omschrijving",
        "Wat de dienst doet, in gewone taal (B1).",
        "Heeft u vragen over brieven of rekeningen? Loop gerust binnen.",
    ),
    Column(
        "telefoon",
        "Openbare telefoonnummers, gescheiden door ; of ,.",
        "038-0000100",
    ),
    Column("e-mail", "Openbaar e-mailadres van de dienst.", "info@voorbeeldhulp.example.org"),
    Column("website", "Webadres; https:// mag u weglaten.", "www.voorbeeldhulp.example.org"),
    Column("locatie", "Naam van de plek, bijvoorbeeld het gebouw.", "Buurthuis De Kern"),
    Column(
        "locatie-id",
        "Id van de locatie, als u die weet. Leeg: diensten met hetzelfde adres delen een locatie.",
    ),
    Column("adres", "Straat en huisnummer.", "Voorbeeldstraat 1"),
    Column("postcode", "Postcode, bijvoorbeeld 8011 AB.", "8011 AB"),
    Column("plaats", "Plaats.", "Zwolle"),
    Column(
        "breedtegraad",
        "Breedtegraad (latitude), bijvoorbeeld 52.51. Leeg: bepaald uit postcode of plaats.",
    ),
    Column(
        "lengtegraad",
        "Lengtegraad (longitude), bijvoorbeeld 6.09. Leeg: bepaald uit postcode of plaats.",
    ),
    Column(
        "gemeenten",
        "Werkgebied: gemeentenamen of GM-codes, gescheiden door ; of ,. Of 'landelijk'.",
        "Zwolle; Kampen",
    ),
    Column("fase", "Codes uit wegwijzer-fase, gescheiden door ; of ,.", "voor-aanmelding"),
    Column("thema", "Codes uit wegwijzer-thema.", "brieven-formulieren; schulden"),
    Column("doelgroep", "Codes uit wegwijzer-doelgroep.", "iedereen"),
    Column("toegang", "Codes uit wegwijzer-toegang.", "inloop; op-afspraak"),
    Column("organisatietype", "Codes uit wegwijzer-organisatietype.", "vrijwilligersorganisatie"),
    Column("rol", "Codes uit wegwijzer-rol.", "praktische-steun"),
    Column("activiteit", "Codes uit wegwijzer-activiteit.", "overzicht-creeren"),
    Column(
        "openingstijden",
        "Per regel: dagen, tijd, en eventueel inloop, op afspraak of telefonisch; regels "
        "gescheiden door ;. Dagen: ma di wo do vr za zo, ook ma-vr of ma,wo. Gesloten: "
        "'gesloten 2025-12-24 t/m 2025-12-26'.",
        "ma 09:00-12:00 inloop; wo 13:00-16:00 op afspraak",
    ),
    Column(
        "aanmeldroute",
        "Hoe een hulpverlener of vrijwilliger iemand aanmeldt.",
        "Bel ons of loop samen binnen.",
    ),
    Column(
        "overdracht",
        "Wat een goede overdracht nodig heeft; punten gescheiden door ; of elk op een eigen "
        "regel in de cel.",
        "Toestemming van de inwoner; Overzicht van brieven",
    ),
    Column(
        "warme-overdracht", "Kan een vrijwilliger mee naar het eerste gesprek? ja of nee.", "ja"
    ),
    Column("kosten", "Kosten in woorden.", "Gratis"),
    Column("talen", "Talen die gesproken worden, gescheiden door ; of ,.", "Nederlands; Engels"),
    Column("trefwoorden", "Extra zoekwoorden, gescheiden door ; of ,.", "formulieren; post"),
    Column(
        "publicatiestatus",
        "concept, ter-beoordeling, gepubliceerd of gearchiveerd. Leeg bij een nieuwe dienst: "
        "concept.",
        "gepubliceerd",
    ),
    Column(
        "laatst-gecontroleerd",
        "Datum waarop de gegevens voor het laatst zijn gecontroleerd (2025-01-31 of 31-01-2025).",
        "2025-01-31",
    ),
    Column(
        "contactpersoon",
        "Vaste contactpersoon voor verwijzers (niet openbaar, alleen in de interne export).",
        internal=True,
    ),
    Column("contact-telefoon", "Direct nummer van de contactpersoon.", internal=True),
    Column("contact-e-mail", "E-mailadres van de contactpersoon.", internal=True),
    Column(
        "contact-openbaar",
        "ja: de contactpersoon is voor iedereen zichtbaar; nee of leeg: alleen voor ingelogde "
        "verwijzers.",
        internal=True,
    ),
    Column(
        "financiering",
        "Gemeente-intern: bijvoorbeeld gemeentelijke-subsidie, provincie, rijk, fondsen, donaties.",
        internal=True,
    ),
    Column("samenwerkingsafspraak", "Gemeente-intern: soort samenwerkingsafspraak.", internal=True),
    Column("coordinator", "Gemeente-intern: coördinator.", internal=True),
    Column("interne-notities", "Gemeente-intern: notities.", internal=True),
)
HEADERS = tuple(c.header for c in COLUMNS)
PUBLIC_HEADERS = tuple(c.header for c in COLUMNS if not c.internal)

#: Other spellings people use in spreadsheets, after folding (lowercase, no accents/spaces).
ALIASES = {
    "dienst": "naam",
    "naamdienst": "naam",
    "beschrijving": "omschrijving",
    "telefoonnummer": "telefoon",
    "tel": "telefoon",
    "email": "e-mail",
    "mail": "e-mail",
    "url": "website",
    "straat": "adres",
    "woonplaats": "plaats",
    "latitude": "breedtegraad",
    "lat": "breedtegraad",
    "longitude": "lengtegraad",
    "lon": "lengtegraad",
    "lng": "lengtegraad",
    "gemeente": "gemeenten",
    "werkgebied": "gemeenten",
    "themas": "thema",
    "fases": "fase",
    "doelgroepen": "doelgroep",
    "aanmelden": "aanmeldroute",
    "status": "publicatiestatus",
    "laatstgecontroleerd": "laatst-gecontroleerd",
    "gecontroleerd": "laatst-gecontroleerd",
    "coordinatorgemeente": "coordinator",
}
TAXONOMY_COLUMNS = {
    "fase": "wegwijzer-fase",
    "thema": "wegwijzer-thema",
    "doelgroep": "wegwijzer-doelgroep",
    "toegang": "wegwijzer-toegang",
    "organisatietype": "wegwijzer-organisatietype",
    "rol": "wegwijzer-rol",
    "activiteit": "wegwijzer-activiteit",
}
LOCATION_COLUMNS = (
    "locatie",
    "locatie-id",
    "adres",
    "postcode",
    "plaats",
    "breedtegraad",
    "lengtegraad",
)
CONTACT_COLUMNS = ("contactpersoon", "contact-telefoon", "contact-e-mail", "contact-openbaar")
INTERNAL_COLUMNS = {
    "financiering": "funding_source",
    "samenwerkingsafspraak": "collaboration_agreement",
    "coordinator": "coordinator",
    "interne-notities": "internal_notes",
}
DAYS = {
    "ma": "MO", "maandag": "MO", "di": "TU", "dinsdag": "TU", "wo": "WE", "woensdag": "WE",
    "do": "TH", "donderdag": "TH", "vr": "FR", "vrijdag": "FR", "za": "SA", "zaterdag": "SA",
    "zo": "SU", "zondag": "SU",
}  # fmt: skip
DAY_ORDER = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NL = {"MO": "ma", "TU": "di", "WE": "wo", "TH": "do", "FR": "vr", "SA": "za", "SU": "zo"}
ATTENDING_NL = {"inloop": "inloop", "op-afspraak": "op afspraak", "telefonisch": "telefonisch"}
LANGUAGE_CODES = {
    "nederlands": "nl", "engels": "en", "duits": "de", "frans": "fr", "spaans": "es",
    "portugees": "pt", "pools": "pl", "turks": "tr", "arabisch": "ar", "tigrinya": "ti",
    "oekraiens": "uk", "russisch": "ru", "somalisch": "so", "papiaments": "pap",
    "farsi": "fa", "perzisch": "fa", "dari": "prs", "koerdisch": "ku", "roemeens": "ro",
    "bulgaars": "bg", "chinees": "zh", "berbers": "ber", "tamazight": "ber",
    "italiaans": "it", "hongaars": "hu", "fries": "fy",
}  # fmt: skip

_TIME = r"(\d{1,2}(?:[:.]\d{2})?)"
_RULE = re.compile(
    rf"^(?P<days>.+?)\s+{_TIME}\s*(?:-|–|—|tot)\s*{_TIME}(?P<rest>.*)$", re.IGNORECASE
)
_CLOSED = re.compile(
    r"^gesloten\s+(?P<start>\S+)(?:\s+(?:t/m|tot en met|-)\s+(?P<end>\S+))?$", re.IGNORECASE
)
_VALID = re.compile(r"(vanaf|t/m)\s+(\S+)", re.IGNORECASE)


def fold_header(text: str) -> str:
    """Return a header in a comparable form: lowercase, no accents, spaces or punctuation."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


_KNOWN = {fold_header(h): h for h in HEADERS}
_KNOWN.update({alias: target for alias, target in ALIASES.items()})


def _items(value: str) -> list[str]:
    """Split a checklist cell: items separated by ``;``, or one per line (``•`` optional)."""
    if "\n" in value or value.startswith("•"):
        return [item.strip().lstrip("•").strip() for item in _split(value, "\n")]
    return _split(value, ";")


def _join_items(items: list[str]) -> str:
    if any(";" in item for item in items):
        # An item with its own ";": one bulleted item per line in the cell.
        return "\n".join(f"• {item}" for item in items)
    return "; ".join(items)


def _split(value: str, separators: str = ";,\n") -> list[str]:
    return [part.strip() for part in re.split(f"[{re.escape(separators)}]", value) if part.strip()]


# -- import -----------------------------------------------------------------------------------


def parse_flat_csv(data: bytes) -> tuple[list[RawService], list[str]]:
    """Read a flat spreadsheet into HSDS-shaped service objects (only the columns it has)."""
    text, warning = decode_text(data)
    warnings = [warning] if warning else []
    table = read_csv(text, "csv")
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for index, raw_header in enumerate(table.header):
        if not raw_header:
            continue
        header = _KNOWN.get(fold_header(raw_header))
        if header is None:
            unknown.append(raw_header)
        elif header in columns.values():
            raise ImportFailed(f"De kolom '{raw_header}' staat twee keer in de kopregel.", row=1)
        else:
            columns[index] = header
    present = set(columns.values())
    if "naam" not in present or "organisatie" not in present:
        raise ImportFailed(
            "De kolommen 'organisatie' en 'naam' zijn verplicht. Gebruik het sjabloon "
            "data/templates/wegwijzer-diensten.csv; gevonden kolommen: "
            f"{', '.join(h for h in table.header if h)[:300]}.",
            row=1,
        )
    if unknown:
        warnings.append(
            f"Onbekende kolommen genegeerd: {', '.join(unknown)[:300]}. Zie het sjabloon voor "
            "de kolomnamen."
        )
    services = []
    for line, cells in table.rows:
        row = {
            header: unsafe_cell(cells[i].strip()) if i < len(cells) else ""
            for i, header in columns.items()
        }
        services.append(_row_to_service(line, row, present))
    return services, warnings


def _row_to_service(line: int, row: dict[str, str], present: set[str]) -> RawService:
    raw = RawService(line, {}, labels={}, present=set())
    data = raw.data
    fields = raw.present
    assert fields is not None
    org_name = row.get("organisatie", "")
    name = row.get("naam", "")
    service_id = row.get("id") or stable_id("flat-service", normalise(org_name), normalise(name))
    data["id"] = service_id
    raw.labels.update({"id": "id", "name": "naam", "organization": "organisatie"})
    org: dict[str, Any] = {"name": org_name or None}
    if row.get("organisatie-id"):
        org["id"] = row["organisatie-id"]
    data["organization"] = org

    def scalar(column: str, key: str, field: str | None = None) -> None:
        if column in present:
            data[key] = row[column] or None
            fields.add(field or key)
            raw.labels[key] = column

    scalar("naam", "name")
    scalar("omschrijving", "description")
    scalar("e-mail", "email")
    scalar("website", "url")
    scalar("kosten", "fees_description")
    ext: dict[str, Any] = {}
    data["x_wegwijzer"] = ext
    for column, key, value in (
        ("aanmeldroute", "referral_route", row.get("aanmeldroute")),
        ("overdracht", "handover_needs", _items(row.get("overdracht", ""))),
        ("warme-overdracht", "warm_handover", row.get("warme-overdracht")),
        ("publicatiestatus", "publication_status", row.get("publicatiestatus")),
        ("laatst-gecontroleerd", "last_verified_at", row.get("laatst-gecontroleerd")),
        ("trefwoorden", "keywords", _split(row.get("trefwoorden", ""))),
    ):
        if column in present:
            ext[key] = value if value != "" else None
            fields.add(key)
            raw.labels[f"x_wegwijzer.{key}"] = column
    if "publicatiestatus" in present and not row.get("publicatiestatus"):
        # An empty status means "leave it" (new services become concept).
        del ext["publication_status"]
        fields.discard("publication_status")
    if "trefwoorden" in present:
        fields.add("keywords")
    if "telefoon" in present:
        data["phones"] = [
            {"number": n, "x_wegwijzer": {"is_public": True}} for n in _split(row["telefoon"])
        ]
        fields.add("phones")
        raw.labels["phones"] = "telefoon"
    if "talen" in present:
        data["languages"] = [
            {"name": n, "code": LANGUAGE_CODES.get(fold_header(n))} for n in _split(row["talen"])
        ]
        fields.add("languages")
        raw.labels["languages"] = "talen"
    if "gemeenten" in present:
        areas = []
        for part in _split(row["gemeenten"]):
            if fold_header(part) in ("landelijk", "nederland", "heelnederland"):
                areas.append({"extent_type": "landelijk"})
            else:
                areas.append({"name": part})
        data["service_areas"] = areas
        fields.add("service_areas")
        raw.labels["service_areas"] = "gemeenten"
    attributes: list[dict[str, Any]] = []
    for column, taxonomy in TAXONOMY_COLUMNS.items():
        if column not in present:
            continue
        fields.add("attributes")
        fields.add(f"taxonomy:{taxonomy}")
        for code in _split(row[column]):
            raw.labels[f"attributes[{len(attributes)}]"] = column
            attributes.append({"taxonomy_term": {"taxonomy": taxonomy, "code": code}})
    if "attributes" in fields:
        data["attributes"] = attributes
    if "openingstijden" in present:
        schedules, errors = parse_opening_hours(row["openingstijden"])
        data["schedules"] = schedules
        fields.add("schedules")
        raw.labels["schedules"] = "openingstijden"
        raw.parse_errors.extend(("openingstijden", e) for e in errors)
    if any(c in present for c in LOCATION_COLUMNS) and any(row.get(c) for c in LOCATION_COLUMNS):
        location: dict[str, Any] = {
            "id": row.get("locatie-id")
            or stable_id(
                "flat-location",
                normalise(org_name),
                normalise(row.get("adres", "")),
                re.sub(r"\s", "", row.get("postcode", "")).upper(),
                normalise(row.get("plaats", "")),
                normalise(row.get("locatie", "")),
            ),
            "name": row.get("locatie") or None,
            "latitude": row.get("breedtegraad") or None,
            "longitude": row.get("lengtegraad") or None,
        }
        if any(row.get(c) for c in ("adres", "postcode", "plaats")):
            location["addresses"] = [
                {
                    "address_1": row.get("adres") or None,
                    "postal_code": row.get("postcode") or None,
                    "city": row.get("plaats") or None,
                    "country": "NL",
                    "address_type": "physical",
                }
            ]
        data["service_at_locations"] = [{"location": location}]
        fields.add("service_at_locations")
        raw.labels.update(
            {
                "service_at_locations[0].location.latitude": "breedtegraad",
                "service_at_locations[0].location.longitude": "lengtegraad",
                "service_at_locations[0].location.addresses": "adres/postcode/plaats",
                "service_at_locations[0].location": "locatie",
            }
        )
    if any(c in present for c in CONTACT_COLUMNS) and any(row.get(c) for c in CONTACT_COLUMNS):
        ext["direct_contact"] = {
            "name": row.get("contactpersoon") or None,
            "phone": row.get("contact-telefoon") or None,
            "email": row.get("contact-e-mail") or None,
            "is_public": row.get("contact-openbaar") or None,
        }
        fields.add("contacts")
        raw.labels["x_wegwijzer.direct_contact"] = "contactpersoon"
        raw.labels["x_wegwijzer.direct_contact.email"] = "contact-e-mail"
        raw.labels["x_wegwijzer.direct_contact.phone"] = "contact-telefoon"
        raw.labels["x_wegwijzer.direct_contact.is_public"] = "contact-openbaar"
    internal = {
        key: row.get(col) or None for col, key in INTERNAL_COLUMNS.items() if col in present
    }
    if internal:
        ext["internal"] = internal
        fields.update(internal)
        for col, key in INTERNAL_COLUMNS.items():
            raw.labels[f"x_wegwijzer.internal.{key}"] = col
    return raw


def parse_opening_hours(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Parse "ma 09:00-12:00 inloop; wo 13:00-16:00" into HSDS schedules and Dutch errors."""
    schedules: list[dict[str, Any]] = []
    errors: list[str] = []
    for part in _split(text, ";\n"):
        closed = _CLOSED.match(part)
        if closed:
            end = closed.group("end") or closed.group("start")
            schedules.append(
                {
                    "valid_from": closed.group("start"),
                    "valid_to": end,
                    "description": "Gesloten",
                    "x_wegwijzer": {"is_closed": True},
                }
            )
            continue
        match = _RULE.match(part)
        days = _days(match.group("days")) if match else None
        if match is None or days is None:
            errors.append(
                f"'{part[:60]}' is geen openingstijd. Schrijf bijvoorbeeld 'ma 09:00-12:00 "
                "inloop' of 'ma-vr 9:00-17:00'."
            )
            continue
        rest = match.group("rest").strip().lower()
        schedule: dict[str, Any] = {
            "freq": "WEEKLY",
            "byday": ",".join(days),
            "opens_at": _clock(match.group(2)),
            "closes_at": _clock(match.group(3)),
        }
        for word, date_text in _VALID.findall(rest):
            schedule["valid_from" if word.lower() == "vanaf" else "valid_to"] = date_text
        rest = _VALID.sub("", rest).strip(" ,()")
        if rest:
            schedule["attending_type"] = rest
        schedules.append(schedule)
    return schedules, errors


def _clock(text: str) -> str:
    text = text.replace(".", ":")
    return text if ":" in text else f"{text}:00"


def _days(text: str) -> list[str] | None:
    text = re.sub(r"\s*(?:t/m|tot en met)\s*", "-", text.strip().lower())
    found: list[str] = []
    for part in re.split(r"\s*(?:,|/|&|\ben\b)\s*", text):
        if not part:
            continue
        span = re.split(r"\s*[-–]\s*", part)
        if len(span) == 2:
            start, end = _day(span[0]), _day(span[1])
            if start is None or end is None:
                return None
            i, j = DAY_ORDER.index(start), DAY_ORDER.index(end)
            if j < i:
                return None
            found.extend(DAY_ORDER[i : j + 1])
        elif len(span) == 1:
            day = _day(part)
            if day is None:
                return None
            found.append(day)
        else:
            return None
    return list(dict.fromkeys(found)) or None


def _day(text: str) -> str | None:
    text = text.strip().rstrip(".").lower()
    if text.upper() in DAY_ORDER:
        return text.upper()
    return DAYS.get(text)


# -- export -----------------------------------------------------------------------------------


def format_opening_hours(schedules: list[Any]) -> str:
    """Return schedules in the spreadsheet notation, one rule per schedule."""
    parts = []
    for s in sorted(
        schedules,
        key=lambda s: (
            s.is_closed,
            DAY_ORDER.index(s.days[0]) if s.days else 9,
            s.opens_at or "",
            s.closes_at or "",
            s.attending_type or "",
            s.byday or "",
            s.valid_from.isoformat() if s.valid_from else "",
            s.id,
        ),
    ):
        if s.is_closed:
            if s.valid_from is None:
                continue
            end = (
                f" t/m {s.valid_to.isoformat()}"
                if s.valid_to and s.valid_to != s.valid_from
                else ""
            )
            parts.append(f"gesloten {s.valid_from.isoformat()}{end}")
            continue
        days = ",".join(DAY_NL.get(d, d) for d in (s.byday or "").split(",") if d)
        if not days or not s.opens_at or not s.closes_at:
            continue
        text = f"{days} {s.opens_at}-{s.closes_at}"
        if s.attending_type:
            text += " " + ATTENDING_NL.get(s.attending_type, s.attending_type)
        if s.valid_from:
            text += f" vanaf {s.valid_from.isoformat()}"
        if s.valid_to:
            text += f" t/m {s.valid_to.isoformat()}"
        parts.append(text)
    return "; ".join(parts)


def _direct_contact(svc: Any) -> Any:
    wanted = stable_id("direct-contact", svc.id)
    contacts = sorted(svc.contacts, key=lambda c: (c.id != wanted, c.is_public, c.id))
    return contacts[0] if contacts else None


def flat_row(svc: Any, *, internal: bool) -> dict[str, str]:
    """Return one service as a spreadsheet row (header → text)."""
    loc = next(
        (sal.location for sal in sorted(svc.service_at_locations, key=lambda s: s.location_id)),
        None,
    )
    address = loc.address if loc is not None else None
    terms: dict[str, list[str]] = {}
    for term in svc.terms:
        terms.setdefault(term.taxonomy.name, []).append(term.code)
    row = {
        "id": svc.id,
        "organisatie": svc.organization.name,
        "organisatie-id": svc.organization_id,
        "naam": svc.name,
        "omschrijving": svc.description or "",
        "telefoon": "; ".join(
            p.number for p in sorted(svc.phones, key=lambda p: p.position) if p.is_public
        ),
        "e-mail": svc.email or "",
        "website": svc.url or "",
        "locatie": (loc.name or "") if loc else "",
        "locatie-id": loc.id if loc else "",
        "adres": address.address_1 if address else "",
        "postcode": address.postal_code if address else "",
        "plaats": address.city if address else "",
        "breedtegraad": _coordinate(loc.latitude) if loc else "",
        "lengtegraad": _coordinate(loc.longitude) if loc else "",
        "gemeenten": "landelijk"
        if svc.is_national
        else "; ".join(a.name for a in sorted(svc.service_areas, key=lambda a: a.name)),
        "openingstijden": format_opening_hours(svc.schedules),
        "aanmeldroute": svc.referral_route or "",
        "overdracht": _join_items(list(svc.handover_needs or [])),
        "warme-overdracht": {True: "ja", False: "nee"}.get(svc.warm_handover, ""),  # type: ignore[arg-type]
        "kosten": svc.fees_description or "",
        "talen": "; ".join(
            lang.name
            for lang in sorted(svc.languages, key=lambda x: (x.code != "nl", x.name or ""))
            if lang.name
        ),
        "trefwoorden": "; ".join(split_keywords(svc.keywords)),
        "publicatiestatus": svc.publication_status,
        "laatst-gecontroleerd": svc.last_verified_at.date().isoformat()
        if svc.last_verified_at
        else "",
    }
    for column, taxonomy in TAXONOMY_COLUMNS.items():
        row[column] = "; ".join(sorted(terms.get(taxonomy, [])))
    if internal:
        contact = _direct_contact(svc)
        phone = contact.phones[0].number if contact is not None and contact.phones else ""
        row.update(
            {
                "contactpersoon": (contact.name or "") if contact else "",
                "contact-telefoon": phone,
                "contact-e-mail": (contact.email or "") if contact else "",
                "contact-openbaar": ("ja" if contact.is_public else "nee") if contact else "",
            }
        )
        for column, key in INTERNAL_COLUMNS.items():
            row[column] = getattr(svc, key) or ""
    return row


def _coordinate(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def export_flat_csv(
    session: Session, stream: IO[str], *, internal: bool = False, delimiter: str = ";"
) -> int:
    """Write one row per service (template columns) to a text stream; return the count.

    The stream should be opened with ``newline=""``; write a BOM first (``utf-8-sig``) for
    Excel. Public unless ``internal`` (see export_hsds_json). Formula-like cells are
    neutralised with a leading quote, which the importer removes again.
    """
    headers = HEADERS if internal else PUBLIC_HEADERS
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    services = export_services(session, internal=internal)
    for svc in services:
        row = flat_row(svc, internal=internal)
        writer.writerow([safe_cell(row.get(h, "")) for h in headers])
    return len(services)
