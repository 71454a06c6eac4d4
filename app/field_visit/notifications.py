"""The field visit's emails and calendar invitations, and what a change of registration does to a
visit place.

- Signing up: a message saying so (place confirmed, with the visit's invitation; or the place on
  its waiting list; or a freed place given or offered to them).
- Leaving, or losing the place (the registration is cancelled, goes back to the waiting list or
  switches to online, by the participant or by the event's new format): a message saying the place
  is freed, with a METHOD:CANCEL of the visit's invitation for whoever held a confirmed place.
  Nothing is sent once the participant's data is erased.
- The visit is removed, or the event cancelled: a message saying the visit will not take place, to
  those with a place (with the METHOD:CANCEL) and, for a removal, to those waiting for one (no
  invitation of theirs to cancel).
- A change of the visit's time or meeting point: an updated invitation (higher SEQUENCE) and a
  bilingual message to those with a confirmed place.
- The day before: a reminder with the meeting point, the time and what to bring
  (`flask field-visit send-reminders`, cron-safe).

The registration stage announces its changes (`registration_changed`, `registration_erased`,
`attendance_changed`): the receivers here free the places of those who no longer qualify.
"""

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.db_types import utcnow
from app.mail.kinds import Kind, register_kind

KINDS = (
    Kind("field_visit_signup", _l("Field visit: %(event)s"), _l("Field visit sign-up"),
         "field_visit/mail/field_visit_signup", ("visit", "change")),
    Kind("field_visit_left", _l("Your field visit place is freed: %(event)s"), _l("Field visit place freed"),
         "field_visit/mail/field_visit_left", ("visit", "reason")),
    Kind("field_visit_cancelled", _l("The field visit will not take place: %(event)s"),
         _l("Field visit cancelled"), "field_visit/mail/field_visit_cancelled", ("visit", "reason")),
    Kind("field_visit_changed", _l("The field visit has changed: %(event)s"), _l("Field visit changed"),
         "field_visit/mail/field_visit_changed", ("visit", "changes")),
    Kind("field_visit_reminder", _l("Field visit tomorrow: %(event)s"), _l("Field visit reminder"),
         "field_visit/mail/field_visit_reminder", ("visit",)),
)
WITH_INVITATION = frozenset({"confirmed", "promoted"})


def _recipient(registration):
    from app.registration.recipients import recipient_for

    return recipient_for(registration)


def _context(visit, **more) -> dict:
    from app.field_visit.calendar import visit_url

    return {"visit": visit, "visit_url": visit_url(visit), **more}


def _on_signup_changed(signup, change: str = "", previous=None, reason=None, **_extra) -> None:
    from app.events.models import EventFormat
    from app.field_visit.calendar import visit_invitation
    from app.field_visit.models import EndReason, SignupStatus
    from app.field_visit.queries import clashing, waiting_position
    from app.mail.services import queue_message

    if reason is EndReason.ERASED:
        return  # nobody to write to
    recipient = _recipient(signup.registration)
    if recipient is None:
        return
    visit = signup.visit
    event = visit.event
    if change == "left":
        cancelled = previous is SignupStatus.CONFIRMED
        # The visit they keep: the one that now overlaps this one, which they signed up for first.
        kept = clashing(signup.registration_id, visit) if reason is EndReason.VISITS_OVERLAP else None
        why = reason.value if reason else "changed_mind"
        if reason is EndReason.ONLINE and event.format is EventFormat.DIGITAL:
            why = "event_online"  # the event's new format moved them: they chose nothing
        queue_message("field_visit_left", recipient, event=event,
                      context=_context(visit, reason=why,
                                       held_place=cancelled, kept=kept),
                      invitation=visit_invitation(visit, cancelled=True) if cancelled else None)
        return
    queue_message("field_visit_signup", recipient, event=event,
                  context=_context(visit, change=change, position=waiting_position(signup),
                                   offer_expires_at=signup.offer_expires_at),
                  invitation=visit_invitation(visit) if change in WITH_INVITATION else None)


def _on_visit_changed(visit, changes=None, held_before=None, **_extra) -> None:
    from app.field_visit.calendar import visit_invitation
    from app.field_visit.queries import confirmed_registrations
    from app.mail.services import calendar_sequence, queue_message

    invitation = visit_invitation(visit)
    # The feeds show the SEQUENCE the invitations carry: raise it now, whoever is signed up.
    calendar_sequence(invitation)
    for registration in confirmed_registrations(visit):
        if held_before is not None and registration.id not in held_before:
            continue  # their place came with the new time (field_visit_signup said it)
        if (recipient := _recipient(registration)) is not None:
            queue_message("field_visit_changed", recipient, event=visit.event,
                          context=_context(visit, changes=dict(changes or {})), invitation=invitation)


def told_of_removal(visit) -> tuple[list, list]:
    """Who hears of the visit's removal: the registrations holding a place, and the sign-ups
    waiting for one (on its waiting list, or offered a place), each only if they can be written to.
    The removal's confirmation counts them; the removal writes to them."""
    from app.field_visit.models import SignupStatus
    from app.field_visit.queries import confirmed_registrations, people

    holders = [r for r in confirmed_registrations(visit) if _recipient(r) is not None]
    waiting = [s for s in people(visit, (SignupStatus.WAITLISTED, SignupStatus.OFFERED))
               if _recipient(s.registration) is not None]
    return holders, waiting


def _on_visit_removed(visit, holders=(), waiting=(), **_extra) -> None:
    from app.field_visit.calendar import visit_invitation
    from app.mail.services import queue_message

    cancellation = visit_invitation(visit, cancelled=True)
    for registration in holders:
        if (recipient := _recipient(registration)) is not None:
            queue_message("field_visit_cancelled", recipient, event=visit.event,
                          context=_context(visit, reason="visit_removed", held_place=True), invitation=cancellation)
    # Nothing of theirs is in a calendar (the invitation comes with a confirmed place): the message alone.
    for signup in waiting:
        if (recipient := _recipient(signup.registration)) is not None:
            queue_message("field_visit_cancelled", recipient, event=visit.event,
                          context=_context(visit, reason="visit_removed", held_place=False,
                                           waited=signup.status.value))


def _on_event_state_changed(event, change=None, **_extra) -> None:
    """The event is cancelled: those with a place on a visit get its calendar cancellation too."""
    from app.events.models import EventState
    from app.field_visit.calendar import visit_invitation
    from app.field_visit.queries import confirmed_registrations, visits_of
    from app.mail.services import queue_message

    if change is None or change.to_state is not EventState.CANCELLED:
        return
    for visit in visits_of(event):
        cancellation = visit_invitation(visit, cancelled=True)
        for registration in confirmed_registrations(visit):
            if (recipient := _recipient(registration)) is not None:
                queue_message("field_visit_cancelled", recipient, event=event,
                              context=_context(visit, reason="event_cancelled", held_place=True),
                              invitation=cancellation,
                              dedupe_key=f"field-visit-cancelled:{visit.id}:{recipient.email.lower()}")


def _on_registration_changed(registration, **_extra) -> None:
    from app.field_visit.signups import release_for_registration

    release_for_registration(registration)


def _on_registration_erased(registration, **_extra) -> None:
    from app.field_visit.models import EndReason
    from app.field_visit.signups import release_for_registration
    from app.registration.queries import OVER

    # After the event, who went stays counted (anonymous, as the registration's row does).
    if registration.event.state not in OVER:
        release_for_registration(registration, EndReason.ERASED)


def _on_attendance_changed(registration, **_extra) -> None:
    from app.field_visit.signups import release_for_registration

    release_for_registration(registration)


def send_reminders(now=None) -> list:
    """The day before a visit (in the host city's calendar), each participant with a confirmed
    place gets the meeting point, the time and what to bring; once, however often this runs."""
    from sqlalchemy import select

    from app.events.models import Event, EventState
    from app.extensions import db
    from app.field_visit.calendar import visit_invitation
    from app.field_visit.models import FieldVisit
    from app.field_visit.queries import confirmed_registrations
    from app.mail.services import queue_message
    from app.timezones import utc_to_local

    now = now or utcnow()
    visits = db.session.scalars(
        select(FieldVisit).join(Event, FieldVisit.event_id == Event.id)
        .where(Event.state.in_([EventState.OPEN, EventState.CLOSED]), FieldVisit.meets_at > now,
               FieldVisit.meets_at <= now + timedelta(days=2)).order_by(FieldVisit.meets_at, FieldVisit.id)).all()
    queued = []
    for visit in visits:
        zone = visit.event.timezone
        if (utc_to_local(visit.meets_at, zone).date() - utc_to_local(now, zone).date()).days != 1:
            continue
        invitation = visit_invitation(visit)
        for registration in confirmed_registrations(visit):
            recipient = _recipient(registration)
            if recipient is None:
                continue
            message = queue_message("field_visit_reminder", recipient, event=visit.event, context=_context(visit),
                                    invitation=invitation, now=now,
                                    dedupe_key=f"field-visit-reminder:{visit.id}:{recipient.email.lower()}")
            if message is not None:
                queued.append(message)
    return queued


def init_app(app: Flask) -> None:
    from app.events.signals import event_state_changed
    from app.field_visit.signals import signup_changed, visit_changed, visit_removed
    from app.registration.signals import attendance_changed, registration_changed, registration_erased

    for kind in KINDS:
        register_kind(app, kind)
    signup_changed.connect(_on_signup_changed)
    visit_changed.connect(_on_visit_changed)
    visit_removed.connect(_on_visit_removed)
    event_state_changed.connect(_on_event_state_changed)
    registration_changed.connect(_on_registration_changed)
    registration_erased.connect(_on_registration_erased)
    attendance_changed.connect(_on_attendance_changed)
