"""Write services as spreadsheet rows: the template's columns, formula-like cells neutralised."""

from __future__ import annotations

import csv
from typing import IO, Any

from sqlalchemy.orm import Session

from ...domain.text import safe_cell
from ...models import stable_id
from ..export import export_services, split_keywords
from .columns import HEADERS, INTERNAL_COLUMNS, PUBLIC_HEADERS, TAXONOMY_COLUMNS, join_items
from .opening_hours import format_opening_hours


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
        "overdracht": join_items(list(svc.handover_needs or [])),
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


def _direct_contact(svc: Any) -> Any:
    """Return the contact for the contact columns: the direct contact, else a private one."""
    wanted = stable_id("direct-contact", svc.id)
    contacts = sorted(svc.contacts, key=lambda c: (c.id != wanted, c.is_public, c.id))
    return contacts[0] if contacts else None


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
