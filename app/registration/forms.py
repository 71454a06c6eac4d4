from typing import ClassVar

from babel import Locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from app.events.models import Event
from app.forms import FlaskForm
from app.i18n import alphabetical
from app.registration.labels import ATTENDANCE_LABELS, PROMOTION_LABELS
from app.registration.models import AttendanceMode, PromotionPolicy, Registration, RegistrationSettings
from app.registration.queries import modes_for
from app.registration.signup import RegistrationInput
from app.registration.staff import SettingsInput

TOO_LONG = _l("At most %(max)d characters.")


def _length(maximum: int) -> Length:
    return Length(max=maximum, message=TOO_LONG)


def country_choices(lang: str) -> list[SelectChoice]:
    territories = Locale.parse(lang).territories
    countries = [(code, name) for code, name in territories.items() if len(code) == 2 and code.isalpha()
                 and code not in ("ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK")]
    countries.sort(key=lambda item: alphabetical(item[1]))
    return [SelectChoice("", _l("Choose a country")), *(SelectChoice(code, name) for code, name in countries)]


class DetailsForm(FlaskForm):
    """What a participant tells us and can change later from their page."""

    name = StringField(_l("Full name"), validators=[InputRequired(message=_l("Enter your name.")), _length(200)])
    organisation = StringField(_l("Organisation"), validators=[_length(200)],
                               description=_l("The city administration, body or organisation you work for."))
    position = StringField(_l("Position"), validators=[_length(200)])
    city = StringField(_l("City"), validators=[_length(120)])
    country_code = SelectField(_l("Country"), validators=[Optional()])
    preferred_language = RadioField(_l("Preferred language for our emails"),
                                    choices=[SelectChoice("en", "English"), SelectChoice("fr", "Français")],
                                    validators=[InputRequired(message=_l("Choose English or French."))])
    attendance = RadioField(_l("How will you attend?"),
                            choices=[SelectChoice(m.value, label) for m, label in ATTENDANCE_LABELS.items()],
                            validators=[InputRequired(message=_l("Choose how you will attend."))])
    dietary_needs = TextAreaField(_l("Dietary needs"), validators=[_length(1000)],
                                  description=_l("For the meals during the event, if you attend in person."))
    accessibility_needs = TextAreaField(_l("Accessibility needs"), validators=[_length(1000)],
                                        description=_l("Anything that would help you take part fully."))
    consent_public_list = BooleanField(_l("Show my name, organisation and city in this event's public list of "
                                          "participants (optional)."))

    def configure(self, event: Event, lang: str) -> None:
        self.country_code.choices = country_choices(lang)
        if len(modes_for(event)) < 2:
            del self.attendance
        if not self.preferred_language.data:
            self.preferred_language.data = lang

    def fill_from(self, registration: Registration) -> None:
        for name in ("name", "organisation", "position", "city", "country_code", "preferred_language",
                     "dietary_needs", "accessibility_needs", "consent_public_list"):
            getattr(self, name).data = getattr(registration, name)
        if "attendance" in self:
            self.attendance.data = registration.attendance.value

    def to_input(self, email: str = "", consent_processing: bool = True) -> RegistrationInput:
        attendance = self.attendance.data if "attendance" in self else None
        return RegistrationInput(
            name=self.name.data or "", email=email, organisation=self.organisation.data or "",
            position=self.position.data or "", city=self.city.data or "", country_code=self.country_code.data or "",
            preferred_language=self.preferred_language.data or "en",
            attendance=AttendanceMode(attendance) if attendance else None,
            dietary_needs=self.dietary_needs.data or "", accessibility_needs=self.accessibility_needs.data or "",
            consent_processing=consent_processing, consent_public_list=bool(self.consent_public_list.data),
        )


class RegistrationForm(DetailsForm):
    email = EmailField(_l("Email"), validators=[
        InputRequired(message=_l("Enter your email address.")),
        Email(message=_l("Enter a valid email address, like name@example.org."), check_deliverability=False),
        _length(254),
    ], description=_l("Your private link to see, change or cancel your registration is sent here."))
    consent_processing = BooleanField(
        _l("I agree that the MC2CM project team and the host city process the data in this form to organise my "
           "participation in this event (registration, emails about it, badges and catering). It is deleted after "
           "the retention period that follows the event."),
        validators=[DataRequired(message=_l("We need your consent to process your data to register you."))],
    )
    # Honeypot: hidden from people by the stylesheet; bots that fill every field give themselves away.
    website = StringField(_l("Leave this field empty"))

    summary_labels: ClassVar = {"consent_processing": _l("Consent to the processing of your data")}

    def to_registration_input(self) -> RegistrationInput:
        return self.to_input(email=self.email.data or "", consent_processing=bool(self.consent_processing.data))


class CancelForm(FlaskForm):
    confirmed = BooleanField(_l("Yes, cancel my registration"),
                             validators=[DataRequired(message=_l("Tick the box to confirm."))])


class EmptyForm(FlaskForm):
    """Buttons that only need the CSRF token."""


class SettingsForm(FlaskForm):
    moderated = BooleanField(_l("Approve each registration before it counts"))
    promotion = RadioField(_l("When a confirmed participant cancels"),
                           choices=[SelectChoice(p.value, label) for p, label in PROMOTION_LABELS.items()],
                           validators=[InputRequired()])
    offer_hours = IntegerField(_l("Hours to accept an offered place"), default=48,
                               validators=[InputRequired(message=_l("Give a number of hours.")),
                                           NumberRange(min=1, max=336)])
    online_capacity = IntegerField(_l("Places online (hybrid events)"),
                                   validators=[Optional(), NumberRange(min=1, max=100000)],
                                   description=_l("Leave empty for no limit. The event's capacity is for in person."))
    capacity_confirmed = BooleanField(_l("Yes, lower the capacity: the people listed go to the top of the "
                                         "waiting list and are told by email"))
    public_list = BooleanField(_l("Publish the list of participants who agreed to appear in it"))

    def fill_from(self, settings: RegistrationSettings) -> None:
        self.moderated.data = settings.moderated
        self.promotion.data = settings.promotion.value
        self.offer_hours.data = settings.offer_hours
        self.online_capacity.data = settings.online_capacity
        self.public_list.data = settings.public_list

    def to_input(self) -> SettingsInput:
        return SettingsInput(moderated=bool(self.moderated.data), promotion=PromotionPolicy(self.promotion.data),
                             offer_hours=self.offer_hours.data, online_capacity=self.online_capacity.data,
                             public_list=bool(self.public_list.data),
                             capacity_confirmed=bool(self.capacity_confirmed.data))
