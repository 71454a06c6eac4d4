"""Setting events up: creation, edits and facilitator assignments. Flush, never commit."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import LazyString, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import Role, User
from app.auth.permissions import can_create_events, can_host_in, can_manage_event
from app.db_types import utcnow
from app.domain import Checks, DomainError, PermissionDenied
from app.events.models import City, Event, EventFormat, EventState, FacilitatorAssignment, PolicyArea, shown_place
from app.events.signals import event_changed
from app.extensions import db
from app.forms import HTTPS_REQUIRED
from app.i18n import french_spacing
from app.stages import (
    Duplication,
    apply_event_edit,
    change_cancellations,
    change_warnings,
    check_event_edit,
    duplicate_stages,
    shift_with_event,
)
from app.timezones import entered_time_to_utc, start_of_day, utc_to_local

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX_LENGTH = 80


@dataclass
class EventInput:
    """What an organiser enters for an event; times of day are wall-clock times in the host city."""

    theme_en: str
    theme_fr: str
    host_city_id: int
    start_date: date
    end_date: date
    summary_en: str = ""
    summary_fr: str = ""
    format: EventFormat = EventFormat.IN_PERSON
    venue: str = ""
    online_url: str = ""
    capacity: int | None = None
    # The organiser confirmed a capacity below the places already held (see app.registration.capacity).
    capacity_confirmed: bool = False
    registration_opens_local: datetime | None = None
    registration_closes_local: datetime | None = None
    policy_area_ids: list[int] = field(default_factory=list)
    slug: str = ""
    # The organiser has seen who will be told of a change of dates, place or format, and agrees.
    tell_participants: bool = False
    # Moving the dates moves what the stages dated with them (the agenda), by as many days.
    shift_with_dates: bool = False


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_MAX_LENGTH:
        slug = slug[:SLUG_MAX_LENGTH].rsplit("-", 1)[0]
    return slug or "event"


def unique_slug(base: str, exclude_event_id: int | None = None) -> str:
    taken = set(db.session.scalars(select(Event.slug).where(Event.slug.like(f"{base}%"),
                                                            Event.id != (exclude_event_id or 0))))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def default_slug(theme: str, city: City, start: date) -> str:
    return slugify(f"{theme} {city.name_en} {start.year}")


def _city(city_id: int) -> City:
    city = db.session.get(City, city_id)
    if city is None:
        raise DomainError(_l("Choose a host city from the list."), field="host_city_id")
    return city


def _validated_fields(data: EventInput, city: City, exclude_event_id: int | None) -> dict:
    """The event's columns from what the organiser typed; every refusal at once (Checks). Dates
    the form could not read (None) were refused by the form already and are left out of the rules."""
    checks = Checks()
    if not (data.theme_en.strip() or data.theme_fr.strip()):
        checks.refuse(_l("Give the theme in English, in French, or both."), field="theme_en")
    if data.start_date and data.end_date:
        if data.end_date < data.start_date:
            checks.refuse(_l("The event cannot end before it starts."), field="end_date")
        elif (data.end_date - data.start_date) > timedelta(days=31):
            checks.refuse(_l("An event lasts at most a month; check the dates."), field="end_date")
    opens = checks.run(lambda: entered_time_to_utc(data.registration_opens_local, city.timezone, "registration_opens"))
    closes = checks.run(lambda: entered_time_to_utc(data.registration_closes_local, city.timezone,
                                                    "registration_closes"))
    if opens and closes and closes <= opens:
        checks.refuse(_l("Registration must close after it opens."), field="registration_closes")
    elif closes and data.end_date and closes > start_of_day(data.end_date + timedelta(days=1), city.timezone):
        checks.refuse(_l("Registration must close before the event ends."), field="registration_closes")
    online_url = data.online_url.strip()
    if online_url and not online_url.lower().startswith("https://"):
        checks.refuse(HTTPS_REQUIRED, field="online_url")
    slug = data.slug.strip().lower()
    if slug:
        if not SLUG_PATTERN.match(slug) or len(slug) > SLUG_MAX_LENGTH:
            checks.refuse(_l("Use only lowercase letters, digits and hyphens (at most %(count)d characters).",
                             count=SLUG_MAX_LENGTH), field="slug")
        elif unique_slug(slug, exclude_event_id) != slug:
            checks.refuse(_l("Another event already uses this web address."), field="slug")
    elif data.start_date:
        slug = unique_slug(default_slug(data.theme_en or data.theme_fr, city, data.start_date), exclude_event_id)
    checks.raise_any()
    policy_areas = list(db.session.scalars(select(PolicyArea).where(PolicyArea.id.in_(data.policy_area_ids))))
    return dict(
        slug=slug, theme_en=data.theme_en.strip(), theme_fr=french_spacing(data.theme_fr.strip()),
        summary_en=data.summary_en.strip(), summary_fr=french_spacing(data.summary_fr.strip()), host_city_id=city.id,
        start_date=data.start_date, end_date=data.end_date, month_only=False, format=data.format,
        venue=data.venue.strip(), online_url=online_url, capacity=data.capacity,
        registration_opens_at=opens, registration_closes_at=closes, policy_areas=policy_areas,
    )


def check_event_input(data: EventInput, event: Event | None) -> None:
    """The rules of an event's form, without saving (see app.actions.check_rules_too)."""
    city = db.session.get(City, data.host_city_id) if data.host_city_id is not None else None
    if city is not None:
        _validated_fields(data, city, event.id if event else None)


def create_event(actor, data: EventInput) -> Event:
    if not can_create_events(actor):
        raise PermissionDenied(_l("Only organisers and administrators can create events."))
    city = _city(data.host_city_id)
    if not can_host_in(actor, city.id):
        raise PermissionDenied(_l("You can create events for your own city only."), field="host_city_id")
    event = Event(**_validated_fields(data, city, None))
    db.session.add(event)
    db.session.flush()
    return event


def update_event(actor, event: Event, data: EventInput) -> Event:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_l("Only the organisers of this event's host city can change it."))
    city = _city(data.host_city_id)
    if not can_host_in(actor, city.id):
        raise DomainError(_l("You can host events in your own city only."), field="host_city_id")
    values = _validated_fields(data, city, event.id)
    days = (values["start_date"] - event.start_date).days
    if data.shift_with_dates and days:
        shift_with_event(event, days)
    # Stages that hold data tied to the event's dates, place or format refuse an edit that would
    # strand it (their StageSpec.edit_check), next to the field concerned. Their questions and the
    # one about telling participants are asked together, so that one more submit answers them all.
    checks = Checks()
    checks.run(lambda: check_event_edit(event, {**values, "capacity_confirmed": data.capacity_confirmed}))
    before = _practical_details(event.start_date, event.end_date, event.venue, event.format, event.online_url,
                                event.host_city)
    after = _practical_details(values["start_date"], values["end_date"], values["venue"], values["format"],
                               values["online_url"], city)
    changes = {what: (before[what], now) for what, now in after.items() if before[what] != now}
    if values["format"] is EventFormat.DIGITAL:
        # Its format line says the event no longer meets anywhere: the old venue is not repeated.
        changes.pop("venue", None)
    if changes and not data.tell_participants:
        checks.run(lambda: _ask_before_telling(event, values))
    checks.raise_any()
    before_edit = {"capacity": event.capacity, "format": event.format}
    for name, value in values.items():
        setattr(event, name, value)
    event.host_city = city
    touch(event)
    db.session.flush()
    apply_event_edit(event, before_edit)
    if changes:
        event_changed.send(event, changes=changes)
    return event


@dataclass
class DuplicateInput:
    """What an organiser chooses for the copy of an event: its first day (the last follows, as long
    after it as in the source) and, optionally, another theme and its web address."""

    start_date: date
    theme_en: str = ""
    theme_fr: str = ""
    slug: str = ""


def duplicate_event(actor, source: Event, data: DuplicateInput) -> Event:
    """A new draft from any event: its texts, settings and every stage's own part (the agenda's
    shape moved to the new dates, the background document as a draft…: StageSpec.duplicate_into),
    never its participants nor what its meeting produced."""
    if not can_manage_event(actor, source):
        raise PermissionDenied(_l("Only the organisers of this event's host city can copy it."))
    days = (data.start_date - source.start_date).days
    zone = source.timezone

    def moved_local(instant):
        return utc_to_local(instant, zone).replace(tzinfo=None) + timedelta(days=days) if instant else None

    theme_en, theme_fr = data.theme_en.strip(), data.theme_fr.strip()
    if not (theme_en or theme_fr):
        theme_en, theme_fr = source.theme_en, source.theme_fr
    values = _validated_fields(EventInput(
        theme_en=theme_en, theme_fr=theme_fr, host_city_id=source.host_city_id, start_date=data.start_date,
        end_date=data.start_date + (source.end_date - source.start_date), summary_en=source.summary_en,
        summary_fr=source.summary_fr, format=source.format, venue=source.venue, online_url=source.online_url,
        capacity=source.capacity, registration_opens_local=moved_local(source.registration_opens_at),
        registration_closes_local=moved_local(source.registration_closes_at),
        policy_area_ids=[area.id for area in source.policy_areas], slug=data.slug,
    ), source.host_city, None)
    event = Event(**values, state=EventState.DRAFT)
    db.session.add(event)
    db.session.flush()
    duplicate_stages(Duplication(source=source, target=event, days=days))
    return event


def _practical_details(start_date, end_date, venue, event_format, online_url, city) -> dict:
    """What participants must be told about when it changes (see signals.event_changed)."""
    return {"dates": (start_date, end_date), "venue": shown_place(venue, event_format), "format": event_format,
            "online_url": online_url, "city": city.name_en}


# How many names the confirmation lists before saying how many more.
NAMES_SHOWN = 12


def _ask_before_telling(event: Event, values: dict) -> None:
    """A change of dates, place or format of an event people registered for is emailed to them: the
    organiser sees who, and what the change does to their registrations (the stages say it:
    StageSpec.change_warnings), and says yes, before anything is saved."""
    from app.mail.recipients import Audience, participants_of

    if event.state not in (EventState.OPEN, EventState.CLOSED):
        return
    people = participants_of(event, Audience.ACTIVE)
    if not people:
        return
    names = ", ".join(person.name or person.email for person in people[:NAMES_SHOWN])
    if change_cancellations(event, values):
        told = _told_with_cancellations(people, names)
    elif len(people) > NAMES_SHOWN:
        told = _l("Saving emails this change, with an updated calendar invitation, to %(count)d people: "
                  "%(names)s and %(more)d more.", count=len(people), names=names, more=len(people) - NAMES_SHOWN)
    else:
        told = lazy_ngettext("Saving emails this change, with an updated calendar invitation, to %(num)d person: "
                             "%(names)s.",
                             "Saving emails this change, with an updated calendar invitation, to %(num)d people: "
                             "%(names)s.", len(people), names=names)
    # French says "la prévenir" to one person, "les prévenir" to several.
    tick = lazy_ngettext("Tick the box to save and tell them.", "Tick the box to save and tell them.", len(people))
    parts = [told, *change_warnings(event, values), tick]
    raise DomainError(LazyString(lambda: " ".join(str(part) for part in parts)), field="tell_participants")


def _told_with_cancellations(people: list, names: str):
    """The question's first sentence when some of those told lose their place at the event: their
    calendar gets a cancellation, not the updated invitation."""
    if len(people) > NAMES_SHOWN:
        return _l("Saving emails this change to %(count)d people, with an updated calendar invitation, or a "
                  "cancellation to those who lose their place at the event: %(names)s and %(more)d more.",
                  count=len(people), names=names, more=len(people) - NAMES_SHOWN)
    return lazy_ngettext("Saving emails this change to %(num)d person, with a calendar cancellation, as they lose "
                         "their place at the event: %(names)s.",
                         "Saving emails this change to %(num)d people, with an updated calendar invitation, or a "
                         "cancellation to those who lose their place at the event: %(names)s.",
                         len(people), names=names)


def touch(event: Event) -> None:
    """Mark the event's public pages as changed (their cache is keyed on `updated_at`). Every
    service that changes what an event's public pages show calls it, including the stages'."""
    event.updated_at = utcnow()


def assign_facilitator(actor, event: Event, user_id: int) -> User:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_l("Only the organisers of this event's host city can assign facilitators."))
    user = db.session.get(User, user_id)
    if user is None or user.role is not Role.FACILITATOR or not user.active:
        raise DomainError(_l("Choose an active facilitator account."), field="user_id")
    if db.session.get(FacilitatorAssignment, (event.id, user.id)) is None:
        db.session.add(FacilitatorAssignment(event_id=event.id, user_id=user.id))
        db.session.flush()
        db.session.expire(event, ["facilitators"])
        from app.events.notifications import queue_facilitator_assigned

        queue_facilitator_assigned(event, user, actor)
    return user


def unassign_facilitator(actor, event: Event, user_id: int) -> None:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_l("Only the organisers of this event's host city can assign facilitators."))
    assignment = db.session.get(FacilitatorAssignment, (event.id, user_id))
    if assignment is not None:
        db.session.delete(assignment)
        db.session.flush()
        db.session.expire(event, ["facilitators"])
