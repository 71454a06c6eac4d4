"""Signals other stages listen to (the mail outbox queues its messages from them).

Receivers run inside the request's transaction, before its commit: what they write commits or
rolls back with the action that caused it.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Event; keyword `change`: the EventStateChange just recorded.
event_state_changed = _signals.signal("event-state-changed")

# sender: the Event, after an edit; keyword `changes`: {what: (before, after)} for what changes
# the participants' calendars or how they come: "dates" ((start, end) pairs), "venue", "format",
# "online_url", "city" (the host city's name: its time zone may change with it). Sent only when
# something of these changed.
event_changed = _signals.signal("event-changed")
