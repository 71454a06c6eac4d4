"""Signals of the field visit stage; its notifications.py queues the emails from them.

Sent inside the request's transaction, after the change is flushed: what receivers write commits or
rolls back with the change.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the VisitSignup; keyword `change`: one of
#   confirmed   the participant signed up and holds a place
#   waitlisted  the visit is full: on its waiting list
#   promoted    a freed place was given to them from the waiting list
#   offered     a freed place is held for them until `offer_expires_at`
#   left        the place (or the place on the waiting list) is given up; `reason` (EndReason) says why
# keyword `previous`: the status before (for `left`: whether a confirmed place, in their calendar, ends).
signup_changed = _signals.signal("field-visit-signup-changed")

# sender: the FieldVisit, after an edit; keyword `changes`: {"time": ((meets, returns), (meets, returns)),
# "meeting_point": (before, after)}: what reaches those signed up as an updated invitation.
visit_changed = _signals.signal("field-visit-changed")

# sender: the FieldVisit, just before it is removed; keyword `holders`: the registrations that held a place;
# `waiting`: the VisitSignups waiting for one (waitlisted, or offered a place), whose rows go with the visit.
visit_removed = _signals.signal("field-visit-removed")
