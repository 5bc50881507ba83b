"""Form building blocks that keep input within the limits of services/limits.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _
from wtforms import FieldList, Form, FormField
from wtforms.fields import Field
from wtforms.validators import ValidationError

#: Empty rows kept from a posted list (the form offers one or two to fill in).
BLANK_ROWS = 5


class MaxLength:
    """Refuse a text longer than ``limit`` characters, naming the field in the message."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.field_flags = {"maxlength": limit}

    def __call__(self, form: Form, field: Field) -> None:
        # A browser sends a line break as CR LF but counts it as one character.
        length = len((field.data or "").replace("\r\n", "\n"))
        if length > self.limit:
            raise ValidationError(
                _(
                    "‘%(field)s’ is te lang: maximaal %(n)s tekens (nu %(count)s).",
                    field=field.label.text,
                    n=format_number(self.limit),
                    count=format_number(length),
                )
            )


class LimitedList(FieldList):
    """Rows of a repeated form part (phone numbers, opening hours) with a maximum.

    Only filled-in rows count: a row is filled in when one of the ``used`` fields has a
    value. However many rows are posted, at most ``limit + 1`` filled-in rows and a few
    empty ones become form fields, so a huge post costs no more than a normal one.
    """

    def __init__(
        self,
        unbound_field: Any,
        label: str | None = None,
        validators: Iterable[Any] | None = None,
        *,
        limit: int,
        used: tuple[str, ...],
        **kwargs: Any,
    ) -> None:
        super().__init__(unbound_field, label, validators, **kwargs)
        self.limit = limit
        self.used = used
        self.used_rows = 0

    def _extract_indices(self, prefix: str, formdata: Any) -> list[int]:
        indices = sorted(set(super()._extract_indices(prefix, formdata)))
        filled = [
            i
            for i in indices
            if any(str(formdata.get(f"{prefix}-{i}-{key}") or "").strip() for key in self.used)
        ]
        self.used_rows = len(filled)
        taken = set(filled)
        blank = [i for i in indices if i not in taken][:BLANK_ROWS]
        return filled[: self.limit + 1] + blank

    def validate(self, form: Form, extra_validators: Any = ()) -> bool:
        valid = super().validate(form, extra_validators)
        if self.used_rows > self.limit:
            self.errors.append(
                _(
                    "Te veel regels bij ‘%(field)s’: %(count)s, maximaal %(n)s.",
                    field=self.label.text,
                    count=format_number(self.used_rows),
                    n=format_number(self.limit),
                )
            )
            return False
        return valid


def rows_of(row_form: type[Form], label: Any, *, limit: int, used: tuple[str, ...]) -> Any:
    """Return a LimitedList of ``row_form`` rows (an unbound field) that shows one empty row."""
    return LimitedList(FormField(row_form), label, min_entries=1, limit=limit, used=used)
