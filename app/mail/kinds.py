"""Every kind of message the app sends, its subject and the context its templates take.

Each kind has `app/templates/mail/<kind>.txt` and `.html`, rendered once per language. Every
template receives, besides what the caller passes in `context`:

- `event`: the Event (or None), `recipient`: the Recipient, `lang`: the language being rendered;
- `private_link`: the recipient's own page (from `context["private_link"]`, else
  `recipient.private_link`), shown in every message that has one;
- `event_url`: the event's public page; `invitation`: the Invitation attached, if any, whose time
  and place the message repeats in its body (Outlook shows the body, not the invitation).

Context keys by kind (`registration` is any object with these attributes: `app/mail/subscribers.py`
builds a `RegistrationFacts` from the registration stage's model):

| kind | context |
|---|---|
| registration_received | registration (.status, .attendance "in_person"/"online" or None) |
| registration_confirmed | registration (.attendance) ; send with an invitation |
| registration_waitlisted | registration (.position: place on the waiting list, int or None) |
| registration_promoted | registration (.attendance) ; send with an invitation |
| registration_offered | registration (.offer_expires_at: the UTC deadline, shown in the event's zone) |
| registration_offer_expired | registration ; the offered place passed to the next on the waiting list |
| registration_approved | registration (.attendance) ; send with an invitation |
| registration_rejected | registration (.reason: str, may be empty) ; METHOD:CANCEL if a confirmed place is taken away |
| registration_cancelled | registration ; send with a METHOD:CANCEL invitation (when a confirmed place is given up) |
| background_published | document_url ; optionally first_publication (False: "has been updated") |
| agenda_changed | changes: list[ItemChange] ; optionally an invitation per changed session |
| field_visit_changed | changes: list[ItemChange] ; optionally an invitation |
| reminder_7_days | days: how many days before the start (2 to 7); queued by `flask mail send-reminders` |
| reminder_1_day | (nothing more; queued by `flask mail send-reminders`) |
| event_cancelled | reason: str (may be empty) ; queued by the lifecycle signal with METHOD:CANCEL |
| learning_note_published | note_url |
| private_link_resent | (the private link only) |
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Kind:
    name: str
    subject: object  # lazy string with %(event)s
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemChange:
    """One changed agenda item or field visit, as `agenda_changed`/`field_visit_changed` list them.
    Times are UTC instants, shown in the event's zone."""

    title_en: str
    title_fr: str
    start: datetime | None = None
    end: datetime | None = None
    place: str = ""
    cancelled: bool = False
    details: dict = field(default_factory=dict)


_KINDS = [
    Kind("registration_received", _l("Registration received: %(event)s"), ("registration",)),
    Kind("registration_confirmed", _l("Registration confirmed: %(event)s"), ("registration",)),
    Kind("registration_waitlisted", _l("On the waiting list: %(event)s"), ("registration",)),
    Kind("registration_promoted", _l("A place is now yours: %(event)s"), ("registration",)),
    Kind("registration_offered", _l("A place is offered to you: %(event)s"), ("registration",)),
    Kind("registration_offer_expired", _l("The offered place has passed on: %(event)s"), ("registration",)),
    Kind("registration_approved", _l("Registration approved: %(event)s"), ("registration",)),
    Kind("registration_rejected", _l("Registration not accepted: %(event)s"), ("registration",)),
    Kind("registration_cancelled", _l("Registration cancelled: %(event)s"), ("registration",)),
    Kind("background_published", _l("Background document published: %(event)s"), ("document_url",)),
    Kind("agenda_changed", _l("The agenda has changed: %(event)s"), ("changes",)),
    Kind("field_visit_changed", _l("The field visit has changed: %(event)s"), ("changes",)),
    Kind("reminder_7_days", _l("Reminder: %(event)s"), ("days",)),
    Kind("reminder_1_day", _l("Tomorrow: %(event)s")),
    Kind("event_cancelled", _l("Event cancelled: %(event)s")),
    Kind("learning_note_published", _l("Learning note published: %(event)s"), ("note_url",)),
    Kind("private_link_resent", _l("Your private link: %(event)s")),
]
KINDS: dict[str, Kind] = {kind.name: kind for kind in _KINDS}

KIND_LABELS = {
    "registration_received": _l("Registration received"),
    "registration_confirmed": _l("Registration confirmed"),
    "registration_waitlisted": _l("Waiting list"),
    "registration_promoted": _l("Promoted from the waiting list"),
    "registration_offered": _l("Place offered from the waiting list"),
    "registration_offer_expired": _l("Offered place not accepted in time"),
    "registration_approved": _l("Registration approved"),
    "registration_rejected": _l("Registration not accepted"),
    "registration_cancelled": _l("Registration cancelled"),
    "background_published": _l("Background document published"),
    "agenda_changed": _l("Agenda changed"),
    "field_visit_changed": _l("Field visit changed"),
    "reminder_7_days": _l("Reminder, one week before"),
    "reminder_1_day": _l("Reminder, one day before"),
    "event_cancelled": _l("Event cancelled"),
    "learning_note_published": _l("Learning note published"),
    "private_link_resent": _l("Private link sent again"),
}
