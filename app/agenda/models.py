import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import utcnow, value_enum
from app.extensions import db


class ItemKind(enum.StrEnum):
    OPENING = "opening"
    CHALLENGES = "challenges"
    LOCAL_SOLUTIONS = "local_solutions"
    FIELD_VISIT = "field_visit"
    RECOMMENDATIONS = "recommendations"
    CLOSING = "closing"
    SESSION = "session"
    BREAK = "break"


class AgendaItem(db.Model):
    """One slot of an event's agenda. Times are UTC instants, entered and shown in the event's zone."""

    __tablename__ = "agenda_items"

    BILINGUAL_FIELDS = ("title", "description")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ItemKind] = mapped_column(value_enum(ItemKind), default=ItemKind.SESSION)
    title_en: Mapped[str] = mapped_column(String(300), default="")
    title_fr: Mapped[str] = mapped_column(String(300), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column()
    # Items of one track should not overlap; parallel sessions go in different tracks.
    track: Mapped[str] = mapped_column(String(80), default="")
    room: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    # iCalendar SEQUENCE: raised whenever the time or the place changes, so calendars update.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship("Event")
    presenters = relationship("AgendaPresenter", back_populates="item", order_by="AgendaPresenter.position",
                              cascade="all, delete-orphan")

    @property
    def place(self) -> str:
        """Where it happens, as the change log records it: the room, else the online link."""
        return self.room or self.online_url

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} {self.kind} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class AgendaPresenter(db.Model):
    """Who presents an item: a name with organisation and city (and an email to reach them).

    A presenter may later be linked to a registered participant; the registration stage adds that.
    """

    __tablename__ = "agenda_presenters"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")

    item = relationship("AgendaItem", back_populates="presenters")


class ChangeAction(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    RESCHEDULED = "rescheduled"
    MOVED = "moved"
    UPDATED = "updated"


class AgendaChange(db.Model):
    """A change to the agenda of an open event, as the agenda page lists it. Titles and times are
    copied, so that the entry still reads right after the item changes again or is removed."""

    __tablename__ = "agenda_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    action: Mapped[ChangeAction] = mapped_column(value_enum(ChangeAction))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    title_fr: Mapped[str] = mapped_column(String(300), default="")
    old_starts_at: Mapped[datetime | None] = mapped_column()
    new_starts_at: Mapped[datetime | None] = mapped_column()
    old_place: Mapped[str] = mapped_column(String(500), default="")
    new_place: Mapped[str] = mapped_column(String(500), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
