"""Kinds of message: what each is called, its subject and the context its templates take.

The mail package knows no stage: each stage registers its own kinds from its `init_app` with
`register_kind(app, Kind(...))`, with templates `app/templates/<stage>/mail/<kind>.txt` and `.html`
(the Kind's `template`), rendered once per language. Every template receives, besides what the
caller passes in `context`:

- `event`: the Event (or None), `recipient`: the Recipient, `lang`: the language being rendered;
- `private_link`: the recipient's own page (from `context["private_link"]`, else
  `recipient.private_link`), shown in every message that has one;
- `event_url`: the event's public page; `invitation`: the Invitation attached, if any, whose time
  and place the message repeats in its body (Outlook shows the body, not the invitation).

The kinds registered today, and the context keys each takes (`registration` is any object with
these attributes: `app/registration/notifications.py` builds a `RegistrationFacts`):

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
| reminder_7_days | days: how many days before the start (2 to 7); queued by `flask mail send-reminders` |
| reminder_1_day | (nothing more; queued by `flask mail send-reminders`) |
| event_cancelled | reason: str (may be empty) ; queued by the lifecycle signal with METHOD:CANCEL |
| private_link_resent | (the private link only) |
| registration_place_withdrawn | registration (.position) ; capacity lowered: METHOD:CANCEL for a confirmed place |
| account_invitation | link (to choose a password), days, role ; no event (app/auth/notifications.py) |
| password_reset | link, minutes ; no event |
| sign_in_paused | failures, reset_url ; no event |
| facilitator_assigned | workspace_url, steps: [(phase label, [step])], optionally assigned_by ; to staff |
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app


@dataclass(frozen=True)
class Kind:
    name: str
    subject: object  # lazy string with %(event)s
    label: object  # what the outbox pages call it
    template: str  # "<stage>/mail/<kind>", without the .txt/.html suffix
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemChange:
    """One changed agenda item (or any other dated item of a stage), as change messages list them.
    Times are UTC instants, shown in the event's zone."""

    title_en: str
    title_fr: str
    start: datetime | None = None
    end: datetime | None = None
    place: str = ""
    cancelled: bool = False
    details: dict = field(default_factory=dict)


_EXTENSION = "mail_kinds"


def register_kind(app: Flask, kind: Kind) -> None:
    registry: dict[str, Kind] = app.extensions.setdefault(_EXTENSION, {})
    if kind.name in registry:
        raise ValueError(f"mail kind {kind.name!r} is registered twice")
    registry[kind.name] = kind


def kinds() -> dict[str, Kind]:
    """The running app's kinds of message, by name."""
    return current_app.extensions.get(_EXTENSION, {})


def kind_named(name: str) -> Kind:
    try:
        return kinds()[name]
    except KeyError:
        raise ValueError(f"unknown message kind {name!r}") from None


def kind_label(name: str):
    kind = kinds().get(name)
    return kind.label if kind is not None else name
