"""Signals other stages listen to (the mail outbox queues its messages from them).

Receivers run inside the request's transaction, before its commit: what they write commits or
rolls back with the action that caused it.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Event; keyword `change`: the EventStateChange just recorded.
event_state_changed = _signals.signal("event-state-changed")
