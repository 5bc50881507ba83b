"""Read HSDS JSON (any version, see ``versions``): services, organisations with their services
or service_at_location objects; an array, a paged list with ``contents`` or one object."""

from __future__ import annotations

import json
from typing import Any

from .reading import decode_text
from .records import RawService
from .report import ImportFailed, nl
from .versions import LABELS, Upgrader, declared_version, detect_services


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is geen geldig JSON-getal")


def parse_hsds_json(data: bytes) -> tuple[list[RawService], list[str], str]:
    """Return the service objects in an HSDS JSON file, file-level warnings and the version.

    Raises ImportFailed when the file is not JSON or holds no services, organisations or
    service_at_location objects.
    """
    text, warning = decode_text(data)
    warnings = [warning] if warning else []
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            nl(
                "Geen geldige JSON: %(reason)s (regel %(line)s, kolom %(column)s). Is het "
                "bestand afgebroken of met de hand bewerkt?",
                reason=exc.msg,
                line=exc.lineno,
                column=exc.colno,
            ),
            row=None,
        ) from exc
    except RecursionError as exc:
        raise ImportFailed(nl("De JSON is te diep genest; dit is geen HSDS-bestand.")) from exc
    except ValueError as exc:
        # Huge integers (more than 4300 digits) and NaN/Infinity end up here.
        raise ImportFailed(nl("Geen geldige JSON: %(reason)s.", reason=str(exc))) from exc
    services = services_from_json(value)
    shape = _shape_note(value)
    version = detect_services([r.data for r in services], declared_version(value))
    upgrader = Upgrader()
    for raw in services:
        if version in ("1", "2.0", "uk"):
            raw.data = upgrader.service(raw.data)
        else:
            upgrader.check(raw.data)
    warnings.extend(upgrader.warnings())
    if shape:
        warnings.insert(0, shape)
    return services, warnings, nl("%(version)s (JSON)", version=LABELS[version])


def _is_organization(value: dict[str, Any]) -> bool:
    """An organisation object with its services (``organization_full.json``)."""
    return (
        isinstance(value.get("services"), list)
        and "organization" not in value
        and ("name" in value or "id" in value)
    )


#: Fields only an organisation has, and fields only a service has.
_ORG_ONLY = frozenset(
    {
        "website", "legal_status", "tax_status", "tax_id", "year_incorporated", "logo",
        "parent_organization_id", "organization_identifiers",
    }
)  # fmt: skip
_SERVICE_ONLY = frozenset(
    {"organization", "organization_id", "status", "service_at_locations", "schedules", "url"}
)


def _is_bare_organization(value: Any) -> bool:
    """An organisation object without its services (``organization_list.json``)."""
    return (
        isinstance(value, dict)
        and "services" not in value
        and bool(value.keys() & _ORG_ONLY)
        and not value.keys() & _SERVICE_ONLY
    )


def _is_service_at_location(value: dict[str, Any]) -> bool:
    """A service_at_location object with its service (``service_at_location_full.json``)."""
    return isinstance(value.get("service"), dict) and "name" not in value


def _shape_note(value: Any) -> str | None:
    items = value.get("contents") if isinstance(value, dict) else value
    if isinstance(value, dict) and "contents" not in value:
        items = [value]
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        return None
    if _is_organization(items[0]):
        return nl("Het bestand bevat organisaties met hun diensten; de diensten zijn ingelezen.")
    if _is_service_at_location(items[0]):
        return nl(
            "Het bestand bevat diensten op locaties (service_at_location); elke dienst is met "
            "zijn locatie ingelezen."
        )
    return None


def _expand(items: list[Any]) -> list[Any]:
    """Replace organisations and service_at_location objects by the services they hold."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict) and _is_organization(item):
            out.extend(_organization_services(item))
        elif isinstance(item, dict) and _is_service_at_location(item):
            out.append(_service_of_link(item))
        else:
            out.append(item)
    return out


def _organization_services(org: dict[str, Any]) -> list[Any]:
    """Return the services of an organisation object, each with the organisation inside."""
    bare = {k: v for k, v in org.items() if k not in ("services", "locations")}
    places = {
        loc.get("id"): loc
        for loc in org.get("locations") or []
        if isinstance(loc, dict) and loc.get("id")
    }
    services: list[Any] = []
    for svc in org["services"]:
        if not isinstance(svc, dict):
            services.append(svc)
            continue
        svc = dict(svc)
        if "organization" not in svc:
            svc["organization"] = bare
        links = svc.get("service_at_locations")
        if isinstance(links, list):
            svc["service_at_locations"] = [
                {**link, "location": places[link["location_id"]]}
                if isinstance(link, dict)
                and "location" not in link
                and link.get("location_id") in places
                else link
                for link in links
            ]
        services.append(svc)
    return services


def _service_of_link(link: dict[str, Any]) -> dict[str, Any]:
    """Return the service of a service_at_location object, linked to its location."""
    svc = dict(link["service"])
    own = {k: v for k, v in link.items() if k != "service"}
    links = svc.get("service_at_locations")
    links = list(links) if isinstance(links, list) else []
    hours = own.pop("schedules", None)
    if isinstance(hours, list) and not svc.get("schedules"):
        # The opening hours of the service at this place are the service's opening hours.
        svc["schedules"] = hours
    elif hours is not None:
        own["schedules"] = hours
    if not any(isinstance(x, dict) and x.get("id") == own.get("id") for x in links):
        links.insert(0, own)
    svc["service_at_locations"] = links
    return svc


def services_from_json(value: Any) -> list[RawService]:
    """Return the service objects of parsed HSDS JSON: a list or paged list of services,
    organisations (with their services) or service_at_location objects, or one of them."""
    if isinstance(value, dict):
        if "contents" in value:
            items = value["contents"]
            if not isinstance(items, list):
                raise ImportFailed(
                    nl("'contents' moet een lijst met diensten zijn."), field="contents"
                )
        elif (
            _is_organization(value)
            or _is_service_at_location(value)
            or ("name" in value and ("id" in value or "organization" in value))
        ):
            items = [value]
        else:
            raise ImportFailed(
                nl(
                    "Verwacht een lijst met diensten (HSDS 'service'-objecten), een organisatie "
                    "met 'services', een 'service_at_location' met 'service' of een object met "
                    "'contents'."
                )
            )
    elif isinstance(value, list):
        items = value
    else:
        raise ImportFailed(nl("Verwacht een lijst met diensten (HSDS 'service'-objecten)."))
    if items and all(_is_bare_organization(item) for item in items):
        raise ImportFailed(
            nl(
                "Dit bestand bevat alleen organisaties, zonder hun diensten. Wegwijzer importeert "
                "diensten met hun organisatie: gebruik een lijst met diensten of organisaties "
                "met 'services' (organization_full)."
            )
        )
    items = _expand(items)
    services: list[RawService] = []
    bad: list[int] = []
    for i, item in enumerate(items, 1):
        if isinstance(item, dict):
            services.append(RawService(i, item))
        else:
            bad.append(i)
    if bad:
        rows = ", ".join(str(i) for i in bad[:10]) + (" …" if len(bad) > 10 else "")
        raise ImportFailed(
            nl(
                "Item %(rows)s in de lijst is geen object; verwacht HSDS 'service'-objecten.",
                rows=rows,
            ),
            row=bad[0],
        )
    return services
