"""Registrations, the seat counters that keep events from being overbooked, settings per event,
and the attempts the public form's rate limit counts."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import utcnow, value_enum
from app.extensions import db


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"  # waits for the organiser's approval (moderated events)
    CONFIRMED = "confirmed"  # holds a seat
    WAITLISTED = "waitlisted"  # in the queue for a seat
    OFFERED = "offered"  # a seat is held for them until offer_expires_at
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # let an offered seat go by without accepting it


# The statuses that hold a seat in a SeatPool.
SEAT_HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
# The statuses of someone still hoping to attend.
ACTIVE = (*SEAT_HOLDING, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING)


class AttendanceMode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


class PromotionPolicy(enum.StrEnum):
    AUTOMATIC = "automatic"  # the first on the waiting list gets the freed seat at once
    OFFER = "offer"  # the first on the waiting list is offered the seat, to accept within a set time


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "email", name="uq_registrations_event_id_email"),
        Index("ix_registrations_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # Personal data; emptied (email set to NULL) when it is erased or the retention period ends.
    email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    country_code: Mapped[str] = mapped_column(String(2), default="")
    preferred_language: Mapped[str] = mapped_column(String(2), default="en")
    attendance: Mapped[AttendanceMode] = mapped_column(value_enum(AttendanceMode), default=AttendanceMode.IN_PERSON)
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    consent_processing_at: Mapped[datetime] = mapped_column()
    consent_public_list: Mapped[bool] = mapped_column(default=False)

    status: Mapped[RegistrationStatus] = mapped_column(value_enum(RegistrationStatus))
    # Order on the waiting list: when they joined it.
    queued_at: Mapped[datetime | None] = mapped_column()
    offer_expires_at: Mapped[datetime | None] = mapped_column()
    checked_in_at: Mapped[datetime | None] = mapped_column()
    # Random; changing it revokes every link sent before.
    token_version: Mapped[str] = mapped_column(String(32))
    erased_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event = relationship("Event")

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"


class SeatPool(db.Model):
    """How many seats of one attendance mode of one event are held (confirmed or offered).

    Seats are taken only by `UPDATE seat_pools SET taken = taken + 1 WHERE … AND taken < capacity`,
    one atomic statement that the database serialises on SQLite and PostgreSQL alike, so that
    simultaneous registrations never take more seats than there are."""

    __tablename__ = "seat_pools"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    attendance: Mapped[AttendanceMode] = mapped_column(value_enum(AttendanceMode), primary_key=True)
    taken: Mapped[int] = mapped_column(default=0)


class RegistrationSettings(db.Model):
    """The organiser's choices for an event's registration. An event without a row uses the defaults."""

    __tablename__ = "registration_settings"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    moderated: Mapped[bool] = mapped_column(default=False)
    promotion: Mapped[PromotionPolicy] = mapped_column(value_enum(PromotionPolicy), default=PromotionPolicy.AUTOMATIC)
    offer_hours: Mapped[int] = mapped_column(default=48)
    # Hybrid events: places for online participants (None: no limit). In-person places are the
    # event's capacity.
    online_capacity: Mapped[int | None] = mapped_column()
    public_list: Mapped[bool] = mapped_column(default=True)
