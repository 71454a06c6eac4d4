"""Reads the field visit's pages, feeds and rules need, each a fixed number of queries however many
people sign up. Other stages may name a visit (the capture stage's observations belong to one):
`visits_of(event)` lists them, `visit_of(event, id)` finds one of that event."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.events.models import Event
from app.extensions import db
from app.field_visit.models import (
    ACTIVE_SIGNUP,
    FieldVisit,
    SignupStatus,
    VisitPlaces,
    VisitSignup,
)
from app.page_cache import time_bucket
from app.registration.models import Registration


def visits_of(event: Event) -> list[FieldVisit]:
    return list(db.session.scalars(
        select(FieldVisit).options(selectinload(FieldVisit.stops))
        .where(FieldVisit.event_id == event.id).order_by(FieldVisit.meets_at, FieldVisit.id)
    ))


def visit_of(event: Event, visit_id: int) -> FieldVisit | None:
    return db.session.scalar(
        select(FieldVisit).options(selectinload(FieldVisit.stops))
        .where(FieldVisit.id == visit_id, FieldVisit.event_id == event.id)
    )


def visit_choices(event: Event) -> list[tuple[int, str]]:
    """(id, title in the viewer's language) of the event's visits, in time order: what a form that
    ties something to a visit (the capture stage's observations: a `visit_id` foreign key to
    `field_visits.id`, ON DELETE SET NULL) offers to choose from."""
    from app.i18n import localized

    return [(visit.id, localized(visit, "title").text) for visit in db.session.scalars(
        select(FieldVisit).where(FieldVisit.event_id == event.id).order_by(FieldVisit.meets_at, FieldVisit.id))]


def visit_count(event: Event) -> int:
    return db.session.scalar(select(func.count(FieldVisit.id)).where(FieldVisit.event_id == event.id)) or 0


def taken_places(visit_ids) -> dict[int, int]:
    visit_ids = list(visit_ids)
    if not visit_ids:
        return {}
    rows = db.session.execute(select(VisitPlaces.visit_id, VisitPlaces.taken)
                              .where(VisitPlaces.visit_id.in_(visit_ids)))
    return dict(rows.tuples().all())


def status_counts(visit_ids) -> dict[int, dict[SignupStatus, int]]:
    """Per visit, how many sign-ups of each status: one query for all of them."""
    visit_ids = list(visit_ids)
    counts: dict[int, dict[SignupStatus, int]] = {visit_id: {} for visit_id in visit_ids}
    if not visit_ids:
        return counts
    rows = db.session.execute(
        select(VisitSignup.visit_id, VisitSignup.status, func.count())
        .where(VisitSignup.visit_id.in_(visit_ids)).group_by(VisitSignup.visit_id, VisitSignup.status))
    for visit_id, status, count in rows:
        counts[visit_id][SignupStatus(status)] = count
    return counts


@dataclass(frozen=True)
class VisitView:
    visit: FieldVisit
    taken: int
    waiting: int

    @property
    def places_left(self) -> int | None:
        places = self.visit.places
        return None if places is None else max(0, places - self.taken)


def visit_views(event: Event) -> list[VisitView]:
    """The event's visits with their stops, places taken and waiting list: three queries."""
    visits = visits_of(event)
    taken = taken_places(v.id for v in visits)
    waiting = dict(db.session.execute(
        select(VisitSignup.visit_id, func.count()).join(FieldVisit, VisitSignup.visit_id == FieldVisit.id)
        .where(FieldVisit.event_id == event.id, VisitSignup.status == SignupStatus.WAITLISTED)
        .group_by(VisitSignup.visit_id)).tuples().all()) if visits else {}
    return [VisitView(v, taken.get(v.id, 0), waiting.get(v.id, 0)) for v in visits]


def first_waiting(visit: FieldVisit) -> VisitSignup | None:
    return db.session.scalar(
        select(VisitSignup).where(VisitSignup.visit_id == visit.id, VisitSignup.status == SignupStatus.WAITLISTED)
        .order_by(VisitSignup.queued_at, VisitSignup.id).limit(1))


def waiting_position(signup: VisitSignup) -> int | None:
    if signup.status is not SignupStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(select(func.count(VisitSignup.id)).where(
        VisitSignup.visit_id == signup.visit_id, VisitSignup.status == SignupStatus.WAITLISTED,
        (VisitSignup.queued_at < signup.queued_at)
        | ((VisitSignup.queued_at == signup.queued_at) & (VisitSignup.id < signup.id))))
    return ahead + 1


def signup_of(visit_id: int, registration_id: int) -> VisitSignup | None:
    return db.session.scalar(select(VisitSignup).where(VisitSignup.visit_id == visit_id,
                                                       VisitSignup.registration_id == registration_id))


def signups_of_registration(registration_id: int, statuses=ACTIVE_SIGNUP) -> list[VisitSignup]:
    return list(db.session.scalars(
        select(VisitSignup).options(joinedload(VisitSignup.visit))
        .where(VisitSignup.registration_id == registration_id, VisitSignup.status.in_(statuses))
        .order_by(VisitSignup.id)))


def signup_by_id(visit: FieldVisit, signup_id: int) -> VisitSignup | None:
    return db.session.scalar(
        select(VisitSignup).options(joinedload(VisitSignup.registration))
        .where(VisitSignup.id == signup_id, VisitSignup.visit_id == visit.id))


def people(visit: FieldVisit, statuses=ACTIVE_SIGNUP, q: str = "") -> list[VisitSignup]:
    """Who goes (and who waits), with their registration: one query."""
    query = (select(VisitSignup).join(Registration, VisitSignup.registration_id == Registration.id)
             .options(joinedload(VisitSignup.registration))
             .where(VisitSignup.visit_id == visit.id, VisitSignup.status.in_(statuses)))
    if q:
        query = query.where(func.lower(Registration.name).like(f"%{q.lower()}%"))
    return list(db.session.scalars(query.order_by(func.lower(Registration.name), VisitSignup.id)))


def confirmed_registrations(visit: FieldVisit) -> list[Registration]:
    return [signup.registration for signup in people(visit, (SignupStatus.CONFIRMED,))]


def clashing(registration_id: int, visit: FieldVisit) -> FieldVisit | None:
    """Another visit this person has signed up for (or waits for) that overlaps `visit` in time."""
    return db.session.scalar(
        select(FieldVisit).join(VisitSignup, VisitSignup.visit_id == FieldVisit.id)
        .where(VisitSignup.registration_id == registration_id, VisitSignup.status.in_(ACTIVE_SIGNUP),
               FieldVisit.id != visit.id, FieldVisit.meets_at < visit.returns_at,
               FieldVisit.returns_at > visit.meets_at).limit(1))


def signed_up_for_both(visit: FieldVisit, meets_at: datetime, returns_at: datetime) -> list[tuple[VisitSignup,
                                                                                                   VisitSignup]]:
    """(their sign-up for `visit`, their sign-up for the other) of each person signed up for, or waiting
    for, both `visit` and another visit of its event that overlaps `meets_at`–`returns_at`; one query."""
    other, other_visit = aliased(VisitSignup), aliased(FieldVisit)
    rows = db.session.execute(
        select(VisitSignup, other)
        .join(Registration, VisitSignup.registration_id == Registration.id)
        .join(other, other.registration_id == VisitSignup.registration_id)
        .join(other_visit, other.visit_id == other_visit.id)
        .options(joinedload(VisitSignup.registration))
        .where(VisitSignup.visit_id == visit.id, VisitSignup.status.in_(ACTIVE_SIGNUP),
               other.status.in_(ACTIVE_SIGNUP), other_visit.id != visit.id, other_visit.event_id == visit.event_id,
               other_visit.meets_at < returns_at, other_visit.returns_at > meets_at)
        .order_by(func.lower(Registration.name), VisitSignup.id, other.id))
    return [tuple(row) for row in rows.tuples().all()]


def expired_offers(now: datetime, event: Event | None = None) -> list[VisitSignup]:
    query = (select(VisitSignup).join(FieldVisit, VisitSignup.visit_id == FieldVisit.id)
             .where(VisitSignup.status == SignupStatus.OFFERED, VisitSignup.offer_expires_at <= now))
    if event is not None:
        query = query.where(FieldVisit.event_id == event.id)
    return list(db.session.scalars(query.order_by(VisitSignup.offer_expires_at, VisitSignup.id)))


def people_with_signups(event: Event, statuses) -> int:
    """How many participants of the event have a sign-up in one of `statuses` on any of its visits."""
    return db.session.scalar(
        select(func.count(func.distinct(VisitSignup.registration_id)))
        .join(FieldVisit, VisitSignup.visit_id == FieldVisit.id)
        .where(FieldVisit.event_id == event.id, VisitSignup.status.in_(statuses))) or 0


def _event_visits(column):
    return select(column).where(FieldVisit.event_id == Event.id).scalar_subquery()


def _event_signups(column):
    return (select(column).join(FieldVisit, VisitSignup.visit_id == FieldVisit.id)
            .where(FieldVisit.event_id == Event.id).scalar_subquery())


# Every change the public page shows touches one of these: the event, a visit or its stops (the
# visit's updated_at), a visit added or removed, a sign-up's status (its updated_at, with the place
# counter in the same statement) or a sign-up gone with its registration.
_PAGE_FINGERPRINT = select(
    Event.updated_at, _event_visits(func.count(FieldVisit.id)), _event_visits(func.max(FieldVisit.updated_at)),
    _event_signups(func.count(VisitSignup.id)), _event_signups(func.max(VisitSignup.updated_at)),
).where(Event.slug == bindparam("slug"))


def page_fingerprint(slug: str):
    """The public field-visit page is cached behind it (app/page_cache.py): one query."""
    row = db.session.execute(_PAGE_FINGERPRINT, {"slug": slug}).first()
    return None if row is None else (*row, time_bucket())
