"""Describe services for search engines as schema.org JSON-LD (public data only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .directory import ServicePage

_SCHEMA_DAYS = dict(
    zip(
        ("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


def service_jsonld(page: ServicePage, url: str) -> dict[str, Any]:
    """Describe the service for search engines as schema.org JSON-LD (public data only)."""
    svc = page.service
    org = page.organization
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Service",
        "name": svc.name,
        "description": svc.description,
        "provider": {"@type": "Organization", "name": org.name},
        "areaServed": (
            {"@type": "Country", "name": "Nederland"}
            if svc.is_national
            else [{"@type": "AdministrativeArea", "name": n} for n in page.areas]
        ),
    }
    if url:
        data["url"] = url
    if org.website:
        data["provider"]["url"] = org.website
    if page.themes:
        data["serviceType"] = ", ".join(page.themes)
    if page.is_free:
        data["isAccessibleForFree"] = True
    channel: dict[str, Any] = {"@type": "ServiceChannel"}
    phones = [p for p in page.phones if p.is_public]
    if phones:
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": phones[0].number}
    if svc.url:
        channel["serviceUrl"] = svc.url
    places = []
    for p in page.places:
        place: dict[str, Any] = {"@type": "Place"}
        if p.name:
            place["name"] = p.name
        if p.address is not None:
            place["address"] = {
                "@type": "PostalAddress",
                "streetAddress": p.address.address_1,
                "postalCode": p.address.postal_code,
                "addressLocality": p.address.city,
                "addressCountry": p.address.country or "NL",
            }
        if p.lat is not None and p.lon is not None:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": p.lat, "longitude": p.lon}
        places.append(place)
    if places:
        channel["serviceLocation"] = places[0] if len(places) == 1 else places
    if len(channel) > 1:
        data["availableChannel"] = channel
    opening = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [_SCHEMA_DAYS[d] for d in sched.days],
            "opens": sched.opens_at,
            "closes": sched.closes_at,
        }
        for sched in svc.schedules
        if sched.days
        and sched.opens_at
        and sched.closes_at
        and not sched.is_closed
        and sched.valid_from is None
        and sched.valid_to is None
    ]
    if opening:
        data["hoursAvailable"] = opening
    return data
