"""Signals of the learning-note stage (the mail outbox queues its messages from them).

Sent inside the request's transaction, before its commit: what receivers write commits or rolls
back with the publication.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Event; keyword `version`: the NoteVersion just published (its number 1 the first
# time, higher for a correction, whose change_en/change_fr say what changed).
note_published = _signals.signal("learning-note-published")
