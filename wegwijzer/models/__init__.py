"""SQLAlchemy models, aligned with Open Referral HSDS 3.0."""

from .account import LoginAttempt, Role, Token, User, UserMunicipality
from .audit import AuditEntry, ChangeLog, Report
from .base import Base, PublicationStatus, new_id, stable_id, utcnow
from .location import Accessibility, Address, Location, ServiceAtLocation
from .municipality import Municipality
from .organization import Organization
from .service import (
    Contact,
    CostOption,
    Language,
    Phone,
    Schedule,
    Service,
    ServiceArea,
)
from .setting import Setting
from .taxonomy import Attribute, Taxonomy, TaxonomyTerm

__all__ = [
    "Accessibility",
    "Address",
    "Attribute",
    "AuditEntry",
    "Base",
    "ChangeLog",
    "Contact",
    "CostOption",
    "Language",
    "Location",
    "LoginAttempt",
    "Municipality",
    "Organization",
    "Phone",
    "PublicationStatus",
    "Report",
    "Role",
    "Schedule",
    "Service",
    "Setting",
    "ServiceArea",
    "ServiceAtLocation",
    "Taxonomy",
    "TaxonomyTerm",
    "Token",
    "User",
    "UserMunicipality",
    "new_id",
    "stable_id",
    "utcnow",
]
