"""Phones and contacts of a service or organisation, and the service's direct contact."""

from __future__ import annotations

from typing import Any

from ..domain import limits
from ..models import Phone, stable_id
from .checks import Checker, Skip
from .extra import extra_of
from .records import RawService, Row
from .report import nl
from .schema import max_length
from .values import type_nl


class ContactChecks(Checker):
    """Check phone and contact lists; non-public ones keep their ``is_public`` flag."""

    def phones(
        self, raw: RawService, obj: dict[str, Any], path: str, parent_id: str, *, public: bool
    ) -> list[Row]:
        """Return the phones listed in ``obj``; ``public`` is the default visibility."""
        rows = []
        for i, (item_path, item) in enumerate(self.objects(raw, obj, "phones", path)):
            try:
                number = self.text(
                    raw, item, "number", item_path, limit=limits.PHONE, required=True
                )
                values = {
                    "number": number,
                    "extension": self.integer(raw, item, "extension", item_path, low=0, high=10**9),
                    "type": self.text(
                        raw, item, "type", item_path, limit=max_length(Phone, "type")
                    ),
                    "description": self.text(
                        raw, item, "description", item_path, limit=limits.SHORT_TEXT
                    ),
                    "is_public": self._is_public(raw, item, item_path, public),
                    "position": i,
                }
            except Skip:
                continue
            phone_id = self.child_id(item.get("id"), "phone", parent_id, i)
            values["hsds_extra"] = extra_of("phone", item, phone_id)
            rows.append(Row(phone_id, values))
        return rows

    def _is_public(self, raw: RawService, item: dict[str, Any], path: str, default: bool) -> bool:
        ext = item.get("x_wegwijzer")
        value = None
        if isinstance(ext, dict):
            value = self.boolean(raw, ext, "is_public", f"{path}.x_wegwijzer")
        elif "is_public" in item:
            value = self.boolean(raw, item, "is_public", path)
        return default if value is None else value

    def contacts(
        self, raw: RawService, obj: dict[str, Any], path: str, parent_id: str
    ) -> list[Row]:
        """Return the contacts listed in ``obj``, each with its phones."""
        rows = []
        for i, (item_path, item) in enumerate(self.objects(raw, obj, "contacts", path)):
            contact_id = self.child_id(item.get("id"), "contact", parent_id, i)
            try:
                values = {
                    "name": self.text(raw, item, "name", item_path, limit=limits.NAME),
                    "title": self.text(raw, item, "title", item_path, limit=limits.NAME),
                    "department": self.text(raw, item, "department", item_path, limit=limits.NAME),
                    "email": self.email(raw, item, "email", item_path),
                    "is_public": self._is_public(raw, item, item_path, True),
                    "hsds_extra": extra_of("contact", item, contact_id),
                }
            except Skip:
                continue
            row = Row(contact_id, values)
            row.children["phones"] = self.phones(
                raw, item, item_path, contact_id, public=values["is_public"]
            )
            rows.append(row)
        return rows

    def direct_contact(self, raw: RawService, ext: dict[str, Any], service_id: str) -> Row | None:
        """Return the service's fixed contact for referrers (``x_wegwijzer.direct_contact``)."""
        value = ext.get("direct_contact")
        path = "x_wegwijzer.direct_contact"
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(
                raw, path, nl("Verwacht een object, maar kreeg %(got)s.", got=type_nl(value))
            )
            return None
        try:
            is_public = self.boolean(raw, value, "is_public", path)
            name = self.text(raw, value, "name", path, limit=limits.NAME)
            email = self.email(raw, value, "email", path)
            phone = self.text(raw, value, "phone", path, limit=limits.PHONE)
        except Skip:
            return None
        is_public = bool(is_public)
        row = Row(
            stable_id("direct-contact", service_id),
            {
                "name": name,
                "title": None,
                "department": None,
                "email": email,
                "is_public": is_public,
                "hsds_extra": None,
            },
        )
        row.children["phones"] = []
        if phone:
            row.children["phones"].append(
                Row(
                    stable_id("direct-contact-phone", service_id),
                    {
                        "number": phone,
                        "extension": None,
                        "type": "voice",
                        "description": None,
                        "is_public": is_public,
                        "position": 0,
                        "hsds_extra": None,
                    },
                )
            )
        return row
