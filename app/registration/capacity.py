"""Lowering the capacity below the places already held: never silently.

An edit of the event that sets its capacity below the places held (confirmed or offered) in the
attendance mode it counts is refused, next to the capacity, naming the people who would lose their
place, until the organiser confirms. Once confirmed, those people (offered places first, then the
latest confirmed) go to the top of the waiting list, in their order, and each is told by email
(with a calendar cancellation for a confirmed place). Flush, never commit.

A change of the event's format that leaves one way of attending (hybrid or in person to online,
hybrid or online to in person) converts the registrations of the other way to it, and their seats
with them; the capacity of the way left is checked against all of them first, in the same way. The
participants read what it means for them in the message about the change (`change_notes`).
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import case, func, select, update

from app.db_types import utcnow
from app.domain import DomainError
from app.events.models import Event, EventFormat
from app.extensions import db
from app.registration.models import ACTIVE, SEAT_HOLDING, AttendanceMode, Registration, RegistrationStatus, SeatPool
from app.registration.signals import attendance_changed
from app.registration.waitlist import announce, ensure_pool, release_seat, transition

S = RegistrationStatus
# Names listed in the warning; the rest are counted.
NAMES_SHOWN = 20


def counted_mode(event_format: EventFormat) -> AttendanceMode:
    """The mode the event's own capacity counts (a hybrid event's online places are a setting)."""
    return AttendanceMode.ONLINE if event_format is EventFormat.DIGITAL else AttendanceMode.IN_PERSON


def only_mode(event_format: EventFormat) -> AttendanceMode | None:
    """The one way of attending an event of this format offers; None for a hybrid event (both)."""
    return None if event_format is EventFormat.HYBRID else counted_mode(event_format)


def converting(before: EventFormat, after: EventFormat) -> AttendanceMode | None:
    """The mode every registration takes when the format changes from `before` to `after`: the one
    way of attending left, when the other one is no longer offered; None when nothing converts."""
    return only_mode(after) if after is not before else None


def places_beyond(event: Event, mode: AttendanceMode, capacity: int | None,
                  counting: tuple[AttendanceMode, ...] | None = None) -> list[Registration]:
    """Who would lose their place if `mode` had `capacity` seats (`counting`: the modes whose places
    would be that mode's, when a change of format converts them): offered places first (latest
    offer first), then confirmed ones (latest registered first)."""
    if capacity is None:
        return []
    holding = list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.attendance.in_(counting or (mode,)),
                                   Registration.status.in_(SEAT_HOLDING))
    ))
    excess = len(holding) - capacity
    if excess <= 0:
        return []
    holding.sort(key=lambda r: (r.status is S.OFFERED, r.created_at, r.id), reverse=True)
    return holding[:excess]


class CapacityBelowPlacesHeld(DomainError):
    confirm_field = "capacity_confirmed"

    def __init__(self, affected: list[Registration], capacity: int, field: str = "capacity",
                 converted_to: AttendanceMode | None = None):
        names = ", ".join(r.name or "—" for r in affected[:NAMES_SHOWN])
        if len(affected) > NAMES_SHOWN:
            names += " …"
        if converted_to is AttendanceMode.ONLINE:
            message = lazy_ngettext(
                "With the event online only, everyone registered attends online, and %(num)d person would lose "
                "their place with %(capacity)d places: %(names)s. If you confirm, they go to the top of the "
                "waiting list and are told in the message about the change.",
                "With the event online only, everyone registered attends online, and %(num)d people would lose "
                "their place with %(capacity)d places: %(names)s. If you confirm, they go to the top of the "
                "waiting list and each is told in the message about the change.",
                len(affected), capacity=capacity, names=names)
        elif converted_to is AttendanceMode.IN_PERSON:
            message = lazy_ngettext(
                "With the event in person only, everyone registered attends in person, and %(num)d person would "
                "lose their place with %(capacity)d places: %(names)s. If you confirm, they go to the top of the "
                "waiting list and are told in the message about the change.",
                "With the event in person only, everyone registered attends in person, and %(num)d people would "
                "lose their place with %(capacity)d places: %(names)s. If you confirm, they go to the top of the "
                "waiting list and each is told in the message about the change.",
                len(affected), capacity=capacity, names=names)
        else:
            message = _l(
                "%(count)d people would lose their place with %(capacity)d places: %(names)s. If you confirm, they "
                "go to the top of the waiting list and each is told by email.",
                count=len(affected), capacity=capacity, names=names)
        super().__init__(message, field=field)
        self.affected = affected


def _places_lost(event: Event, values: dict) -> tuple[list[Registration], AttendanceMode | None]:
    """Who an edit's capacity (and format) would cost their place, and the mode a change of format
    converts every registration to (None when none)."""
    new_format = values.get("format", event.format)
    if "capacity" not in values or (values["capacity"] == event.capacity and new_format is event.format):
        return [], None
    mode = counted_mode(new_format)
    converted_to = converting(event.format, new_format)
    counting = tuple(AttendanceMode) if converted_to else (mode,)
    return places_beyond(event, mode, values["capacity"], counting), converted_to


def check_event_capacity(event: Event, values: dict) -> None:
    """StageSpec.edit_check: refuse a capacity below the places held unless confirmed, counting the
    places a change of format would convert to the one way of attending left."""
    if values.get("capacity_confirmed"):
        return
    affected, converted_to = _places_lost(event, values)
    if affected:
        raise CapacityBelowPlacesHeld(affected, values["capacity"], converted_to=converted_to)


def change_cancellations(event: Event, values: dict) -> int:
    """StageSpec.change_cancellations: how many confirmed participants the edit's capacity sends
    back to the waiting list, whose calendar gets a cancellation instead of the updated invitation."""
    affected, _converted_to = _places_lost(event, values)
    return sum(1 for registration in affected if registration.status is S.CONFIRMED)


def withdraw_places_beyond(event: Event, mode: AttendanceMode, capacity: int | None,
                           now: datetime | None = None, with_event_change: bool = False
                           ) -> list[tuple[Registration, RegistrationStatus]]:
    """After a confirmed lowering of the capacity: the people beyond it go to the top of the waiting
    list (ahead of those already waiting, in the order they registered) and are told (by the
    message about the event's change when `with_event_change`). Returns them with the status
    they had."""
    now = now or utcnow()
    affected = places_beyond(event, mode, capacity)
    if not affected:
        return []
    first_queued = db.session.scalar(
        select(func.min(Registration.queued_at)).where(Registration.event_id == event.id,
                                                      Registration.attendance == mode,
                                                      Registration.status == S.WAITLISTED))
    front = min(first_queued or now, now)
    affected.sort(key=lambda r: (r.created_at, r.id))
    moved = []
    for index, registration in enumerate(affected):
        previous = registration.status
        queued_at = front - timedelta(seconds=len(affected) - index)
        if transition(registration, (previous,), S.WAITLISTED, now, queued_at=queued_at, offer_expires_at=None):
            release_seat(event.id, mode)
            announce(registration, "withdrawn", previous, with_event_change=with_event_change)
            moved.append((registration, previous))
    return moved


def convert_attendance(event: Event, mode: AttendanceMode, now: datetime | None = None
                       ) -> list[tuple[Registration, AttendanceMode]]:
    """Every active registration of the other way of attending becomes `mode` (the event's only
    one now), its seat with it: one conditional UPDATE changes the rows (a registration the
    participant cancelled meanwhile is left alone) and the counters move by as many seats as the
    rows that held one, in the same transaction. Those on a waiting list keep the time they joined
    it, so the two lists merge in the order people joined them. Each is announced
    (`attendance_changed`: the field visit frees the places of those who now attend online)."""
    now = now or utcnow()
    # Two ways of attending: whoever is converted held the other one.
    old = AttendanceMode.IN_PERSON if mode is AttendanceMode.ONLINE else AttendanceMode.ONLINE
    rows = db.session.execute(
        update(Registration).where(Registration.event_id == event.id, Registration.attendance == old,
                                   Registration.status.in_(ACTIVE))
        .values(attendance=mode, updated_at=now).returning(Registration.id, Registration.status)
        .execution_options(synchronize_session=False)).all()
    if not rows:
        return []
    if seats := sum(1 for _id, status in rows if status in SEAT_HOLDING):
        ensure_pool(event.id, mode)
        db.session.execute(
            update(SeatPool).where(SeatPool.event_id == event.id, SeatPool.attendance == old)
            .values(taken=case((SeatPool.taken > seats, SeatPool.taken - seats), else_=0))
            .execution_options(synchronize_session=False))
        db.session.execute(
            update(SeatPool).where(SeatPool.event_id == event.id, SeatPool.attendance == mode)
            .values(taken=SeatPool.taken + seats).execution_options(synchronize_session=False))
    converted = [(registration, old) for registration in db.session.scalars(
        select(Registration).where(Registration.id.in_([row_id for row_id, _status in rows]))
        .order_by(Registration.created_at, Registration.id).execution_options(populate_existing=True))]
    for registration, old in converted:
        attendance_changed.send(registration, previous=old)
    return converted


def change_warnings(event: Event, values: dict) -> list:
    """StageSpec.change_warnings: how many registrations a change of format converts to the one way
    of attending left, for the organiser to read before saving."""
    mode = converting(event.format, values.get("format", event.format))
    if mode is None:
        return []
    count = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event.id, Registration.attendance != mode, Registration.status.in_(ACTIVE)))
    if not count:
        return []
    if mode is AttendanceMode.ONLINE:
        return [lazy_ngettext("%(num)d person registered in person will now take part online.",
                              "%(num)d people registered in person will now take part online.", count)]
    return [lazy_ngettext("%(num)d person registered online will now take part in person.",
                          "%(num)d people registered online will now take part in person.", count)]


# Where after_edit leaves, for the message about the event's change, what it did to whom.
_CHANGE_NOTES = "registration_change_notes"


def apply_event_capacity(event: Event, before: dict) -> None:
    """StageSpec.after_edit: once the event is saved, convert the registrations of a way of
    attending it no longer offers, then withdraw the places beyond its capacity (the organiser
    confirmed). When the format changed, participants read both in the message about the change."""
    from app.events.notifications import TOLD_STATES

    previous_format = before.get("format", event.format)
    told_with_change = event.format is not previous_format and event.state in TOLD_STATES
    mode = converting(previous_format, event.format)
    converted = convert_attendance(event, mode) if mode is not None else []
    withdrawn = []
    if event.capacity is not None and (event.capacity, event.format) != (before.get("capacity"), previous_format):
        withdrawn = withdraw_places_beyond(event, counted_mode(event.format), event.capacity,
                                           with_event_change=told_with_change)
    if told_with_change and (converted or withdrawn):
        db.session.info.setdefault(_CHANGE_NOTES, {})[event.id] = (
            {registration.id for registration, _old in converted},
            {registration.id: previous for registration, previous in withdrawn})


CONVERTED_NOTES = {
    AttendanceMode.ONLINE: _l("You now take part online: the event no longer has an in-person part."),
    AttendanceMode.IN_PERSON: _l("You now take part in person: the event no longer has an online part."),
}


def change_notes(event: Event, _changes: dict) -> dict:
    """StageSpec.change_notes: for each participant converted or sent back to the waiting list by
    the edit just saved, what it means for them (the message then cancels a confirmed place in
    their calendar)."""
    from app.registration.queries import waiting_list_position
    from app.stages import ChangeNote

    converted, withdrawn = db.session.info.get(_CHANGE_NOTES, {}).pop(event.id, (set(), {}))
    notes = {}
    for registration_id in converted | set(withdrawn):
        registration = db.session.get(Registration, registration_id)
        if registration is None or not registration.email:
            continue
        lines = []
        if registration_id in converted:
            lines.append(CONVERTED_NOTES[registration.attendance])
        if registration_id in withdrawn:
            lines.append(_l("With the event's new format there are fewer places than people registered, and your "
                            "place could not be kept. We are sorry. You are at the top of the waiting list, "
                            "number %(position)s, and we will write to you as soon as a place becomes free.",
                            position=waiting_list_position(registration) or 1))
        held_confirmed = withdrawn.get(registration_id) is S.CONFIRMED
        notes[registration.email.lower()] = ChangeNote(tuple(lines), cancel=held_confirmed)
    return notes
