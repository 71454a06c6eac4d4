"""Generating, writing and publishing the learning note. Flush, never commit.

- `generate`: the captured parts, built again from the capture stage's data; the written parts
  are never touched.
- `save_narrative`: the written parts. Every save names the `edit_version` it started from and
  the digest of each part as it was then. A save from an older version keeps what the other person
  saved: it writes only the parts this person changed, and refuses (changing nothing) when both
  changed the same part differently. The write itself is one conditional UPDATE, so that two saves
  at the same instant cannot both pass.
- `publish`: freezes the draft into a new version (the first, or a correction with its dated line)
  and announces it; the page, PDF and Word document of each version stay readable.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.permissions import can_manage_event, can_view_workspace
from app.db_types import utcnow
from app.domain import Checks, DomainError, PermissionDenied
from app.events.models import Event, EventState
from app.events.services import touch
from app.extensions import db
from app.learning_note import content
from app.learning_note.models import LANGUAGES, NARRATIVE_FIELDS, Note, NoteVersion
from app.learning_note.queries import note_of
from app.learning_note.signals import note_published

PART_MAX_LENGTH = 20_000
CHANGE_MAX_LENGTH = 500
# NUL and the other control characters (tab and line ends aside) and lone surrogates: PostgreSQL
# cannot store a NUL, and none of them belongs in a text (the same rule as the app's form checks).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
UNSAFE_TEXT = _l("This contains a character that cannot be saved (a control character). Remove it and try again.")


def _check_text(field_name: str, text: str) -> None:
    if _UNSAFE.search(text):
        raise DomainError(UNSAFE_TEXT, field=field_name)


def can_edit_note(user, event: Event) -> bool:
    """The event's organisers, administrators and its assigned facilitators write the note."""
    return can_view_workspace(user, event)


def can_publish_note(user, event: Event) -> bool:
    return can_manage_event(user, event)


def _require_editor(actor, event: Event) -> None:
    if actor is not None and not can_edit_note(actor, event):
        raise PermissionDenied(_l("Only the organisers and facilitators of this event can work on its learning note."))


def digest(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()[:16]


def normalise(text: str | None) -> str:
    """What a textarea sent, as it is stored: Unix line ends, no trailing spaces at either end."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


# --- Generation --------------------------------------------------------------------------------


def note_for(event: Event) -> Note:
    """The event's note, created empty the first time."""
    note = note_of(event)
    if note is None:
        note = Note(event_id=event.id, captured="{}", generation=0, edit_version=0)
        for name in NARRATIVE_FIELDS:
            setattr(note, name, "")
        db.session.add(note)
        db.session.flush()
    return note


def generate(actor, event: Event, now: datetime | None = None) -> Note:
    """Build the captured parts again from what the capture stage holds now. `actor` None: the
    app itself (the event has just finished)."""
    _require_editor(actor, event)
    if event.state is EventState.CANCELLED:
        raise DomainError(_l("This event was cancelled: it has no learning note."))
    now = now or utcnow()
    note = note_for(event)
    note.captured = content.dumps(content.build_captured(event, now))
    note.generation = (note.generation or 0) + 1
    note.generated_at = now
    note.generated_by_id = getattr(actor, "id", None)
    db.session.flush()
    return note


# --- The written parts ---------------------------------------------------------------------------


class EditConflict(DomainError):
    """Someone else saved the same part(s) differently since this person opened the editor.
    `parts`: the field names that clash; `note`: the note as it is now."""

    def __init__(self, message, parts=(), note: Note | None = None):
        super().__init__(message)
        self.parts = tuple(parts)
        self.note = note


@dataclass
class NarrativeInput:
    values: dict[str, str]  # field name (foreword_en…) → Markdown
    base_version: int  # the edit_version the editor was opened at
    base_digests: dict[str, str] = field(default_factory=dict)  # field name → digest() of its text then


@dataclass(frozen=True)
class SaveResult:
    note: Note
    saved: tuple[str, ...]  # the fields written
    merged: bool  # saved over a newer version, keeping the other person's parts


def save_narrative(actor, event: Event, data: NarrativeInput, now: datetime | None = None) -> SaveResult:
    _require_editor(actor, event)
    if event.state is EventState.CANCELLED:
        raise DomainError(_l("This event was cancelled: it has no learning note."))
    values = {name: normalise(data.values.get(name)) for name in NARRATIVE_FIELDS}
    checks = Checks()
    for name, text in values.items():
        checks.run(lambda name=name, text=text: _check_text(name, text))
        if len(text) > PART_MAX_LENGTH:
            checks.refuse(_l("This part is too long (at most %(count)d characters).", count=PART_MAX_LENGTH),
                          field=name)
    checks.raise_any()
    note = note_for(event)
    current = {name: getattr(note, name) or "" for name in NARRATIVE_FIELDS}
    # Without the digests of what the editor started from, every part counts as changed by this person.
    mine = {name for name in NARRATIVE_FIELDS
            if data.base_digests.get(name) is None or digest(values[name]) != data.base_digests[name]}
    mine = {name for name in mine if values[name] != current[name]}
    merged = False
    if data.base_version != note.edit_version:
        theirs = {name for name in NARRATIVE_FIELDS
                  if data.base_digests.get(name) is None or digest(current[name]) != data.base_digests[name]}
        clashes = sorted(mine & theirs, key=NARRATIVE_FIELDS.index)
        if clashes:
            raise EditConflict(_l("Someone else saved this note while you were writing, and changed the same "
                                  "parts. Nothing of yours was saved yet: your text is still in the form. Compare "
                                  "it with theirs (shown under each part), keep what you both need and save again."),
                               parts=clashes, note=note)
        merged = bool(mine)
    if not mine:
        return SaveResult(note, (), False)
    now = now or utcnow()
    written = db.session.execute(
        update(Note).where(Note.id == note.id, Note.edit_version == note.edit_version)
        .values(**{name: values[name] for name in mine}, edit_version=Note.edit_version + 1, edited_at=now,
                edited_by_id=getattr(actor, "id", None))
        .execution_options(synchronize_session=False))
    if written.rowcount != 1:
        raise EditConflict(_l("Someone else saved this note at the same moment. Your text is still in the form: "
                              "save it again."), note=note)
    db.session.refresh(note)
    return SaveResult(note, tuple(sorted(mine, key=NARRATIVE_FIELDS.index)), merged)


# --- Publishing --------------------------------------------------------------------------------


@dataclass
class PublishInput:
    seen_edit_version: int  # the note as the organiser saw it before publishing
    seen_generation: int
    change_en: str = ""
    change_fr: str = ""
    confirm_untranslated: bool = False


def publish(actor, event: Event, data: PublishInput, now: datetime | None = None, *,
            announce: bool = True) -> NoteVersion:
    """Freeze the draft as the next version. `announce` False: no email (the demo data)."""
    if actor is not None and not can_publish_note(actor, event):
        raise PermissionDenied(_l("Only the organisers of this event's host city can publish its learning note."))
    if event.state is not EventState.FINISHED:
        raise DomainError(_l("The learning note is published once the event is finished."))
    note = note_of(event)
    if note is None or not note.generation:
        raise DomainError(_l("Generate the note from what the meeting produced before publishing it."))
    if data.seen_edit_version != note.edit_version or data.seen_generation != note.generation:
        raise DomainError(_l("The note has changed since you opened this page (someone saved or regenerated it). "
                             "Check it below and publish again."))
    draft = content.draft_content(note, event)
    untranslated = content.untranslated_recommendations(draft)
    if untranslated and not data.confirm_untranslated:
        raise DomainError(
            _l("%(count)d final recommendations lack their English or French version (numbers %(ranks)s). "
               "Translate them in the capture console and generate the note again, or confirm that you publish "
               "them untranslated.", count=len(untranslated), ranks=", ".join(str(rank) for rank in untranslated)),
            field="confirm_untranslated")
    changes = {lang: normalise(getattr(data, f"change_{lang}")) for lang in LANGUAGES}
    for lang, text in changes.items():
        _check_text(f"change_{lang}", text)
        if len(text) > CHANGE_MAX_LENGTH or "\n" in text:
            raise DomainError(_l("Say what changed in one line (at most %(count)d characters).",
                                 count=CHANGE_MAX_LENGTH), field=f"change_{lang}")
    now = now or utcnow()
    previous = list(db.session.scalars(select(NoteVersion).where(NoteVersion.note_id == note.id)
                                       .order_by(NoteVersion.number)))
    number = (previous[-1].number if previous else 0) + 1
    if number > 1 and not any(changes.values()):
        raise DomainError(_l("Say what this correction changes: readers see that line, dated, on every version."),
                          field="change_en")
    history = [_change_line(event, version) for version in previous if version.number > 1]
    if number > 1:
        history.append({"number": number, "date": _local_day(event, now), "text": changes})
    frozen = content.freeze(note, event, number=number, published_at=now, changes=history)
    version = NoteVersion(note_id=note.id, event_id=event.id, number=number, content=content.dumps(frozen),
                          change_en=changes["en"], change_fr=changes["fr"],
                          untranslated_confirmed=bool(untranslated), published_at=now,
                          published_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError:
        raise DomainError(_l("Someone else published this note at the same moment. Check the published version "
                             "before publishing again.")) from None
    touch(event)
    db.session.flush()
    if announce:
        note_published.send(event, version=version)
    return version


def _local_day(event: Event, instant: datetime) -> str:
    from app.timezones import utc_to_local

    return utc_to_local(instant, event.timezone).date().isoformat()


def _change_line(event: Event, version: NoteVersion) -> dict:
    return {"number": version.number, "date": _local_day(event, version.published_at),
            "text": {"en": version.change_en, "fr": version.change_fr}}


def published_count(event: Event) -> int:
    return db.session.scalar(select(func.count(NoteVersion.id)).where(NoteVersion.event_id == event.id)) or 0
