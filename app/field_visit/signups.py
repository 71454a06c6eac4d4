"""Signing up for a visit, from the participant's page: who may, the places, the waiting list, and
what a change of the registration does to a place. Flush, never commit; raise DomainError.

Rules: only confirmed participants who come in person; within the visit's places (those held back
for the host city's own people are not offered), then a waiting list promoted in order (at once,
or offered for a set time, as the event's registrations are); never two visits at the same time for
one person; leaving frees the place at once. A registration that is cancelled, erased, moved to the
waiting list or switched to online loses its visits (`release_for_registration`).
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db_types import utcnow
from app.domain import DomainError
from app.extensions import db
from app.field_visit.models import ACTIVE_SIGNUP, EndReason, FieldVisit, SignupStatus, VisitSignup
from app.field_visit.places import (
    announce,
    end_signup,
    ensure_counter,
    expire_offers,
    has_begun,
    take_place,
    transition,
)
from app.field_visit.queries import clashing, first_waiting, signup_of, signups_of_registration
from app.registration.models import AttendanceMode, Registration, RegistrationStatus
from app.registration.queries import why_registrations_cannot_change

S = SignupStatus


def _participant_problem(registration: Registration, visit: FieldVisit):
    if visit.event_id != registration.event_id:
        return _l("This visit belongs to another event.")
    if (message := why_registrations_cannot_change(registration.event)) is not None:
        return message
    if registration.is_erased or registration.status is not RegistrationStatus.CONFIRMED:
        return _l("Only participants with a confirmed place can sign up for the field visit.")
    if registration.attendance is not AttendanceMode.IN_PERSON:
        return _l("The field visit is for participants who come in person.")
    return None


def why_cannot_sign_up(registration: Registration, visit: FieldVisit, now: datetime | None = None):
    """The reason this participant cannot sign up for this visit now, or None when they can."""
    if (problem := _participant_problem(registration, visit)) is not None:
        return problem
    if visit.is_virtual:
        return _l("This visit happens online: no need to sign up, follow its link.")
    if not visit.signup_open:
        return _l("Sign-up for this visit is closed.")
    return why_too_late(visit, now or utcnow())


def why_too_late(visit: FieldVisit, now: datetime):
    """Why no place on this visit can be taken any more (signing up, accepting an offered one), or
    None while it can."""
    if visit.returns_at <= now:
        return _l("This visit is over.")
    if has_begun(visit, now):
        from app.i18n import format_local_datetime

        return _l("This visit began on %(when)s: it is too late to sign up.",
                  when=format_local_datetime(visit.meets_at, visit.event.timezone))
    return None


def clash_refusal(registration: Registration, visit: FieldVisit):
    """Why this participant cannot take this visit as well: another of theirs at the same time; or None."""
    if (other := clashing(registration.id, visit)) is None:
        return None
    from app.i18n import localized

    return _l("You have signed up for another visit at the same time: “%(title)s”. Leave it first.",
              title=localized(other, "title").text)


def sign_up(registration: Registration, visit: FieldVisit, now: datetime | None = None) -> VisitSignup:
    """A place if one is free and nobody waits before them, else the end of the waiting list."""
    now = now or utcnow()
    if (reason := why_cannot_sign_up(registration, visit, now)) is not None:
        raise DomainError(reason)
    expire_offers(now, registration.event)
    # One person's sign-ups one at a time, so that two visits at the same time cannot both be taken
    # by simultaneous requests: on PostgreSQL a lock on their registration's row; on SQLite the write
    # below opens the transaction and holds the database's write lock until the commit (a SAVEPOINT
    # alone would not: released outside a transaction, it commits at once).
    db.session.execute(select(Registration.id).where(Registration.id == registration.id).with_for_update())
    ensure_counter(visit.id)
    signup = signup_of(visit.id, registration.id)
    if signup is not None and signup.status in ACTIVE_SIGNUP:
        raise DomainError(_l("You have already signed up for this visit."))
    # `created_at` is when this sign-up began (a row left earlier is taken up again): who signed up
    # first keeps their visit when an organiser moves two of theirs onto each other (services).
    if signup is None:
        signup = VisitSignup(visit_id=visit.id, registration_id=registration.id, status=S.LEFT, created_at=now,
                             updated_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(signup)
        except IntegrityError:  # the same person, at the same moment, in another request: that one won
            raise DomainError(_l("You have already signed up for this visit.")) from None
    if (clash := clash_refusal(registration, visit)) is not None:
        raise DomainError(clash)
    if first_waiting(visit) is None and take_place(visit):
        if not transition(signup, (S.LEFT,), S.CONFIRMED, now, ended_reason=None, queued_at=None,
                          checked_in_at=None, created_at=now):
            raise DomainError(_l("This sign-up has just changed; reload the page."))
        announce(signup, "confirmed")
    else:
        if not transition(signup, (S.LEFT,), S.WAITLISTED, now, ended_reason=None, queued_at=now,
                          checked_in_at=None, created_at=now):
            raise DomainError(_l("This sign-up has just changed; reload the page."))
        announce(signup, "waitlisted")
    return signup


def _active_signup(registration: Registration, visit: FieldVisit) -> VisitSignup:
    signup = signup_of(visit.id, registration.id)
    if signup is None or signup.status not in ACTIVE_SIGNUP:
        raise DomainError(_l("You are not signed up for this visit."))
    return signup


def leave(registration: Registration, visit: FieldVisit, now: datetime | None = None) -> VisitSignup:
    """Changing one's mind: the place goes at once to the next on the waiting list."""
    now = now or utcnow()
    if (message := why_registrations_cannot_change(registration.event)) is not None:
        raise DomainError(message)
    signup = _active_signup(registration, visit)
    if not end_signup(signup, EndReason.CHANGED_MIND, now):
        raise DomainError(_l("This sign-up has just changed; reload the page."))
    return signup


def accept_offer(registration: Registration, visit: FieldVisit, now: datetime | None = None) -> VisitSignup:
    now = now or utcnow()
    if (problem := _participant_problem(registration, visit) or why_too_late(visit, now)) is not None:
        raise DomainError(problem)
    signup = _active_signup(registration, visit)
    if signup.status is S.OFFERED and signup.offer_expires_at is not None and now >= signup.offer_expires_at:
        expire_offers(now, registration.event)
        raise DomainError(_l("This offer has expired and passed to the next person on the waiting list."))
    if not transition(signup, (S.OFFERED,), S.CONFIRMED, now, offer_expires_at=None):
        raise DomainError(_l("There is no offered place to accept for this visit."))
    announce(signup, "confirmed")
    return signup


# What a change of the registration means for its visits.
REASONS = {
    RegistrationStatus.CANCELLED: EndReason.REGISTRATION_CANCELLED,
    RegistrationStatus.REJECTED: EndReason.REGISTRATION_CANCELLED,
    RegistrationStatus.EXPIRED: EndReason.REGISTRATION_CANCELLED,
    RegistrationStatus.WAITLISTED: EndReason.WAITLISTED,
    RegistrationStatus.PENDING: EndReason.WAITLISTED,
    RegistrationStatus.OFFERED: EndReason.WAITLISTED,
}


def reason_to_release(registration: Registration) -> EndReason | None:
    """Why this registration may no longer keep its visits; None while it may."""
    if registration.is_erased:
        return EndReason.ERASED
    if registration.status is not RegistrationStatus.CONFIRMED:
        return REASONS.get(registration.status, EndReason.REGISTRATION_CANCELLED)
    if registration.attendance is not AttendanceMode.IN_PERSON:
        return EndReason.ONLINE
    return None


def release_for_registration(registration: Registration, reason: EndReason | None = None,
                             now: datetime | None = None) -> list[VisitSignup]:
    """Free every visit place (and waiting-list place) of a registration that no longer qualifies."""
    reason = reason or reason_to_release(registration)
    if reason is None:
        return []
    now = now or utcnow()
    return [signup for signup in signups_of_registration(registration.id) if end_signup(signup, reason, now)]
