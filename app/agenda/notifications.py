"""The agenda stage's email: once the event is open (and until it is finished), every batch of
changes reaches the confirmed participants (with the event's invitation, updated) and the
presenters of the changed items who have an email, one message per person. A presenter linked to
a registration is written to as that participant (their language, their private link), never as
well through the presenter's own email.

Its kind, agenda_changed, takes `changes` (a list of `app.mail.kinds.ItemChange`)."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.events.models import EventState
from app.mail.kinds import Kind, register_kind

CHANGED = Kind("agenda_changed", _l("The agenda has changed: %(event)s"), _l("Agenda changed"),
               "agenda/mail/agenda_changed", ("changes",))
AGENDA_STATES = (EventState.OPEN, EventState.CLOSED)


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


def recipients_of(event, items, attending=None) -> dict:
    """Whom a change of these items is emailed to, by address: the confirmed participants and the
    items' presenters, each once (a presenter who registered, as the participant)."""
    from app.mail.recipients import Audience, participants_of

    if attending is None:
        attending = participants_of(event, Audience.ATTENDING)
    recipients: dict[str, object] = {}
    for recipient in [*attending, *_presenters(items)]:
        recipients.setdefault(recipient.email.strip().lower(), recipient)
    return recipients


def _on_agenda_changed(event, changes=(), **_extra) -> None:
    from app.agenda.models import AgendaItem
    from app.extensions import db
    from app.mail.recipients import Audience, participants_of
    from app.mail.services import addressed_to, event_invitation, queue_message

    if event.state not in AGENDA_STATES or not changes:
        return
    items = {item_id: db.session.get(AgendaItem, item_id) for item_id in {c.item_id for c in changes} if item_id}
    items = {item_id: item for item_id, item in items.items() if item is not None}
    item_changes = [_item_change(change, items) for change in changes]
    attending = participants_of(event, Audience.ATTENDING)
    recipients = recipients_of(event, items.values(), attending)
    # Those who hold the event in their calendar get it again, from its first to its last session as
    # they are now (a higher SEQUENCE when that moved).
    invitation = event_invitation(event)
    holding = {recipient.email.strip().lower() for recipient in attending}
    for address, recipient in recipients.items():
        queue_message("agenda_changed", recipient, event=event, context={"changes": item_changes},
                      invitation=addressed_to(invitation, event, recipient) if address in holding else None)


def init_app(app: Flask) -> None:
    from app.agenda.signals import agenda_changed

    register_kind(app, CHANGED)
    agenda_changed.connect(_on_agenda_changed)
