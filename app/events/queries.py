"""Reads that pages need, each one eager-loaded so a page's query count does not grow with data."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import Role, User
from app.events.models import City, Event, EventState, EventStateChange, FacilitatorAssignment, PolicyArea
from app.extensions import db
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


def events_for_staff(user) -> list[Event]:
    """The events a staff member works on: all for admins, their city's for organisers, their
    assignments for facilitators."""
    query = select(Event).options(joinedload(Event.host_city)).order_by(Event.start_date.desc())
    if user.role is Role.ORGANISER:
        query = query.where(Event.host_city_id == user.city_id)
    elif user.role is Role.FACILITATOR:
        assigned = select(FacilitatorAssignment.event_id).where(FacilitatorAssignment.user_id == user.id)
        query = query.where(Event.id.in_(assigned))
    return list(db.session.scalars(query))


def assignable_facilitators(event: Event) -> list[User]:
    assigned = select(FacilitatorAssignment.user_id).where(FacilitatorAssignment.event_id == event.id)
    return list(db.session.scalars(
        select(User).where(User.role == Role.FACILITATOR, User.active.is_(True), User.id.not_in(assigned))
        .order_by(User.name)
    ))

