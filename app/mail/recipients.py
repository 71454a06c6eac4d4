"""Who receives a message, and where the participants of an event come from.

The registration stage owns the participants. It plugs them in with one call at start-up:

    from app.mail.recipients import Recipient, register_participant_source

    def participants(event, audience: Audience) -> list[Recipient]:
        return [Recipient(r.email, r.name, r.language, private_link=r.private_url()) for r in ...]

    register_participant_source(app, participants)

(the registration stage's `init_app` does so.) Event-wide messages go to every recipient the sources
return for the audience, once per email address: `Audience.ATTENDING` (confirmed participants:
reminders, background document, agenda changes) or `Audience.ACTIVE` (everyone still hoping to
attend, on the waiting list or waiting for approval too: the event is cancelled).
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

SUPPORTED_LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Recipient:
    """One person a message goes to. `language` is their preferred language ("en" or "fr"), which
    the message shows first; `private_link` is the absolute URL of their own page, when they have one;
    `meeting_link` the event's private online meeting link, given only to those entitled to it
    (confirmed participants who attend online)."""

    email: str
    name: str = ""
    language: str = "en"
    private_link: str | None = None
    meeting_link: str | None = None

    @property
    def languages(self) -> list[str]:
        first = self.language if self.language in SUPPORTED_LANGUAGES else "en"
        return [first, *(lang for lang in SUPPORTED_LANGUAGES if lang != first)]


class Audience(enum.StrEnum):
    ATTENDING = "attending"  # holds a confirmed place
    ACTIVE = "active"  # still hoping to attend: confirmed, offered a place, waiting list, awaiting approval


ParticipantSource = Callable[[object, Audience], list[Recipient]]
_EXTENSION = "participant_sources"


def register_participant_source(app: Flask, source: ParticipantSource) -> Callable[[], None]:
    """Add a function `source(event, audience) -> list[Recipient]` to the app's participant sources;
    returns a function that removes it again."""
    sources: list[ParticipantSource] = app.extensions.setdefault(_EXTENSION, [])
    if source not in sources:
        sources.append(source)

    def unregister() -> None:
        if source in sources:
            sources.remove(source)

    return unregister


def participants_of(event, audience: Audience = Audience.ATTENDING) -> list[Recipient]:
    """Everyone the registered sources list for the event and audience, first entry per email
    address kept."""
    seen: dict[str, Recipient] = {}
    for source in current_app.extensions.get(_EXTENSION, []):
        for recipient in source(event, audience):
            seen.setdefault(recipient.email.strip().lower(), recipient)
    return list(seen.values())
