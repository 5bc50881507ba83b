"""Edit organisations, services and locations: status flow, locking, audit trail, search sync.

Each operation commits one unit of work and then updates the search index. Those that change
an existing service or organisation take the version the editor's page showed and raise
:class:`EditConflict`, changing nothing, when someone else saved the entry in between (or at
the same moment: the version column's check at commit).
"""

from __future__ import annotations

from .base import EditConflict, EditError, resolve_municipalities
from .deletion import delete_organization, delete_service, restore_organization, restore_service
from .inputs import (
    ContactInput,
    ExceptionInput,
    LocationInput,
    PhoneInput,
    ServiceInput,
    WeeklyInput,
)
from .location import create_location, delete_location, update_location
from .organization import (
    approve_organization_changes,
    create_organization,
    reject_organization_changes,
    update_organization,
)
from .publication import REVIEW_ACTIONS, change_status, verify_service
from .service import create_service, update_service
from .snapshots import ORGANIZATION_FIELDS, SERVICE_FIELDS, location_snapshot

__all__ = [
    "ORGANIZATION_FIELDS",
    "REVIEW_ACTIONS",
    "SERVICE_FIELDS",
    "ContactInput",
    "EditConflict",
    "EditError",
    "ExceptionInput",
    "LocationInput",
    "PhoneInput",
    "ServiceInput",
    "WeeklyInput",
    "approve_organization_changes",
    "change_status",
    "create_location",
    "create_organization",
    "create_service",
    "delete_location",
    "delete_organization",
    "delete_service",
    "location_snapshot",
    "reject_organization_changes",
    "resolve_municipalities",
    "restore_organization",
    "restore_service",
    "update_location",
    "update_organization",
    "update_service",
    "verify_service",
]
