"""What the beheer forms hand to the editing operations, already type-checked by the form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class PhoneInput:
    number: str
    description: str = ""
    is_public: bool = True


@dataclass
class ContactInput:
    name: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    is_public: bool = False


@dataclass
class WeeklyInput:
    days: list[str]
    opens_at: str
    closes_at: str
    attending_type: str = "inloop"


@dataclass
class ExceptionInput:
    valid_from: date
    valid_to: date | None = None
    is_closed: bool = True
    opens_at: str = ""
    closes_at: str = ""
    description: str = ""


@dataclass
class ServiceInput:
    """Everything the service form can change, already type-checked by the form."""

    organization_id: str
    fields: dict[str, Any]
    phones: list[PhoneInput] = field(default_factory=list)
    contacts: list[ContactInput] = field(default_factory=list)
    is_national: bool = False
    gm_codes: list[str] = field(default_factory=list)
    term_ids: list[str] = field(default_factory=list)
    weekly: list[WeeklyInput] = field(default_factory=list)
    exceptions: list[ExceptionInput] = field(default_factory=list)
    location_ids: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    is_free: bool = False


@dataclass
class LocationInput:
    name: str
    address_1: str = ""
    postal_code: str = ""
    city: str = ""
    description: str = ""
    transportation: str = ""
    wheelchair: str = ""
    accessibility_details: str = ""
    latitude: float | None = None
    longitude: float | None = None
