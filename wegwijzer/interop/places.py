"""Locations and service areas: addresses, coordinates from the gazetteer, municipalities."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from ..domain import limits
from ..domain.geo import Gazetteer, NotFound, normalise
from ..models import Address, Location
from .checks import Checker, Foreign, Skip
from .extra import extra_of
from .loading import existing_ids
from .records import Bundle, RawService, Record, Row
from .report import ImportReport, nl
from .schema import MODELS, max_length
from .values import clip

LOCATION_TYPES = ("physical", "postal", "virtual")
NATIONAL_WORDS = frozenset({"landelijk", "nederland", "heel nederland", "national", "nationaal"})
TOOI_GEMEENTE = re.compile(r"/tooi/id/gemeente/gm(\d{4})\s*$", re.IGNORECASE)
GM_CODE = re.compile(r"^\s*(?:GM)?(\d{4})\s*$", re.IGNORECASE)
#: ``extent_type`` values that name a Dutch municipality (or nothing: read from the name).
DUTCH_EXTENTS = frozenset(("cbs_gemeentecode", "gemeente", "gm_code", "tooi", "uri"))
POSTCODE_RE = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})?\s*$")


class PlaceChecks(Checker):
    """Check locations and service areas against the offline gazetteer (geocode at write time)."""

    def __init__(self, gazetteer: Gazetteer, report: ImportReport) -> None:
        super().__init__(report)
        self.gaz = gazetteer
        self.bundle = Bundle()
        self._org_refs: list[tuple[RawService, str, str]] = []
        self._location_refs: list[tuple[RawService, str, str]] = []
        self._muni_names: dict[str, str] = {}
        for m in gazetteer.municipalities():
            self._muni_names[normalise(m.name)] = m.gm_code
            if m.name_alt:
                self._muni_names.setdefault(normalise(m.name_alt), m.gm_code)

    # -- locations -------------------------------------------------------------------------

    def service_locations(
        self, raw: RawService, data: dict[str, Any], service_id: str, org_id: str | None
    ) -> list[Row]:
        """Return the service's links to locations; each location is checked once."""
        convert = partial(self._service_location, org_id=org_id)
        return self.children_of(
            raw,
            data,
            "service_at_locations",
            "",
            service_id,
            convert,
            table="service_at_location",
            distinct=_linked_id,
        )

    def _service_location(
        self, raw: RawService, sal: dict[str, Any], path: str, *, org_id: str | None
    ) -> dict[str, Any]:
        location = sal.get("location")
        ref = self.entity_id(
            raw, sal.get("location_id"), "location", f"{path}.location_id", required=False
        )
        if isinstance(location, dict):
            location_id = self.add_location(
                raw, location, f"{path}.location", org_id, fallback_id=ref
            )
        elif location is not None:
            self.refuse(raw, f"{path}.location", nl("Verwacht een object."))
        else:
            if ref is None:
                self.refuse(raw, path, nl("location en location_id ontbreken."))
            location_id = ref
            self._location_refs.append((raw, path, ref))
        return {"location_id": location_id, "description": self.text(raw, sal, "description", path)}

    def add_location(
        self,
        raw: RawService,
        loc: dict[str, Any],
        path: str,
        org_id: str | None,
        *,
        fallback_id: str | None = None,
    ) -> str | None:
        """Check a location, geocode it from the gazetteer when needed; return its id."""
        try:
            location_id = self.object_id(raw, loc, "location", path, fallback_id)
        except Skip:
            return None
        if location_id in self.bundle.locations:
            # Shared by several services: checked (and geocoded) once.
            first = self.bundle.locations[location_id]
            if first.fields.get("name") != (loc.get("name") or None) and isinstance(
                loc.get("name"), str
            ):
                self.warn(
                    raw,
                    f"{path}.name",
                    nl(
                        "Deze locatie (id %(id)s) staat al in rij %(row)s met een andere naam; "
                        "de eerste is gebruikt.",
                        id=self.shown(location_id),
                        row=first.row,
                    ),
                )
            return location_id
        model = MODELS["location"]
        try:
            owner = (
                self.entity_id(
                    raw,
                    loc.get("organization_id"),
                    "organization",
                    f"{path}.organization_id",
                    required=False,
                )
                or org_id
            )
            fields: dict[str, Any] = {
                "organization_id": owner,
                "location_type": self.enum(
                    raw, loc, "location_type", path, LOCATION_TYPES, default="physical"
                ),
                "name": self.text(raw, loc, "name", path, limit=max_length(model, "name")),
                "description": self.text(raw, loc, "description", path),
                "transportation": self.text(raw, loc, "transportation", path),
                "latitude": self.number(raw, loc, "latitude", path),
                "longitude": self.number(raw, loc, "longitude", path),
                "hsds_extra": extra_of("location", loc, location_id),
            }
        except Skip:
            return None
        record = Record.nested("location", location_id, raw, path, fields)
        record.children["addresses"] = self.children_of(
            raw, loc, "addresses", path, location_id, self._address, table="address"
        )
        record.children["accessibility"] = self.children_of(
            raw, loc, "accessibility", path, location_id, self._accessibility
        )
        if not self._place(raw, path, record):
            return None
        if owner is not None and owner != org_id:
            self._org_refs.append((raw, owner, f"{path}.organization_id"))
        if raw.present is not None:
            # A spreadsheet has the name, address and point only; keep the rest of a location.
            record.create_defaults = dict(record.fields)
            record.fields = {
                k: record.fields[k] for k in ("name", "latitude", "longitude", "gm_code")
            }
            del record.children["accessibility"]
            record.adopt = True
        self.bundle.locations[location_id] = record
        return location_id

    def _place(self, raw: RawService, path: str, record: Record) -> bool:
        """Fill in coordinates (postcode, else city) and the municipality; False on error."""
        fields = record.fields
        lat, lon = fields["latitude"], fields["longitude"]
        if (lat is None) != (lon is None):
            self.error(
                raw,
                f"{path}.latitude",
                nl("Geef zowel latitude als longitude, of geen van beide."),
            )
            return False
        address = next(
            (
                a
                for a in record.children.get("addresses", [])
                if a.fields["address_type"] == "physical"
            ),
            None,
        ) or next(iter(record.children.get("addresses", [])), None)
        postcode_gm = None
        if address is not None and address.fields.get("postal_code"):
            place = self.gaz.postcode(address.fields["postal_code"])
            if place is not None:
                postcode_gm = place.gm_code
                if lat is None:
                    lat, lon = place.lat, place.lon
            elif address.fields.get("country", "NL") == "NL":
                self.warn(
                    raw,
                    f"{path}.addresses.postal_code",
                    nl(
                        "Postcode %(postcode)s is niet bekend.",
                        postcode=address.fields["postal_code"],
                    ),
                )
        if lat is None and address is not None and address.fields.get("city"):
            found = self.gaz.resolve(address.fields["city"])
            if isinstance(found, NotFound):
                self.warn(
                    raw,
                    f"{path}.addresses.city",
                    nl(
                        "Plaats '%(place)s' niet gevonden; de locatie krijgt geen plek op de "
                        "kaart.",
                        place=clip(address.fields["city"]),
                    ),
                )
            else:
                lat, lon = found.lat, found.lon
                postcode_gm = postcode_gm or found.gm_code
        if lat is not None and lon is not None:
            if not self.gaz.is_in_netherlands(lat, lon):
                self.error(
                    raw,
                    f"{path}.latitude",
                    nl(
                        "De coördinaten (%(lat)s, %(lon)s) liggen buiten Nederland. Let op de "
                        "volgorde: latitude (ca. 51-53) en longitude (ca. 3-7).",
                        lat=lat,
                        lon=lon,
                    ),
                )
                return False
            fields["latitude"], fields["longitude"] = round(lat, 6), round(lon, 6)
            fields["gm_code"] = self.gaz.municipality_for_point(lat, lon) or postcode_gm
        else:
            fields["gm_code"] = postcode_gm
            if fields["location_type"] == "physical":
                self.warn(
                    raw,
                    path,
                    nl(
                        "Locatie zonder coördinaten, postcode of plaats: niet op de kaart en niet "
                        "vindbaar op afstand."
                    ),
                )
        return True

    def _address(self, raw: RawService, obj: dict[str, Any], path: str) -> dict[str, Any]:
        postal = self.text(raw, obj, "postal_code", path, limit=max_length(Address, "postal_code"))
        if postal is not None:
            match = POSTCODE_RE.match(postal)
            if match:
                postal = match.group(1) + (" " + match.group(2).upper() if match.group(2) else "")
        country = (
            self.text(raw, obj, "country", path, limit=max_length(Address, "country")) or "NL"
        ).upper()
        return {
            "attention": self.text(raw, obj, "attention", path, limit=limits.NAME),
            "address_1": self.text(raw, obj, "address_1", path, limit=limits.NAME) or "",
            "address_2": self.text(raw, obj, "address_2", path, limit=limits.NAME),
            "city": self.text(raw, obj, "city", path, limit=limits.NAME) or "",
            "region": self.text(raw, obj, "region", path, limit=limits.NAME),
            "state_province": self.text(raw, obj, "state_province", path, limit=limits.NAME) or "",
            "postal_code": postal or "",
            "country": country,
            "address_type": self.enum(
                raw, obj, "address_type", path, LOCATION_TYPES, default="physical"
            ),
        }

    def _accessibility(self, raw: RawService, obj: dict[str, Any], path: str) -> dict[str, Any]:
        return {
            "description": self.text(raw, obj, "description", path),
            "details": self.text(raw, obj, "details", path),
            "url": self.url(raw, obj, "url", path),
        }

    def check_location_refs(self, session: Session) -> None:
        """Report each location_id that is neither in the file nor in the database."""
        missing = {ref for _raw, _path, ref in self._location_refs} - set(self.bundle.locations)
        existing = existing_ids(session, Location, missing)
        for raw, path, ref in self._location_refs:
            if ref not in self.bundle.locations and ref not in existing:
                self.error(
                    raw,
                    f"{path}.location_id",
                    nl(
                        "De locatie met id %(id)s staat niet in het bestand en niet in de "
                        "database.",
                        id=self.shown(ref),
                    ),
                )

    # -- service areas ---------------------------------------------------------------------

    def service_areas(
        self,
        raw: RawService,
        data: dict[str, Any],
        service_id: str,
        foreign: list[dict[str, Any]] | None = None,
    ) -> list[Row]:
        """Return the service's municipalities (or ``landelijk``); areas described another
        way (``extent_type`` geojson, …) go as they are into ``foreign``."""
        return self.children_of(
            raw,
            data,
            "service_areas",
            "",
            service_id,
            self._area,
            table="service_area",
            distinct=lambda values: values["gm_code"] or "landelijk",
            kept=foreign,
        )

    def _area(self, raw: RawService, item: dict[str, Any], path: str) -> dict[str, Any]:
        extent_type = (self.text(raw, item, "extent_type", path) or "").lower()
        extent = self.text(raw, item, "extent", path)
        uri = self.text(raw, item, "uri", path)
        name = self.text(raw, item, "name", path)
        description = self.text(raw, item, "description", path)
        national = extent_type in NATIONAL_WORDS or (
            not extent_type
            and not extent
            and name is not None
            and normalise(name) in NATIONAL_WORDS
        )
        if national:
            return {
                "name": "Nederland",
                "extent_type": "landelijk",
                "gm_code": None,
                "description": description,
            }
        gm_code = None
        if extent_type and extent_type not in DUTCH_EXTENTS:
            self.warn(
                raw,
                f"{path}.extent_type",
                nl(
                    "Werkgebied van het soort '%(kind)s' is bewaard en wordt weer "
                    "geëxporteerd, maar Wegwijzer zoekt er niet op; geef een gemeente of "
                    "'landelijk' om de dienst op plaats vindbaar te maken.",
                    kind=clip(extent_type),
                ),
            )
            raise Foreign
        if extent_type in ("cbs_gemeentecode", "gemeente", "gm_code"):
            match = GM_CODE.match(extent or "")
            muni = self.gaz.municipality(match.group(1)) if match else None
            if muni is None:
                self.refuse(
                    raw,
                    f"{path}.extent",
                    nl(
                        "Onbekende gemeentecode '%(code)s'; verwacht bijvoorbeeld GM0193.",
                        code=clip(extent),
                    ),
                )
            gm_code = muni.gm_code
        elif uri and TOOI_GEMEENTE.search(uri):
            match = TOOI_GEMEENTE.search(uri)
            assert match is not None
            muni = self.gaz.municipality(match.group(1))
            if muni is None:
                self.refuse(
                    raw,
                    f"{path}.uri",
                    nl("Onbekende gemeente in de uri '%(uri)s'.", uri=clip(uri)),
                )
            gm_code = muni.gm_code
        elif name is not None:
            gm_code = self.municipality_code(raw, f"{path}.name", name)
        else:
            self.refuse(
                raw,
                path,
                nl(
                    "Werkgebied zonder gemeente: geef extent_type 'cbs_gemeentecode' met extent "
                    "(GM0193), een TOOI-uri, een gemeentenaam, of 'landelijk'."
                ),
            )
        muni = self.gaz.municipality(gm_code)
        assert muni is not None
        return {
            "name": muni.name,
            "extent_type": "gemeente",
            "gm_code": muni.gm_code,
            "description": description,
        }

    def municipality_code(self, raw: RawService, where: str, text: str) -> str:
        """Resolve a municipality name or GM code; report unknown names with suggestions."""
        match = GM_CODE.match(text)
        if match:
            muni = self.gaz.municipality(match.group(1))
            if muni is None:
                self.refuse(
                    raw, where, nl("Onbekende gemeentecode '%(code)s'.", code=clip(text))
                )
            return muni.gm_code
        key = normalise(text)
        if key in self._muni_names:
            return self._muni_names[key]
        found = self.gaz.resolve(text)
        if isinstance(found, NotFound):
            if found.suggestions:
                message = nl(
                    "Onbekende gemeente '%(name)s'. Bedoelt u: %(suggestions)s?",
                    name=clip(text),
                    suggestions=", ".join(found.suggestions[:3]),
                )
            else:
                message = nl("Onbekende gemeente '%(name)s'.", name=clip(text))
            self.refuse(raw, where, message)
        if found.kind != "gemeente":
            self.warn(
                raw,
                where,
                nl(
                    "'%(name)s' is geen gemeente; de gemeente %(municipality)s (%(code)s) is "
                    "gebruikt.",
                    name=clip(text),
                    municipality=found.municipality,
                    code=found.gm_code,
                ),
            )
        return found.gm_code


def _linked_id(values: dict[str, Any]) -> Any:
    return values["location_id"]
