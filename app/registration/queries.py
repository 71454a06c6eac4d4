"""Reads that registration pages and rules need; each a fixed number of queries however many
registrations. Other stages' pages under `/r/<token>/…` read the participant with
`participant_from_token` (see app/registration/__init__.py)."""

import enum
from dataclasses import dataclass, field
from datetime import datetime

from flask import Response, abort, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, func, or_, select

from app.auth.services import normalise_email
from app.db_types import utcnow
from app.events.models import Event, EventFormat, EventState
from app.extensions import db
from app.forms import unsafe_text
from app.i18n import alphabetical
from app.page_cache import time_bucket
from app.registration import tokens
from app.registration.models import (
    ACTIVE,
    AttendanceMode,
    PromotionPolicy,
    Registration,
    RegistrationSettings,
    RegistrationStatus,
    SeatPool,
)

S = RegistrationStatus


# --- The participant's private link --------------------------------------------------------


def participant_from_token(token: str) -> Registration:
    """The registration a participant's link opens. A bad link ends the request with the bad-link
    page, kept out of caches: 410 when the link has expired, 404 when it is forged, unknown or
    revoked."""
    try:
        return tokens.read_token(token)
    except tokens.BadLink as bad:
        code = 410 if bad.problem is tokens.LinkProblem.EXPIRED else 404
        abort(tokens.private_page(Response(render_template("registration/bad_link.html", problem=bad.problem), code)))


# --- The registration window ---------------------------------------------------------------


class Availability(enum.StrEnum):
    OPEN = "open"
    NOT_YET = "not_yet"  # the window opens later
    ENDED = "ended"  # the window has closed, the event is still open
    CLOSED = "closed"  # the organisers closed registration
    FINISHED = "finished"
    CANCELLED = "cancelled"
    DRAFT = "draft"


def availability(event: Event, now: datetime | None = None) -> Availability:
    now = now or utcnow()
    if event.state is EventState.DRAFT:
        return Availability.DRAFT
    if event.state is EventState.CANCELLED:
        return Availability.CANCELLED
    if event.state is EventState.FINISHED:
        return Availability.FINISHED
    if event.state is EventState.CLOSED:
        return Availability.CLOSED
    if event.registration_opens_at and now < event.registration_opens_at:
        return Availability.NOT_YET
    if event.registration_closes_at and now >= event.registration_closes_at:
        return Availability.ENDED
    return Availability.OPEN


CLOSED_MESSAGES = {
    Availability.NOT_YET: _l("Registration for this event has not opened yet."),
    Availability.ENDED: _l("Registration for this event has ended."),
    Availability.CLOSED: _l("The organisers have closed registration for this event."),
    Availability.FINISHED: _l("This event is over."),
    Availability.CANCELLED: _l("This event has been cancelled."),
    Availability.DRAFT: _l("This event is not open yet."),
}


# The event states in which registrations still change: participants edit, cancel and accept
# offers, and freed seats go to the waiting list. Never once the event is cancelled or finished.
RUNNING = (EventState.OPEN, EventState.CLOSED)
OVER = (EventState.CANCELLED, EventState.FINISHED)

EVENT_STATE_MESSAGES = {
    EventState.CANCELLED: _l("This event has been cancelled: registrations can no longer be changed."),
    EventState.FINISHED: _l("This event is over: registrations can no longer be changed."),
    EventState.DRAFT: _l("This event is not open at the moment: registrations cannot be changed."),
}


def registrations_can_change(event: Event) -> bool:
    return event.state in RUNNING


def why_registrations_cannot_change(event: Event):
    """The message for participants when their event no longer lets them act; None when it does."""
    return None if registrations_can_change(event) else EVENT_STATE_MESSAGES[event.state]


# --- Settings, seats and the waiting list --------------------------------------------------


def settings_for(event: Event) -> RegistrationSettings:
    """The event's settings; an unsaved row with the defaults when the organiser chose none."""
    settings = db.session.get(RegistrationSettings, event.id)
    if settings is None:
        settings = RegistrationSettings(event_id=event.id, moderated=False, promotion=PromotionPolicy.AUTOMATIC,
                                        offer_hours=48, online_capacity=None, public_list=True)
    return settings


def modes_for(event: Event) -> list[AttendanceMode]:
    if event.format is EventFormat.HYBRID:
        return [AttendanceMode.IN_PERSON, AttendanceMode.ONLINE]
    if event.format is EventFormat.DIGITAL:
        return [AttendanceMode.ONLINE]
    return [AttendanceMode.IN_PERSON]


def capacity_for(event: Event, mode: AttendanceMode, settings: RegistrationSettings | None = None) -> int | None:
    """Seats of one mode (None: no limit). Hybrid events: the event's capacity is for in person,
    the registration settings give the online places."""
    if event.format is EventFormat.HYBRID and mode is AttendanceMode.ONLINE:
        return (settings or settings_for(event)).online_capacity
    return event.capacity


def capacities(event: Event) -> dict[AttendanceMode, int | None]:
    settings = settings_for(event)
    return {mode: capacity_for(event, mode, settings) for mode in modes_for(event)}


def seats_left(event: Event, capacities: dict[AttendanceMode, int | None]) -> dict[AttendanceMode, int | None]:
    """Free seats per mode (None: no limit)."""
    taken = dict(db.session.execute(
        select(SeatPool.attendance, SeatPool.taken).where(SeatPool.event_id == event.id)).tuples().all())
    return {mode: None if capacity is None else max(0, capacity - taken.get(mode, 0))
            for mode, capacity in capacities.items()}


def places_left_of(events: list[Event]) -> dict[int, dict[AttendanceMode, int | None]]:
    """Free places of each event per way of attending (None: no limit), in two queries whatever the
    number of events."""
    ids = [event.id for event in events]
    online = dict(db.session.execute(select(RegistrationSettings.event_id, RegistrationSettings.online_capacity)
                                     .where(RegistrationSettings.event_id.in_(ids))).tuples().all())
    taken: dict[int, dict] = {}
    for event_id, mode, count in db.session.execute(
            select(SeatPool.event_id, SeatPool.attendance, SeatPool.taken).where(SeatPool.event_id.in_(ids))):
        taken.setdefault(event_id, {})[mode] = count
    left: dict[int, dict[AttendanceMode, int | None]] = {}
    for event in events:
        left[event.id] = {}
        for mode in modes_for(event):
            capacity = (online.get(event.id) if event.format is EventFormat.HYBRID and mode is AttendanceMode.ONLINE
                        else event.capacity)
            left[event.id][mode] = None if capacity is None else max(0, capacity - taken.get(event.id, {}).get(mode, 0))
    return left


def active_names(event: Event) -> list[str]:
    """The names of everyone still hoping to attend (confirmed, offered, waiting, awaiting approval)."""
    return list(db.session.scalars(
        select(Registration.name).where(Registration.event_id == event.id, Registration.status.in_(ACTIVE),
                                        Registration.erased_at.is_(None))
        .order_by(Registration.created_at, Registration.id)))


def first_waiting(event: Event, mode: AttendanceMode) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.attendance == mode, Registration.status == S.WAITLISTED)
        .order_by(Registration.queued_at, Registration.id)
        .limit(1)
    )


def waiting_list_position(registration: Registration) -> int | None:
    if registration.status is not S.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.attendance == registration.attendance,
            Registration.status == S.WAITLISTED,
            (Registration.queued_at < registration.queued_at)
            | ((Registration.queued_at == registration.queued_at) & (Registration.id < registration.id)),
        )
    )
    return ahead + 1


def offer_has_expired(registration: Registration, now: datetime | None = None) -> bool:
    return (registration.status is S.OFFERED and registration.offer_expires_at is not None
            and (now or utcnow()) >= registration.offer_expires_at)


# --- Registrations -------------------------------------------------------------------------


def find_registration(event: Event, email: str) -> Registration | None:
    """The registration of that email for the event; erased (anonymised) ones are nobody's."""
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.email == normalise_email(email),
                                   Registration.erased_at.is_(None))
    )


def registration_of(event: Event, registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.id == registration_id))


# --- The organisers' participant table -----------------------------------------------------


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    city: str = ""
    organisation: str = ""
    attendance: str = ""

    # The filters given with a character no search can take (a NUL…): left out, and said so.
    refused: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args) -> "Filters":
        names = [name for name in cls.__dataclass_fields__ if name != "refused"]
        given = {name: (args.get(name) or "").strip()[:200] for name in names}
        refused = tuple(name for name, value in given.items() if unsafe_text(value))
        return cls(**{name: "" if name in refused else value for name, value in given.items()}, refused=refused)

    def as_args(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value and name != "refused"}


@dataclass
class ParticipantTable:
    rows: list[Registration]
    counts: dict[RegistrationStatus, int]
    checked_in: int
    cities: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _filtered(event: Event, filters: Filters):
    query = select(Registration).where(Registration.event_id == event.id)
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        query = query.where(or_(func.lower(Registration.name).like(pattern),
                                func.lower(Registration.email).like(pattern),
                                func.lower(Registration.organisation).like(pattern),
                                func.lower(Registration.city).like(pattern)))
    if filters.status in {s.value for s in S}:
        query = query.where(Registration.status == S(filters.status))
    if filters.city:
        query = query.where(Registration.city == filters.city)
    if filters.organisation:
        query = query.where(Registration.organisation == filters.organisation)
    if filters.attendance in {m.value for m in AttendanceMode}:
        query = query.where(Registration.attendance == AttendanceMode(filters.attendance))
    return query


def participant_table(event: Event, filters: Filters) -> ParticipantTable:
    rows = list(db.session.scalars(_filtered(event, filters).order_by(Registration.name, Registration.id)))
    counts = {S(status): count for status, count in db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.status)).tuples()}
    checked_in = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.checked_in_at.is_not(None)))
    values = db.session.execute(
        select(Registration.city, Registration.organisation).where(Registration.event_id == event.id).distinct()
    ).all()
    cities = sorted({city for city, _org in values if city}, key=alphabetical)
    organisations = sorted({org for _city, org in values if org}, key=alphabetical)
    return ParticipantTable(rows, counts, checked_in, cities, organisations)


def export_rows(event: Event, filters: Filters | None = None) -> list[Registration]:
    return list(db.session.scalars(_filtered(event, filters or Filters()).order_by(Registration.id)))


def checks_in(event: Event) -> bool:
    """Whether people are checked in at the entrance: not at an event held online only, where
    nobody comes to one (its check-in pages stay, for an event switched online late)."""
    return event.format is not EventFormat.DIGITAL


def check_in_list(event: Event, q: str) -> list[Registration]:
    """The confirmed participants, those expected at the door first (in person, or already checked
    in), then those who take part online, each part by name."""
    query = select(Registration).where(Registration.event_id == event.id, Registration.status == S.CONFIRMED)
    if q:
        query = query.where(func.lower(Registration.name).like(f"%{q.lower()}%"))
    expected_at_the_door = or_(Registration.attendance == AttendanceMode.IN_PERSON,
                               Registration.checked_in_at.is_not(None))
    return list(db.session.scalars(query.order_by(case((expected_at_the_door, 0), else_=1), Registration.name,
                                                  Registration.id)))


@dataclass(frozen=True)
class Arrivals:
    arrived: int
    expected: int


def arrivals(event: Event) -> Arrivals:
    """How many of the people expected at the door have been checked in: the confirmed participants
    who attend in person (an online participant never comes to the door, unless they did)."""
    checked_in = Registration.checked_in_at.is_not(None)
    arrived, expected = db.session.execute(
        select(func.count(Registration.id).filter(checked_in),
               func.count(Registration.id).filter(or_(Registration.attendance == AttendanceMode.IN_PERSON,
                                                      checked_in)))
        .where(Registration.event_id == event.id, Registration.status == S.CONFIRMED)).one()
    return Arrivals(arrived=arrived, expected=expected)


def public_participants(event: Event) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.status == S.CONFIRMED,
                                   Registration.consent_public_list.is_(True), Registration.erased_at.is_(None))
        .order_by(Registration.name, Registration.id)))


_REGISTRATIONS_FINGERPRINT = (
    select(Event.updated_at, func.count(Registration.id), func.max(Registration.updated_at))
    .outerjoin(Registration, Registration.event_id == Event.id)
    .where(Event.slug == bindparam("slug")).group_by(Event.id)
)


def registrations_fingerprint(slug: str):
    """Changes with the event and with any of its registrations (see app/page_cache.py): the
    public participant list and the blank registration form are cached behind it."""
    row = db.session.execute(_REGISTRATIONS_FINGERPRINT, {"slug": slug}).first()
    return None if row is None else (*row, time_bucket())
