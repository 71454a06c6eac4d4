"""Reads that pages need, each one eager-loaded so a page's query count does not grow with data."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import Role, User
from app.events.models import City, Event, EventState, EventStateChange, FacilitatorAssignment, PolicyArea
from app.extensions import db
from app.forms import search_text
from app.timezones import utc_to_local


def all_cities() -> list[City]:
    return list(db.session.scalars(select(City).order_by(City.name_en)))


def all_policy_areas() -> list[PolicyArea]:
    return list(db.session.scalars(select(PolicyArea).order_by(PolicyArea.id)))


@dataclass(frozen=True)
class NetworkEvents:
    upcoming: list[Event]
    past: list[Event]


def network_events(now: datetime) -> NetworkEvents:
    """Every public event: what is still to come (soonest first) and what is over (latest first),
    by the calendar of each host city."""
    events = db.session.scalars(
        select(Event)
        .options(joinedload(Event.host_city))
        .where(Event.state != EventState.DRAFT)
        .order_by(Event.start_date)
    ).all()
    return split_by_time(events, now)


def split_by_time(events, now: datetime) -> NetworkEvents:
    """Events in date order, as still to come (soonest first) and over (latest first)."""
    over = {e.id for e in events if e.state is EventState.FINISHED or e.end_date < utc_to_local(now, e.timezone).date()}
    upcoming = [e for e in events if e.id not in over]
    past = [e for e in reversed(events) if e.id in over]
    return NetworkEvents(upcoming, past)


# Built once, on first use (not at import: the models must be configured first): these run on
# every hit of a cached public page (see app/page_cache.py).
@cache
def _network_fingerprint_statement():
    return select(func.count(Event.id), func.max(Event.updated_at))


@cache
def _event_fingerprint_statement():
    return select(Event.updated_at).where(Event.slug == bindparam("slug"))


def network_fingerprint() -> tuple:
    """Changes whenever an event is added, removed or changed."""
    return tuple(db.session.execute(_network_fingerprint_statement()).one())


def event_fingerprint(slug: str) -> datetime | None:
    return db.session.scalar(_event_fingerprint_statement(), {"slug": slug})


def feed_events() -> list[Event]:
    """Every public event of the network, for the network feed (month-only events have no days to give)."""
    return list(db.session.scalars(
        select(Event).options(joinedload(Event.host_city))
        .where(Event.state != EventState.DRAFT, Event.month_only.is_(False))
        .order_by(Event.start_date, Event.id)
    ))


def event_by_slug(slug: str) -> Event | None:
    return db.session.scalar(
        select(Event)
        .options(joinedload(Event.host_city), selectinload(Event.policy_areas))
        .where(Event.slug == slug)
    )


def event_workspace(slug: str) -> Event | None:
    return db.session.scalar(
        select(Event)
        .options(
            joinedload(Event.host_city),
            selectinload(Event.policy_areas),
            selectinload(Event.facilitators),
            selectinload(Event.state_changes).joinedload(EventStateChange.actor),
        )
        .where(Event.slug == slug)
    )


@dataclass(frozen=True)
class StaffEventFilters:
    """The staff list's search and filters, read from the query string and kept in it."""

    q: str = ""
    city: int | None = None
    state: EventState | None = None
    year: int | None = None
    # The search was given with a character no search can take (a NUL…): left out, and said so.
    q_refused: bool = False

    @classmethod
    def from_args(cls, args) -> "StaffEventFilters":
        q, refused = search_text(args.get("q"))
        state = args.get("state", "")
        year = _small_number(args.get("year"))
        return cls(q=q, city=_small_number(args.get("city")), year=year if year and 1 <= year <= 9999 else None,
                   state=EventState(state) if state in EventState._value2member_map_ else None, q_refused=refused)

    def as_args(self) -> dict:
        values = {"q": self.q, "city": self.city, "state": self.state.value if self.state else None,
                  "year": self.year}
        return {name: value for name, value in values.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.as_args())


def _small_number(value) -> int | None:
    """A city id or a year from the query string; anything else (or too large for a column) is no filter."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _staff_scope(user):
    """The events a staff member works on: all for admins, their city's for organisers, their
    assignments for facilitators."""
    query = select(Event)
    if user.role is Role.ORGANISER:
        query = query.where(Event.host_city_id == user.city_id)
    elif user.role is Role.FACILITATOR:
        assigned = select(FacilitatorAssignment.event_id).where(FacilitatorAssignment.user_id == user.id)
        query = query.where(Event.id.in_(assigned))
    return query


def events_for_staff(user, filters: StaffEventFilters | None = None) -> list[Event]:
    query = _staff_scope(user).options(joinedload(Event.host_city)).order_by(Event.start_date.desc(), Event.id)
    filters = filters or StaffEventFilters()
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        query = query.where(or_(func.lower(Event.theme_en).like(pattern), func.lower(Event.theme_fr).like(pattern),
                                Event.slug.like(pattern)))
    if filters.city:
        query = query.where(Event.host_city_id == filters.city)
    if filters.state:
        query = query.where(Event.state == filters.state)
    if filters.year:
        query = query.where(Event.start_date.between(date(filters.year, 1, 1), date(filters.year, 12, 31)))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class StaffEventChoices:
    cities: list[City]
    years: list[int]


def staff_event_choices(user) -> StaffEventChoices:
    """What the staff list's filters offer: the cities and years of the events this user sees."""
    scope = _staff_scope(user).subquery()
    cities = list(db.session.scalars(select(City).where(City.id.in_(select(scope.c.host_city_id)))
                                     .order_by(City.name_en)))
    years = sorted({day.year for day in db.session.scalars(select(scope.c.start_date).distinct())}, reverse=True)
    return StaffEventChoices(cities, years)


def assignable_facilitators(event: Event) -> list[User]:
    assigned = select(FacilitatorAssignment.user_id).where(FacilitatorAssignment.event_id == event.id)
    return list(db.session.scalars(
        select(User).where(User.role == Role.FACILITATOR, User.active.is_(True), User.id.not_in(assigned))
        .order_by(User.name)
    ))

