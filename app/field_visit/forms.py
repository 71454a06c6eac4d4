from babel import Locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.field_visit.models import FieldVisit
from app.field_visit.services import GUIDE_LANGUAGES, StopInput, VisitInput
from app.forms import FlaskForm, SecureWebAddress
from app.i18n import current_language
from app.timezones import utc_to_local

LOCAL_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
BLANK_STOPS = 2
NO_SLOT = ""


def _slot_id(value) -> int | None:
    if value in (None, NO_SLOT, "None"):
        return None
    return int(value)


def language_name(code: str, locale: str | None = None) -> str:
    name = Locale.parse(code).get_display_name(locale or current_language()) or code
    return name[:1].upper() + name[1:]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StopForm(Form):
    place = StringField(_l("Place"), validators=[Length(max=300)])
    address = StringField(_l("Address"), validators=[Length(max=300)],
                          description=_l("Street, number and town: the page links it to a map."))
    shown_en = TextAreaField(_l("What is shown there, in English"), validators=[Length(max=3000)])
    shown_fr = TextAreaField(_l("What is shown there, in French"), validators=[Length(max=3000)])
    received_by = StringField(_l("Who receives the group"), validators=[Length(max=300)])
    at = DateTimeLocalField(_l("Time (optional)"), format=LOCAL_DATETIME_FORMAT, validators=[Optional()])


class VisitForm(FlaskForm):
    title_en = StringField(_l("Title in English"), validators=[Length(max=300)])
    title_fr = StringField(_l("Title in French"), validators=[Length(max=300)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=5000)])
    description_fr = TextAreaField(_l("Description in French"), validators=[Length(max=5000)])
    host_organisations = TextAreaField(_l("Host organisations"), validators=[Length(max=2000)],
                                       description=_l("One a line. Shown on the public page."))
    contact_name = StringField(_l("Contact person"), validators=[Length(max=200)],
                               description=_l("For the organisers and on the group's handout; not on the public "
                                              "page."))
    contact_phone = StringField(_l("Contact's phone"), validators=[Length(max=60)])
    contact_email = EmailField(_l("Contact's email"), validators=[Length(max=254)])
    meets_at = DateTimeLocalField(_l("Meeting time"), format=LOCAL_DATETIME_FORMAT,
                                  validators=[InputRequired(message=_l("Enter when the group meets."))])
    returns_at = DateTimeLocalField(_l("Return time"), format=LOCAL_DATETIME_FORMAT,
                                    validators=[InputRequired(message=_l("Enter when the group is back."))])
    meeting_point = StringField(_l("Meeting point"), validators=[Length(max=300)],
                                description=_l("Where the group meets, as people will recognise it."))
    meeting_address = StringField(_l("Meeting point's address"), validators=[Length(max=300)])
    return_place = StringField(_l("Return place"), validators=[Length(max=300)])
    transport = StringField(_l("Transport"), validators=[Length(max=300)],
                            description=_l("For example: on foot, tram line 2, a coach."))
    guide_languages = MultiCheckboxField(_l("Guided in"), choices=[])
    accessibility_en = TextAreaField(_l("Accessibility, in English"), validators=[Length(max=3000)],
                                     description=_l("Stairs, walking distance, places to sit."))
    accessibility_fr = TextAreaField(_l("Accessibility, in French"), validators=[Length(max=3000)])
    what_to_bring_en = TextAreaField(_l("What to bring, in English"), validators=[Length(max=2000)])
    what_to_bring_fr = TextAreaField(_l("What to bring, in French"), validators=[Length(max=2000)])
    meal_included = BooleanField(_l("A meal is included (the list of those going then shows dietary needs)"))
    capacity = IntegerField(_l("Places"), validators=[Optional(), NumberRange(min=0, max=10000)],
                            description=_l("Leave empty for no limit."))
    reserved = IntegerField(_l("Places held back for the host city's own people"),
                            validators=[Optional(), NumberRange(min=0, max=10000)], default=0,
                            description=_l("Counted in the places, never offered to participants."))
    online_url = URLField(_l("Video or virtual tour (digital events, https://…)"),
                          validators=[Optional(), SecureWebAddress(), Length(max=500)],
                          description=_l("A secure link (https://) instead of places to go."))
    agenda_item_id = SelectField(_l("Its slot in the agenda"), coerce=_slot_id, validate_choice=False, choices=[],
                                 description=_l("The agenda shows the visit in this slot, at the visit's times."))
    stops = FieldList(FormField(StopForm), label=_l("Stops"), min_entries=BLANK_STOPS)
    overlap_confirmed = BooleanField(_l("Yes, save the new time: those listed keep the visit they signed up for "
                                        "first, and are told by email that their other place is released"))

    def configure(self, zone_name: str, slots: list[tuple[int, str]]) -> None:
        hint = _l("Local time in %(zone)s.", zone=zone_name)
        self.meets_at.description = self.returns_at.description = hint
        self.guide_languages.choices = [(code, language_name(code)) for code in GUIDE_LANGUAGES]
        self.agenda_item_id.choices = [SelectChoice(NO_SLOT, _l("— none —")),
                                       *(SelectChoice(str(item_id), label) for item_id, label in slots)]

    def fill_from(self, visit: FieldVisit, zone_name: str) -> None:
        for name in ("title_en", "title_fr", "description_en", "description_fr", "host_organisations",
                     "contact_name", "contact_phone", "contact_email", "meeting_point", "meeting_address",
                     "return_place", "transport", "accessibility_en", "accessibility_fr", "what_to_bring_en",
                     "what_to_bring_fr", "meal_included", "capacity", "reserved", "online_url", "agenda_item_id"):
            getattr(self, name).data = getattr(visit, name)
        self.guide_languages.data = visit.languages
        self.meets_at.data = utc_to_local(visit.meets_at, zone_name).replace(tzinfo=None)
        self.returns_at.data = utc_to_local(visit.returns_at, zone_name).replace(tzinfo=None)
        while len(self.stops.entries):
            self.stops.pop_entry()
        for stop in visit.stops:
            self.stops.append_entry({
                "place": stop.place, "address": stop.address, "shown_en": stop.shown_en, "shown_fr": stop.shown_fr,
                "received_by": stop.received_by,
                "at": utc_to_local(stop.at, zone_name).replace(tzinfo=None) if stop.at else None})
        for _blank in range(BLANK_STOPS):
            self.stops.append_entry()

    def to_input(self) -> VisitInput:
        return VisitInput(
            title_en=self.title_en.data or "", title_fr=self.title_fr.data or "",
            description_en=self.description_en.data or "", description_fr=self.description_fr.data or "",
            host_organisations=self.host_organisations.data or "", contact_name=self.contact_name.data or "",
            contact_phone=self.contact_phone.data or "", contact_email=self.contact_email.data or "",
            meets_local=self.meets_at.data, returns_local=self.returns_at.data,
            meeting_point=self.meeting_point.data or "", meeting_address=self.meeting_address.data or "",
            return_place=self.return_place.data or "", transport=self.transport.data or "",
            guide_languages=list(self.guide_languages.data or []),
            accessibility_en=self.accessibility_en.data or "", accessibility_fr=self.accessibility_fr.data or "",
            what_to_bring_en=self.what_to_bring_en.data or "", what_to_bring_fr=self.what_to_bring_fr.data or "",
            meal_included=bool(self.meal_included.data), capacity=self.capacity.data,
            reserved=self.reserved.data or 0, online_url=self.online_url.data or "",
            agenda_item_id=self.agenda_item_id.data, overlap_confirmed=bool(self.overlap_confirmed.data),
            stops=[StopInput(place=e.form.place.data or "", address=e.form.address.data or "",
                             shown_en=e.form.shown_en.data or "", shown_fr=e.form.shown_fr.data or "",
                             received_by=e.form.received_by.data or "", at_local=e.form.at.data)
                   for e in self.stops.entries],
        )


class ActionForm(FlaskForm):
    """Buttons that post nothing but their CSRF token (sign up, leave, check in, open or close sign-up)."""
