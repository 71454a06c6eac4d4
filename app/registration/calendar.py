"""A participant's personal calendar file: what they attend, in their language first.

Built with the shared builders of `app/calendar.py`, so that it carries the same UIDs as the event's
feed and the invitations they were emailed: the sessions of the agenda (the field visit left out for
someone taking part online), or the event over its days while it has no agenda yet. Until their
place is confirmed, its items are marked TENTATIVE."""

from flask import current_app, url_for
from icalendar import Calendar

from app import calendar
from app.agenda.models import ItemKind
from app.agenda.queries import items_of
from app.registration.models import AttendanceMode, Registration, RegistrationStatus


def registration_calendar(registration: Registration) -> Calendar:
    event = registration.event
    items = items_of(event)
    if registration.attendance is AttendanceMode.ONLINE:
        items = [item for item in items if item.kind is not ItemKind.FIELD_VISIT]
    cal = calendar.agenda_calendar(event, items, [registration.preferred_language],
                                   uid_domain=current_app.config["ICAL_UID_DOMAIN"],
                                   url=url_for("agenda.show" if items else "events.hub", slug=event.slug,
                                               _external=True))
    if registration.status is not RegistrationStatus.CONFIRMED:
        for vevent in cal.walk("VEVENT"):
            if str(vevent["STATUS"]) == "CONFIRMED":
                del vevent["STATUS"]
                vevent.add("status", "TENTATIVE")
    return cal


def registration_ics(registration: Registration) -> bytes:
    return calendar.to_ics(registration_calendar(registration))
