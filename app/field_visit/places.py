"""A visit's places and its waiting list: the moves every sign-up rule is made of. Flush, never commit.

Places: each visit has a VisitPlaces counter of the places held (confirmed or offered). A place is
taken only by one conditional UPDATE (`taken = taken + 1 WHERE taken < places`), so N simultaneous
sign-ups for C free places give exactly C places, on SQLite and PostgreSQL alike; status changes are
conditional UPDATEs too (`WHERE status IN (…)`), so two requests never move the same sign-up twice.
The same pattern as the registration's seats (app/registration/waitlist.py).
"""

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from app.db_types import utcnow
from app.extensions import db
from app.field_visit.models import EndReason, FieldVisit, SignupStatus, VisitPlaces, VisitSignup
from app.field_visit.queries import expired_offers, first_waiting
from app.field_visit.signals import signup_changed
from app.registration.models import PromotionPolicy
from app.registration.queries import registrations_can_change, settings_for

S = SignupStatus


def ensure_counter(visit_id: int) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(VisitPlaces.__table__).values(visit_id=visit_id, taken=0).on_conflict_do_nothing())


def take_place(visit: FieldVisit) -> bool:
    """Take one place if one is free: one atomic conditional UPDATE, safe under concurrency."""
    ensure_counter(visit.id)
    statement = update(VisitPlaces).where(VisitPlaces.visit_id == visit.id)
    if visit.places is not None:
        statement = statement.where(VisitPlaces.taken < visit.places)
    result = db.session.execute(statement.values(taken=VisitPlaces.taken + 1)
                                .execution_options(synchronize_session=False))
    return result.rowcount == 1


def release_place(visit_id: int) -> None:
    db.session.execute(update(VisitPlaces).where(VisitPlaces.visit_id == visit_id, VisitPlaces.taken > 0)
                       .values(taken=VisitPlaces.taken - 1).execution_options(synchronize_session=False))


def transition(signup: VisitSignup, allowed: tuple[SignupStatus, ...], target: SignupStatus, now: datetime,
               **values) -> bool:
    """Move a sign-up to `target` only if it is still in one of `allowed`, as the database says."""
    db.session.flush()
    result = db.session.execute(
        update(VisitSignup).where(VisitSignup.id == signup.id, VisitSignup.status.in_(allowed))
        .values(status=target, updated_at=now, **values).execution_options(synchronize_session=False))
    db.session.refresh(signup)
    return result.rowcount == 1


def announce(signup: VisitSignup, change: str, previous: SignupStatus | None = None,
             reason: EndReason | None = None) -> None:
    signup_changed.send(signup, change=change, previous=previous, reason=reason)


def has_begun(visit: FieldVisit, now: datetime) -> bool:
    """The group has left the meeting point: a place taken now could not be used."""
    return visit.meets_at <= now


def fill_from_waiting_list(visit: FieldVisit, now: datetime | None = None) -> list[VisitSignup]:
    """Free places go to the waiting list in order: confirmed at once, or offered for a set time,
    as the organisers chose for the event's registrations; never once the visit has begun."""
    now = now or utcnow()
    event = visit.event
    if not registrations_can_change(event) or has_begun(visit, now):
        return []
    settings = settings_for(event)
    moved = []
    while (candidate := first_waiting(visit)) is not None:
        if not take_place(visit):
            break
        if settings.promotion is PromotionPolicy.OFFER:
            claimed = transition(candidate, (S.WAITLISTED,), S.OFFERED, now,
                                 offer_expires_at=now + timedelta(hours=settings.offer_hours))
            change = "offered"
        else:
            claimed = transition(candidate, (S.WAITLISTED,), S.CONFIRMED, now, queued_at=None)
            change = "promoted"
        if not claimed:
            release_place(visit.id)
            continue
        announce(candidate, change)
        moved.append(candidate)
    return moved


def free_place(visit: FieldVisit, now: datetime) -> None:
    release_place(visit.id)
    fill_from_waiting_list(visit, now)


def end_signup(signup: VisitSignup, reason: EndReason, now: datetime) -> bool:
    """End an active sign-up; a place it held goes to the waiting list at once."""
    previous = signup.status
    if not transition(signup, (S.CONFIRMED, S.OFFERED, S.WAITLISTED), S.LEFT, now, ended_reason=reason,
                      offer_expires_at=None, queued_at=None):
        return False
    announce(signup, "left", previous, reason)
    if previous in (S.CONFIRMED, S.OFFERED):
        free_place(signup.visit, now)
    return True


def expire_offers(now: datetime | None = None, event=None) -> list[VisitSignup]:
    """Offers not accepted in time pass to the next on the waiting list. Safe to run from cron."""
    now = now or utcnow()
    expired = []
    for signup in expired_offers(now, event):
        if registrations_can_change(signup.visit.event) and end_signup(signup, EndReason.OFFER_EXPIRED, now):
            expired.append(signup)
    return expired
