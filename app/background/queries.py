"""Reads for the background pages."""

from sqlalchemy import select

from app.background.models import BackgroundDocument
from app.events.models import Event
from app.extensions import db


def document_of(event: Event) -> BackgroundDocument | None:
    return db.session.scalar(select(BackgroundDocument).where(BackgroundDocument.event_id == event.id))


def published_event_ids(event_ids: list[int]) -> set[int]:
    """Which of these events have a published background document (one query for a whole list)."""
    if not event_ids:
        return set()
    return set(db.session.scalars(
        select(BackgroundDocument.event_id)
        .where(BackgroundDocument.event_id.in_(event_ids), BackgroundDocument.published_at.is_not(None))
    ))
