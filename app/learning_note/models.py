"""The thematic learning note: one draft per event, and the versions published from it.

One content model. The draft (`Note`) holds the parts the meeting produced, generated from the
capture stage's data and stored as JSON (`captured`, replaced whole at each regeneration), and the
parts people write (`<part>_<lang>`, Markdown), which regeneration never touches. Publishing
freezes both, with the event's facts, into a `NoteVersion` (`content`, JSON): the page, the PDF
and the Word document of a version all render from that one structure (app/learning_note/content.py).

Two people editing at once: every save of the written parts names the `edit_version` it started
from and raises it by one conditional UPDATE; a save from an older version keeps what the other
person saved (app/learning_note/services.py).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import utcnow
from app.extensions import db

LANGUAGES = ("en", "fr")
# The parts organisers and facilitators write, in the order the note shows them.
NARRATIVE_PARTS = ("foreword", "executive_summary", "key_messages", "next_steps")
NARRATIVE_FIELDS = tuple(f"{part}_{lang}" for part in NARRATIVE_PARTS for lang in LANGUAGES)


class Note(db.Model):
    __tablename__ = "learning_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)

    foreword_en: Mapped[str] = mapped_column(Text, default="")
    foreword_fr: Mapped[str] = mapped_column(Text, default="")
    executive_summary_en: Mapped[str] = mapped_column(Text, default="")
    executive_summary_fr: Mapped[str] = mapped_column(Text, default="")
    key_messages_en: Mapped[str] = mapped_column(Text, default="")
    key_messages_fr: Mapped[str] = mapped_column(Text, default="")
    next_steps_en: Mapped[str] = mapped_column(Text, default="")
    next_steps_fr: Mapped[str] = mapped_column(Text, default="")
    # Raised by every save of the written parts: a save that started from an older one is checked.
    edit_version: Mapped[int] = mapped_column(default=0)
    edited_at: Mapped[datetime | None] = mapped_column()
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    # What the meeting produced, as the last generation found it (JSON: content.build_captured).
    captured: Mapped[str] = mapped_column(Text, default="{}")
    generation: Mapped[int] = mapped_column(default=0)
    generated_at: Mapped[datetime | None] = mapped_column()
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship("Event")
    edited_by = relationship("User", foreign_keys=[edited_by_id])
    generated_by = relationship("User", foreign_keys=[generated_by_id])

    def __repr__(self) -> str:
        return f"<Note event={self.event_id} edit={self.edit_version} generation={self.generation}>"


class NoteVersion(db.Model):
    """A published version, frozen: its whole content, when and by whom, and (from the second on)
    the dated line saying what it corrects."""

    __tablename__ = "learning_note_versions"
    __table_args__ = (
        UniqueConstraint("note_id", "number", name="uq_learning_note_versions_note_id_number"),
        Index("ix_learning_note_versions_event_number", "event_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("learning_notes.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    content: Mapped[str] = mapped_column(Text)
    change_en: Mapped[str] = mapped_column(Text, default="")
    change_fr: Mapped[str] = mapped_column(Text, default="")
    # The organiser published although some final recommendations lacked a translation.
    untranslated_confirmed: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    published_by = relationship("User")

    def __repr__(self) -> str:
        return f"<NoteVersion event={self.event_id} v{self.number}>"


class NoteFile(db.Model):
    """A rendered PDF or Word document of a published version in one language, kept so that a
    version is rendered once. `fingerprint` covers what may still change in a frozen version: the
    names of the participants who (still) agree to be listed."""

    __tablename__ = "learning_note_files"

    version_id: Mapped[int] = mapped_column(ForeignKey("learning_note_versions.id", ondelete="CASCADE"),
                                            primary_key=True)
    lang: Mapped[str] = mapped_column(String(2), primary_key=True)
    format: Mapped[str] = mapped_column(String(8), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
