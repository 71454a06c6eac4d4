import enum
from dataclasses import dataclass
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
    def shown_presenters(self) -> list["ShownPresenter"]:
        """The presenters as the public sees them: never an email, nothing of an erased participant."""
        return [shown for presenter in self.presenters if (shown := presenter.shown) is not None]

    @property
    def place(self) -> str:
        """Where it happens, as the change log records it: the room, else the online link."""
        return self.room or self.online_url

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} {self.kind} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class AgendaPresenter(db.Model):
    """Who presents an item: a registered participant of the event, or a name with organisation and
    city (and an email to reach them).

    A linked presenter (`registration_id`) keeps no copy of the participant's details: the name,
    organisation and city shown are the registration's current ones, and nothing is shown once the
    participant's personal data is erased. The free-text columns are left empty for them.
    """

    __tablename__ = "agenda_presenters"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"),
                                                        index=True)

    item = relationship("AgendaItem", back_populates="presenters")
    registration = relationship("Registration")

    @property
    def shown(self) -> "ShownPresenter | None":
        """What the agenda, its feeds and emails may show of this presenter; None when nothing
        (a participant whose personal data was erased)."""
        if self.registration_id is not None:
            registration = self.registration
            if registration is None or registration.is_erased or not registration.name:
                return None
            return ShownPresenter(registration.name, registration.organisation, registration.city)
        if not self.name:
            return None
        return ShownPresenter(self.name, self.organisation, self.city)


@dataclass(frozen=True)
class ShownPresenter:
    name: str
    organisation: str = ""
    city: str = ""


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


def overlapping_ids(items: list[AgendaItem]) -> set[int]:
    """Items that overlap another item of the same track."""
    found: set[int] = set()
    by_track: dict[str, list[AgendaItem]] = {}
    for item in items:
        by_track.setdefault(item.track.strip().lower(), []).append(item)
    for track_items in by_track.values():
        track_items.sort(key=lambda i: (i.starts_at, i.id or 0))
        latest_end = None
        latest = None
        for item in track_items:
            if latest_end is not None and item.starts_at < latest_end:
                found.update({item.id, latest.id})
            if latest_end is None or item.ends_at > latest_end:
                latest_end, latest = item.ends_at, item
    return found


class RemovedItem(db.Model):
    """A removed agenda item, kept for a short while so that the organiser can undo the removal:
    its copy (JSON: its columns and presenters, as `services.restore_item` puts them back), the
    change log entry and the messages the removal caused (withdrawn on undo if they have not left)."""

    __tablename__ = "agenda_removed_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column()  # the id it had, taken again on undo while still free
    snapshot: Mapped[str] = mapped_column(Text)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_changes.id", ondelete="SET NULL"))
    message_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of outbox ids
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    restored_at: Mapped[datetime | None] = mapped_column()
