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

Each kind names the context keys its templates need (`requires`; `queue_message` refuses a message
without them), where it is declared: a stage's kinds in the stage's `notifications.py`. The core's
kinds (`app/events/notifications.py`, `app/auth/notifications.py`) and their context:

| kind | context |
|---|---|
| reminder_7_days | days: how many days before the start (2 to 7); queued by `flask mail send-reminders` |
| reminder_1_day | (nothing more; queued by `flask mail send-reminders`) |
| event_cancelled | reason: str (may be empty) ; queued by the lifecycle signal with METHOD:CANCEL |
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
