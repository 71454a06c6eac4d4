"""The registrations as the mail outbox sees them: one Recipient per participant, with their
preferred language and their private link, and the participant source that event-wide messages
(event cancelled, reminders, background document, agenda changes) draw their recipients from."""

from sqlalchemy import select

from app.extensions import db
from app.mail.recipients import Audience, Recipient
from app.registration.models import ACTIVE, AttendanceMode, Registration, RegistrationStatus
from app.registration.queries import modes_for
from app.registration.tokens import participant_url

STATUSES = {
    Audience.ATTENDING: (RegistrationStatus.CONFIRMED,),
    Audience.ACTIVE: ACTIVE,
}


def private_link(registration: Registration) -> str:
    """The participant's own page `/r/<token>`, absolute, for a message."""
    return participant_url(registration)


def attending_mode(registration: Registration) -> AttendanceMode:
    """How the participant takes part: the event's one way of attending when it has one (a place
    held in person at an event since moved online is attended online), else the one they chose."""
    only = modes_for(registration.event)
    return only[0] if len(only) == 1 else registration.attendance


def meeting_link_for(registration: Registration) -> str | None:
    """The event's online meeting link, for confirmed participants who attend online only: the
    waiting list, the turned down and those who come in person never receive it."""
    if registration.status is RegistrationStatus.CONFIRMED and attending_mode(registration) is AttendanceMode.ONLINE:
        return registration.event.online_url or None
    return None


def recipient_for(registration: Registration) -> Recipient | None:
    """Whom to write to about this registration; None once its personal data is erased."""
    if registration.is_erased or not registration.email:
        return None
    return Recipient(registration.email, registration.name, registration.preferred_language,
                     private_link=private_link(registration), meeting_link=meeting_link_for(registration))


def participants(event, audience: Audience) -> list[Recipient]:
    """The participant source: the event's registrations in the audience's statuses, in the order
    they registered."""
    registrations = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.status.in_(STATUSES[audience]),
                                   Registration.erased_at.is_(None), Registration.email.is_not(None))
        .order_by(Registration.created_at, Registration.id)
    )
    return [recipient for registration in registrations if (recipient := recipient_for(registration))]


