"""The signal the mail outbox listens to, to queue the bilingual emails of registration.

`registration_changed` is sent by the services (signup.py, waitlist.py, staff.py) inside the
request's transaction, after the change is flushed: a receiver that writes to the outbox commits
or rolls back together with the change. Sender: the Registration (read its status, event,
preferred_language and email there). Keyword `previous`: the status before a cancellation or a
rejection (None for the other changes), so that whoever held a confirmed place gets a calendar
cancellation. Keyword `change`: what happened, one of

    received     a registration for a moderated event waits for the organiser's approval
    confirmed    a seat is confirmed (on registering, or on accepting an offered seat)
    waitlisted   the event is full: the participant is on the waiting list (also after an approval
                 when no seat is free)
    promoted     a seat was freed and given to the participant from the waiting list
    offered      a seat was freed and is offered to the participant until `offer_expires_at`
    expired      the participant let an offered seat go by; it passed to the next on the list
    approved     the organiser approved a registration and a seat is confirmed
    rejected     the organiser turned the registration down
    cancelled    the participant cancelled (or the organiser did for them)
    restored     the organiser undid a rejection or a cancellation (`previous`: which); what
                 follows (approved, waitlisted) is announced as well
    link_resent  someone registered again with the same email, or the organiser sent a new
                 link: send the private link (`app.registration.tokens.participant_url`)
    withdrawn    the organisers lowered the capacity below the places held: the participant's
                 place (confirmed or offered) is taken back, they are at the top of the waiting list
                 (keyword `with_event_change`: the event's format changed too, and the message
                 that tells of that change says so: no message of its own)

Nothing is sent when a registration's personal data is erased (there is nobody to write to).
`app/mail/subscribers.py` queues the message of each change.
"""

from blinker import Namespace

_signals = Namespace()

CHANGES = ("received", "confirmed", "waitlisted", "promoted", "offered", "expired", "approved", "rejected",
           "cancelled", "restored", "link_resent", "withdrawn")

registration_changed = _signals.signal("registration-changed")

# Sent just before a registration's personal data is erased (on request, or by the retention
# purge), with keyword `email`: whoever keeps copies of it (the outbox) forgets them too.
registration_erased = _signals.signal("registration-erased")

# Sent when a participant switches between in person and online, or when the event's new format
# leaves them one way of attending (keyword `previous`: the mode before).
attendance_changed = _signals.signal("attendance-changed")
