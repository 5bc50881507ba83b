"""Forms of the referral pages: only choices, dates and yes/no; never a free-text field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..manage.forms import MultiCheckboxField


class NewReferralForm(FlaskForm):
    organisatie = SelectField(_l("U verwijst namens"), validate_choice=False)
    gemeente = SelectField(_l("Gemeente waar de inwoner woont"), validate_choice=False)
    urgentie = RadioField(
        _l("Wat is er dringend?"),
        validate_choice=False,
        validators=[InputRequired(message=_l("Kies wat er dringend is, of 'geen spoed'."))],
    )
    voorbereid = MultiCheckboxField(
        _l("Wat is al klaar voor de overdracht?"), coerce=int, validate_choice=False
    )
    toestemming = RadioField(
        _l("Wil de inwoner dat u hoort hoe het gaat?"),
        choices=[
            SelectChoice("ja", _l("Ja, de inwoner geeft toestemming voor terugkoppeling")),
            SelectChoice("nee", _l("Nee, geen terugkoppeling")),
        ],
        validators=[InputRequired(message=_l("Kies of de inwoner toestemming geeft."))],
    )
    mail = BooleanField(
        _l("Stuur mij een e-mail bij elke nieuwe stap (zonder gegevens van de inwoner)")
    )


class StatusForm(FlaskForm):
    status = RadioField(
        _l("Wat is er gebeurd?"),
        validate_choice=False,
        validators=[InputRequired(message=_l("Kies een stap."))],
    )
    gesprek_op = DateField(
        _l("Datum van het eerste gesprek"),
        validators=[Optional()],
    )
    reden = SelectField(_l("Reden"), validate_choice=False)
    doorverwezen_naar = SelectField(_l("Doorverwezen naar"), validate_choice=False)


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code van de overdracht"),
        validators=[InputRequired(message=_l("Vul de code in.")), Length(max=20)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )


class IntakeForm(FlaskForm):
    neemt_aan = BooleanField(_l("Neemt overdrachten aan via Wegwijzer"))
    mail = BooleanField(_l("Mail nieuwe overdrachten naar de accounts van de organisatie"))
