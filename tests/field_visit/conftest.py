"""Builders for the field visit's tests: an open event in Lyon, visits made by its organiser through
the real service, and confirmed participants registered through the real registration service."""

import itertools
from datetime import datetime, time, timedelta

import pytest

from app.auth.models import Role
from app.db_types import utcnow
from app.events.models import EventState
from app.extensions import db
from app.field_visit import services
from app.field_visit.services import StopInput, VisitInput
from app.registration import signup
from app.registration.models import AttendanceMode, RegistrationSettings
from tests.mail.conftest import mail_sink, smtp_settings  # noqa: F401 (the real SMTP server's fixtures)

_numbers = itertools.count(1)


@pytest.fixture
def organiser(app, make):
    return make.user(Role.ORGANISER, make.city("Lyon", "Europe/Paris", "FR"), name="Hélène Moreau")


@pytest.fixture
def event(make, organiser):
    """An open two-day in-person event in Lyon, 40 places, registration open."""
    return make.event(organiser.city, EventState.OPEN, capacity=40, venue="Hôtel de Ville",
                      registration_opens_at=utcnow() - timedelta(days=1),
                      registration_closes_at=utcnow() + timedelta(days=20))


def visit_input(event, day: int = 1, start: str = "14:00", end: str = "17:30", **fields) -> VisitInput:
    on = event.start_date + timedelta(days=day)
    values = dict(
        title_en="The Guillotière and its associations", title_fr="La Guillotière et ses associations",
        meets_local=datetime.combine(on, time.fromisoformat(start)),
        returns_local=datetime.combine(on, time.fromisoformat(end)),
        meeting_point="Place Gabriel Péri", meeting_address="Place Gabriel Péri, 69007 Lyon",
        return_place="Hôtel de Ville", transport="On foot", guide_languages=["fr", "en"],
        what_to_bring_en="Comfortable shoes", what_to_bring_fr="Des chaussures confortables",
        capacity=10,
        stops=[StopInput(place="Letter-writer's office", address="12 rue de Marseille, 69007 Lyon",
                         shown_en="A public letter-writer", shown_fr="Un écrivain public",
                         at_local=datetime.combine(on, time.fromisoformat(start)) + timedelta(minutes=30))],
    )
    values.update(fields)
    return VisitInput(**values)


@pytest.fixture
def new_visit(organiser):
    def build(event, **fields):
        visit = services.create_visit(organiser, event, visit_input(event, **fields))
        db.session.commit()
        return visit

    return build


@pytest.fixture
def participant(app):
    """A participant registered through the registration service (confirmed while places last)."""

    def build(event, attendance=AttendanceMode.IN_PERSON, language="en", **fields):
        number = next(_numbers)
        values = dict(name=f"Participant {number}", email=f"p{number}@example.org", organisation="Ville de Tunis",
                      city="Tunis", country_code="TN", preferred_language=language, consent_processing=True,
                      attendance=attendance)
        values.update(fields)
        outcome = signup.register(event, signup.RegistrationInput(**values), check_window=False)
        db.session.commit()
        return outcome.registration

    return build


def offer_policy(event, hours: int = 48) -> None:
    from app.registration.models import PromotionPolicy

    db.session.add(RegistrationSettings(event_id=event.id, promotion=PromotionPolicy.OFFER, offer_hours=hours))
    db.session.commit()


def move_event_online(event, organiser) -> None:
    """The organiser switches the event to online only through the event's own service, telling
    participants, as the event form does once they agree."""
    from app.events.models import EventFormat
    from app.events.services import EventInput, update_event

    update_event(organiser, event, EventInput(
        theme_en=event.theme_en, theme_fr=event.theme_fr, host_city_id=event.host_city_id,
        start_date=event.start_date, end_date=event.end_date, format=EventFormat.DIGITAL, venue="",
        online_url="https://meet.example.org/x", capacity=event.capacity, slug=event.slug, tell_participants=True))
    db.session.commit()
