"""Reads for the note's pages, each one or two queries."""

from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload

from app.events.models import Event, EventState
from app.extensions import db
from app.learning_note.models import Note, NoteVersion


def note_of(event: Event) -> Note | None:
    return db.session.scalar(select(Note).options(joinedload(Note.edited_by), joinedload(Note.generated_by))
                             .where(Note.event_id == event.id))


def versions_of(event: Event) -> list[NoteVersion]:
    """Every published version, the latest first (without their content)."""
    return list(db.session.scalars(
        select(NoteVersion).options(defer(NoteVersion.content), joinedload(NoteVersion.published_by))
        .where(NoteVersion.event_id == event.id).order_by(NoteVersion.number.desc())))


def _version_query(with_content: bool):
    query = select(NoteVersion)
    return query if with_content else query.options(defer(NoteVersion.content))


def latest_version(event: Event, with_content: bool = True) -> NoteVersion | None:
    """The latest published version. `with_content` False: its content is read only if used (a
    kept file is served without it)."""
    return db.session.scalar(_version_query(with_content).where(NoteVersion.event_id == event.id)
                             .order_by(NoteVersion.number.desc()).limit(1))


def version_of(event: Event, number: int, with_content: bool = True) -> NoteVersion | None:
    return db.session.scalar(_version_query(with_content).where(NoteVersion.event_id == event.id,
                                                                NoteVersion.number == number))


def latest_number(event: Event) -> int:
    return db.session.scalar(select(func.max(NoteVersion.number)).where(NoteVersion.event_id == event.id)) or 0


def library_counts() -> dict[str, int]:
    """Published notes of public events, and the corrections made to them."""
    public = select(Event.id).where(Event.state != EventState.DRAFT)
    notes, versions = db.session.execute(
        select(func.count(func.distinct(NoteVersion.event_id)), func.count(NoteVersion.id))
        .where(NoteVersion.event_id.in_(public))).one()
    return {"notes": notes, "corrections": versions - notes}
