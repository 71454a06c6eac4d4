from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
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
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.background.services import PdfUpload, pdf_limit
from app.capture.common import MAX_DOTS
from app.capture.curation import FollowUpInput
from app.capture.entries import EntryInput
from app.capture.labels import ACTOR_LEVEL_LABELS, FOLLOW_UP_LABELS, KIND_LABELS
from app.capture.models import ActorLevel, Entry, EntryKind, FollowUpStatus, TranslationStatus
from app.i18n import LANGUAGE_NAMES, localized

TOO_LONG = _l("At most %(max)d characters.")
OTHER_CITY = ""


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _Details(FlaskForm):
    """What only some kinds of entry have; shown for their kind."""

    city_id = SelectField(_l("Presenting city"), coerce=_optional_int, validate_choice=False,
                          description=_l("A city of the network, or “another city” and its name below."))
    city_other = StringField(_l("Another city"), validators=[Length(max=120, message=TOO_LONG)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200, message=TOO_LONG)])
    slides_url = URLField(_l("Link to the slides"), validators=[Optional(), Length(max=500, message=TOO_LONG)])
    pdf = FileField(_l("Or the slides as a PDF"))
    agenda_item_id = SelectField(_l("Presented in"), coerce=_optional_int, validate_choice=False)
    visit_label = StringField(_l("Visit"), validators=[Length(max=200, message=TOO_LONG)],
                              description=_l("Which visit this was seen on."))
    actor_level = SelectField(_l("Who should act"), validate_choice=False)
    actor = StringField(_l("Which actor"), validators=[Length(max=200, message=TOO_LONG)],
                        description=_l("For example: the city's social services, the ministry of the interior."))
    policy_areas = CheckboxList(_l("Policy areas"), coerce=int, validate_choice=False)
    sdgs = StringField(_l("SDG goals and targets"), validators=[Length(max=300, message=TOO_LONG)],
                       description=_l("Goals and targets by their numbers, separated by commas: 10.7, 16.6, 11."))
    answers = CheckboxList(_l("It answers"), coerce=int, validate_choice=False)
    working_group = StringField(_l("Working group"), validators=[Length(max=120, message=TOO_LONG)])

    def set_choices(self, cities, agenda_items, areas, answerable, lang: str) -> None:
        self.city_id.choices = [SelectChoice(OTHER_CITY, _l("— another city (type it below) —")),
                                *(SelectChoice(c.id, c.name_fr if lang == "fr" else c.name_en) for c in cities)]
        self.agenda_item_id.choices = [SelectChoice("", _l("— not said —")),
                                       *(SelectChoice(i.id, localized(i, "title").text) for i in agenda_items)]
        self.actor_level.choices = [SelectChoice("", _l("— not said —")),
                                    *(SelectChoice(level.value, label) for level, label in ACTOR_LEVEL_LABELS.items())]
        self.policy_areas.choices = [SelectChoice(a.id, localized(a, "name").text) for a in areas]
        self.answers.choices = [SelectChoice(e.id, gettext("%(kind)s: %(text)s", kind=KIND_LABELS[e.kind],
                                                           text=_entry_label(e))) for e in answerable]
        self.pdf.description = _l("A PDF file of at most %(size)s MB.", size=f"{pdf_limit() / (1024 * 1024):g}")

    def _pdf(self) -> PdfUpload | None:
        storage = self.pdf.data
        if storage is not None and getattr(storage, "filename", None):
            return PdfUpload(data=storage.stream.read(pdf_limit() + 1), filename=storage.filename)
        return None

    def _details(self) -> dict:
        level = self.actor_level.data
        return dict(
            city_id=self.city_id.data, city_other=self.city_other.data or "", organisation=self.organisation.data or "",
            slides_url=self.slides_url.data or "", pdf=self._pdf(), agenda_item_id=self.agenda_item_id.data,
            visit_label=self.visit_label.data or "",
            actor_level=ActorLevel(level) if level in {lv.value for lv in ActorLevel} else None,
            actor=self.actor.data or "", working_group=self.working_group.data or "",
            policy_area_ids=list(self.policy_areas.data or []), sdg_text=self.sdgs.data or "",
            answer_ids=list(self.answers.data or []),
        )

    def fill_details(self, entry: Entry) -> None:
        self.city_id.data = entry.city_id
        self.city_other.data = entry.city_other
        self.organisation.data = entry.organisation
        self.slides_url.data = entry.slides_url
        self.agenda_item_id.data = entry.agenda_item_id
        self.visit_label.data = entry.visit_label
        self.actor_level.data = entry.actor_level.value if entry.actor_level else ""
        self.actor.data = entry.actor
        self.working_group.data = entry.working_group
        self.policy_areas.data = [a.id for a in entry.policy_areas]
        self.sdgs.data = ", ".join(entry.sdg_codes)
        self.answers.data = [a.id for a in entry.answers]


def _entry_label(entry: Entry) -> str:
    text = localized(entry, "title").text or localized(entry, "text").text
    return text if len(text) <= 90 else text[:89] + "…"


class EntryForm(_Details):
    """A new entry, written in one language."""

    kind = SelectField(_l("What is it?"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
                       default=EntryKind.CHALLENGE.value)
    language = RadioField(_l("Written in"), default="en",
                          choices=[SelectChoice("en", LANGUAGE_NAMES["en"]), SelectChoice("fr", LANGUAGE_NAMES["fr"])])
    title = StringField(_l("Title of the case"), validators=[Length(max=300, message=TOO_LONG)])
    text = TextAreaField(_l("Text"), validators=[Length(max=10_000, message=TOO_LONG)])
    # The console's idempotency key: the page makes one per entry, a resend carries the same.
    client_key = HiddenField()

    def to_input(self) -> EntryInput:
        language = self.language.data if self.language.data in ("en", "fr") else "en"
        kind = EntryKind(self.kind.data) if self.kind.data in {k.value for k in EntryKind} else EntryKind.CHALLENGE
        return EntryInput(kind=kind, language=language, **{f"title_{language}": self.title.data or "",
                                                           f"text_{language}": self.text.data or ""},
                          **self._details())


class EditForm(_Details):
    """An entry in both languages side by side, with the version it was filled from."""

    title_en = StringField(_l("Title in English"), validators=[Length(max=300, message=TOO_LONG)])
    title_fr = StringField(_l("Title in French"), validators=[Length(max=300, message=TOO_LONG)])
    text_en = TextAreaField(_l("Text in English"), validators=[Length(max=10_000, message=TOO_LONG)])
    text_fr = TextAreaField(_l("Text in French"), validators=[Length(max=10_000, message=TOO_LONG)])
    translation_checked = BooleanField(_l("Both languages say the same: the translation is checked"))
    remove_pdf = BooleanField(_l("Remove the attached PDF"))
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])

    def fill_from(self, entry: Entry) -> None:
        for name in ("title_en", "title_fr", "text_en", "text_fr"):
            getattr(self, name).data = getattr(entry, name)
        self.translation_checked.data = entry.translation_status is TranslationStatus.DONE
        self.version.data = entry.version
        self.fill_details(entry)

    def to_input(self, entry: Entry) -> EntryInput:
        return EntryInput(kind=entry.kind, language=entry.language, title_en=self.title_en.data or "",
                          title_fr=self.title_fr.data or "", text_en=self.text_en.data or "",
                          text_fr=self.text_fr.data or "", translation_checked=bool(self.translation_checked.data),
                          remove_pdf=bool(self.remove_pdf.data), **self._details())


class VersionForm(FlaskForm):
    """Buttons that change an entry (remove, restore): they carry the version they were shown."""

    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class ActionForm(FlaskForm):
    """Buttons that post nothing but their CSRF token."""


class AllowanceForm(FlaskForm):
    dots_allowance = IntegerField(_l("Priority dots per participant"),
                                  validators=[InputRequired(message=_l("Give a number of dots.")),
                                              NumberRange(min=1, max=MAX_DOTS,
                                                          message=_l("Between %(min)d and %(max)d."))])


class MergeForm(FlaskForm):
    target_id = SelectField(_l("Merge it into"), coerce=_optional_int, validate_choice=False)

    def set_targets(self, targets) -> None:
        self.target_id.choices = [SelectChoice("", _l("— choose a recommendation —")),
                                  *(SelectChoice(e.id, f"#{e.id} {_entry_label(e)}") for e in targets)]


class FollowUpForm(FlaskForm):
    city_id = SelectField(_l("City"), coerce=_optional_int, validate_choice=False)
    status = RadioField(_l("What came of it"),
                        choices=[SelectChoice(s.value, label) for s, label in FOLLOW_UP_LABELS.items()],
                        validators=[InputRequired(message=_l("Choose what came of it."))])
    noted_on = DateField(_l("Date of the note"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Length(max=5000, message=TOO_LONG)])
    action_url = URLField(_l("Link to the targeted city action (optional)"),
                          validators=[Optional(), Length(max=500, message=TOO_LONG)])

    def set_cities(self, cities, lang: str) -> None:
        self.city_id.choices = [SelectChoice(c.id, c.name_fr if lang == "fr" else c.name_en) for c in cities]

    def to_input(self) -> FollowUpInput:
        status = FollowUpStatus(self.status.data) if self.status.data in {s.value for s in FollowUpStatus} else None
        return FollowUpInput(city_id=self.city_id.data, status=status, note=self.note.data or "",
                             noted_on=self.noted_on.data, action_url=self.action_url.data or "")
