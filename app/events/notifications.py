"""The event-wide emails: the event cancelled (to everyone still hoping to attend, with a
METHOD:CANCEL) and the reminders a week and a day before (queued by `flask mail send-reminders`)."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.events.models import EventState
from app.mail.kinds import Kind, register_kind

KINDS = (
    Kind("reminder_7_days", _l("Reminder: %(event)s"), _l("Reminder, one week before"),
         "events/mail/reminder_7_days", ("days",)),
    Kind("reminder_1_day", _l("Tomorrow: %(event)s"), _l("Reminder, one day before"), "events/mail/reminder_1_day"),
    Kind("event_cancelled", _l("Event cancelled: %(event)s"), _l("Event cancelled"), "events/mail/event_cancelled"),
)


def _on_event_state_changed(event, change=None, **_extra) -> None:
    from app.mail.services import queue_event_cancelled

    if change is not None and change.to_state is EventState.CANCELLED:
        queue_event_cancelled(event, reason=change.reason, now=change.changed_at)


def init_app(app: Flask) -> None:
    from app.events.signals import event_state_changed

    for kind in KINDS:
        register_kind(app, kind)
    event_state_changed.connect(_on_event_state_changed)
