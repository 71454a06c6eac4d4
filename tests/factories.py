"""Builders for test data: real rows through the real models, committed so that requests see them."""

import itertools
import secrets
from datetime import date, datetime, time, timedelta

from app.agenda.models import AgendaItem, ItemKind
from app.auth.models import Role, User
from app.db_types import utcnow
from app.events.models import City, Event, EventFormat, EventState, FacilitatorAssignment
from app.extensions import db
from app.registration.models import Registration, RegistrationStatus
from app.timezones import local_to_utc

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def city(name: str = "Lyon", timezone: str = "Europe/Paris", country: str = "FR", name_fr: str | None = None) -> City:
    existing = db.session.query(City).filter_by(name_en=name).one_or_none()
    if existing:
        return existing
    city = City(name_en=name, name_fr=name_fr or name, country_code=country, timezone=timezone)
    db.session.add(city)
    db.session.commit()
    return city


def user(role: Role = Role.ADMIN, city: City | None = None, email: str | None = None, name: str | None = None,
         password: str = PASSWORD, active: bool = True) -> User:
    number = next(_numbers)
    user = User(email=email or f"{role.value}{number}@example.org", name=name or f"{role.value.title()} {number}",
                role=role, city=city, active=active)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def event(host: City | None = None, state: EventState = EventState.DRAFT, days_ahead: int = 40, **fields) -> Event:
    host = host or city()
    number = next(_numbers)
    start = fields.pop("start_date", utcnow().date() + timedelta(days=days_ahead))
    values = dict(
        slug=f"event-{number}", theme_en=f"Urban citizenship {number}", theme_fr=f"Citoyenneté urbaine {number}",
        summary_en="Two days on one theme.", summary_fr="Deux jours sur un thème.", host_city=host,
        start_date=start, end_date=start + timedelta(days=1), format=EventFormat.IN_PERSON,
        venue="Hôtel de Ville", state=state,
    )
    values.update(fields)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()
    return event


def agenda_item(event: Event, start: str = "10:00", end: str = "11:00", day: int = 0, **fields) -> AgendaItem:
    """An agenda item on the event's `day`-th day, times given as the host city's clocks show them."""
    day_date = event.start_date + timedelta(days=day)
    zone = event.host_city.timezone
    values = dict(
        event_id=event.id, kind=ItemKind.SESSION, title_en=f"Session {next(_numbers)}", title_fr="Séance",
        starts_at=local_to_utc(datetime.combine(day_date, time.fromisoformat(start)), zone),
        ends_at=local_to_utc(datetime.combine(day_date, time.fromisoformat(end)), zone),
    )
    values.update(fields)
    item = AgendaItem(**values)
    db.session.add(item)
    db.session.commit()
    return item


def registration(event: Event, name: str | None = None, status: RegistrationStatus = RegistrationStatus.CONFIRMED,
                 **fields) -> Registration:
    """A registration row as the registration service leaves it (seat counters untouched)."""
    number = next(_numbers)
    values = dict(event_id=event.id, name=name or f"Participant {number}", email=f"participant{number}@example.org",
                  organisation="Ville de Tunis", city="Tunis", country_code="TN", preferred_language="en",
                  consent_processing_at=utcnow(), status=status, token_version=secrets.token_hex(16))
    values.update(fields)
    registration = Registration(**values)
    db.session.add(registration)
    db.session.commit()
    return registration


def assign(event: Event, facilitator: User) -> None:
    db.session.add(FacilitatorAssignment(event_id=event.id, user_id=facilitator.id))
    db.session.commit()


def login(client, user: User, password: str = PASSWORD):
    return client.post("/manage/login", data={"email": user.email, "password": password})


def past(days: int) -> date:
    return utcnow().date() - timedelta(days=days)
