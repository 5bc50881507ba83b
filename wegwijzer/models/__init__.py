"""SQLAlchemy models, aligned with Open Referral HSDS 3.0."""

from .account import LoginAttempt, Role, Token, User, UserMunicipality
from .audit import AuditEntry, ChangeLog, Report
from .base import Base, PublicationStatus, new_id, stable_id, utcnow
from .location import Accessibility, Address, Location, ServiceAtLocation, address_line
from .municipality import Municipality
from .organization import Organization
from .referral import (
    CLOSED_STATUSES,
    THREE_DAY_URGENCIES,
    CountMeasure,
    NotStartedReason,
    Referral,
    ReferralIntake,
    ReferralMonthlyCount,
    ReferralStatus,
    ReferralStatusChange,
    Urgency,
)
from .service import (
    Contact,
    CostOption,
    Language,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    tel_uri,
)
from .setting import Setting
from .taxonomy import Attribute, Taxonomy, TaxonomyTerm

__all__ = [
    "Accessibility",
    "Address",
    "Attribute",
    "AuditEntry",
    "Base",
    "CLOSED_STATUSES",
    "ChangeLog",
    "Contact",
    "CostOption",
    "CountMeasure",
    "Language",
    "Location",
    "LoginAttempt",
    "Municipality",
    "NotStartedReason",
    "Organization",
    "Phone",
    "PublicationStatus",
    "Referral",
    "ReferralIntake",
    "ReferralMonthlyCount",
    "ReferralStatus",
    "ReferralStatusChange",
    "Report",
    "Role",
    "Schedule",
    "Service",
    "Setting",
    "ServiceArea",
    "ServiceAtLocation",
    "Taxonomy",
    "THREE_DAY_URGENCIES",
    "TaxonomyTerm",
    "Token",
    "User",
    "Urgency",
    "UserMunicipality",
    "address_line",
    "new_id",
    "stable_id",
    "tel_uri",
    "utcnow",
]
