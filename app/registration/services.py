"""The rules of registration. Flush, never commit; raise DomainError / PermissionDenied.

Seats: each attendance mode of an event has a SeatPool counter of the seats held (confirmed or
offered). A seat is taken only by one conditional UPDATE (`taken = taken + 1 WHERE taken <
capacity`), so N simultaneous registrations for C free seats give exactly C seats, on SQLite and
PostgreSQL alike. Status changes are conditional UPDATEs too (`WHERE status IN (…)`), so two
requests can never move the same registration twice (say, promote the same person for two freed
seats). Every change is announced with `registration_changed` (see signals.py).
"""

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.auth.permissions import can_manage_event
from app.auth.services import normalise_email
from app.db_types import utcnow
from app.domain import DomainError, PermissionDenied
from app.events.models import Event, EventFormat, EventState
from app.events.services import touch
from app.extensions import db
from app.ratelimit import count_hit, forget_expired
from app.registration.models import (
    ACTIVE,
    SEAT_HOLDING,
    AttendanceMode,
    PromotionPolicy,
    Registration,
    RegistrationSettings,
    RegistrationStatus,
    SeatPool,
)
from app.registration.signals import registration_changed, registration_erased

S = RegistrationStatus
LANGUAGES = ("en", "fr")


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


def _require_running(event: Event) -> None:
    if (message := why_registrations_cannot_change(event)) is not None:
        raise DomainError(message)


# --- Settings and seats --------------------------------------------------------------------


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


def _ensure_pool(event_id: int, mode: AttendanceMode) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(SeatPool.__table__).values(event_id=event_id, attendance=mode, taken=0).on_conflict_do_nothing()
    )


def _take_seat(event: Event, mode: AttendanceMode) -> bool:
    """Take one seat if one is free: one atomic conditional UPDATE, safe under concurrency."""
    _ensure_pool(event.id, mode)
    capacity = capacity_for(event, mode)
    statement = update(SeatPool).where(SeatPool.event_id == event.id, SeatPool.attendance == mode)
    if capacity is not None:
        statement = statement.where(SeatPool.taken < capacity)
    result = db.session.execute(
        statement.values(taken=SeatPool.taken + 1).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _release_seat(event_id: int, mode: AttendanceMode) -> None:
    db.session.execute(
        update(SeatPool).where(SeatPool.event_id == event_id, SeatPool.attendance == mode, SeatPool.taken > 0)
        .values(taken=SeatPool.taken - 1).execution_options(synchronize_session=False)
    )


def _transition(registration: Registration, allowed: tuple[RegistrationStatus, ...], target: RegistrationStatus,
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


def _announce(registration: Registration, change: str, previous: RegistrationStatus | None = None) -> None:
    registration_changed.send(registration, change=change, previous=previous)


def _first_waiting(event: Event, mode: AttendanceMode) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.attendance == mode, Registration.status == S.WAITLISTED)
        .order_by(Registration.queued_at, Registration.id)
        .limit(1)
    )


def fill_from_waiting_list(event: Event, mode: AttendanceMode, now: datetime | None = None) -> list[Registration]:
    """Give free seats to the waiting list in order: confirmed at once, or offered for a set
    time, as the organiser chose."""
    now = now or utcnow()
    if event.state in OVER:  # nobody is promoted to an event that is cancelled or over
        return []
    settings = settings_for(event)
    moved = []
    while (candidate := _first_waiting(event, mode)) is not None:
        if not _take_seat(event, mode):
            break
        if settings.promotion is PromotionPolicy.OFFER:
            expires = now + timedelta(hours=settings.offer_hours)
            claimed = _transition(candidate, (S.WAITLISTED,), S.OFFERED, now, offer_expires_at=expires)
            change = "offered"
        else:
            claimed = _transition(candidate, (S.WAITLISTED,), S.CONFIRMED, now)
            change = "promoted"
        if not claimed:  # another request moved this person first: give the seat back, try the next
            _release_seat(event.id, mode)
            continue
        _announce(candidate, change)
        moved.append(candidate)
    return moved


def _free_seat_of(registration: Registration, now: datetime) -> None:
    _release_seat(registration.event_id, registration.attendance)
    fill_from_waiting_list(registration.event, registration.attendance, now)


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


# --- Registering -----------------------------------------------------------------------------


@dataclass
class RegistrationInput:
    name: str
    email: str
    organisation: str = ""
    position: str = ""
    city: str = ""
    country_code: str = ""
    preferred_language: str = "en"
    attendance: AttendanceMode | None = None
    dietary_needs: str = ""
    accessibility_needs: str = ""
    consent_processing: bool = False
    consent_public_list: bool = False


@dataclass(frozen=True)
class Outcome:
    registration: Registration
    created: bool


CLOSED_MESSAGES = {
    Availability.NOT_YET: _l("Registration for this event has not opened yet."),
    Availability.ENDED: _l("Registration for this event has ended."),
    Availability.CLOSED: _l("The organisers have closed registration for this event."),
    Availability.FINISHED: _l("This event is over."),
    Availability.CANCELLED: _l("This event has been cancelled."),
    Availability.DRAFT: _l("This event is not open yet."),
}


def _attendance_for(event: Event, asked: AttendanceMode | None) -> AttendanceMode:
    modes = modes_for(event)
    if len(modes) == 1:
        return modes[0]
    if asked not in modes:
        raise DomainError(_l("Choose how you will attend."), field="attendance")
    return asked


def _clean(data: RegistrationInput) -> dict:
    if not data.name.strip():
        raise DomainError(_l("Enter your name."), field="name")
    if data.preferred_language not in LANGUAGES:
        raise DomainError(_l("Choose English or French."), field="preferred_language")
    return dict(
        name=data.name.strip(), organisation=data.organisation.strip(), position=data.position.strip(),
        city=data.city.strip(), country_code=(data.country_code or "").strip().upper()[:2],
        preferred_language=data.preferred_language, dietary_needs=data.dietary_needs.strip(),
        accessibility_needs=data.accessibility_needs.strip(), consent_public_list=bool(data.consent_public_list),
    )


def find_registration(event: Event, email: str) -> Registration | None:
    """The registration of that email for the event; erased (anonymised) ones are nobody's."""
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.email == normalise_email(email),
                                   Registration.erased_at.is_(None))
    )


def register(event: Event, data: RegistrationInput, now: datetime | None = None, *,
             check_window: bool = True) -> Outcome:
    """Register someone for an event, or, when that email is registered already, re-send their
    link (the caller shows the same page either way, so as not to reveal who is registered).
    Someone whose registration ended (cancelled, rejected, offer let go) registers again: see
    `_register_again`.

    A concurrent registration with the same email makes the flush raise IntegrityError; the
    caller rolls back and calls again, which then finds the existing registration."""
    now = now or utcnow()
    if check_window and (state := availability(event, now)) is not Availability.OPEN:
        raise DomainError(CLOSED_MESSAGES[state])
    if not data.consent_processing:
        raise DomainError(_l("We need your consent to process your data to register you."),
                          field="consent_processing")
    email = normalise_email(data.email)
    if not email:
        raise DomainError(_l("Enter your email address."), field="email")
    existing = find_registration(event, email)
    if existing is not None and existing.status not in ACTIVE:
        return _register_again(existing, data, now)
    if existing is not None:
        _announce(existing, "link_resent")
        return Outcome(existing, created=False)
    mode = _attendance_for(event, data.attendance)
    registration = Registration(
        event=event, email=email, attendance=mode, consent_processing_at=now, status=S.PENDING,
        token_version=secrets.token_hex(16), created_at=now, updated_at=now, **_clean(data),
    )
    db.session.add(registration)
    db.session.flush()  # a duplicate email fails here, before any seat is taken
    if settings_for(event).moderated:
        _announce(registration, "received")
        return Outcome(registration, created=True)
    _admit(registration, now, change_if_confirmed="confirmed")
    return Outcome(registration, created=True)


def _register_again(registration: Registration, data: RegistrationInput, now: datetime) -> Outcome:
    """Someone whose registration ended registers again with the same email: the same row takes
    the new details and consents and a new link version (the links sent before stop working), and
    goes through admission as a new registration would, at the end of the waiting list."""
    event = registration.event
    mode = _attendance_for(event, data.attendance)
    reopened = _transition(
        registration, (S.CANCELLED, S.REJECTED, S.EXPIRED), S.PENDING, now, attendance=mode,
        consent_processing_at=now, token_version=secrets.token_hex(16), queued_at=None, offer_expires_at=None,
        checked_in_at=None, **_clean(data),
    )
    if not reopened:  # the same email registered again at the same moment by another request: that one won
        _announce(registration, "link_resent")
        return Outcome(registration, created=False)
    if settings_for(event).moderated:
        _announce(registration, "received")
    else:
        _admit(registration, now, change_if_confirmed="confirmed")
    return Outcome(registration, created=True)


def _admit(registration: Registration, now: datetime, change_if_confirmed: str) -> None:
    """A pending registration gets a seat if one is free and nobody waits before them, else a
    place at the end of the waiting list."""
    event, mode = registration.event, registration.attendance
    fill_from_waiting_list(event, mode, now)
    if _first_waiting(event, mode) is None and _take_seat(event, mode):
        if not _transition(registration, (S.PENDING,), S.CONFIRMED, now, queued_at=None):
            _release_seat(event.id, mode)
            raise DomainError(_l("This registration has just changed; reload the page."))
        _announce(registration, change_if_confirmed)
    else:
        if not _transition(registration, (S.PENDING,), S.WAITLISTED, now, queued_at=now):
            raise DomainError(_l("This registration has just changed; reload the page."))
        _announce(registration, "waitlisted")


# --- What participants do from their page ---------------------------------------------------


def update_details(registration: Registration, data: RegistrationInput, now: datetime | None = None) -> Registration:
    """Edit what a participant told us. A change of attendance mode needs a seat in the other
    mode (or a new place at the end of its waiting list)."""
    now = now or utcnow()
    _require_running(registration.event)
    if registration.is_erased or registration.status not in ACTIVE:
        raise DomainError(_l("This registration can no longer be changed."))
    for name, value in _clean(data).items():
        setattr(registration, name, value)
    registration.updated_at = now
    mode = _attendance_for(registration.event, data.attendance or registration.attendance)
    if mode is not registration.attendance:
        _change_mode(registration, mode, now)
    db.session.flush()
    return registration


def _change_mode(registration: Registration, mode: AttendanceMode, now: datetime) -> None:
    event, old = registration.event, registration.attendance
    if registration.status in SEAT_HOLDING:
        if _first_waiting(event, mode) is not None or not _take_seat(event, mode):
            raise DomainError(
                _l("There is no free place for this way of attending. Your current place is kept."),
                field="attendance",
            )
        registration.attendance = mode
        db.session.flush()
        _free_seat_of_mode(event, old, now)
    elif registration.status is S.WAITLISTED:
        # The end of the other mode's waiting list, or a seat there if one is free.
        registration.attendance = mode
        registration.queued_at = now
        db.session.flush()
        fill_from_waiting_list(event, mode, now)
    else:
        registration.attendance = mode


def _free_seat_of_mode(event: Event, mode: AttendanceMode, now: datetime) -> None:
    _release_seat(event.id, mode)
    fill_from_waiting_list(event, mode, now)


def cancel(registration: Registration, now: datetime | None = None, actor=None) -> Registration:
    """The participant (or an organiser for them) cancels. A freed seat goes to the waiting list."""
    now = now or utcnow()
    if actor is not None and not can_manage_event(actor, registration.event):
        raise PermissionDenied(_l("Only the organisers of this event can change its registrations."))
    _require_running(registration.event)
    held_seat, previous = registration.holds_seat, registration.status
    if not _transition(registration, ACTIVE, S.CANCELLED, now, offer_expires_at=None):
        raise DomainError(_l("This registration is already cancelled or closed."))
    _announce(registration, "cancelled", previous)
    if held_seat:
        _free_seat_of(registration, now)
    return registration


def offer_has_expired(registration: Registration, now: datetime | None = None) -> bool:
    return (registration.status is S.OFFERED and registration.offer_expires_at is not None
            and (now or utcnow()) >= registration.offer_expires_at)


def accept_offer(registration: Registration, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    _require_running(registration.event)
    if offer_has_expired(registration, now):
        expire_offers(now, event=registration.event)
        raise DomainError(_l("This offer has expired and passed to the next person on the waiting list."))
    if not _transition(registration, (S.OFFERED,), S.CONFIRMED, now, offer_expires_at=None):
        raise DomainError(_l("There is no offer to accept on this registration."))
    _announce(registration, "confirmed")
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
        if _transition(registration, (S.OFFERED,), S.EXPIRED, now, offer_expires_at=None):
            _announce(registration, "expired")
            _free_seat_of(registration, now)
            expired.append(registration)
    return expired


# --- What organisers do ------------------------------------------------------------------------


def _require_manager(actor, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_l("Only the organisers of this event can change its registrations."))


def approve(actor, registration: Registration, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    _require_manager(actor, registration.event)
    if registration.status is not S.PENDING:
        raise DomainError(_l("Only registrations waiting for approval can be approved."))
    _admit(registration, now, change_if_confirmed="approved")
    return registration


def reject(actor, registration: Registration, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    _require_manager(actor, registration.event)
    held_seat, previous = registration.holds_seat, registration.status
    if not _transition(registration, ACTIVE, S.REJECTED, now, offer_expires_at=None):
        raise DomainError(_l("This registration is already cancelled or closed."))
    _announce(registration, "rejected", previous)
    if held_seat:
        _free_seat_of(registration, now)
    return registration


def promote(actor, registration: Registration, now: datetime | None = None) -> Registration:
    """Move someone from the waiting list to a free seat, ahead of their turn."""
    now = now or utcnow()
    _require_manager(actor, registration.event)
    if registration.status is not S.WAITLISTED:
        raise DomainError(_l("Only people on the waiting list can be moved from it."))
    if not _take_seat(registration.event, registration.attendance):
        raise DomainError(_l("No place is free. Raise the capacity of the event, or wait for a cancellation."))
    if not _transition(registration, (S.WAITLISTED,), S.CONFIRMED, now, queued_at=None):
        _release_seat(registration.event_id, registration.attendance)
        raise DomainError(_l("This registration has just changed; reload the page."))
    _announce(registration, "promoted")
    return registration


def fill_free_places(actor, event: Event, now: datetime | None = None) -> list[Registration]:
    """After the capacity was raised: give the free places to the waiting list, in order."""
    _require_manager(actor, event)
    moved = []
    for mode in modes_for(event):
        moved.extend(fill_from_waiting_list(event, mode, now))
    return moved


def check_in(actor, registration: Registration, now: datetime | None = None) -> Registration:
    _require_manager(actor, registration.event)
    if registration.status is not S.CONFIRMED:
        raise DomainError(_l("Only confirmed participants can be checked in."))
    if registration.checked_in_at is None:
        registration.checked_in_at = now or utcnow()
        db.session.flush()
    return registration


def undo_check_in(actor, registration: Registration) -> Registration:
    _require_manager(actor, registration.event)
    registration.checked_in_at = None
    db.session.flush()
    return registration


def new_link(actor, registration: Registration) -> Registration:
    """Revoke every link sent so far and send a new one."""
    _require_manager(actor, registration.event)
    if registration.is_erased:
        raise DomainError(_l("This participant's personal data has been erased."))
    registration.token_version = secrets.token_hex(16)
    db.session.flush()
    _announce(registration, "link_resent")
    return registration


def _anonymise(registration: Registration, now: datetime) -> None:
    registration_erased.send(registration, email=registration.email)
    for name in ("name", "organisation", "position", "city", "dietary_needs", "accessibility_needs"):
        setattr(registration, name, "")
    registration.email = None
    registration.consent_public_list = False
    registration.token_version = secrets.token_hex(16)
    registration.erased_at = now


def erase(actor, registration: Registration, now: datetime | None = None) -> Registration:
    """Erase a participant's personal data on request. The row stays, anonymous, so that the
    counts stay right; a seat they held before the event ends goes to the waiting list."""
    now = now or utcnow()
    _require_manager(actor, registration.event)
    if registration.is_erased:
        return registration
    event = registration.event
    if registration.status in ACTIVE and event.state in (EventState.OPEN, EventState.CLOSED, EventState.DRAFT):
        held_seat = registration.holds_seat
        if _transition(registration, ACTIVE, S.CANCELLED, now, offer_expires_at=None) and held_seat:
            _free_seat_of(registration, now)
    _anonymise(registration, now)
    db.session.flush()
    return registration


def purge_personal_data(now: datetime | None = None, retention_days: int | None = None) -> int:
    """Anonymise the participants of events that finished (or were cancelled) more than the
    retention period ago, and forget old rate-limit attempts. Safe to run from cron."""
    now = now or utcnow()
    days = current_app.config["REGISTRATION_RETENTION_DAYS"] if retention_days is None else retention_days
    last_day = (now - timedelta(days=days)).date()
    due = db.session.scalars(
        select(Registration).join(Event, Registration.event_id == Event.id).where(
            Event.state.in_((EventState.FINISHED, EventState.CANCELLED)), Event.end_date < last_day,
            Registration.erased_at.is_(None),
        )
    ).all()
    for registration in due:
        _anonymise(registration, now)
    forget_expired(RATE_LIMIT_SCOPE, current_app.config["REGISTRATION_RATE_WINDOW"], now)
    db.session.flush()
    return len(due)


@dataclass
class SettingsInput:
    moderated: bool
    promotion: PromotionPolicy
    offer_hours: int
    online_capacity: int | None
    public_list: bool


def update_settings(actor, event: Event, data: SettingsInput, now: datetime | None = None) -> RegistrationSettings:
    _require_manager(actor, event)
    if not 1 <= data.offer_hours <= 24 * 14:
        raise DomainError(_l("Give between 1 and 336 hours (two weeks)."), field="offer_hours")
    settings = db.session.get(RegistrationSettings, event.id)
    if settings is None:
        settings = RegistrationSettings(event_id=event.id)
        db.session.add(settings)
    settings.moderated = data.moderated
    settings.promotion = data.promotion
    settings.offer_hours = data.offer_hours
    settings.online_capacity = data.online_capacity
    settings.public_list = data.public_list
    touch(event)  # the public participant list may appear or go
    db.session.flush()
    # More places (or no limit) may let people in from the waiting list.
    for mode in modes_for(event):
        fill_from_waiting_list(event, mode, now)
    return settings


# --- Rate limit of the public form -----------------------------------------------------------


RATE_LIMIT_SCOPE = "registration"


class RateLimited(DomainError):
    pass


def record_attempt(address: str, now: datetime | None = None) -> None:
    """Count one submission of the public form from this client address, or raise RateLimited.
    Counted in the database before anything else (see app.ratelimit.count_hit), so that refused
    and rolled-back submissions count too. Call it before the request's session uses the database."""
    recent = count_hit(RATE_LIMIT_SCOPE, address, current_app.config["REGISTRATION_RATE_WINDOW"], now)
    if recent > current_app.config["REGISTRATION_RATE_LIMIT"]:
        raise RateLimited(_l("Too many registrations have come from your network in the last few minutes. "
                             "Please wait %(minutes)d minutes and send the form again; what you entered is kept.",
                             minutes=max(1, current_app.config["REGISTRATION_RATE_WINDOW"] // 60)))
