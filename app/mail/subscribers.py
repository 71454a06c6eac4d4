"""What the mail package does when other stages announce something (blinker signals, sent inside
the action's transaction: the messages commit or roll back with it, so a rolled-back action sends
nothing). Every signal-to-email rule of the app is here; the messages themselves are in kinds.py.

- registration_changed: one message to the participant, in their language first, with their
  private link; an invitation (METHOD:REQUEST) when a place is confirmed, promoted or approved, a
  METHOD:CANCEL (same UID, higher SEQUENCE) when someone who held a confirmed place cancels or is
  turned down. An erased registration has nobody to write to: nothing is sent.
- event_state_changed to cancelled: every active registration (confirmed, offered, on the waiting
  list, awaiting approval) gets `event_cancelled` with METHOD:CANCEL.
- background_published: the confirmed participants, on the first publication and on every later
  one that changes the document (one message per version, so a double click sends nothing twice).
- agenda_changed (open or closed events, before they finish): the confirmed participants and the
  presenters of the changed items who have an email, one message per person per change batch. A
  presenter linked to a registration is written to as that participant (their language, their
  private link), never as well through the presenter's own email.
- registration_erased: the outbox forgets that person's messages for the event (address, name,
  texts, invitation), keeping only that a message of that kind was sent, for the counts.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from app.events.models import EventState
from app.events.signals import event_state_changed

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
}
# The changes after which the participant holds a confirmed place: the invitation goes with them.
WITH_INVITATION = frozenset({"confirmed", "promoted", "approved"})
# The changes that take a place away: a METHOD:CANCEL when the place was a confirmed one.
WITH_CANCELLATION = frozenset({"cancelled", "rejected"})
AGENDA_STATES = (EventState.OPEN, EventState.CLOSED)


@dataclass(frozen=True)
class RegistrationFacts:
    """The `registration` of the registration messages' context (see kinds.py)."""

    status: str
    attendance: str | None
    position: int | None = None  # place on the waiting list
    reason: str = ""
    offer_expires_at: datetime | None = None


def _on_registration_changed(registration, change: str = "", previous=None, **_extra) -> None:
    from app.mail.services import event_invitation, participant_cancellation, queue_message
    from app.registration.models import RegistrationStatus
    from app.registration.recipients import recipient_for
    from app.registration.services import waiting_list_position

    kind = REGISTRATION_KINDS.get(change)
    recipient = recipient_for(registration)
    if kind is None or recipient is None:
        return
    event = registration.event
    invitation = None
    if change in WITH_INVITATION:
        invitation = event_invitation(event)
    elif change in WITH_CANCELLATION and previous is RegistrationStatus.CONFIRMED:
        invitation = participant_cancellation(event)
    facts = RegistrationFacts(
        status=registration.status.value, attendance=registration.attendance.value if registration.attendance else None,
        position=waiting_list_position(registration), offer_expires_at=registration.offer_expires_at,
    )
    queue_message(kind, recipient, event=event, context={"registration": facts}, invitation=invitation)


def _on_event_state_changed(event, change=None, **_extra) -> None:
    from app.mail.services import queue_event_cancelled

    if change is not None and change.to_state is EventState.CANCELLED:
        queue_event_cancelled(event, reason=change.reason, now=change.changed_at)


def _document_version(document) -> str:
    content = "\0".join([document.published_markdown_en, document.published_markdown_fr,
                         document.published_pdf_stored_name or ""])
    return hashlib.sha256(content.encode()).hexdigest()[:16]


def _on_background_published(event, document=None, first_publication: bool = True, **_extra) -> None:
    from app.mail.recipients import Audience, participants_of
    from app.mail.rendering import link_to
    from app.mail.services import queue_message

    context = {"document_url": link_to("background.show", slug=event.slug), "first_publication": first_publication}
    version = _document_version(document)
    for recipient in participants_of(event, Audience.ATTENDING):
        queue_message("background_published", recipient, event=event, context=context,
                      dedupe_key=f"background:{document.id}:{version}:{recipient.email.lower()}")


def _item_change(change, items: dict):
    from app.agenda.models import ChangeAction
    from app.mail.kinds import ItemChange

    removed = change.action is ChangeAction.REMOVED
    item = items.get(change.item_id)
    return ItemChange(
        title_en=change.title_en, title_fr=change.title_fr,
        start=change.old_starts_at if removed else change.new_starts_at,
        end=None if removed or item is None else item.ends_at,
        place=change.old_place if removed else change.new_place, cancelled=removed,
        details={"action": change.action.value},
    )


def _presenters(items) -> list:
    from app.mail.recipients import Recipient
    from app.mail.services import checked_email
    from app.registration.recipients import recipient_for

    people = []
    for item in items:
        for presenter in item.presenters:
            if presenter.registration_id is not None:
                # A registered participant: written to as one (their language, their private link);
                # nobody once their personal data is erased.
                if presenter.registration is not None and (recipient := recipient_for(presenter.registration)):
                    people.append(recipient)
                continue
            try:
                people.append(Recipient(checked_email(presenter.email), presenter.name, "en"))
            except ValueError:  # no email, or not one we can send to
                continue
    return people


def _on_agenda_changed(event, changes=(), **_extra) -> None:
    from app.agenda.models import AgendaItem
    from app.extensions import db
    from app.mail.recipients import Audience, participants_of
    from app.mail.services import queue_message

    if event.state not in AGENDA_STATES or not changes:
        return
    items = {item_id: db.session.get(AgendaItem, item_id) for item_id in {c.item_id for c in changes} if item_id}
    items = {item_id: item for item_id, item in items.items() if item is not None}
    item_changes = [_item_change(change, items) for change in changes]
    # A presenter who registered too (linked, or with the same email) is written to once, as the
    # participant (language, private link).
    recipients: dict[str, object] = {}
    for recipient in [*participants_of(event, Audience.ATTENDING), *_presenters(items.values())]:
        recipients.setdefault(recipient.email.strip().lower(), recipient)
    for recipient in recipients.values():
        queue_message("agenda_changed", recipient, event=event, context={"changes": item_changes})


def _on_registration_erased(registration, email=None, **_extra) -> None:
    from app.mail.services import forget_recipient

    if email:
        forget_recipient(registration.event_id, email)


def connect() -> None:
    from app.agenda.signals import agenda_changed
    from app.background.signals import background_published
    from app.registration.signals import registration_changed, registration_erased

    event_state_changed.connect(_on_event_state_changed)
    registration_changed.connect(_on_registration_changed)
    background_published.connect(_on_background_published)
    agenda_changed.connect(_on_agenda_changed)
    registration_erased.connect(_on_registration_erased)
