"""Older HSDS data packages (1.x, 2.0, Open Referral UK) brought to the 3.0 tables.

Each row keeps the file and spreadsheet row it came from (``FILE_KEY``), so a problem in a
mapped row names the file the user has, e.g. ``regular_schedules.csv, rij 7``. What cannot be
mapped is named in a warning: a table, a column, or a row that belongs to nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ..report import Problem, nl
from ..versions import LABELS, version_key, weekday_code
from .tables import TABLES

#: Key in a row dict holding the CSV file the row was read from.
FILE_KEY = "_file"

Rows = list[tuple[int, dict[str, str]]]

#: Old table name → the 3.0 table its rows go to (same columns, or mapped below).
RENAMED = {
    "organization": "organizations",
    "service": "services",
    "location": "locations",
    "services_at_location": "service_at_location",
    "service_at_locations": "service_at_location",
    "services_at_locations": "service_at_location",
    "phone": "phones",
    "contact": "contacts",
    "language": "languages",
    "service_area": "service_areas",
    "physical_address": "addresses",
    "physical_addresses": "addresses",
    "postal_address": "addresses",
    "postal_addresses": "addresses",
    "mail_address": "addresses",
    "mail_addresses": "addresses",
    "regular_schedule": "schedules",
    "regular_schedules": "schedules",
    "holiday_schedule": "schedules",
    "holiday_schedules": "schedules",
    "schedule": "schedules",
    "accessibility_for_disabilities": "accessibility",
    "program": "programs",
    "cost_option": "cost_options",
    "fundings": "funding",
    "required_document": "required_documents",
    "taxonomy_term": "taxonomy_terms",
    "attribute": "attributes",
}
#: Tables read beside TABLES: their rows travel inside another object (a service's program).
ATTACHED = frozenset({"programs"})
#: Tables only older versions have: their rows are merged into other tables.
MERGED = (
    "eligibility", "eligibilities", "eligibilitys", "service_taxonomy", "services_taxonomy",
    "service_taxonomys", "taxonomy",
)  # fmt: skip
#: Tables that mark an older package (1.x, 2.0 or the UK profile).
OLD_MARKERS = frozenset(
    {
        "services_at_location", "physical_address", "physical_addresses", "postal_address",
        "postal_addresses", "regular_schedule", "regular_schedules", "holiday_schedule",
        "holiday_schedules", "service_taxonomy", "services_taxonomy", "service_taxonomys",
        "eligibility", "eligibilities", "eligibilitys", "accessibility_for_disabilities",
        "payment_accepted", "taxonomy", "mail_addresses", "mail_address",
    }
)  # fmt: skip
#: Tables only the UK profile has.
UK_MARKERS = frozenset({"reviews", "review", "links", "link", "service_taxonomys", "eligibilitys"})
#: Tables new in HSDS 3.1.
V31_MARKERS = frozenset({"url", "urls", "service_capacity", "unit", "units"})
#: Tables new in 2.0 next to the 1.x ones.
V20_MARKERS = frozenset({"attribute", "attributes", "metadata", "meta_table_description"})


def detect(tables: dict[str, tuple[list[str], Rows]], datapackage: Any) -> str:
    """Return the LABELS key of the package's version."""
    names = set(tables)
    declared = None
    profile = ""
    if isinstance(datapackage, dict):
        declared = version_key(str(datapackage.get("hsds_version") or ""))
        profile = json.dumps(
            {k: datapackage.get(k) for k in ("name", "title", "profile", "homepage")}
        ).lower()
    org_header = set(tables.get("organizations", tables.get("organization", ([], [])))[0])
    service_header = set(tables.get("services", tables.get("service", ([], [])))[0])
    old = (
        bool(names & OLD_MARKERS)
        or ("url" in org_header and "website" not in org_header)
        # Ohana-style: each service stands at one location.
        or ("location_id" in service_header and "service_at_location" not in names)
    )
    if old:
        if names & UK_MARKERS or "openreferraluk" in profile or "open referral uk" in profile:
            return "uk"
        if declared in ("1", "2.0"):
            return declared
        return "2.0" if names & V20_MARKERS else "1"
    if names & V31_MARKERS or declared == "3.1":
        return "3.1"
    return "3.0"


class TableUpgrade:
    """Map the tables of an older package onto the 3.0 tables; collect warnings."""

    def __init__(self, tables: dict[str, tuple[list[str], Rows]]) -> None:
        self.source = tables
        self.out: dict[str, Rows] = {}
        self.headers: dict[str, set[str]] = {}
        self.mapped: Counter[str] = Counter()
        self.warnings: list[str | Problem] = []

    def run(self, old: bool) -> dict[str, Rows]:
        """Return the rows per 3.0 table (with ``FILE_KEY`` naming their file)."""
        seen: dict[tuple[str, str | None], str] = {}
        for name, (_header, rows) in self.source.items():
            target = RENAMED.get(name, name) if old else name
            if old and name in MERGED:
                continue
            if target not in TABLES and target not in ATTACHED:
                if rows:  # an empty table loses nothing
                    self.warnings.append(unused_file(f"{name}.csv", len(rows)))
                continue
            convert = getattr(self, f"_t_{name}", None) if old else None
            for line, row in rows:
                new = convert(row) if convert else dict(row)
                if old:
                    self._common(target, new)
                    # Two old tables in one new one (physical and postal addresses) may use
                    # the same ids: keep them apart.
                    owner = seen.setdefault((target, new.get("id")), name)
                    if new.get("id") and owner != name:
                        new["id"] = f"{name}-{new['id']}"
                self.out.setdefault(target, []).append((line, new))
            self.headers.setdefault(target, set()).update(
                k for _l, r in self.out.get(target, []) for k in r
            )
            if old and target != name:
                self.mapped[f"{name}.csv → {target}.csv"] += len(rows)
        if old:
            self._eligibility()
            self._service_taxonomy()
            self._service_columns()
        self._unused_columns()
        for what, count in sorted(self.mapped.items()):
            self.warnings.append(nl("Oudere vorm omgezet: %(what)s (%(n)s×).", what=what, n=count))
        return self.out

    # -- column mapping per old table ------------------------------------------------------

    def _common(self, table: str, row: dict[str, str]) -> None:
        if table == "organizations" and "url" in row:
            value = row.pop("url")
            row.setdefault("website", value)
            self.mapped["organizations.url → website"] += 1
        if table == "services" and "fees" in row and "fees_description" not in row:
            row["fees_description"] = row.pop("fees")
            self.mapped["services.fees → fees_description"] += 1
        if table == "phones" and "number_type" in row and "type" not in row:
            row["type"] = row.pop("number_type")
            self.mapped["phones.number_type → type"] += 1
        if table == "addresses":
            extra = [row.pop(k) for k in ("address_3", "address_4") if k in row]
            if extra:
                first = [row["address_2"]] if "address_2" in row else []
                row["address_2"] = ", ".join([*first, *extra])

    def _address(self, row: dict[str, str], kind: str) -> dict[str, str]:
        out = dict(row)
        out.setdefault("address_type", kind)
        return out

    def _t_physical_address(self, row: dict[str, str]) -> dict[str, str]:
        return self._address(row, "physical")

    _t_physical_addresses = _t_physical_address

    def _t_postal_address(self, row: dict[str, str]) -> dict[str, str]:
        return self._address(row, "postal")

    _t_postal_addresses = _t_postal_address
    _t_mail_address = _t_postal_address
    _t_mail_addresses = _t_postal_address

    def _t_regular_schedule(self, row: dict[str, str]) -> dict[str, str]:
        out = dict(row)
        weekday = out.pop("weekday", None)
        if weekday and not out.get("byday"):
            out["byday"] = weekday_code(weekday) or weekday
            out.setdefault("freq", "WEEKLY")
        return out

    _t_regular_schedules = _t_regular_schedule

    def _t_holiday_schedule(self, row: dict[str, str]) -> dict[str, str]:
        out = dict(row)
        start = out.pop("start_date", None)
        end = out.pop("end_date", None)
        closed = out.pop("closed", None)
        if start and not out.get("valid_from"):
            out["valid_from"] = start
        if (end or start) and not out.get("valid_to"):
            out["valid_to"] = end or start or ""
        if closed is not None and closed.strip().lower() in ("true", "1", "yes", "ja", "y"):
            out["x_wegwijzer_is_closed"] = "true"
        return out

    _t_holiday_schedules = _t_holiday_schedule

    def _t_accessibility_for_disabilities(self, row: dict[str, str]) -> dict[str, str]:
        out = dict(row)
        if "accessibility" in out:
            out.setdefault("description", out.pop("accessibility"))
        return out

    def _t_language(self, row: dict[str, str]) -> dict[str, str]:
        out = dict(row)
        if "language" in out:
            out.setdefault("name", out.pop("language"))
        return out

    _t_languages = _t_language

    def _t_service_area(self, row: dict[str, str]) -> dict[str, str]:
        out = dict(row)
        if "service_area" in out:
            out.setdefault("name", out.pop("service_area"))
        return out

    _t_service_areas = _t_service_area

    # -- merged tables ---------------------------------------------------------------------

    def _eligibility(self) -> None:
        services = {row.get("id"): row for _l, row in self.out.get("services", [])}
        for name in ("eligibility", "eligibilities", "eligibilitys"):
            if name not in self.source:
                continue
            for line, row in self.source[name][1]:
                svc = services.get(row.get("service_id"))
                if svc is None:
                    self._dangling(name, line, "service_id", row.get("service_id"), "services")
                    continue
                text = row.get("eligibility") or row.get("description")
                if text:
                    before = svc.get("eligibility_description")
                    svc["eligibility_description"] = f"{before}; {text}" if before else text
                for age in ("minimum_age", "maximum_age"):
                    if row.get(age) and not svc.get(age):
                        svc[age] = row[age]
                self.mapped[f"{name}.csv → services.eligibility_description"] += 1

    def _service_taxonomy(self) -> None:
        taxonomy = {row.get("id"): row for _l, row in self.source.get("taxonomy", ([], []))[1]}
        terms = self.out.setdefault("taxonomy_terms", [])
        have = {row.get("id") for _l, row in terms}
        for line, row in self.source.get("taxonomy", ([], []))[1]:
            if row.get("id") and row["id"] not in have:
                terms.append(
                    (
                        line,
                        {
                            FILE_KEY: row.get(FILE_KEY, "taxonomy.csv"),
                            "id": row["id"],
                            "code": row["id"],
                            "name": row.get("name", row["id"]),
                            "parent_id": row.get("parent_id", ""),
                            "taxonomy": row.get("vocabulary", ""),
                        },
                    )
                )
                have.add(row["id"])
        if "taxonomy" in self.source:
            self.mapped["taxonomy.csv → taxonomy_terms.csv"] += len(self.source["taxonomy"][1])
        attributes = self.out.setdefault("attributes", [])
        for name in ("service_taxonomy", "services_taxonomy", "service_taxonomys"):
            for line, row in self.source.get(name, ([], []))[1]:
                term_id = row.get("taxonomy_id", "")
                if term_id and term_id not in have and term_id not in taxonomy:
                    self._dangling(name, line, "taxonomy_id", term_id, "taxonomy")
                attributes.append(
                    (
                        line,
                        {
                            FILE_KEY: row.get(FILE_KEY, f"{name}.csv"),
                            "id": row.get("id", ""),
                            "link_id": row.get("service_id", ""),
                            "link_entity": "service",
                            "taxonomy_term_id": term_id,
                            "value": row.get("taxonomy_detail", ""),
                        },
                    )
                )
                self.mapped[f"{name}.csv → attributes.csv"] += 1

    def _service_columns(self) -> None:
        """Older service rows with a location, places, languages or keywords in one cell
        (the Ohana shape): links, service areas, languages and keywords of their own."""
        locations = {row.get("id"): row for _l, row in self.out.get("locations", [])}
        for line, row in self.out.get("services", []):
            file = row.get(FILE_KEY, "services.csv")
            if "website" in row:
                value = row.pop("website")
                row.setdefault("url", value)
                self.mapped["services.website → url"] += 1
            if "eligibility" in row:
                value = row.pop("eligibility")
                row.setdefault("eligibility_description", value)
                self.mapped["services.eligibility → eligibility_description"] += 1
            if "keywords" in row:
                words = [w.strip() for w in row.pop("keywords").split(",") if w.strip()]
                row["x_wegwijzer_keywords"] = "; ".join(words)
                self.mapped["services.keywords → trefwoorden"] += 1
            location_id = row.pop("location_id", None)
            if location_id:
                place = locations.get(location_id)
                if place is None:
                    self._dangling("services", line, "location_id", location_id, "locations")
                else:
                    if not row.get("organization_id") and place.get("organization_id"):
                        row["organization_id"] = place["organization_id"]
                    link = {
                        FILE_KEY: file,
                        "id": f"{row.get('id', line)}@{location_id}",
                        "service_id": row.get("id", ""),
                        "location_id": location_id,
                    }
                    self.out.setdefault("service_at_location", []).append((line, link))
                    self.mapped["services.location_id → service_at_location"] += 1
            for column, table in (("service_areas", "service_areas"), ("languages", "languages")):
                if column not in row:
                    continue
                names = [n.strip() for n in row.pop(column).split(",") if n.strip()]
                for n, name in enumerate(names):
                    item = {
                        FILE_KEY: file,
                        "id": f"{row.get('id', line)}-{column}-{n}",
                        "service_id": row.get("id", ""),
                        "name": name,
                    }
                    self.out.setdefault(table, []).append((line, item))
                self.mapped[f"services.{column} → {table}.csv"] += 1

    def _dangling(self, table: str, line: int, column: str, value: Any, target: str) -> None:
        self.warnings.append(dangling(f"{table}.csv", line, column, value, target))

    def _unused_columns(self) -> None:
        for table, rows in self.out.items():
            if table in ATTACHED:
                continue
            known = set(TABLES.get(table, ())) | {FILE_KEY}
            unused: Counter[tuple[str, str]] = Counter()
            for _line, row in rows:
                for col in row:
                    if col not in known and not col.startswith("x_wegwijzer_"):
                        unused[(row.get(FILE_KEY, f"{table}.csv"), col)] += 1
            for (file, col), count in sorted(unused.items()):
                message = nl(
                    "Deze kolom hoort niet bij HSDS 3; Wegwijzer gebruikt haar niet "
                    "(%(n)s rijen).",
                    n=count,
                )
                self.warnings.append(Problem(None, col, message, "warning", file))


def label(version: str) -> str:
    """Return the report's name for a package of this version."""
    return nl("%(version)s (tabellen)", version=LABELS[version])


#: Child table → the columns that attach a row to its parent, and the parent table.
PARENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "phones": (
        ("service_id", "services"),
        ("organization_id", "organizations"),
        ("contact_id", "contacts"),
    ),
    "contacts": (("service_id", "services"), ("organization_id", "organizations")),
    "schedules": (("service_id", "services"),),
    "service_areas": (("service_id", "services"),),
    "languages": (("service_id", "services"),),
    "cost_options": (("service_id", "services"),),
    "service_at_location": (("service_id", "services"),),
    "addresses": (("location_id", "locations"),),
    "accessibility": (("location_id", "locations"),),
    "attributes": (("link_id", "services"),),
}


def unused_file(name: str, rows: int | None = None) -> Problem:
    """Return the warning for a file of the package that is not read."""
    if rows is None:
        message = nl("Dit bestand wordt niet gebruikt en is niet geïmporteerd.")
    else:
        message = nl(
            "Dit bestand wordt niet gebruikt en is niet geïmporteerd (%(n)s rijen).", n=rows
        )
    return Problem(None, "", message, "warning", name)


def dangling(file: str, line: int, column: str, value: Any, target: str) -> Problem:
    """Return the warning for a row whose reference names an id no table has."""
    message = nl(
        "%(column)s '%(value)s' staat niet in %(target)s.csv; de rij is niet gebruikt.",
        column=column,
        value=value,
        target=target,
    )
    return Problem(line, column, message, "warning", file)


def link_children(tables: dict[str, Rows], warnings: list[str | Problem]) -> None:
    """Attach rows linked through a service_at_location (or, for opening hours, a location) to
    their service; warn about rows that point at an id no table has, naming their own file."""
    links = {row["id"]: row for _l, row in tables.get("service_at_location", []) if row.get("id")}
    at_location: dict[str, list[str]] = {}
    for _line, row in tables.get("service_at_location", []):
        if row.get("location_id") and row.get("service_id"):
            at_location.setdefault(row["location_id"], []).append(row["service_id"])
    spread = 0
    for table in ("phones", "contacts", "schedules"):
        rows = tables.get(table, [])
        for line, row in list(rows):
            if row.get("service_id") or row.get("organization_id") or row.get("contact_id"):
                continue
            link = links.get(row.get("service_at_location_id", ""))
            if link is not None and link.get("service_id"):
                row["service_id"] = link["service_id"]
            elif table == "schedules" and row.get("location_id") in at_location:
                # Opening hours of a place: the hours of each service offered there.
                first, *others = at_location[row["location_id"]]
                row["service_id"] = first
                rows.extend((line, {**row, "service_id": other}) for other in others)
                spread += 1
    if spread:
        warnings.append(
            nl(
                "%(n)s openingstijd(en) horen bij een locatie: ze gelden voor elke dienst op "
                "die locatie.",
                n=spread,
            )
        )
    ids = {name: {row.get("id") for _l, row in tables.get(name, [])} for name in TABLES}
    for table, parents in PARENTS.items():
        for line, row in tables.get(table, []):
            if table == "attributes" and row.get("link_entity", "service") != "service":
                continue
            given = [(col, parent) for col, parent in parents if row.get(col)]
            file = row.get(FILE_KEY, f"{table}.csv")
            if not given:
                owners = " of ".join(col for col, _parent in parents)
                message = nl(
                    "De rij hoort bij niets (%(owners)s ontbreekt) en is niet gebruikt.",
                    owners=owners,
                )
                warnings.append(Problem(line, "", message, "warning", file))
                continue
            for col, parent in given:
                if row[col] not in ids.get(parent, set()):
                    warnings.append(dangling(file, line, col, row[col], parent))
