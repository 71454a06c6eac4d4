"""Seats and the waiting list: the moves every registration rule is made of. Flush, never commit.

Seats: each attendance mode of an event has a SeatPool counter of the seats held (confirmed or
offered). A seat is taken only by one conditional UPDATE (`taken = taken + 1 WHERE taken <
capacity`), so N simultaneous registrations for C free seats give exactly C seats, on SQLite and
PostgreSQL alike. Status changes are conditional UPDATEs too (`WHERE status IN (…)`), so two
requests can never move the same registration twice (say, promote the same person for two freed
seats). Every change is announced with `registration_changed` (see signals.py).
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.db_types import utcnow
from app.domain import DomainError
from app.events.models import Event
from app.extensions import db
from app.registration.models import (
    ACTIVE,
    AttendanceMode,
    PromotionPolicy,
    Registration,
    RegistrationSettings,
    RegistrationStatus,
    SeatPool,
)
from app.registration.queries import (
    OVER,
    capacity_for,
    first_waiting,
    offer_has_expired,
    settings_for,
    why_registrations_cannot_change,
)
from app.registration.signals import registration_changed

S = RegistrationStatus


def require_running(event: Event) -> None:
    if (message := why_registrations_cannot_change(event)) is not None:
        raise DomainError(message)


def ensure_pool(event_id: int, mode: AttendanceMode) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(SeatPool.__table__).values(event_id=event_id, attendance=mode, taken=0).on_conflict_do_nothing()
    )


def take_seat(event: Event, mode: AttendanceMode, settings: RegistrationSettings | None = None,
              pool_exists: bool = False) -> bool:
    """Take one seat if one is free: one atomic conditional UPDATE, safe under concurrency. On
    PostgreSQL the counter's row stays locked until the commit: take it as late as possible."""
    if not pool_exists:
        ensure_pool(event.id, mode)
    capacity = capacity_for(event, mode, settings)
    statement = update(SeatPool).where(SeatPool.event_id == event.id, SeatPool.attendance == mode)
    if capacity is not None:
        statement = statement.where(SeatPool.taken < capacity)
    result = db.session.execute(
        statement.values(taken=SeatPool.taken + 1).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_seat(event_id: int, mode: AttendanceMode) -> None:
    db.session.execute(
        update(SeatPool).where(SeatPool.event_id == event_id, SeatPool.attendance == mode, SeatPool.taken > 0)
        .values(taken=SeatPool.taken - 1).execution_options(synchronize_session=False)
    )


def transition(registration: Registration, allowed: tuple[RegistrationStatus, ...], target: RegistrationStatus,
               now: datetime, **values) -> bool:
    """Move a registration to `target` only if it is still in one of `allowed` (checked by the
    database, not by what this session last read). False when another request moved it first."""
    db.session.flush()
    result = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status.in_(allowed))
        .values(status=target, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(registration)
    return result.rowcount == 1


def announce(registration: Registration, change: str, previous: RegistrationStatus | None = None, **more) -> None:
    registration_changed.send(registration, change=change, previous=previous, **more)


def fill_from_waiting_list(event: Event, mode: AttendanceMode, now: datetime | None = None) -> list[Registration]:
    """Give free seats to the waiting list in order: confirmed at once, or offered for a set
    time, as the organiser chose."""
    now = now or utcnow()
    if event.state in OVER:  # nobody is promoted to an event that is cancelled or over
        return []
    settings = settings_for(event)
    moved = []
    while (candidate := first_waiting(event, mode)) is not None:
        if not take_seat(event, mode):
            break
        if settings.promotion is PromotionPolicy.OFFER:
            expires = now + timedelta(hours=settings.offer_hours)
            claimed = transition(candidate, (S.WAITLISTED,), S.OFFERED, now, offer_expires_at=expires)
            change = "offered"
        else:
            claimed = transition(candidate, (S.WAITLISTED,), S.CONFIRMED, now)
            change = "promoted"
        if not claimed:  # another request moved this person first: give the seat back, try the next
            release_seat(event.id, mode)
            continue
        announce(candidate, change)
        moved.append(candidate)
    return moved


def free_seat(event: Event, mode: AttendanceMode, now: datetime) -> None:
    """Give back a seat of that mode; it goes to the waiting list."""
    release_seat(event.id, mode)
    fill_from_waiting_list(event, mode, now)


def end(registration: Registration, target: RegistrationStatus, change: str, now: datetime) -> Registration:
    """An active registration ends (cancelled, rejected): announced, and a seat it held goes to the
    waiting list."""
    held_seat, previous = registration.holds_seat, registration.status
    if not transition(registration, ACTIVE, target, now, offer_expires_at=None):
        raise DomainError(_l("This registration is already cancelled or closed."))
    announce(registration, change, previous)
    if held_seat:
        free_seat(registration.event, registration.attendance, now)
    return registration


def admit(registration: Registration, now: datetime, change_if_confirmed: str) -> None:
    """A pending registration gets a seat if one is free and nobody waits before them, else a
    place at the end of the waiting list."""
    event, mode = registration.event, registration.attendance
    fill_from_waiting_list(event, mode, now)
    if first_waiting(event, mode) is None and take_seat(event, mode):
        if not transition(registration, (S.PENDING,), S.CONFIRMED, now, queued_at=None):
            release_seat(event.id, mode)
            raise DomainError(_l("This registration has just changed; reload the page."))
        announce(registration, change_if_confirmed)
    else:
        if not transition(registration, (S.PENDING,), S.WAITLISTED, now, queued_at=now):
            raise DomainError(_l("This registration has just changed; reload the page."))
        announce(registration, "waitlisted")


def admit_new(registration: Registration, now: datetime, settings: RegistrationSettings) -> None:
    """`admit` for a registration not written yet, with fewer round trips and the seat counter's row
    locked only for the last statements before the commit (on PostgreSQL a registration waits for
    that lock while another one holds it, so everything held under it is paid by every registrant).

    When nobody waits and a seat looks free, the registration is written confirmed and announced
    (its email rendered and queued), and only then is the seat taken; in the rare case the last
    seats went meanwhile, the announcement is undone to a savepoint and the registration goes to
    the end of the waiting list, as `admit` would have put it. When no seat is free, it is written
    on the waiting list at once. Otherwise (seats free while people wait) `admit` decides."""
    event, mode = registration.event, registration.attendance
    taken, someone_waits = db.session.execute(
        select(select(SeatPool.taken).where(SeatPool.event_id == event.id, SeatPool.attendance == mode)
               .scalar_subquery(),
               select(Registration.id).where(Registration.event_id == event.id, Registration.attendance == mode,
                                             Registration.status == S.WAITLISTED).exists())).one()
    capacity = capacity_for(event, mode, settings)
    seat_looks_free = capacity is None or (taken or 0) < capacity
    if not seat_looks_free:
        # The end of the waiting list, as `admit` would find it (with no seat free it promotes
        # nobody). A seat freed meanwhile goes to the waiting list with the next move on it.
        registration.status, registration.queued_at = S.WAITLISTED, now
        db.session.add(registration)
        db.session.flush()  # a duplicate email fails here
        announce(registration, "waitlisted")
        return
    if someone_waits or event.state in OVER:
        db.session.add(registration)
        db.session.flush()  # a duplicate email fails here, before any seat is taken
        admit(registration, now, change_if_confirmed="confirmed")
        return
    if taken is None:
        ensure_pool(event.id, mode)
    registration.status, registration.queued_at = S.CONFIRMED, None
    db.session.add(registration)
    db.session.flush()  # a duplicate email fails here, before any seat is taken
    announced = db.session.begin_nested()
    announce(registration, "confirmed")
    db.session.flush()  # the email is written before the seat is taken, not at the commit
    if take_seat(event, mode, settings, pool_exists=True):
        announced.commit()
        return
    announced.rollback()
    if not transition(registration, (S.CONFIRMED,), S.WAITLISTED, now, queued_at=now):
        raise DomainError(_l("This registration has just changed; reload the page."))
    announce(registration, "waitlisted")


# --- Offered seats -------------------------------------------------------------------------


def accept_offer(registration: Registration, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    require_running(registration.event)
    if offer_has_expired(registration, now):
        expire_offers(now, event=registration.event)
        raise DomainError(_l("This offer has expired and passed to the next person on the waiting list."))
    if not transition(registration, (S.OFFERED,), S.CONFIRMED, now, offer_expires_at=None):
        raise DomainError(_l("There is no offer to accept on this registration."))
    announce(registration, "confirmed")
    return registration


def expire_offers(now: datetime | None = None, event: Event | None = None) -> list[Registration]:
    """Offers not accepted in time pass to the next on the waiting list. Safe to run from cron.
    Events that are cancelled or over are left alone: there is nothing to pass on any more."""
    now = now or utcnow()
    query = (
        select(Registration).join(Event, Registration.event_id == Event.id)
        .where(Registration.status == S.OFFERED, Registration.offer_expires_at <= now, Event.state.not_in(OVER))
    )
    if event is not None:
        query = query.where(Registration.event_id == event.id)
    expired = []
    for registration in db.session.scalars(query.order_by(Registration.offer_expires_at, Registration.id)).all():
        if transition(registration, (S.OFFERED,), S.EXPIRED, now, offer_expires_at=None):
            announce(registration, "expired")
            free_seat(registration.event, registration.attendance, now)
            expired.append(registration)
    return expired
