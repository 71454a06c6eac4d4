"""What the mail package does when other stages announce something (blinker signals, sent inside
the action's transaction: the messages commit or roll back with it)."""

from app.events.models import EventState
from app.events.signals import event_state_changed


def _on_event_state_changed(event, change=None, **_extra) -> None:
    from app.mail.services import queue_event_cancelled

    if change is not None and change.to_state is EventState.CANCELLED:
        queue_event_cancelled(event, reason=change.reason, now=change.changed_at)


def connect() -> None:
    event_state_changed.connect(_on_event_state_changed)
