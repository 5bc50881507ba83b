"""Which columns and child tables the importer compares, writes and exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import models

SERVICE_FIELDS = (
    "organization_id",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "application_process",
    "eligibility_description",
    "fees_description",
    "wait_time",
    "interpretation_services",
    "minimum_age",
    "maximum_age",
    "alert",
    "keywords",
)
#: Wegwijzer extension fields (``x_wegwijzer``); left alone when a file does not carry them.
SERVICE_EXT_FIELDS = (
    "publication_status",
    "last_verified_at",
    "referral_route",
    "handover_needs",
    "warm_handover",
)
#: Municipality-only fields: only in internal exports; left alone unless a file carries them.
INTERNAL_FIELDS = ("funding_source", "collaboration_agreement", "coordinator", "internal_notes")
ORGANIZATION_FIELDS = ("name", "alternate_name", "description", "email", "website")
ORGANIZATION_EXT_FIELDS = ("publication_status", "last_verified_at")
LOCATION_FIELDS = (
    "organization_id",
    "location_type",
    "name",
    "description",
    "transportation",
    "latitude",
    "longitude",
    "gm_code",
)

MODELS: dict[str, type[Any]] = {
    "organization": models.Organization,
    "service": models.Service,
    "location": models.Location,
}


@dataclass(frozen=True)
class ChildSpec:
    """A child table: its model, the column pointing at the parent and the compared fields."""

    model: type[Any]
    fk: str
    fields: tuple[str, ...]
    #: Children are matched on this column (the id, or e.g. the taxonomy term).
    key: str = "id"
    #: The rows have ``is_public``; non-public rows are kept when a file has no internal data.
    private: bool = False
    children: dict[str, ChildSpec] = field(default_factory=dict)


def _data_columns(model: type[Any], *links: str) -> tuple[str, ...]:
    """Return every column of ``model`` but its id and the ``links`` to its parents, in order."""
    return tuple(c.name for c in model.__table__.columns if c.name not in ("id", *links))


PHONE_FIELDS = (
    "number",
    "extension",
    "type",
    "description",
    "is_public",
    "position",
    "hsds_extra",
)


def _phones(fk: str) -> ChildSpec:
    return ChildSpec(models.Phone, fk, PHONE_FIELDS, private=True)


def _contacts(fk: str) -> ChildSpec:
    return ChildSpec(
        models.Contact,
        fk,
        ("name", "title", "department", "email", "is_public", "hsds_extra"),
        private=True,
        children={"phones": _phones("contact_id")},
    )


CHILDREN: dict[str, dict[str, ChildSpec]] = {
    "service": {
        "phones": _phones("service_id"),
        "contacts": _contacts("service_id"),
        "schedules": ChildSpec(
            models.Schedule,
            "service_id",
            _data_columns(models.Schedule, "service_id", "location_id"),
        ),
        "service_areas": ChildSpec(
            models.ServiceArea,
            "service_id",
            ("name", "extent_type", "gm_code", "description", "hsds_extra"),
        ),
        "languages": ChildSpec(
            models.Language, "service_id", ("name", "code", "note", "hsds_extra")
        ),
        "cost_options": ChildSpec(
            models.CostOption,
            "service_id",
            (
                "option",
                "amount",
                "currency",
                "amount_description",
                "valid_from",
                "valid_to",
                "hsds_extra",
            ),
        ),
        "service_at_locations": ChildSpec(
            models.ServiceAtLocation,
            "service_id",
            ("location_id", "description", "hsds_extra"),
            key="location_id",
        ),
        "attributes": ChildSpec(
            models.Attribute,
            "link_id",
            ("taxonomy_term_id", "link_entity", "link_type", "value", "hsds_extra"),
            key="taxonomy_term_id",
        ),
    },
    "organization": {
        "phones": _phones("organization_id"),
        "contacts": _contacts("organization_id"),
    },
    "location": {
        "addresses": ChildSpec(
            models.Address, "location_id", _data_columns(models.Address, "location_id")
        ),
        "accessibility": ChildSpec(
            models.Accessibility, "location_id", ("description", "details", "url", "hsds_extra")
        ),
    },
}


def max_length(model: type[Any], column: str) -> int | None:
    """Return the declared length of a string column (PostgreSQL enforces it)."""
    col = model.__table__.c.get(column)
    return getattr(col.type, "length", None) if col is not None else None
