"""The event's own lines of the organiser's checklist (what no stage owns: where it happens, how many
places, who facilitates), beside the stages' (app/stages.py `organiser_checklist`)."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.events.models import Event, EventFormat
from app.stages import ChecklistLine, Phase, Task


def event_lines(event: Event, can_manage: bool) -> list[ChecklistLine]:
    """The event's lines, each linked to where it is done (for those who manage the event)."""
    edit = url_for("manage.edit_event", slug=event.slug) if can_manage else None
    team = url_for("manage.facilitators", slug=event.slug) if can_manage else None
    lines = []
    if event.format is not EventFormat.DIGITAL:
        lines.append(ChecklistLine(Task(_l("Venue given."), Phase.BEFORE_OPENING, done=True) if event.venue
                                   else Task(_l("Give the venue, so that registrants know where to come."),
                                             Phase.BEFORE_OPENING), edit))
    if event.format is not EventFormat.IN_PERSON:
        lines.append(ChecklistLine(Task(_l("Online meeting link given."), Phase.BEFORE_MEETING, done=True)
                                   if event.online_url else
                                   Task(_l("Give the online meeting link: confirmed online participants get it."),
                                        Phase.BEFORE_MEETING), edit))
    lines.append(ChecklistLine(
        Task(_l("Places and registration deadline set."), Phase.BEFORE_OPENING, done=True)
        if event.capacity and event.registration_closes_at else
        Task(_l("Set the number of places and when registration closes."), Phase.BEFORE_OPENING), edit))
    lines.append(ChecklistLine(
        Task(_l("Facilitators assigned."), Phase.BEFORE_MEETING, done=True) if event.facilitators else
        Task(_l("Assign the facilitators who record what the meeting produces."), Phase.BEFORE_MEETING), team))
    return lines


def phase_dates(event: Event) -> dict:
    """When each phase falls, as a heading's second line says it ("the meeting starts on…")."""
    from datetime import timedelta

    from app.i18n import format_date_range, format_day
    from app.timezones import utc_to_local

    when = {
        Phase.BEFORE_MEETING: _l("Until %(day)s", day=format_day(event.start_date)),
        Phase.DURING_MEETING: format_date_range(event.start_date, event.end_date),
        Phase.AFTER_MEETING: _l("From %(day)s", day=format_day(event.end_date + timedelta(days=1))),
    }
    if event.registration_opens_at:
        opens = utc_to_local(event.registration_opens_at, event.timezone).date()
        when[Phase.BEFORE_OPENING] = _l("Until %(day)s", day=format_day(opens))
    return when
