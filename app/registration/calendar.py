"""A participant's personal calendar file: the event's days, all-day, in the participant's language.

All-day dates (VALUE=DATE) need no time zone, so the file holds no VTIMEZONE to get wrong."""

from datetime import timedelta

from flask import request, url_for
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from app.db_types import utcnow
from app.i18n import localized
from app.registration.models import Registration, RegistrationStatus


def registration_ics(registration: Registration) -> bytes:
    event = registration.event
    lang = registration.preferred_language
    calendar = Calendar()
    calendar.add("prodid", "-//MC2CM//Peer learning events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    item = CalendarEvent()
    item.add("uid", f"registration-{registration.id}-event-{event.id}@{request.host.split(':')[0]}")
    item.add("dtstamp", utcnow())
    item.add("dtstart", event.start_date)
    item.add("dtend", event.end_date + timedelta(days=1))
    item.add("summary", localized(event, "theme", lang).text)
    place = event.venue if registration.attendance.value == "in_person" else event.online_url
    if place:
        item.add("location", place)
    item.add("url", url_for("events.hub", slug=event.slug, _external=True))
    item.add("status", "CONFIRMED" if registration.status is RegistrationStatus.CONFIRMED else "TENTATIVE")
    item.add("transp", "TRANSPARENT")
    calendar.add_component(item)
    return calendar.to_ical()
