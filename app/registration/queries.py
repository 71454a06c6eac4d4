"""Reads that registration pages need; each a fixed number of queries however many registrations."""

from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, or_, select

from app.events.models import Event
from app.extensions import db
from app.page_cache import time_bucket
from app.registration.models import AttendanceMode, Registration, RegistrationStatus, SeatPool

S = RegistrationStatus


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    city: str = ""
    organisation: str = ""
    attendance: str = ""

    @classmethod
    def from_args(cls, args) -> "Filters":
        return cls(**{name: (args.get(name) or "").strip()[:200] for name in cls.__dataclass_fields__})

    def as_args(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}


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
                                func.lower(Registration.organisation).like(pattern)))
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
    cities = sorted({city for city, _org in values if city}, key=str.casefold)
    organisations = sorted({org for _city, org in values if org}, key=str.casefold)
    return ParticipantTable(rows, counts, checked_in, cities, organisations)


def export_rows(event: Event) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)))


def check_in_list(event: Event, q: str) -> list[Registration]:
    query = select(Registration).where(Registration.event_id == event.id, Registration.status == S.CONFIRMED)
    if q:
        query = query.where(func.lower(Registration.name).like(f"%{q.lower()}%"))
    return list(db.session.scalars(query.order_by(Registration.name, Registration.id)))


def public_participants(event: Event) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.status == S.CONFIRMED,
                                   Registration.consent_public_list.is_(True), Registration.erased_at.is_(None))
        .order_by(Registration.name, Registration.id)))


def registration_of(event: Event, registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.id == registration_id))


def seats_left(event: Event, capacities: dict[AttendanceMode, int | None]) -> dict[AttendanceMode, int | None]:
    """Free seats per mode (None: no limit)."""
    taken = dict(db.session.execute(
        select(SeatPool.attendance, SeatPool.taken).where(SeatPool.event_id == event.id)).tuples().all())
    return {mode: None if capacity is None else max(0, capacity - taken.get(mode, 0))
            for mode, capacity in capacities.items()}


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
