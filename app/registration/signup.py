"""Signing up and what participants do from their page: register (or register again), edit
their details, cancel. Flush, never commit; raise DomainError. Accepting an offered seat is in
waitlist.py."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.auth.services import normalise_email
from app.db_types import utcnow
from app.domain import DomainError
from app.events.models import Event
from app.extensions import db
from app.registration.models import ACTIVE, SEAT_HOLDING, AttendanceMode, Registration, RegistrationStatus
from app.registration.queries import (
    CLOSED_MESSAGES,
    Availability,
    availability,
    find_registration,
    first_waiting,
    modes_for,
    settings_for,
)
from app.registration.signals import attendance_changed
from app.registration.staff import require_manager
from app.registration.waitlist import (
    admit,
    admit_new,
    announce,
    end,
    fill_from_waiting_list,
    free_seat,
    require_running,
    take_seat,
    transition,
)

S = RegistrationStatus
LANGUAGES = ("en", "fr")


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
    # A registration that ended (cancelled, rejected, expired) taken up again with the same email:
    # `created` too, but the row, and the person behind the address, existed before.
    reopened: bool = False

    @property
    def brand_new(self) -> bool:
        """Nobody registered with this address before: only then may the form itself show the link."""
        return self.created and not self.reopened


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
        announce(existing, "link_resent")
        return Outcome(existing, created=False)
    mode = _attendance_for(event, data.attendance)
    registration = Registration(
        event=event, email=email, attendance=mode, consent_processing_at=now, status=S.PENDING,
        token_version=secrets.token_hex(16), created_at=now, updated_at=now, **_clean(data),
    )
    settings = settings_for(event)
    if settings.moderated:
        db.session.add(registration)
        db.session.flush()  # a duplicate email fails here
        announce(registration, "received")
        return Outcome(registration, created=True)
    admit_new(registration, now, settings)
    return Outcome(registration, created=True)


def _register_again(registration: Registration, data: RegistrationInput, now: datetime) -> Outcome:
    """Someone whose registration ended registers again with the same email: the same row takes
    the new details and consents and a new link version (the links sent before stop working), and
    goes through admission as a new registration would, at the end of the waiting list."""
    event = registration.event
    mode = _attendance_for(event, data.attendance)
    reopened = transition(
        registration, (S.CANCELLED, S.REJECTED, S.EXPIRED), S.PENDING, now, attendance=mode,
        consent_processing_at=now, token_version=secrets.token_hex(16), queued_at=None, offer_expires_at=None,
        checked_in_at=None, **_clean(data),
    )
    if not reopened:  # the same email registered again at the same moment by another request: that one won
        announce(registration, "link_resent")
        return Outcome(registration, created=False)
    if settings_for(event).moderated:
        announce(registration, "received")
    else:
        admit(registration, now, change_if_confirmed="confirmed")
    return Outcome(registration, created=True, reopened=True)


# --- What participants do from their page --------------------------------------------------


def update_details(registration: Registration, data: RegistrationInput, now: datetime | None = None) -> Registration:
    """Edit what a participant told us. A change of attendance mode needs a seat in the other
    mode (or a new place at the end of its waiting list)."""
    now = now or utcnow()
    require_running(registration.event)
    if registration.is_erased or registration.status not in ACTIVE:
        raise DomainError(_l("This registration can no longer be changed."))
    for name, value in _clean(data).items():
        setattr(registration, name, value)
    registration.updated_at = now
    mode = _attendance_for(registration.event, data.attendance or registration.attendance)
    if mode is not registration.attendance:
        previous = registration.attendance
        _change_mode(registration, mode, now)
        attendance_changed.send(registration, previous=previous)
    db.session.flush()
    return registration


def _change_mode(registration: Registration, mode: AttendanceMode, now: datetime) -> None:
    event, old = registration.event, registration.attendance
    if registration.status in SEAT_HOLDING:
        if first_waiting(event, mode) is not None or not take_seat(event, mode):
            raise DomainError(
                _l("There is no free place for this way of attending. Your current place is kept."),
                field="attendance",
            )
        registration.attendance = mode
        db.session.flush()
        free_seat(event, old, now)
    elif registration.status is S.WAITLISTED:
        # The end of the other mode's waiting list, or a seat there if one is free.
        registration.attendance = mode
        registration.queued_at = now
        db.session.flush()
        fill_from_waiting_list(event, mode, now)
    else:
        registration.attendance = mode


def cancel(registration: Registration, now: datetime | None = None, actor=None) -> Registration:
    """The participant (or an organiser for them) cancels. A freed seat goes to the waiting list."""
    now = now or utcnow()
    if actor is not None:
        require_manager(actor, registration.event)
    require_running(registration.event)
    return end(registration, S.CANCELLED, "cancelled", now)
