"""Builders for registration tests: open events, registrations through the real service, and a
recorder of the `registration_changed` signal."""

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.events.models import EventFormat, EventState
from app.extensions import db
from app.registration import signup
from app.registration.models import Registration, RegistrationSettings, RegistrationStatus, SeatPool
from app.registration.signals import registration_changed

_numbers = itertools.count(1)


@pytest.fixture
def changes(app):
    """(email, change) for every registration_changed sent during the test."""
    recorded: list[tuple[str | None, str]] = []

    def receiver(registration, change, **_extra):
        recorded.append((registration.email, change))

    registration_changed.connect(receiver)
    yield recorded
    registration_changed.disconnect(receiver)


@pytest.fixture
def open_event(app, make):
    def build(capacity=None, format=EventFormat.IN_PERSON, settings=None, host=None, state=EventState.OPEN, **fields):
        values = dict(capacity=capacity, format=format, online_url="https://meet.example.org/x",
                      registration_opens_at=utcnow() - timedelta(days=1),
                      registration_closes_at=utcnow() + timedelta(days=20))
        values.update(fields)
        event = make.event(host, state, **values)
        if settings:
            db.session.add(RegistrationSettings(event_id=event.id, **settings))
            db.session.commit()
        return event

    return build


def person(email=None, **fields) -> signup.RegistrationInput:
    number = next(_numbers)
    values = dict(name=f"Participant {number}", email=email or f"p{number}@example.org", organisation="City of Lyon",
                  position="Officer", city="Lyon", country_code="FR", preferred_language="en",
                  consent_processing=True)
    values.update(fields)
    return signup.RegistrationInput(**values)


@pytest.fixture
def register(app):
    def do(event, email=None, now=None, **fields):
        outcome = signup.register(event, person(email, **fields), now=now)
        db.session.commit()
        return outcome.registration

    return do


def statuses(event) -> dict[str, int]:
    rows = db.session.execute(select(Registration.status, func.count()).where(Registration.event_id == event.id)
                              .group_by(Registration.status))
    return {status.value: count for status, count in rows}


def assert_seats_consistent(event) -> None:
    """Each seat counter equals the registrations that hold a seat of its mode."""
    for pool in db.session.scalars(select(SeatPool).where(SeatPool.event_id == event.id)):
        db.session.refresh(pool)
        holding = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == event.id, Registration.attendance == pool.attendance,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED))))
        assert pool.taken == holding, (pool.attendance, pool.taken, holding)
