"""The network's figures for its staff, in a fixed number of queries however many events: what an
administrator (or a host city's organiser, for their city's events) checks first thing."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.auth.models import Role
from app.events.models import Event, EventState
from app.extensions import db
from app.mail.models import OutboxMessage, OutboxStatus
from app.registration.models import Registration, RegistrationStatus
from app.timezones import utc_to_local

# How far ahead the overview looks for closing registrations and events about to start.
CLOSING_WITHIN = timedelta(days=14)
STARTING_WITHIN = timedelta(days=30)
RUNNING = (EventState.OPEN, EventState.CLOSED)


@dataclass(frozen=True)
class EventRegistrations:
    event: Event
    counts: dict[RegistrationStatus, int]

    def count(self, status: RegistrationStatus) -> int:
        return self.counts.get(status, 0)


@dataclass(frozen=True)
class EventFailures:
    event: Event
    failed: int


@dataclass(frozen=True)
class Overview:
    by_state: dict[EventState, int]
    registrations: list[EventRegistrations]
    totals: dict[RegistrationStatus, int]
    closing: list[Event]
    starting: list[Event]
    failures: list[EventFailures]
    # Failed messages tied to no event (an account's invitation…): administrators only.
    failures_without_event: int

    @property
    def failed(self) -> int:
        return sum(item.failed for item in self.failures) + self.failures_without_event


def _scoped(query, user):
    """Administrators see the network; organisers their city's events."""
    return query.where(Event.host_city_id == user.city_id) if user.role is Role.ORGANISER else query


def overview(user, now: datetime) -> Overview:
    by_state = dict.fromkeys(EventState, 0)
    by_state.update(db.session.execute(_scoped(select(Event.state, func.count(Event.id)), user)
                                       .group_by(Event.state)).tuples().all())

    running = list(db.session.scalars(_scoped(select(Event), user).options(joinedload(Event.host_city))
                                      .where(Event.state.in_(RUNNING)).order_by(Event.start_date, Event.id)))
    counts: dict[int, dict[RegistrationStatus, int]] = {}
    for event_id, status, count in db.session.execute(
            select(Registration.event_id, Registration.status, func.count(Registration.id))
            .where(Registration.event_id.in_([event.id for event in running]))
            .group_by(Registration.event_id, Registration.status)):
        counts.setdefault(event_id, {})[status] = count
    registrations = [EventRegistrations(event, counts.get(event.id, {})) for event in running]
    totals: dict[RegistrationStatus, int] = {}
    for row in registrations:
        for status, count in row.counts.items():
            totals[status] = totals.get(status, 0) + count

    closing = sorted((event for event in running if event.state is EventState.OPEN and event.registration_closes_at
                      and now <= event.registration_closes_at <= now + CLOSING_WITHIN),
                     key=lambda event: event.registration_closes_at)
    # Drafts too: an event about to start that nobody opened is what most needs a look.
    soon = list(db.session.scalars(
        _scoped(select(Event), user).options(joinedload(Event.host_city))
        .where(Event.state.in_((EventState.DRAFT, *RUNNING)),
               Event.start_date >= (now - timedelta(days=1)).date(),
               Event.start_date <= (now + STARTING_WITHIN).date())
        .order_by(Event.start_date, Event.id)))
    starting = [event for event in soon if utc_to_local(now, event.timezone).date() <= event.start_date]

    failed_query = (select(OutboxMessage.event_id, func.count(OutboxMessage.id))
                    .where(OutboxMessage.status == OutboxStatus.FAILED).group_by(OutboxMessage.event_id))
    failed = dict(db.session.execute(failed_query).tuples().all())
    events_with_failures = {event.id: event for event in db.session.scalars(
        _scoped(select(Event), user).options(joinedload(Event.host_city))
        .where(Event.id.in_([event_id for event_id in failed if event_id is not None])))}
    failures = sorted((EventFailures(event, failed[event_id]) for event_id, event in events_with_failures.items()),
                      key=lambda item: (-item.failed, item.event.start_date))
    return Overview(by_state, registrations, totals, closing, starting, failures,
                    failed.get(None, 0) if user.role is Role.ADMIN else 0)
