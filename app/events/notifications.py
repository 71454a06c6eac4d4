"""The event-wide emails: the event cancelled (to everyone still hoping to attend, with a
METHOD:CANCEL), its dates, place or format changed (with the updated invitation), and the
reminders a week and a day before (queued by `flask mail send-reminders`)."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.events.models import EventState
from app.mail.kinds import Kind, register_kind

KINDS = (
    Kind("reminder_7_days", _l("Reminder: %(event)s"), _l("Reminder, one week before"),
         "events/mail/reminder_7_days", ("days",)),
    Kind("reminder_1_day", _l("Tomorrow: %(event)s"), _l("Reminder, one day before"), "events/mail/reminder_1_day"),
    Kind("event_cancelled", _l("Event cancelled: %(event)s"), _l("Event cancelled"), "events/mail/event_cancelled"),
    Kind("event_changed", _l("Event updated: %(event)s"), _l("Event updated"), "events/mail/event_changed",
         ("event_changes",)),
    Kind("facilitator_assigned", _l("Your role as a facilitator: %(event)s"), _l("Facilitator assigned"),
         "events/mail/facilitator_assigned", ("workspace_url", "steps")),
)
# Events whose participants hear of every change: those people can register for or hold a place in.
TOLD_STATES = (EventState.OPEN, EventState.CLOSED)


def _on_event_changed(event, changes=None, **_extra) -> None:
    """Everyone with a confirmed place gets one message with what changed and the updated
    invitation (its SEQUENCE raised when the time or place changed); those still waiting get the
    message without an invitation (they have nothing in their calendar yet)."""
    from app.mail.recipients import Audience, participants_of
    from app.mail.services import addressed_to, event_invitation, participant_cancellation, queue_message
    from app.stages import ChangeNote, event_change_notes

    if event.state not in TOLD_STATES or not changes:
        return
    event_changes = [(what, before, after) for what, (before, after) in changes.items()]
    invitation = event_invitation(event)
    attending = {recipient.email.lower() for recipient in participants_of(event, Audience.ATTENDING)}
    # What the change did to each one's registration (moved online, back on the waiting list…).
    notes = event_change_notes(event, changes)
    for recipient in participants_of(event, Audience.ACTIVE):
        visible = [change for change in event_changes if change[0] != "online_url" or recipient.meeting_link]
        note = notes.get(recipient.email.lower(), ChangeNote())
        if not visible and not note.lines:
            continue
        if recipient.email.lower() in attending:
            attached = addressed_to(invitation, event, recipient)
        else:
            attached = participant_cancellation(event, recipient) if note.cancel else None
        queue_message("event_changed", recipient, event=event,
                      context={"event_changes": visible, "notes": list(note.lines)}, invitation=attached)


def queue_facilitator_assigned(event, facilitator, assigned_by) -> None:
    """The facilitator learns they were assigned, what they will be able to do and when (the stages'
    steps, by phase), and where their event page is. No private link: they sign in."""
    from app.auth.notifications import recipient_of
    from app.db_types import utcnow
    from app.links import link_to
    from app.mail.services import queue_message
    from app.stages import facilitator_guide

    steps = [(group.label, [line.task.text for line in group.lines]) for group in facilitator_guide(event, utcnow())]
    queue_message("facilitator_assigned", recipient_of(facilitator), event=event,
                  context={"workspace_url": link_to("manage.workspace", slug=event.slug), "steps": steps,
                           "assigned_by": getattr(assigned_by, "name", "")})


def _on_event_state_changed(event, change=None, **_extra) -> None:
    from app.mail.services import queue_event_cancelled

    if change is not None and change.to_state is EventState.CANCELLED:
        queue_event_cancelled(event, reason=change.reason, now=change.changed_at)


def init_app(app: Flask) -> None:
    from app.events.signals import event_changed, event_state_changed

    for kind in KINDS:
        register_kind(app, kind)
    event_state_changed.connect(_on_event_state_changed)
    event_changed.connect(_on_event_changed)
