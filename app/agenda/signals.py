"""Signals of the agenda stage (the mail outbox queues its messages from them).

Sent inside the request's transaction, before its commit: what receivers write commits or rolls
back with the change that caused it.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Event; keyword `changes`: the AgendaChange entries just recorded (only once the event
# is open, when the agenda page shows its change log). The mail work tells those concerned: the
# presenters of the items (AgendaPresenter.email, or the registration of a linked presenter) and the
# registered participants.
agenda_changed = _signals.signal("agenda-changed")
