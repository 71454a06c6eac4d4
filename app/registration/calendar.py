"""A participant's personal calendar file: what they attend, in their language first.

Built from what every stage puts in a personal feed (app/stages.py), so that it carries the same
UIDs as the event's feed and the invitations they were emailed; the event over its days while no
stage has anything for them yet. Until their place is confirmed, its items are marked TENTATIVE."""

from icalendar import Calendar, vText

from app import calendar
from app.links import link_to
from app.mail.services import tracked_sequences
from app.registration.models import Registration, RegistrationStatus
from app.registration.recipients import meeting_link_for
from app.stages import personal_feed_entries


def registration_calendar(registration: Registration) -> Calendar:
    event = registration.event
    lang_order = [registration.preferred_language]
    url = link_to("events.hub", slug=event.slug)
    entries = personal_feed_entries(registration, calendar.full_lang_order(lang_order), url)
    uid = calendar.event_uid(event)
    cal = calendar.event_calendar(event, entries, lang_order, url=url, sequence=tracked_sequences([uid]).get(uid, 0))
    if meeting_link := meeting_link_for(registration):
        # Theirs alone: the event's feed is public and never carries it.
        for vevent in cal.walk("VEVENT"):
            description = str(vevent.get("DESCRIPTION", ""))
            vevent["DESCRIPTION"] = vText(f"{description}\n\n{meeting_link}".strip())
    if registration.status is not RegistrationStatus.CONFIRMED:
        for vevent in cal.walk("VEVENT"):
            if str(vevent["STATUS"]) == "CONFIRMED":
                del vevent["STATUS"]
                vevent.add("status", "TENTATIVE")
    return cal


def registration_ics(registration: Registration) -> bytes:
    return calendar.to_ics(registration_calendar(registration))
