"""Signals of the background stage (the mail outbox queues its messages from them).

Sent inside the request's transaction, before its commit: what receivers write commits or rolls
back with the publication.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Event; keywords `document` (the BackgroundDocument just published) and
# `first_publication` (True the first time, False for an update). The mail work sends the
# bilingual "background document published/updated" email to registered participants from here.
background_published = _signals.signal("background-published")
