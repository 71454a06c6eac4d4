"""The one form of the library: a city's follow-up of a recommendation, from the city's page."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.capture.curation import NOTE_MAX, FollowUpInput
from app.capture.labels import FOLLOW_UP_LABELS
from app.capture.models import FollowUpStatus
from app.forms import FlaskForm

TOO_LONG = _l("At most %(max)d characters.")


class CityFollowUpForm(FlaskForm):
    status = RadioField(_l("What came of it"),
                        choices=[SelectChoice(s.value, label) for s, label in FOLLOW_UP_LABELS.items()],
                        validators=[InputRequired(message=_l("Choose what came of it."))])
    noted_on = DateField(_l("Date of the note"), validators=[Optional()],
                         description=_l("Left empty: today."))
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX, message=TOO_LONG)],
                         description=_l("What the city did, decided or plans, in a few sentences."))
    action_url = URLField(_l("Link to the targeted city action (optional)"),
                          validators=[Optional(), Length(max=500, message=TOO_LONG)])

    def fill_from(self, follow_up) -> None:
        self.status.data = follow_up.status.value
        self.noted_on.data = follow_up.noted_on
        self.note.data = follow_up.note
        self.action_url.data = follow_up.action_url

    def to_input(self, city_id: int) -> FollowUpInput:
        status = FollowUpStatus(self.status.data) if self.status.data in {s.value for s in FollowUpStatus} else None
        return FollowUpInput(city_id=city_id, status=status, note=self.note.data or "", noted_on=self.noted_on.data,
                             action_url=self.action_url.data or "")
