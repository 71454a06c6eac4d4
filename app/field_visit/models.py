"""The field visit's tables: visits, their stops, the place counter of each visit, and who signs up.

A visit's time and meeting point are its own (`meets_at`, `returns_at`, `meeting_point`): the
agenda slot it fills (`agenda_item_id`, the template's "Field visit" item) shows the visit instead
of a second copy of it (see app/field_visit/stage.py, `agenda_slots`)."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import utcnow, value_enum
from app.extensions import db


class FieldVisit(db.Model):
    __tablename__ = "field_visits"

    BILINGUAL_FIELDS = ("title", "description", "accessibility", "what_to_bring")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # The agenda slot the visit fills; one visit per slot (parallel visits: slots in parallel tracks).
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"),
                                                       unique=True)
    title_en: Mapped[str] = mapped_column(String(300), default="")
    title_fr: Mapped[str] = mapped_column(String(300), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    # One organisation a line; the contact person is for the organisers and the group's handout.
    host_organisations: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    meeting_point: Mapped[str] = mapped_column(String(300), default="")
    meeting_address: Mapped[str] = mapped_column(String(300), default="")
    meets_at: Mapped[datetime] = mapped_column()
    returns_at: Mapped[datetime] = mapped_column()
    return_place: Mapped[str] = mapped_column(String(300), default="")
    transport: Mapped[str] = mapped_column(String(300), default="")
    # Language codes, comma-separated ("en,fr,it").
    guide_languages: Mapped[str] = mapped_column(String(100), default="")
    accessibility_en: Mapped[str] = mapped_column(Text, default="")
    accessibility_fr: Mapped[str] = mapped_column(Text, default="")
    what_to_bring_en: Mapped[str] = mapped_column(Text, default="")
    what_to_bring_fr: Mapped[str] = mapped_column(Text, default="")
    meal_included: Mapped[bool] = mapped_column(default=False)
    # None: no limit. `reserved` of them are held back for the host city's own people.
    capacity: Mapped[int | None] = mapped_column()
    reserved: Mapped[int] = mapped_column(default=0)
    # A digital event's visit: a video or a virtual tour (https) instead of places.
    online_url: Mapped[str] = mapped_column(String(500), default="")
    signup_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship("Event")
    agenda_item = relationship("AgendaItem")
    stops = relationship("FieldVisitStop", back_populates="visit", order_by="FieldVisitStop.position",
                         cascade="all, delete-orphan")

    @property
    def places(self) -> int | None:
        """The places participants can sign up for: the capacity less those held back."""
        return None if self.capacity is None else max(0, self.capacity - (self.reserved or 0))

    @property
    def is_virtual(self) -> bool:
        return bool(self.online_url)

    @property
    def languages(self) -> list[str]:
        return [code for code in self.guide_languages.split(",") if code]

    @property
    def organisations(self) -> list[str]:
        return [line.strip() for line in self.host_organisations.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<FieldVisit {self.id} {self.meets_at:%Y-%m-%d %H:%M}Z>"


class FieldVisitStop(db.Model):
    """One stop of a visit, in order: where, what is shown there, who receives the group, when."""

    __tablename__ = "field_visit_stops"

    BILINGUAL_FIELDS = ("shown",)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("field_visits.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    place: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(300), default="")
    shown_en: Mapped[str] = mapped_column(Text, default="")
    shown_fr: Mapped[str] = mapped_column(Text, default="")
    received_by: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime | None] = mapped_column()

    visit = relationship("FieldVisit", back_populates="stops")


class VisitPlaces(db.Model):
    """How many places of a visit are held (confirmed or offered). Taken only by `UPDATE … SET taken =
    taken + 1 WHERE … AND taken < places`: one atomic statement, on SQLite and PostgreSQL alike."""

    __tablename__ = "field_visit_places"

    visit_id: Mapped[int] = mapped_column(ForeignKey("field_visits.id", ondelete="CASCADE"), primary_key=True)
    taken: Mapped[int] = mapped_column(default=0)


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"  # holds a place
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # a freed place is held for them until offer_expires_at
    LEFT = "left"  # gave the place up, or lost it (see ended_reason)


PLACE_HOLDING = (SignupStatus.CONFIRMED, SignupStatus.OFFERED)
ACTIVE_SIGNUP = (*PLACE_HOLDING, SignupStatus.WAITLISTED)


class EndReason(enum.StrEnum):
    """Why a sign-up ended: what the participant is told."""

    CHANGED_MIND = "changed_mind"
    REGISTRATION_CANCELLED = "registration_cancelled"
    WAITLISTED = "waitlisted"  # the registration went back to the waiting list
    ONLINE = "online"  # switched to attending online
    ERASED = "erased"
    OFFER_EXPIRED = "offer_expired"
    VISITS_OVERLAP = "visits_overlap"  # an organiser moved a visit onto another they signed up for first


class VisitSignup(db.Model):
    __tablename__ = "field_visit_signups"
    __table_args__ = (
        UniqueConstraint("visit_id", "registration_id", name="uq_field_visit_signups_visit_id_registration_id"),
        Index("ix_field_visit_signups_visit_status", "visit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("field_visits.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    status: Mapped[SignupStatus] = mapped_column(value_enum(SignupStatus))
    queued_at: Mapped[datetime | None] = mapped_column()
    offer_expires_at: Mapped[datetime | None] = mapped_column()
    ended_reason: Mapped[EndReason | None] = mapped_column(value_enum(EndReason, length=30))
    checked_in_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    visit = relationship("FieldVisit")
    registration = relationship("Registration")

    @property
    def holds_place(self) -> bool:
        return self.status in PLACE_HOLDING

    def __repr__(self) -> str:
        return f"<VisitSignup {self.id} {self.status}>"
