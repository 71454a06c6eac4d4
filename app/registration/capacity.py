"""Lowering the capacity below the places already held: never silently.

An edit of the event that sets its capacity below the places held (confirmed or offered) in the
attendance mode it counts is refused, next to the capacity, naming the people who would lose their
place, until the organiser confirms. Once confirmed, those people (offered places first, then the
latest confirmed) go to the top of the waiting list, in their order, and each is told by email
(with a calendar cancellation for a confirmed place). Flush, never commit.
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain import DomainError
from app.events.models import Event, EventFormat
from app.extensions import db
from app.registration.models import SEAT_HOLDING, AttendanceMode, Registration, RegistrationStatus
from app.registration.waitlist import announce, release_seat, transition

S = RegistrationStatus
# Names listed in the warning; the rest are counted.
NAMES_SHOWN = 20


def counted_mode(event_format: EventFormat) -> AttendanceMode:
    """The mode the event's own capacity counts (a hybrid event's online places are a setting)."""
    return AttendanceMode.ONLINE if event_format is EventFormat.DIGITAL else AttendanceMode.IN_PERSON


def places_beyond(event: Event, mode: AttendanceMode, capacity: int | None) -> list[Registration]:
    """Who would lose their place if `mode` had `capacity` seats: offered places first (latest
    offer first), then confirmed ones (latest registered first)."""
    if capacity is None:
        return []
    holding = list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.attendance == mode,
                                   Registration.status.in_(SEAT_HOLDING))
    ))
    excess = len(holding) - capacity
    if excess <= 0:
        return []
    holding.sort(key=lambda r: (r.status is S.OFFERED, r.created_at, r.id), reverse=True)
    return holding[:excess]


class CapacityBelowPlacesHeld(DomainError):
    confirm_field = "capacity_confirmed"

    def __init__(self, affected: list[Registration], capacity: int, field: str = "capacity"):
        names = ", ".join(r.name or "—" for r in affected[:NAMES_SHOWN])
        if len(affected) > NAMES_SHOWN:
            names += " …"
        super().__init__(_l(
            "%(count)d people would lose their place with %(capacity)d places: %(names)s. If you confirm, they go "
            "to the top of the waiting list and each is told by email.",
            count=len(affected), capacity=capacity, names=names), field=field)
        self.affected = affected


def check_event_capacity(event: Event, values: dict) -> None:
    """StageSpec.edit_check: refuse a capacity below the places held unless confirmed."""
    if "capacity" not in values or values.get("capacity_confirmed"):
        return
    if values["capacity"] == event.capacity and values.get("format", event.format) is event.format:
        return
    mode = counted_mode(values.get("format", event.format))
    affected = places_beyond(event, mode, values["capacity"])
    if affected:
        raise CapacityBelowPlacesHeld(affected, values["capacity"])


def withdraw_places_beyond(event: Event, mode: AttendanceMode, capacity: int | None,
                           now: datetime | None = None) -> list[Registration]:
    """After a confirmed lowering of the capacity: the people beyond it go to the top of the waiting
    list (ahead of those already waiting, in the order they registered) and are told."""
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
            announce(registration, "withdrawn", previous)
            moved.append(registration)
    return moved


def apply_event_capacity(event: Event, before: dict) -> None:
    """StageSpec.after_edit: once the event's capacity is saved (the organiser confirmed), withdraw
    the places beyond it."""
    if event.capacity is not None and (event.capacity, event.format) != (before.get("capacity"), before.get("format")):
        withdraw_places_beyond(event, counted_mode(event.format), event.capacity)
