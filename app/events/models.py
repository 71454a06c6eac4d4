import enum
import re
import unicodedata
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import utcnow, value_enum
from app.extensions import db


class CityKind(enum.StrEnum):
    CITY = "city"
    NETWORK = "network"


class EventState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class EventFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    DIGITAL = "digital"
    HYBRID = "hybrid"


def shown_place(venue: str, event_format: EventFormat) -> str:
    """The venue an event of this format shows (see Event.place)."""
    return "" if event_format is EventFormat.DIGITAL else (venue or "").strip()


def city_slug(name: str) -> str:
    """A city's address in /cities/<slug>: its English name in lower-case ASCII ("Tangier" →
    "tangier", "Saint-Étienne" → "saint-etienne")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:120] or "city"


def _default_city_slug(context) -> str:
    return city_slug(context.get_current_parameters()["name_en"])


class City(db.Model):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(String(120), unique=True)
    # Stored, not derived on each request: set from the English name when the city is added and kept
    # when the name is corrected, so that links to /cities/<slug> stay valid (migration 0090).
    slug: Mapped[str] = mapped_column(String(120), unique=True, index=True, default=_default_city_slug)
    name_fr: Mapped[str] = mapped_column(String(120))
    country_code: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    kind: Mapped[CityKind] = mapped_column(value_enum(CityKind), default=CityKind.CITY)

    events = relationship("Event", back_populates="host_city")
    organisers = relationship("User", back_populates="city")

    def __repr__(self) -> str:
        return f"<City {self.name_en}>"


class PolicyArea(db.Model):
    __tablename__ = "policy_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(40))


event_policy_areas = Table(
    "event_policy_areas",
    db.metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_area_id", Integer, ForeignKey("policy_areas.id", ondelete="CASCADE"), primary_key=True),
)


class FacilitatorAssignment(db.Model):
    __tablename__ = "facilitator_assignments"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(db.Model):
    __tablename__ = "events"

    BILINGUAL_FIELDS = ("theme", "summary")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    theme_en: Mapped[str] = mapped_column(String(300), default="")
    theme_fr: Mapped[str] = mapped_column(String(300), default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    summary_fr: Mapped[str] = mapped_column(Text, default="")
    host_city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    # Some past events are known only by their month; their pages say so instead of inventing days.
    month_only: Mapped[bool] = mapped_column(default=False)
    format: Mapped[EventFormat] = mapped_column(value_enum(EventFormat), default=EventFormat.IN_PERSON)
    venue: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column()
    registration_opens_at: Mapped[datetime | None] = mapped_column()
    registration_closes_at: Mapped[datetime | None] = mapped_column()
    state: Mapped[EventState] = mapped_column(value_enum(EventState), default=EventState.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    host_city = relationship("City", back_populates="events")
    policy_areas = relationship("PolicyArea", secondary=event_policy_areas, order_by="PolicyArea.id")
    facilitators = relationship("User", secondary="facilitator_assignments", back_populates="facilitated_events",
                                order_by="User.name")
    state_changes = relationship("EventStateChange", back_populates="event", order_by="EventStateChange.id",
                                 cascade="all, delete-orphan")

    @property
    def timezone(self) -> str:
        return self.host_city.timezone

    @property
    def is_public(self) -> bool:
        return self.state is not EventState.DRAFT

    @property
    def place(self) -> str:
        """The venue as pages, emails and calendars give it: none for an event held online only.
        What the organiser typed stays in `venue`, so that switching back to meeting in person
        restores it."""
        return shown_place(self.venue, self.format)

    def venue_address(self, city: str) -> str:
        """The venue followed by the host city's name (as the reader names it), unless the venue
        already ends with it ("Hôtel de Ville, 1 place de la Comédie, Lyon"); the city alone for an
        event held online only."""
        venue = self.place.rstrip(",")
        if not venue or venue.casefold().endswith(city.casefold()):
            return venue or city
        return f"{venue}, {city}"

    def __repr__(self) -> str:
        return f"<Event {self.slug} {self.state}>"


class EventStateChange(db.Model):
    """The lifecycle history of an event: who moved it, from where to where, when."""

    __tablename__ = "event_state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[EventState] = mapped_column(value_enum(EventState))
    to_state: Mapped[EventState] = mapped_column(value_enum(EventState))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship("Event", back_populates="state_changes")
    actor = relationship("User")

