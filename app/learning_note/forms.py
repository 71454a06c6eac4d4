import json

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from app.forms import FlaskForm
from app.learning_note.labels import LANGUAGE_LABELS, PART_HINTS, PART_LABELS
from app.learning_note.models import LANGUAGES, NARRATIVE_FIELDS, NARRATIVE_PARTS, Note
from app.learning_note.services import NarrativeInput, PublishInput, digest

MARKDOWN_HINT = _l("Markdown: ## heading, **bold**, *italic*, - lists, [link](https://…).")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class NarrativeForm(FlaskForm):
    """The written parts, side by side in both languages. `base_version` and `base_digests` say what
    the editor was opened on, so that a save over someone else's is merged or refused."""

    base_version = HiddenField()
    base_digests = HiddenField()

    def fill_from(self, note: Note | None) -> None:
        for name in NARRATIVE_FIELDS:
            getattr(self, name).data = getattr(note, name) if note is not None else ""
        self.set_base(note)

    def set_base(self, note: Note | None) -> None:
        self.base_version.data = str(note.edit_version if note is not None else 0)
        self.base_digests.data = json.dumps(
            {name: digest(getattr(note, name) if note is not None else "") for name in NARRATIVE_FIELDS})

    def parts(self):
        """(part, its label, its hint, [its field per language])."""
        return [(part, PART_LABELS[part], PART_HINTS[part], [getattr(self, f"{part}_{lang}") for lang in LANGUAGES])
                for part in NARRATIVE_PARTS]

    def to_input(self) -> NarrativeInput:
        try:
            digests = json.loads(self.base_digests.data or "{}")
        except ValueError:
            digests = {}
        if not isinstance(digests, dict):
            digests = {}
        return NarrativeInput(values={name: getattr(self, name).data or "" for name in NARRATIVE_FIELDS},
                              base_version=_int(self.base_version.data),
                              base_digests={k: v for k, v in digests.items() if isinstance(v, str)})


for _part in NARRATIVE_PARTS:
    for _lang in LANGUAGES:
        setattr(NarrativeForm, f"{_part}_{_lang}", TextAreaField(
            _l("%(part)s in %(language)s", part=PART_LABELS[_part], language=LANGUAGE_LABELS[_lang]),
            description=MARKDOWN_HINT, render_kw={"lang": _lang, "spellcheck": "true"}))


class PublishForm(FlaskForm):
    seen_edit_version = HiddenField()
    seen_generation = HiddenField()
    change_en = StringField(_l("What this correction changes, in English"),
                            description=_l("One line, shown with today's date on every version of the note."))
    change_fr = StringField(_l("What this correction changes, in French"),
                            description=_l("One line, shown with today's date on every version of the note."))
    confirm_untranslated = BooleanField(_l("Publish the recommendations that are not translated as they are"))

    def fill_from(self, note: Note) -> None:
        self.seen_edit_version.data = str(note.edit_version)
        self.seen_generation.data = str(note.generation)

    def to_input(self) -> PublishInput:
        return PublishInput(seen_edit_version=_int(self.seen_edit_version.data),
                            seen_generation=_int(self.seen_generation.data),
                            change_en=self.change_en.data or "", change_fr=self.change_fr.data or "",
                            confirm_untranslated=bool(self.confirm_untranslated.data))
