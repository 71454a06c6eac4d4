from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.events.labels import FORMAT_LABELS
from app.events.models import Event, EventFormat
from app.events.services import DuplicateInput, EventInput
from app.forms import FlaskForm, SecureWebAddress
from app.timezones import utc_to_local

LOCAL_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(FlaskForm):
    theme_en = StringField(_l("Theme in English"), validators=[Length(max=300)])
    theme_fr = StringField(_l("Theme in French"), validators=[Length(max=300)])
    summary_en = TextAreaField(_l("Summary in English"), validators=[Length(max=5000)])
    summary_fr = TextAreaField(_l("Summary in French"), validators=[Length(max=5000)])
    # The service refuses another city with its own message (permissions), so the form does not.
    host_city_id = SelectField(_l("Host city"), coerce=int, validators=[InputRequired()], validate_choice=False)
    start_date = DateField(_l("First day"), validators=[InputRequired(message=_l("Enter the first day."))])
    end_date = DateField(_l("Last day"), validators=[InputRequired(message=_l("Enter the last day."))])
    format = RadioField(_l("Format"), choices=[SelectChoice(f.value, label) for f, label in FORMAT_LABELS.items()],
                        default=EventFormat.IN_PERSON.value, validators=[DataRequired()])
    venue = StringField(_l("Venue"), validators=[Length(max=300)],
                        description=_l("Name and address of the place, for events that meet in person."))
    online_url = URLField(_l("Online meeting link (https://…)"),
                          validators=[Optional(), SecureWebAddress(), Length(max=500)],
                          description=_l("For events held online or hybrid. A secure address, starting with https://"))
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=1, max=10000)],
                            description=_l("Number of places. Leave empty for no limit."))
    capacity_confirmed = BooleanField(_l("Yes, lower the capacity: the people listed go to the top of the "
                                         "waiting list and are told by email"))
    registration_opens = DateTimeLocalField(_l("Registration opens"), format=LOCAL_DATETIME_FORMAT,
                                            validators=[Optional()],
                                            description=_l("In the host city's local time."))
    registration_closes = DateTimeLocalField(_l("Registration closes"), format=LOCAL_DATETIME_FORMAT,
                                             validators=[Optional()],
                                             description=_l("In the host city's local time."))
    policy_area_ids = MultiCheckboxField(_l("Policy areas"), coerce=int)
    slug = StringField(_l("Web address"), validators=[Optional(), Length(max=80)],
                       description=_l("The last part of the event's address. Leave empty to make one "
                                      "from the theme."))

    tell_participants = BooleanField(_l("Save and tell them"))
    shift_with_dates = BooleanField(_l("Move the agenda with the dates"),
                                    description=_l("Each item keeps its day of the event and its time."))

    def set_choices(self, cities, policy_areas, lang: str) -> None:
        self.host_city_id.choices = [SelectChoice(c.id, getattr(c, f"name_{lang}")) for c in cities]
        self.policy_area_ids.choices = [SelectChoice(p.id, getattr(p, f"name_{lang}")) for p in policy_areas]

    def fill_from(self, event: Event) -> None:
        for name in ("theme_en", "theme_fr", "summary_en", "summary_fr", "host_city_id", "start_date",
                     "end_date", "venue", "online_url", "capacity", "slug"):
            getattr(self, name).data = getattr(event, name)
        self.format.data = event.format.value
        self.policy_area_ids.data = [p.id for p in event.policy_areas]
        for name in ("registration_opens", "registration_closes"):
            instant = getattr(event, f"{name}_at")
            getattr(self, name).data = utc_to_local(instant, event.timezone).replace(tzinfo=None) if instant else None

    def to_input(self) -> EventInput:
        return EventInput(
            theme_en=self.theme_en.data or "", theme_fr=self.theme_fr.data or "",
            summary_en=self.summary_en.data or "", summary_fr=self.summary_fr.data or "",
            host_city_id=self.host_city_id.data, start_date=self.start_date.data, end_date=self.end_date.data,
            format=_event_format(self.format.data), venue=self.venue.data or "",
            online_url=self.online_url.data or "", capacity=self.capacity.data,
            capacity_confirmed=bool(self.capacity_confirmed.data),
            registration_opens_local=self.registration_opens.data,
            registration_closes_local=self.registration_closes.data,
            policy_area_ids=self.policy_area_ids.data or [], slug=self.slug.data or "",
            tell_participants=bool(self.tell_participants.data), shift_with_dates=bool(self.shift_with_dates.data),
        )


def _event_format(value) -> EventFormat:
    """The chosen format; one the form refused reads as the default, for the rules' checks only."""
    return EventFormat(value) if value in {f.value for f in EventFormat} else EventFormat.IN_PERSON


class StateChangeForm(FlaskForm):
    target = HiddenField(validators=[DataRequired()])
    confirmed = BooleanField(_l("Yes, I confirm"))
    reason = TextAreaField(_l("Reason (optional, kept in the event's history)"), validators=[Length(max=1000)])


class AssignFacilitatorForm(FlaskForm):
    user_id = SelectField(_l("Facilitator"), coerce=int, validators=[InputRequired()])


class DuplicateForm(FlaskForm):
    start_date = DateField(_l("First day of the new event"),
                           validators=[InputRequired(message=_l("Enter the first day."))],
                           description=_l("The last day follows as in the original; the agenda moves with the dates."))
    theme_en = StringField(_l("Theme in English"), validators=[Length(max=300)])
    theme_fr = StringField(_l("Theme in French"), validators=[Length(max=300)])
    slug = StringField(_l("Web address"), validators=[Optional(), Length(max=80)],
                       description=_l("The last part of the event's address. Leave empty to make one "
                                      "from the theme."))

    def fill_from(self, event: Event) -> None:
        self.theme_en.data, self.theme_fr.data = event.theme_en, event.theme_fr

    def to_input(self) -> DuplicateInput:
        return DuplicateInput(start_date=self.start_date.data, theme_en=self.theme_en.data or "",
                              theme_fr=self.theme_fr.data or "", slug=self.slug.data or "")
