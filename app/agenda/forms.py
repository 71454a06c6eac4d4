from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, FieldList, Form, FormField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.agenda.labels import KIND_LABELS
from app.agenda.models import AgendaItem, ItemKind
from app.agenda.services import ItemInput, PresenterInput
from app.forms import FlaskForm, SecureWebAddress
from app.timezones import utc_to_local

LOCAL_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
BLANK_PRESENTER_ROWS = 2


NOT_REGISTERED = ""
NOT_REGISTERED_CHOICE = SelectChoice(NOT_REGISTERED, _l("— not registered / enter below —"))


def _registration_id(value) -> int | None:
    if value in (None, NOT_REGISTERED, "None"):
        return None
    return int(value)


class PresenterForm(Form):
    # The service checks the choice (a confirmed participant of this event), with a clear message.
    registration_id = SelectField(_l("Registered participant"), coerce=_registration_id, validate_choice=False,
                                  choices=[NOT_REGISTERED_CHOICE],
                                  description=_l("Their name, organisation and city come from their registration; "
                                                 "the fields below are then not needed."))
    name = StringField(_l("Name"), validators=[Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    city = StringField(_l("City"), validators=[Length(max=120)])
    email = StringField(_l("Email (optional, not shown)"), validators=[Length(max=254)])


def _item_kind(value) -> ItemKind:
    """The chosen kind; one the form refused reads as a session, for the rules' checks only."""
    return ItemKind(value) if value in {k.value for k in ItemKind} else ItemKind.SESSION


class ItemForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
                       default=ItemKind.SESSION.value)
    title_en = StringField(_l("Title in English"), validators=[Length(max=300)])
    title_fr = StringField(_l("Title in French"), validators=[Length(max=300)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=5000)])
    description_fr = TextAreaField(_l("Description in French"), validators=[Length(max=5000)])
    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_DATETIME_FORMAT,
                                   validators=[InputRequired(message=_l("Enter when the item starts."))])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_DATETIME_FORMAT,
                                 validators=[InputRequired(message=_l("Enter when the item ends."))])
    track = StringField(_l("Track (optional)"), validators=[Length(max=80)],
                        description=_l("For parallel sessions, for example “Room A”. Items of one track "
                                       "should not overlap."))
    room = StringField(_l("Room or place"), validators=[Length(max=200)],
                       description=_l("Where it happens; for the field visit, the meeting point."))
    online_url = URLField(_l("Online link (https://…)"), validators=[Optional(), SecureWebAddress(), Length(max=500)],
                          description=_l("A secure address, starting with https://, shown on the public agenda. Leave "
                                         "empty for the event's private meeting link, which participants receive with "
                                         "their registration."))
    presenters = FieldList(FormField(PresenterForm), label=_l("Presenters"), min_entries=BLANK_PRESENTER_ROWS)

    def set_participants(self, participants: list[tuple[int, str]]) -> None:
        """The choices of every presenter line: not registered, then the participants by name."""
        choices = [NOT_REGISTERED_CHOICE,
                   *(SelectChoice(str(registration_id), label) for registration_id, label in participants)]
        for entry in self.presenters.entries:
            entry.form.registration_id.choices = choices

    def set_zone_hint(self, zone_name: str) -> None:
        hint = _l("Local time in %(zone)s.", zone=zone_name)
        self.starts_at.description = self.ends_at.description = hint

    def fill_from(self, item: AgendaItem, zone_name: str) -> None:
        for name in ("title_en", "title_fr", "description_en", "description_fr", "track", "room", "online_url"):
            getattr(self, name).data = getattr(item, name)
        self.kind.data = item.kind.value
        self.starts_at.data = utc_to_local(item.starts_at, zone_name).replace(tzinfo=None)
        self.ends_at.data = utc_to_local(item.ends_at, zone_name).replace(tzinfo=None)
        while len(self.presenters.entries):
            self.presenters.pop_entry()
        for presenter in item.presenters:
            self.presenters.append_entry({"registration_id": presenter.registration_id, "name": presenter.name,
                                          "organisation": presenter.organisation, "city": presenter.city,
                                          "email": presenter.email})
        for _blank in range(BLANK_PRESENTER_ROWS):
            self.presenters.append_entry()

    def to_input(self) -> ItemInput:
        return ItemInput(
            kind=_item_kind(self.kind.data), title_en=self.title_en.data or "", title_fr=self.title_fr.data or "",
            description_en=self.description_en.data or "", description_fr=self.description_fr.data or "",
            starts_local=self.starts_at.data, ends_local=self.ends_at.data, track=self.track.data or "",
            room=self.room.data or "", online_url=self.online_url.data or "",
            presenters=[PresenterInput(name=e.form.name.data or "", organisation=e.form.organisation.data or "",
                                       city=e.form.city.data or "", email=e.form.email.data or "",
                                       registration_id=e.form.registration_id.data)
                        for e in self.presenters.entries],
        )


class ActionForm(FlaskForm):
    """Buttons that post nothing but their CSRF token (remove, move, start from the template)."""
