"""What organisers do with registrations: approve, reject, promote from the waiting list, fill
freed places, check in, send a new link, and the registration settings. Flush, never commit;
raise DomainError, PermissionDenied for anyone but the event's organisers."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.auth.permissions import can_manage_event
from app.db_types import utcnow
from app.domain import DomainError, PermissionDenied
from app.events.models import Event, EventFormat
from app.events.services import touch
from app.extensions import db
from app.registration.models import (
    AttendanceMode,
    PromotionPolicy,
    Registration,
    RegistrationSettings,
    RegistrationStatus,
)
from app.registration.queries import modes_for
from app.registration.waitlist import (
    admit,
    announce,
    end,
    fill_from_waiting_list,
    release_seat,
    take_seat,
    transition,
)

S = RegistrationStatus


def require_manager(actor, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_l("Only the organisers of this event can change its registrations."))


def approve(actor, registration: Registration, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    require_manager(actor, registration.event)
    if registration.status is not S.PENDING:
        raise DomainError(_l("Only registrations waiting for approval can be approved."))
    admit(registration, now, change_if_confirmed="approved")
    return registration


def reject(actor, registration: Registration, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    require_manager(actor, registration.event)
    return end(registration, S.REJECTED, "rejected", now)


def restore(actor, registration: Registration, now: datetime | None = None) -> Registration:
    """Undo a rejection or a cancellation: the registration goes through admission again (a free
    place, else the end of the waiting list), and a "not accepted"/"cancelled" email that has not
    left yet is withdrawn (the registration_changed signal, change "restored")."""
    now = now or utcnow()
    require_manager(actor, registration.event)
    if registration.is_erased:
        raise DomainError(_l("This participant's personal data has been erased."))
    previous = registration.status
    if not transition(registration, (S.REJECTED, S.CANCELLED), S.PENDING, now, queued_at=None, offer_expires_at=None):
        raise DomainError(_l("Only a rejected or cancelled registration can be restored."))
    announce(registration, "restored", previous)
    admit(registration, now, change_if_confirmed="approved")
    return registration


def promote(actor, registration: Registration, now: datetime | None = None) -> Registration:
    """Move someone from the waiting list to a free seat, ahead of their turn."""
    now = now or utcnow()
    require_manager(actor, registration.event)
    if registration.status is not S.WAITLISTED:
        raise DomainError(_l("Only people on the waiting list can be moved from it."))
    if not take_seat(registration.event, registration.attendance):
        raise DomainError(_l("No place is free. Raise the capacity of the event, or wait for a cancellation."))
    if not transition(registration, (S.WAITLISTED,), S.CONFIRMED, now, queued_at=None):
        release_seat(registration.event_id, registration.attendance)
        raise DomainError(_l("This registration has just changed; reload the page."))
    announce(registration, "promoted")
    return registration


def fill_free_places(actor, event: Event, now: datetime | None = None) -> list[Registration]:
    """After the capacity was raised: give the free places to the waiting list, in order."""
    require_manager(actor, event)
    moved = []
    for mode in modes_for(event):
        moved.extend(fill_from_waiting_list(event, mode, now))
    return moved


def check_in(actor, registration: Registration, now: datetime | None = None) -> Registration:
    require_manager(actor, registration.event)
    if registration.status is not S.CONFIRMED:
        raise DomainError(_l("Only confirmed participants can be checked in."))
    if registration.checked_in_at is None:
        registration.checked_in_at = now or utcnow()
        db.session.flush()
    return registration


def undo_check_in(actor, registration: Registration) -> Registration:
    require_manager(actor, registration.event)
    registration.checked_in_at = None
    db.session.flush()
    return registration


def new_link(actor, registration: Registration) -> Registration:
    """Revoke every link sent so far and send a new one."""
    require_manager(actor, registration.event)
    if registration.is_erased:
        raise DomainError(_l("This participant's personal data has been erased."))
    registration.token_version = secrets.token_hex(16)
    db.session.flush()
    announce(registration, "link_resent")
    return registration


@dataclass
class SettingsInput:
    moderated: bool
    promotion: PromotionPolicy
    offer_hours: int
    online_capacity: int | None
    public_list: bool
    # The organiser confirmed online places below those held (see app.registration.capacity).
    capacity_confirmed: bool = False


def update_settings(actor, event: Event, data: SettingsInput, now: datetime | None = None) -> RegistrationSettings:
    require_manager(actor, event)
    if not 1 <= data.offer_hours <= 24 * 14:
        raise DomainError(_l("Give between 1 and 336 hours (two weeks)."), field="offer_hours")
    from app.registration.capacity import CapacityBelowPlacesHeld, places_beyond, withdraw_places_beyond

    online = AttendanceMode.ONLINE if event.format is EventFormat.HYBRID else None
    if online is not None and not data.capacity_confirmed:
        affected = places_beyond(event, online, data.online_capacity)
        if affected:
            raise CapacityBelowPlacesHeld(affected, data.online_capacity, field="online_capacity")
    settings = db.session.get(RegistrationSettings, event.id)
    if settings is None:
        settings = RegistrationSettings(event_id=event.id)
        db.session.add(settings)
    settings.moderated = data.moderated
    settings.promotion = data.promotion
    settings.offer_hours = data.offer_hours
    settings.online_capacity = data.online_capacity
    settings.public_list = data.public_list
    touch(event)  # the public participant list may appear or go
    db.session.flush()
    if online is not None:
        withdraw_places_beyond(event, online, data.online_capacity, now)
    # More places (or no limit) may let people in from the waiting list.
    for mode in modes_for(event):
        fill_from_waiting_list(event, mode, now)
    return settings


def copy_settings(duplication) -> RegistrationSettings | None:
    """The registration settings of a duplicated event (app.stages.Duplication); never its
    registrations."""
    source = db.session.get(RegistrationSettings, duplication.source.id)
    if source is None:
        return None
    settings = duplication.copy(source, event_id=duplication.target.id)
    db.session.add(settings)
    db.session.flush()
    return settings
