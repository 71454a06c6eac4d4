"""What organisers do with the field visit: describe visits and their stops, open and close sign-up,
check the group in at the meeting point. Flush, never commit; raise DomainError (next to its field),
PermissionDenied for anyone but the event's organisers."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select

from app.auth.permissions import can_manage_event
from app.db_types import utcnow
from app.domain import Checks, DomainError, PermissionDenied
from app.events.models import City, Event
from app.events.services import touch
from app.extensions import db
from app.field_visit.models import EndReason, FieldVisit, FieldVisitStop, SignupStatus, VisitSignup
from app.field_visit.places import end_signup, fill_from_waiting_list
from app.field_visit.queries import confirmed_registrations, signed_up_for_both, taken_places, visits_of
from app.field_visit.signals import visit_changed, visit_removed
from app.forms import HTTPS_REQUIRED
from app.timezones import entered_time_to_utc, local_to_utc, utc_to_local

# The languages a visit can be guided in (names come from the viewer's locale).
GUIDE_LANGUAGES = ("en", "fr", "ar", "it", "es", "pt", "el", "tr")


@dataclass
class StopInput:
    place: str = ""
    address: str = ""
    shown_en: str = ""
    shown_fr: str = ""
    received_by: str = ""
    at_local: datetime | None = None


@dataclass
class VisitInput:
    """A visit as the organiser enters it; times are wall-clock times in the event's zone."""

    title_en: str = ""
    title_fr: str = ""
    meets_local: datetime | None = None
    returns_local: datetime | None = None
    description_en: str = ""
    description_fr: str = ""
    host_organisations: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    meeting_point: str = ""
    meeting_address: str = ""
    return_place: str = ""
    transport: str = ""
    guide_languages: list[str] = field(default_factory=list)
    accessibility_en: str = ""
    accessibility_fr: str = ""
    what_to_bring_en: str = ""
    what_to_bring_fr: str = ""
    meal_included: bool = False
    capacity: int | None = None
    reserved: int = 0
    online_url: str = ""
    agenda_item_id: int | None = None
    stops: list[StopInput] = field(default_factory=list)
    overlap_confirmed: bool = False  # yes to releasing the places of those signed up for overlapping visits


def require_manager(actor, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_l("Only the organisers of this event's host city can change its field visit."))


def _within_days(event: Event, local: datetime) -> bool:
    return event.start_date <= local.date() <= event.end_date


def _days_message(event: Event):
    return _l("Choose a time during the event, between %(first)s and %(last)s.",
              first=event.start_date.isoformat(), last=event.end_date.isoformat())


def _slot(event: Event, item_id: int | None, visit: FieldVisit | None):
    from app.agenda.models import AgendaItem

    if item_id is None:
        return None
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.event_id != event.id:
        raise DomainError(_l("Choose an item of this event's agenda."), field="agenda_item_id")
    taken = db.session.scalar(select(FieldVisit.id).where(FieldVisit.agenda_item_id == item_id))
    if taken is not None and (visit is None or taken != visit.id):
        raise DomainError(_l("Another visit already fills this agenda slot. Parallel visits go in parallel "
                             "slots (agenda items in different tracks)."), field="agenda_item_id")
    return item_id


NAMES_SHOWN = 20


class SignedUpForBoth(DomainError):
    """A new time makes the visit overlap others that some of its people are signed up for too."""

    confirm_field = "overlap_confirmed"

    def __init__(self, pairs: list[tuple[VisitSignup, VisitSignup]], field: str = "meets_at"):
        people = list(dict.fromkeys(mine.registration.name or "—" for mine, _other in pairs))
        names = ", ".join(people[:NAMES_SHOWN]) + (" …" if len(people) > NAMES_SHOWN else "")
        super().__init__(lazy_ngettext(
            "At this time the visit overlaps another one that %(num)d person is also signed up for (or waits for): "
            "%(names)s. If you confirm, they keep the visit they signed up for first; their other place is "
            "released and they are told by email.",
            "At this time the visit overlaps others that %(num)d people are also signed up for (or wait for): "
            "%(names)s. If you confirm, each keeps the visit they signed up for first; their other place is "
            "released and they are told by email.", len(people), names=names), field=field)
        self.pairs = pairs


def _overlap_check(visit: FieldVisit | None, meets_at, returns_at, confirmed: bool) -> None:
    if visit is None or confirmed or meets_at is None or returns_at is None:
        return
    if (meets_at, returns_at) == (visit.meets_at, visit.returns_at):
        return  # only a move can put someone on two visits at once (sign-up refuses it)
    if pairs := signed_up_for_both(visit, meets_at, returns_at):
        raise SignedUpForBoth(pairs)


def _release_double_sign_ups(visit: FieldVisit, now: datetime) -> list[VisitSignup]:
    """After a confirmed move: each person on this visit and on another it now overlaps keeps the one
    they signed up for first; the other sign-ups end, and each is told (`signup_changed`)."""
    by_person: dict[int, tuple[VisitSignup, list[VisitSignup]]] = {}
    for mine, other in signed_up_for_both(visit, visit.meets_at, visit.returns_at):
        by_person.setdefault(mine.registration_id, (mine, []))[1].append(other)

    def first(signup: VisitSignup):
        return signup.created_at, signup.id

    releases: list[VisitSignup] = []
    for mine, others in by_person.values():
        if any(first(other) < first(mine) for other in others):
            releases.append(mine)
        else:
            releases.extend(others)
    # Waiting-list sign-ups first: a place freed afterwards then goes to someone no longer on both.
    releases.sort(key=lambda s: (s.status is not SignupStatus.WAITLISTED, s.id))
    return [signup for signup in releases if end_signup(signup, EndReason.VISITS_OVERLAP, now)]


def _validated(event: Event, data: VisitInput, visit: FieldVisit | None) -> dict:
    """The visit's columns from what the organiser typed; every refusal at once (Checks)."""
    checks = Checks()
    title_en, title_fr = data.title_en.strip(), data.title_fr.strip()
    if not (title_en or title_fr):
        checks.refuse(_l("Give the visit a title in English, in French, or both."), field="title_en")
    if data.meets_local is None:
        checks.refuse(_l("Enter when the group meets."), field="meets_at")
    elif not _within_days(event, data.meets_local):
        checks.refuse(_days_message(event), field="meets_at")
    if data.returns_local is None:
        checks.refuse(_l("Enter when the group is back."), field="returns_at")
    elif data.meets_local is not None and data.returns_local <= data.meets_local:
        checks.refuse(_l("The return must come after the meeting time."), field="returns_at")
    elif data.returns_local > datetime.combine(event.end_date + timedelta(days=1), time()):
        checks.refuse(_days_message(event), field="returns_at")
    meets_at = returns_at = None
    if not checks.refused("meets_at"):
        meets_at = checks.run(lambda: entered_time_to_utc(data.meets_local, event.timezone, "meets_at"))
    if not checks.refused("returns_at"):
        returns_at = checks.run(lambda: entered_time_to_utc(data.returns_local, event.timezone, "returns_at"))
    checks.run(lambda: _overlap_check(visit, meets_at, returns_at, data.overlap_confirmed))
    online_url = data.online_url.strip()
    if online_url and not online_url.lower().startswith("https://"):
        checks.refuse(HTTPS_REQUIRED, field="online_url")
    if not online_url and not data.meeting_point.strip():
        checks.refuse(_l("Say where the group meets (or, for an online visit, give its link)."), field="meeting_point")
    if data.capacity is not None and data.capacity < 0:
        checks.refuse(_l("Give a number of places, or leave it empty for no limit."), field="capacity")
    reserved = data.reserved or 0
    if reserved < 0 or (data.capacity is not None and reserved > data.capacity):
        checks.refuse(_l("Hold back at most the visit's capacity."), field="reserved")
    elif visit is not None and data.capacity is not None:
        held = taken_places([visit.id]).get(visit.id, 0)
        if data.capacity - reserved < held:
            checks.refuse(_l("%(count)d participants already hold a place: the capacity, less the places held "
                             "back, cannot go below that. Ask some to leave first, or raise it.", count=held),
                          field="capacity")
    languages = [code for code in data.guide_languages if code in GUIDE_LANGUAGES]
    stops = []
    for number, stop in enumerate(data.stops, start=1):
        texts = (stop.place, stop.address, stop.shown_en, stop.shown_fr, stop.received_by)
        if not any(t.strip() for t in texts) and stop.at_local is None:
            continue
        if not stop.place.strip():
            checks.refuse(_l("Stop %(number)d: say which place it is (or leave the whole stop empty).",
                             number=number), field="stops")
        at = None
        if stop.at_local is not None:
            if not _within_days(event, stop.at_local):
                checks.refuse(_l("Stop %(number)d: its time must fall during the event, between %(first)s and "
                                 "%(last)s.", number=number, first=event.start_date.isoformat(),
                                 last=event.end_date.isoformat()), field="stops")
            else:
                at = checks.run(lambda s=stop: entered_time_to_utc(s.at_local, event.timezone, "stops"))
        stops.append(dict(position=len(stops), place=stop.place.strip(), address=stop.address.strip(),
                          shown_en=stop.shown_en.strip(), shown_fr=stop.shown_fr.strip(),
                          received_by=stop.received_by.strip(), at=at))
    slot = checks.run(lambda: _slot(event, data.agenda_item_id, visit))
    checks.raise_any()
    return dict(
        title_en=title_en, title_fr=title_fr, description_en=data.description_en.strip(),
        description_fr=data.description_fr.strip(), host_organisations=data.host_organisations.strip(),
        contact_name=data.contact_name.strip(), contact_phone=data.contact_phone.strip(),
        contact_email=data.contact_email.strip(), meeting_point=data.meeting_point.strip(),
        meeting_address=data.meeting_address.strip(), meets_at=meets_at, returns_at=returns_at,
        return_place=data.return_place.strip(), transport=data.transport.strip(),
        guide_languages=",".join(languages), accessibility_en=data.accessibility_en.strip(),
        accessibility_fr=data.accessibility_fr.strip(), what_to_bring_en=data.what_to_bring_en.strip(),
        what_to_bring_fr=data.what_to_bring_fr.strip(), meal_included=bool(data.meal_included),
        capacity=data.capacity, reserved=reserved, online_url=online_url,
        agenda_item_id=slot, stops=stops,
    )


def _set_stops(visit: FieldVisit, stops: list[dict]) -> None:
    before = [(s.place, s.address, s.shown_en, s.shown_fr, s.received_by, s.at) for s in visit.stops]
    after = [(s["place"], s["address"], s["shown_en"], s["shown_fr"], s["received_by"], s["at"]) for s in stops]
    if before != after:
        visit.stops = [FieldVisitStop(**values) for values in stops]


def free_template_slot(event: Event) -> int | None:
    """The agenda's "Field visit" item that no visit fills yet: a new visit takes it as its slot."""
    from app.agenda.models import AgendaItem, ItemKind

    return db.session.scalar(
        select(AgendaItem.id).where(AgendaItem.event_id == event.id, AgendaItem.kind == ItemKind.FIELD_VISIT,
                                    AgendaItem.id.not_in(select(FieldVisit.agenda_item_id)
                                                         .where(FieldVisit.agenda_item_id.is_not(None))))
        .order_by(AgendaItem.starts_at, AgendaItem.id).limit(1))


def check_visit_input(event: Event, data: VisitInput, visit: FieldVisit | None) -> None:
    """The rules of the visit form, without saving (see app.actions.check_rules_too)."""
    _validated(event, data, visit)


def create_visit(actor, event: Event, data: VisitInput, now: datetime | None = None) -> FieldVisit:
    require_manager(actor, event)
    now = now or utcnow()
    values = _validated(event, data, None)
    stops = values.pop("stops")
    visit = FieldVisit(event_id=event.id, signup_open=True, created_at=now, updated_at=now, **values)
    _set_stops(visit, stops)
    db.session.add(visit)
    touch(event)
    db.session.flush()
    return visit


def update_visit(actor, event: Event, visit: FieldVisit, data: VisitInput, now: datetime | None = None) -> FieldVisit:
    """Save an edit. A change of time or meeting point reaches those signed up (`visit_changed`);
    more places go to the waiting list at once. A new time that overlaps another visit some of its
    people are signed up for is refused unless confirmed (`SignedUpForBoth`); confirmed, each keeps
    the visit they signed up for first."""
    require_manager(actor, event)
    if visit.event_id != event.id:
        raise DomainError(_l("This visit belongs to another event."))
    now = now or utcnow()
    values = _validated(event, data, visit)
    stops = values.pop("stops")
    before = {"time": (visit.meets_at, visit.returns_at),
              "meeting_point": ", ".join(p for p in (visit.meeting_point, visit.meeting_address) if p)}
    for name, value in values.items():
        setattr(visit, name, value)
    _set_stops(visit, stops)
    visit.updated_at = now
    touch(event)
    db.session.flush()
    # Those given a place by the releases below get it at the new time already: no change to tell them.
    held_before = {registration.id for registration in confirmed_registrations(visit)}
    if data.overlap_confirmed:
        _release_double_sign_ups(visit, now)
    after = {"time": (visit.meets_at, visit.returns_at),
             "meeting_point": ", ".join(p for p in (visit.meeting_point, visit.meeting_address) if p)}
    changes = {what: (before[what], after[what]) for what in before if before[what] != after[what]}
    if changes:
        visit_changed.send(visit, changes=changes, held_before=held_before)
    fill_from_waiting_list(visit, now)
    return visit


def who_hears_of_removal(visit: FieldVisit) -> tuple[int, int]:
    """How many people a removal of the visit emails: (those with a place, those waiting for one)."""
    from app.field_visit.notifications import told_of_removal

    holders, waiting = told_of_removal(visit)
    return len(holders), len(waiting)


def remove_visit(actor, event: Event, visit: FieldVisit) -> None:
    """Remove a visit; those who held a place get a calendar cancellation, and those waiting for one
    (on its waiting list, or offered a place) are told too (`visit_removed`)."""
    from app.field_visit.notifications import told_of_removal

    require_manager(actor, event)
    if visit.event_id != event.id:
        raise DomainError(_l("This visit belongs to another event."))
    holders, waiting = told_of_removal(visit)
    visit_removed.send(visit, holders=holders, waiting=waiting)
    db.session.delete(visit)
    touch(event)
    db.session.flush()


def set_signup_open(actor, event: Event, visit: FieldVisit, open_: bool) -> FieldVisit:
    require_manager(actor, event)
    visit.signup_open = open_
    touch(event)
    db.session.flush()
    return visit


def check_in(actor, event: Event, signup: VisitSignup, now: datetime | None = None) -> VisitSignup:
    require_manager(actor, event)
    if signup.status is not SignupStatus.CONFIRMED:
        raise DomainError(_l("Only participants with a confirmed place on the visit can be checked in."))
    if signup.checked_in_at is None:
        signup.checked_in_at = now or utcnow()
        db.session.flush()
    return signup


def undo_check_in(actor, event: Event, signup: VisitSignup) -> VisitSignup:
    require_manager(actor, event)
    signup.checked_in_at = None
    db.session.flush()
    return signup


def visits_fit_the_new_dates(event: Event, values: dict) -> None:
    """An event's edit may not leave visits or their stops outside its days or in another zone."""
    visits = visits_of(event)
    if not visits:
        return
    new_city = db.session.get(City, values["host_city_id"])
    if new_city is not None and new_city.timezone != event.timezone:
        raise DomainError(_l("The field visit's times are set in %(zone)s. Remove the visits before moving the event "
                             "to a city in another time zone.", zone=event.timezone), field="host_city_id")
    zone = event.timezone

    def inside(instant) -> bool:
        return values["start_date"] <= utc_to_local(instant, zone).date() <= values["end_date"]

    outside = [visit for visit in visits
               if not (inside(visit.meets_at) and all(inside(s.at) for s in visit.stops if s.at is not None))]
    if outside:
        raise DomainError(lazy_ngettext("%(num)d field visit would fall outside the new dates. Tick “Move the agenda "
                                        "with the dates”, or change its times first.",
                                        "%(num)d field visits would fall outside the new dates. Tick “Move the "
                                        "agenda with the dates”, or change their times first.", len(outside)),
                          field="start_date")


def shift_visits(event: Event, days: int, now: datetime | None = None) -> int:
    """Move every visit (its meeting, return and stops) by `days` days as the host city's clocks
    show it, when the organiser moves the event's dates with its agenda; those signed up get the
    updated invitation (`visit_changed`)."""
    now = now or utcnow()
    zone = event.timezone

    def moved(instant):
        try:
            return local_to_utc(utc_to_local(instant, zone).replace(tzinfo=None) + timedelta(days=days), zone)
        except ValueError:  # the time does not exist, or happens twice, on the new day
            raise DomainError(_l("A field visit would fall at a time the clocks skip or repeat on its new day. "
                                 "Change its times first."), field="start_date") from None

    visits = visits_of(event)
    for visit in visits:
        before = (visit.meets_at, visit.returns_at)
        visit.meets_at, visit.returns_at = moved(visit.meets_at), moved(visit.returns_at)
        for stop in visit.stops:
            if stop.at is not None:
                stop.at = moved(stop.at)
        visit.updated_at = now
        db.session.flush()
        visit_changed.send(visit, changes={"time": (before, (visit.meets_at, visit.returns_at))})
    return len(visits)


def copy_visits(duplication) -> int:
    """The visits of a duplicated event (app.stages.Duplication), moved to the new dates, with their
    stops and tied to the copy of their agenda slot; nobody signed up, sign-up open."""
    visits = visits_of(duplication.source)
    for visit in visits:
        slot = duplication.copied.get(("agenda_item", visit.agenda_item_id))
        copy = duplication.copy(visit, event_id=duplication.target.id, agenda_item_id=slot.id if slot else None,
                                meets_at=duplication.moved(visit.meets_at),
                                returns_at=duplication.moved(visit.returns_at), signup_open=True)
        copy.stops = [duplication.copy(stop, visit_id=None, at=duplication.moved(stop.at)) for stop in visit.stops]
        db.session.add(copy)
        db.session.flush()
        duplication.copied[("field_visit", visit.id)] = copy
    return len(visits)
