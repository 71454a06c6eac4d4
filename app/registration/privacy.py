"""Personal data: erasing a participant's on request, and the retention purge. Flush, never commit."""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.db_types import utcnow
from app.events.models import Event, EventState
from app.extensions import db
from app.ratelimit import forget_expired
from app.registration.models import ACTIVE, Registration, RegistrationStatus
from app.registration.rate_limit import EMAIL_RATE_LIMIT_SCOPE, RATE_LIMIT_SCOPE
from app.registration.signals import registration_erased
from app.registration.staff import require_manager
from app.registration.waitlist import free_seat, transition

S = RegistrationStatus


def _anonymise(registration: Registration, now: datetime) -> None:
    registration_erased.send(registration, email=registration.email)
    for name in ("name", "organisation", "position", "city", "dietary_needs", "accessibility_needs"):
        setattr(registration, name, "")
    registration.email = None
    registration.consent_public_list = False
    registration.token_version = secrets.token_hex(16)
    registration.erased_at = now


def erase(actor, registration: Registration, now: datetime | None = None) -> Registration:
    """Erase a participant's personal data on request. The row stays, anonymous, so that the
    counts stay right; a seat they held before the event ends goes to the waiting list."""
    now = now or utcnow()
    require_manager(actor, registration.event)
    if registration.is_erased:
        return registration
    event = registration.event
    if registration.status in ACTIVE and event.state in (EventState.OPEN, EventState.CLOSED, EventState.DRAFT):
        held_seat = registration.holds_seat
        if transition(registration, ACTIVE, S.CANCELLED, now, offer_expires_at=None) and held_seat:
            free_seat(registration.event, registration.attendance, now)
    _anonymise(registration, now)
    db.session.flush()
    return registration


def purge_personal_data(now: datetime | None = None, retention_days: int | None = None) -> int:
    """Anonymise the participants of events that finished (or were cancelled) more than the
    retention period ago, and forget old rate-limit attempts. Safe to run from cron."""
    now = now or utcnow()
    days = current_app.config["REGISTRATION_RETENTION_DAYS"] if retention_days is None else retention_days
    last_day = (now - timedelta(days=days)).date()
    due = db.session.scalars(
        select(Registration).join(Event, Registration.event_id == Event.id).where(
            Event.state.in_((EventState.FINISHED, EventState.CANCELLED)), Event.end_date < last_day,
            Registration.erased_at.is_(None),
        )
    ).all()
    for registration in due:
        _anonymise(registration, now)
    for scope in (RATE_LIMIT_SCOPE, EMAIL_RATE_LIMIT_SCOPE):
        forget_expired(scope, current_app.config["REGISTRATION_RATE_WINDOW"], now)
    db.session.flush()
    return len(due)
