"""Builders for test data: real rows through the real models, committed so that requests see them."""

import itertools
from datetime import date, timedelta

from app.auth.models import Role, User
from app.db_types import utcnow
from app.events.models import City, Event, EventFormat, EventState, FacilitatorAssignment
from app.extensions import db

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
                role=role, city=city, active=active, session_version=0)
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


def assign(event: Event, facilitator: User) -> None:
    db.session.add(FacilitatorAssignment(event_id=event.id, user_id=facilitator.id))
    db.session.commit()


def login(client, user: User, password: str = PASSWORD):
    return client.post("/manage/login", data={"email": user.email, "password": password})


def past(days: int) -> date:
    return utcnow().date() - timedelta(days=days)
