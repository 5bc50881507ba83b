"""Flask-WTF forms of the beheer pages (each carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FileField,
    Form,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ...domain import limits
from ...domain.internal_fields import AGREEMENTS, FUNDING_SOURCES
from ...services.accounts import PASSWORD_MAX
from .fields import MaxLength, rows_of

EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Geef een geldig e-mailadres."))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes instead of a multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """An empty form: only the CSRF token, for POST buttons (logout, publish, restore…)."""


# --- accounts --------------------------------------------------------------------------------


class LoginForm(FlaskForm):
    email = StringField(_l("E-mailadres"), validators=[DataRequired(), Length(max=255)])
    password = PasswordField(
        _l("Wachtwoord"), validators=[DataRequired(), Length(max=PASSWORD_MAX + 1)]
    )


class TotpForm(FlaskForm):
    code = StringField(
        _l("Code uit uw app (6 cijfers)"),
        validators=[DataRequired(), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX + 1)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("De wachtwoorden zijn niet gelijk.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        _l("Huidig wachtwoord"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class ResetRequestForm(FlaskForm):
    email = StringField(_l("E-mailadres"), validators=[DataRequired(), EMAIL, Length(max=255)])


class UserForm(FlaskForm):
    email = StringField(
        _l("E-mailadres"), validators=[DataRequired(), EMAIL, MaxLength(limits.EMAIL)]
    )
    name = StringField(_l("Naam"), validators=[Optional(), MaxLength(limits.NAME)])
    role = SelectField(
        _l("Rol"),
        choices=[
            SelectChoice("redacteur", _l("Redacteur: bewerkt de eigen organisatie")),
            SelectChoice("verwijzer", _l("Verwijzer: ziet contactgegevens voor doorverwijzen")),
            SelectChoice("beheerder", _l("Beheerder: beheert de kaart van de gemeente")),
        ],
    )
    municipalities = MultiCheckboxField(_l("Gemeenten"), choices=[])
    organizations = MultiCheckboxField(_l("Organisaties"), choices=[])
    is_active = BooleanField(_l("Account is actief"), default=True)


# --- organisations, locations, services -------------------------------------------------------


def _unknown_or(labels: dict[str, Any]) -> list[SelectChoice]:
    """Return the choices of a select whose first, empty choice means "not known"."""
    return [SelectChoice("", _l("Onbekend")), *(SelectChoice(k, v) for k, v in labels.items())]


FUNDING_CHOICES = _unknown_or(FUNDING_SOURCES)
AGREEMENT_CHOICES = _unknown_or(AGREEMENTS)
YES_NO_CHOICES = _unknown_or({"ja": _l("Ja"), "nee": _l("Nee")})


def _website_field() -> Any:
    """Return an optional web address field: a full address, with https://."""
    return StringField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Geef een volledig webadres, met https://.")),
            MaxLength(limits.URL),
        ],
    )


def _internal_fields(form: type) -> None:
    """Add the municipality-only fields to a form class."""
    form.funding_source = SelectField(_l("Financiering"), choices=FUNDING_CHOICES, default="")
    form.collaboration_agreement = SelectField(
        _l("Soort samenwerkingsafspraak"), choices=AGREEMENT_CHOICES, default=""
    )
    form.coordinator = StringField(
        _l("Coördinator"), validators=[Optional(), MaxLength(limits.NAME)]
    )
    form.internal_notes = TextAreaField(
        _l("Interne notities"), validators=[Optional(), MaxLength(limits.TEXT)]
    )


class OrganizationForm(FlaskForm):
    version = HiddenField()
    name = StringField(_l("Naam"), validators=[DataRequired(), MaxLength(limits.NAME)])
    alternate_name = StringField(
        _l("Andere naam of afkorting"), validators=[Optional(), MaxLength(limits.NAME)]
    )
    description = TextAreaField(_l("Beschrijving"), validators=[Optional(), MaxLength(limits.TEXT)])
    email = StringField(_l("E-mailadres"), validators=[Optional(), EMAIL, MaxLength(limits.EMAIL)])
    website = _website_field()


_internal_fields(OrganizationForm)


class LocationForm(FlaskForm):
    version = HiddenField()
    name = StringField(
        _l("Naam van de locatie"), validators=[DataRequired(), MaxLength(limits.NAME)]
    )
    address_1 = StringField(
        _l("Straat en huisnummer"), validators=[Optional(), MaxLength(limits.NAME)]
    )
    postal_code = StringField(
        _l("Postcode"),
        validators=[
            Optional(),
            Regexp(
                r"^\s*\d{4}\s?[A-Za-z]{2}\s*$",
                message=_l("Een postcode is 4 cijfers en 2 letters, zoals 8011 AB."),
            ),
        ],
    )
    city = StringField(_l("Plaats"), validators=[Optional(), MaxLength(limits.NAME)])
    description = TextAreaField(_l("Beschrijving"), validators=[Optional(), MaxLength(limits.TEXT)])
    transportation = TextAreaField(
        _l("Bereikbaarheid (bus, parkeren)"), validators=[Optional(), MaxLength(limits.TEXT)]
    )
    wheelchair = SelectField(_l("Rolstoeltoegankelijk"), choices=YES_NO_CHOICES, default="")
    accessibility_details = TextAreaField(
        _l("Toelichting toegankelijkheid"), validators=[Optional(), MaxLength(limits.TEXT)]
    )
    latitude = DecimalField(
        _l("Breedtegraad"), places=6, validators=[Optional(), NumberRange(50.7, 53.7)]
    )
    longitude = DecimalField(
        _l("Lengtegraad"), places=6, validators=[Optional(), NumberRange(3.2, 7.3)]
    )


class PhoneForm(Form):
    number = StringField(_l("Telefoonnummer"), validators=[Optional(), MaxLength(limits.PHONE)])
    description = StringField(
        _l("Toelichting (bijvoorbeeld: ma-vr 9-12 uur)"),
        validators=[Optional(), MaxLength(limits.SHORT_TEXT)],
    )
    is_public = BooleanField(_l("Openbaar"), default=True)


class ContactForm(Form):
    name = StringField(_l("Naam"), validators=[Optional(), MaxLength(limits.NAME)])
    title = StringField(_l("Functie"), validators=[Optional(), MaxLength(limits.NAME)])
    email = StringField(_l("E-mailadres"), validators=[Optional(), EMAIL, MaxLength(limits.EMAIL)])
    phone = StringField(
        _l("Direct telefoonnummer"), validators=[Optional(), MaxLength(limits.PHONE)]
    )
    is_public = BooleanField(_l("Openbaar (anders alleen voor ingelogde verwijzers)"))


DAY_CHOICES = [
    SelectChoice("MO", _l("ma")),
    SelectChoice("TU", _l("di")),
    SelectChoice("WE", _l("wo")),
    SelectChoice("TH", _l("do")),
    SelectChoice("FR", _l("vr")),
    SelectChoice("SA", _l("za")),
    SelectChoice("SU", _l("zo")),
]
ATTENDING_CHOICES = [
    SelectChoice("inloop", _l("Inloop (zonder afspraak)")),
    SelectChoice("op-afspraak", _l("Op afspraak")),
    SelectChoice("telefonisch", _l("Telefonisch")),
]
_TIME = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Schrijf een tijd als 09:00."))


class WeeklyForm(Form):
    days = MultiCheckboxField(_l("Dagen"), choices=DAY_CHOICES)
    opens_at = StringField(
        _l("Van"), validators=[Optional(), _TIME], render_kw={"placeholder": "09:00"}
    )
    closes_at = StringField(
        _l("Tot"), validators=[Optional(), _TIME], render_kw={"placeholder": "12:00"}
    )
    attending_type = SelectField(_l("Hoe"), choices=ATTENDING_CHOICES, default="inloop")

    def validate_closes_at(self, field: StringField) -> None:
        if self.days.data and not (self.opens_at.data and field.data):
            raise ValidationError(_l("Vul bij gekozen dagen ook de tijden in."))
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("De sluittijd moet na de openingstijd liggen."))


class ExceptionForm(Form):
    valid_from = DateField(_l("Van datum"), validators=[Optional()])
    valid_to = DateField(_l("Tot en met datum"), validators=[Optional()])
    is_closed = BooleanField(_l("Gesloten"), default=True)
    opens_at = StringField(_l("Andere openingstijd van"), validators=[Optional(), _TIME])
    closes_at = StringField(_l("tot"), validators=[Optional(), _TIME])
    description = StringField(
        _l("Reden (bijvoorbeeld: Koningsdag)"),
        validators=[Optional(), MaxLength(limits.SHORT_TEXT)],
    )

    def validate_valid_to(self, field: DateField) -> None:
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("De einddatum ligt voor de begindatum."))
        if (self.description.data or self.opens_at.data) and not self.valid_from.data:
            raise ValidationError(_l("Vul de begindatum in."))


STATUS_CHOICES = [
    SelectChoice("active", _l("Actief")),
    SelectChoice("temporarily closed", _l("Tijdelijk gesloten")),
    SelectChoice("inactive", _l("Niet actief")),
    SelectChoice("defunct", _l("Gestopt")),
]


class ServiceForm(FlaskForm):
    version = HiddenField()
    organization_id = SelectField(_l("Organisatie"), choices=[], validators=[InputRequired()])
    name = StringField(
        _l("Naam van de dienst"), validators=[DataRequired(), MaxLength(limits.NAME)]
    )
    alternate_name = StringField(_l("Andere naam"), validators=[Optional(), MaxLength(limits.NAME)])
    description = TextAreaField(
        _l("Beschrijving (wat doet u, voor wie)"),
        validators=[DataRequired(), MaxLength(limits.TEXT)],
    )
    status = SelectField(_l("Stand van de dienst"), choices=STATUS_CHOICES, default="active")
    alert = TextAreaField(
        _l("Melding bovenaan (bijvoorbeeld: tijdelijk geen nieuwe aanmeldingen)"),
        validators=[Optional(), MaxLength(limits.TEXT)],
    )
    url = _website_field()
    email = StringField(_l("E-mailadres"), validators=[Optional(), EMAIL, MaxLength(limits.EMAIL)])
    application_process = TextAreaField(
        _l("Hoe meldt iemand zich aan?"), validators=[Optional(), MaxLength(limits.TEXT)]
    )
    eligibility_description = TextAreaField(
        _l("Voor wie is het?"), validators=[Optional(), MaxLength(limits.TEXT)]
    )
    fees_description = TextAreaField(_l("Kosten"), validators=[Optional(), MaxLength(limits.TEXT)])
    is_free = BooleanField(_l("Gratis"))
    wait_time = StringField(_l("Wachttijd"), validators=[Optional(), MaxLength(limits.SHORT_TEXT)])
    languages = StringField(
        _l("Talen (met komma's, bijvoorbeeld: Nederlands, Engels, Arabisch)"),
        validators=[Optional(), MaxLength(500)],
    )
    minimum_age = IntegerField(_l("Minimumleeftijd"), validators=[Optional(), NumberRange(0, 120)])
    maximum_age = IntegerField(_l("Maximumleeftijd"), validators=[Optional(), NumberRange(0, 120)])
    referral_route = TextAreaField(
        _l("Hoe verwijst een hulpverlener iemand door? (aanmeldroute)"),
        validators=[Optional(), MaxLength(limits.TEXT)],
    )
    handover_needs = TextAreaField(
        _l("Wat is nodig voor een goede overdracht? (één punt per regel)"),
        validators=[Optional(), MaxLength(limits.TEXT)],
    )
    warm_handover = SelectField(
        _l("Warme overdracht (driegesprek) mogelijk?"), choices=YES_NO_CHOICES, default=""
    )
    is_national = BooleanField(_l("Landelijk: voor heel Nederland"))
    municipalities = MultiCheckboxField(_l("Gemeenten waar de dienst voor is"), choices=[])
    other_municipalities = StringField(
        _l("Andere gemeenten (namen of GM-codes, met komma's)"),
        validators=[Optional(), MaxLength(2000)],
    )
    locations = MultiCheckboxField(_l("Locaties"), choices=[])
    # A row counts when the field the save uses is filled in (see service_views._service_input).
    phones = rows_of(PhoneForm, _l("Telefoonnummers"), limit=limits.PHONES, used=("number",))
    contacts = rows_of(
        ContactForm,
        _l("Contactpersonen"),
        limit=limits.CONTACTS,
        used=("name", "email", "phone"),
    )
    weekly = rows_of(
        WeeklyForm, _l("Openingstijden per week"), limit=limits.WEEKLY_HOURS, used=("days",)
    )
    exceptions = rows_of(
        ExceptionForm, _l("Uitzonderingen"), limit=limits.EXCEPTIONS, used=("valid_from",)
    )

    def validate_maximum_age(self, field: IntegerField) -> None:
        if (
            field.data is not None
            and self.minimum_age.data is not None
            and field.data < self.minimum_age.data
        ):
            raise ValidationError(_l("De maximumleeftijd is lager dan de minimumleeftijd."))


_internal_fields(ServiceForm)


class SendBackForm(FlaskForm):
    comment = TextAreaField(
        _l("Wat moet er anders? (de redacteur ziet dit)"),
        validators=[DataRequired(message=_l("Schrijf kort wat er anders moet.")), Length(max=4000)],
    )


# --- audit, reports, import ---------------------------------------------------------------------


class ImportForm(FlaskForm):
    file = FileField(_l("Bestand (HSDS JSON, CSV of zip)"), validators=[DataRequired()])
    dry_run = BooleanField(_l("Alleen controleren, niets opslaan"), default=True)
    skip_invalid = BooleanField(_l("Diensten met fouten overslaan en de rest importeren"))
    publish = BooleanField(_l("Direct publiceren (alleen voor een betrouwbare bron)"))
