"""The registration stage's emails: one message to the participant for every change of their
registration (`registration_changed`), in their language first, with their private link; an
invitation (METHOD:REQUEST) when a place is confirmed, promoted or approved, a METHOD:CANCEL (same
UID, higher SEQUENCE) when someone who held a confirmed place cancels or is turned down. An erased
registration has nobody to write to: nothing is sent, and the outbox forgets that person's messages
for the event (`registration_erased`). Receivers run inside the action's transaction: a change that
is rolled back sends nothing.

The context of the kinds (`registration` is a `RegistrationFacts`, built here):

| kind | context |
|---|---|
| registration_received | registration (.status, .attendance "in_person"/"online" or None) |
| registration_confirmed | registration (.attendance) ; send with an invitation |
| registration_waitlisted | registration (.position: place on the waiting list, int or None) |
| registration_promoted | registration (.attendance) ; send with an invitation |
| registration_offered | registration (.offer_expires_at: the UTC deadline, shown in the event's zone) |
| registration_offer_expired | registration ; the offered place passed to the next on the waiting list |
| registration_approved | registration (.attendance) ; send with an invitation |
| registration_rejected | registration (.reason: str, may be empty) ; METHOD:CANCEL if a confirmed place is taken away |
| registration_cancelled | registration ; send with a METHOD:CANCEL invitation (when a confirmed place is given up) |
| private_link_resent | (the private link only) |
| registration_place_withdrawn | registration (.position) ; capacity lowered: METHOD:CANCEL for a confirmed place |
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.db_types import utcnow
from app.mail.kinds import Kind, register_kind

KINDS = (
    Kind("registration_received", _l("Registration received: %(event)s"), _l("Registration received"),
         "registration/mail/registration_received", ("registration",)),
    Kind("registration_confirmed", _l("Registration confirmed: %(event)s"), _l("Registration confirmed"),
         "registration/mail/registration_confirmed", ("registration",)),
    Kind("registration_waitlisted", _l("On the waiting list: %(event)s"), _l("Waiting list"),
         "registration/mail/registration_waitlisted", ("registration",)),
    Kind("registration_promoted", _l("A place is now yours: %(event)s"), _l("Promoted from the waiting list"),
         "registration/mail/registration_promoted", ("registration",)),
    Kind("registration_offered", _l("A place is offered to you: %(event)s"),
         _l("Place offered from the waiting list"), "registration/mail/registration_offered", ("registration",)),
    Kind("registration_offer_expired", _l("The offered place has passed on: %(event)s"),
         _l("Offered place not accepted in time"), "registration/mail/registration_offer_expired",
         ("registration",)),
    Kind("registration_approved", _l("Registration approved: %(event)s"), _l("Registration approved"),
         "registration/mail/registration_approved", ("registration",)),
    Kind("registration_rejected", _l("Registration not accepted: %(event)s"), _l("Registration not accepted"),
         "registration/mail/registration_rejected", ("registration",)),
    Kind("registration_cancelled", _l("Registration cancelled: %(event)s"), _l("Registration cancelled"),
         "registration/mail/registration_cancelled", ("registration",)),
    Kind("private_link_resent", _l("Your private link: %(event)s"), _l("Private link sent again"),
         "registration/mail/private_link_resent"),
    Kind("registration_place_withdrawn", _l("Back on the waiting list (fewer places): %(event)s"),
         _l("Place withdrawn (capacity lowered)"), "registration/mail/registration_place_withdrawn",
         ("registration",)),
)

REGISTRATION_KINDS = {
    "received": "registration_received",
    "confirmed": "registration_confirmed",
    "waitlisted": "registration_waitlisted",
    "promoted": "registration_promoted",
    "offered": "registration_offered",
    "expired": "registration_offer_expired",
    "approved": "registration_approved",
    "rejected": "registration_rejected",
    "cancelled": "registration_cancelled",
    "link_resent": "private_link_resent",
    "withdrawn": "registration_place_withdrawn",
}
# The changes after which the participant holds a confirmed place: the invitation goes with them.
WITH_INVITATION = frozenset({"confirmed", "promoted", "approved"})
# The changes that take a place away: a METHOD:CANCEL when the place was a confirmed one.
WITH_CANCELLATION = frozenset({"cancelled", "rejected", "withdrawn"})


@dataclass(frozen=True)
class RegistrationFacts:
    """The `registration` of the registration messages' context (see app/mail/kinds.py)."""

    status: str
    attendance: str | None
    position: int | None = None  # place on the waiting list
    reason: str = ""
    offer_expires_at: datetime | None = None


def _on_registration_changed(registration, change: str = "", previous=None, **_extra) -> None:
    from app.mail.services import event_invitation, participant_cancellation, queue_message
    from app.registration.models import RegistrationStatus
    from app.registration.queries import waiting_list_position
    from app.registration.recipients import recipient_for

    if change == "restored":
        _withdraw_unsent(registration, previous)
        return
    if change == "withdrawn" and _extra.get("with_event_change"):
        return  # said in the event's own change message, with the calendar cancellation (stage.change_notes)
    kind = REGISTRATION_KINDS.get(change)
    recipient = recipient_for(registration)
    if kind is None or recipient is None:
        return
    dedupe_key = None
    if change == "link_resent":
        if _private_link_sent_lately(registration):
            return  # the same link went out minutes ago: a double click, or the form sent again
        dedupe_key = f"{_link_key_prefix(registration)}{utcnow().timestamp():.6f}"
    event = registration.event
    invitation = None
    if change in WITH_INVITATION:
        invitation = event_invitation(event, recipient=recipient)
    elif change in WITH_CANCELLATION and previous is RegistrationStatus.CONFIRMED:
        invitation = participant_cancellation(event, recipient)
    facts = RegistrationFacts(
        status=registration.status.value, attendance=registration.attendance.value if registration.attendance else None,
        position=waiting_list_position(registration), offer_expires_at=registration.offer_expires_at,
    )
    queue_message(kind, recipient, event=event, context={"registration": facts}, invitation=invitation,
                  dedupe_key=dedupe_key)


def _link_key_prefix(registration) -> str:
    return f"private-link:{registration.id}:{registration.token_version}:"


def _private_link_sent_lately(registration) -> bool:
    """Whether this registration's current link was sent again within PRIVATE_LINK_RESEND_SECONDS.
    The registration's row is locked first, so that two requests at once cannot both send it."""
    from app.extensions import db
    from app.mail.models import OutboxMessage
    from app.registration.models import Registration

    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row lock and reads outside a transaction until its first write: a write that
        # changes nothing takes its one write lock now, held until the commit, so a second request
        # reads only once the first one's message is committed.
        db.session.execute(update(Registration).where(Registration.id == registration.id)
                           .values(token_version=Registration.token_version, updated_at=Registration.updated_at))
    else:
        db.session.execute(select(Registration.id).where(Registration.id == registration.id).with_for_update())
    since = utcnow() - timedelta(seconds=current_app.config["PRIVATE_LINK_RESEND_SECONDS"])
    return db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.event_id == registration.event_id,
                                       OutboxMessage.dedupe_key.startswith(_link_key_prefix(registration)),
                                       OutboxMessage.created_at >= since).limit(1)
    ) is not None


def _withdraw_unsent(registration, previous) -> None:
    """The email that announced what was just undone, if it has not left yet, never leaves."""
    from app.mail.services import withdraw_unsent
    from app.registration.models import RegistrationStatus

    kind = {RegistrationStatus.REJECTED: "registration_rejected",
            RegistrationStatus.CANCELLED: "registration_cancelled"}.get(previous)
    if kind and registration.email:
        withdraw_unsent(registration.event_id, registration.email, kind)


def _on_registration_erased(registration, email=None, **_extra) -> None:
    from app.mail.services import forget_recipient

    if email:
        forget_recipient(registration.event_id, email)


def init_app(app: Flask) -> None:
    from app.mail.recipients import register_participant_source
    from app.registration.recipients import participants
    from app.registration.signals import registration_changed, registration_erased

    for kind in KINDS:
        register_kind(app, kind)
    register_participant_source(app, participants)
    registration_changed.connect(_on_registration_changed)
    registration_erased.connect(_on_registration_erased)
