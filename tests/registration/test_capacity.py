"""Lowering the capacity below the places held is never silent: the form warns, names who would lose
their place and asks to confirm; once confirmed, they go to the top of the waiting list and each is
told (a calendar cancellation for a confirmed place)."""

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.events.models import EventFormat
from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration.models import Registration, RegistrationStatus, SeatPool
from app.registration.queries import waiting_list_position
from tests.registration.conftest import person

S = RegistrationStatus


@pytest.fixture
def full_event(open_event, register):
    event = open_event(capacity=4)
    people = [register(event, name=f"Person {n}") for n in range(1, 6)]  # four confirmed, one waiting
    db.session.commit()
    return event, people


def _edit(client, event, capacity, confirmed=False, lang="en"):
    data = {"theme_en": event.theme_en, "theme_fr": event.theme_fr, "host_city_id": event.host_city_id,
            "start_date": event.start_date.isoformat(), "end_date": event.end_date.isoformat(),
            "format": event.format.value, "venue": event.venue, "capacity": str(capacity), "slug": event.slug,
            "online_url": event.online_url or ""}
    if confirmed:
        data["capacity_confirmed"] = "y"
    return client.post(f"/manage/events/{event.slug}/edit?lang={lang}", data=data)


@pytest.fixture
def organiser_client(app, make, full_event):
    event, _people = full_event
    client = app.test_client()
    make.login(client, make.user(Role.ORGANISER, event.host_city))
    return client


def test_a_capacity_below_the_places_held_asks_first_naming_who_would_lose_their_place(organiser_client,
                                                                                     full_event):
    event, people = full_event
    response = _edit(organiser_client, event, 2)
    assert response.status_code == 422
    error = response.text.split('id="capacity-error"')[1].split("</ul>")[0]
    assert "2 people would lose their place" in error and "Person 4" in error and "Person 3" in error
    assert "Person 1" not in error
    assert 'name="capacity_confirmed"' in response.text
    db.session.expire_all()
    assert event.capacity == 4
    assert [p.status for p in people] == [S.CONFIRMED] * 4 + [S.WAITLISTED]
    assert db.session.scalars(select(OutboxMessage.kind)).all().count("registration_place_withdrawn") == 0


def test_an_invalid_capacity_is_refused_without_offering_to_lower_it(organiser_client, full_event):
    event, _people = full_event
    response = _edit(organiser_client, event, -3)
    assert response.status_code == 422 and 'id="capacity-error"' in response.text
    assert 'name="capacity_confirmed"' not in response.text, "nobody would lose a place: nothing to confirm"


def test_once_confirmed_they_go_to_the_top_of_the_waiting_list_and_are_told(organiser_client, full_event):
    event, people = full_event
    response = _edit(organiser_client, event, 2, confirmed=True)
    assert response.status_code == 302
    db.session.expire_all()
    assert event.capacity == 2
    assert [p.status for p in people] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]
    assert [waiting_list_position(p) for p in people[2:]] == [1, 2, 3], "ahead of those who were waiting"
    assert db.session.get(SeatPool, (event.id, people[0].attendance)).taken == 2
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "registration_place_withdrawn")).all()
    assert sorted(m.recipient_email for m in told) == sorted([people[2].email, people[3].email])
    assert all(m.ics_method == "CANCEL" for m in told), "their calendars drop the event"


def test_raising_the_capacity_again_gives_the_places_back_in_order(organiser_client, full_event):
    event, people = full_event
    _edit(organiser_client, event, 2, confirmed=True)
    assert _edit(organiser_client, event, 3).status_code == 302
    assert organiser_client.post(f"/manage/events/{event.slug}/participants/fill").status_code == 302
    db.session.expire_all()
    assert event.capacity == 3
    assert [p.status for p in people] == [S.CONFIRMED] * 3 + [S.WAITLISTED] * 2


def test_a_capacity_at_or_above_the_places_held_saves_without_asking(organiser_client, full_event):
    event, _people = full_event
    assert _edit(organiser_client, event, 4).status_code == 302
    assert _edit(organiser_client, event, 10).status_code == 302


def test_offered_places_are_withdrawn_before_confirmed_ones(app, make, open_event, register):
    from app.registration import capacity

    event = open_event(capacity=3, settings={"promotion": "offer", "offer_hours": 48})
    people = [register(event) for _ in range(4)]
    from app.registration.signup import cancel

    cancel(people[0])  # the first waiting gets an offer
    db.session.commit()
    assert people[3].status is S.OFFERED
    assert capacity.places_beyond(event, people[1].attendance, 2) == [people[3]]


def test_a_digital_event_counts_its_online_places(open_event, register):
    from app.registration import capacity

    event = open_event(capacity=3, format=EventFormat.DIGITAL)
    people = [register(event) for _ in range(3)]
    assert capacity.places_beyond(event, people[0].attendance, 1) == [people[2], people[1]]


def test_the_service_refuses_without_confirmation(app, make, full_event):
    from app.domain import DomainError
    from app.events.services import EventInput, update_event

    event, _people = full_event
    organiser = make.user(Role.ORGANISER, event.host_city)
    data = EventInput(theme_en=event.theme_en, theme_fr=event.theme_fr, host_city_id=event.host_city_id,
                      start_date=event.start_date, end_date=event.end_date, format=event.format, venue=event.venue,
                      capacity=1)
    with pytest.raises(DomainError) as refused:
        update_event(organiser, event, data)
    assert refused.value.field == "capacity"
    db.session.rollback()
    assert len(db.session.scalars(select(Registration)).all()) == 5
    assert person  # the builders of tests/registration/conftest.py are at hand


def test_fewer_online_places_than_held_ask_first_too(app, make, open_event, register):
    from app.registration.models import AttendanceMode

    event = open_event(capacity=10, format=EventFormat.HYBRID, settings={"online_capacity": 3})
    online = [register(event, attendance=AttendanceMode.ONLINE, name=f"Online {n}") for n in range(1, 4)]
    db.session.commit()
    client = app.test_client()
    make.login(client, make.user(Role.ORGANISER, event.host_city))
    settings = {"promotion": "automatic", "offer_hours": "48", "online_capacity": "2", "public_list": "y"}
    refused = client.post(f"/manage/events/{event.slug}/participants/settings?lang=en", data=settings)
    assert refused.status_code == 422
    assert "Online 3" in refused.text.split('id="online_capacity-error"')[1].split("</ul>")[0]
    db.session.expire_all()
    assert [p.status for p in online] == [S.CONFIRMED] * 3
    confirmed = client.post(f"/manage/events/{event.slug}/participants/settings",
                            data={**settings, "capacity_confirmed": "y"})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert [p.status for p in online] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED]
    assert db.session.scalar(select(OutboxMessage.recipient_email).where(
        OutboxMessage.kind == "registration_place_withdrawn")) == online[2].email
