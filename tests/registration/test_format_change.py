"""An event whose format changes so that a way of attending is no longer offered: the registrations
of that way become the one left, the seat counters follow, a capacity the converted places would
exceed is asked about before saving, the overflow goes to the top of the waiting list, and each
participant reads what it means for them in the one message about the change."""

import html

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.domain import DomainError
from app.events.models import EventFormat
from app.events.services import EventInput, update_event
from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration.models import AttendanceMode, RegistrationStatus, SeatPool
from app.registration.queries import seats_left, waiting_list_position
from tests.registration.conftest import assert_seats_consistent

S = RegistrationStatus
ONLINE, IN_PERSON = AttendanceMode.ONLINE, AttendanceMode.IN_PERSON


def _input(event, **changes) -> EventInput:
    values = dict(theme_en=event.theme_en, theme_fr=event.theme_fr, host_city_id=event.host_city_id,
                  start_date=event.start_date, end_date=event.end_date, format=event.format, venue=event.venue,
                  online_url=event.online_url, capacity=event.capacity, slug=event.slug, tell_participants=True)
    values.update(changes)
    return EventInput(**values)


def _taken(event, mode) -> int:
    pool = db.session.get(SeatPool, (event.id, mode))
    if pool is None:
        return 0
    db.session.refresh(pool)
    return pool.taken


def _messages(kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


@pytest.fixture
def hybrid(open_event, register):
    """A hybrid event: 3 in person (capacity 4) and 2 online (no limit)."""
    event = open_event(capacity=4, format=EventFormat.HYBRID, venue="Hôtel de Ville")
    people = [register(event, name=f"In person {n}", attendance=IN_PERSON) for n in (1, 2, 3)]
    people += [register(event, name=f"Online {n}", attendance=ONLINE) for n in (1, 2)]
    return event, people


@pytest.fixture
def organiser(make, hybrid):
    return make.user(Role.ORGANISER, hybrid[0].host_city)


def test_moved_online_every_registration_attends_online_and_the_counters_follow(hybrid, organiser):
    event, people = hybrid
    update_event(organiser, event, _input(event, format=EventFormat.DIGITAL, venue="", capacity=10))
    db.session.commit()
    assert [p.attendance for p in people] == [ONLINE] * 5
    assert (_taken(event, IN_PERSON), _taken(event, ONLINE)) == (0, 5)
    assert seats_left(event, {ONLINE: 10}) == {ONLINE: 5}
    assert_seats_consistent(event)


def test_each_is_told_in_the_one_message_about_the_change(hybrid, organiser):
    event, people = hybrid
    update_event(organiser, event, _input(event, format=EventFormat.DIGITAL, venue="", capacity=10))
    db.session.commit()
    told = {m.recipient_email: m for m in _messages("event_changed")}
    assert sorted(told) == sorted(p.email for p in people), "one message each, no second one"
    assert db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.kind != "registration_confirmed")
                              ).all() == ["event_changed"] * 5
    for person in people[:3]:
        assert "You now take part online" in told[person.email].text_body
    for person in people[3:]:
        assert "You now take part online" not in told[person.email].text_body, "they already did"


def test_moved_in_person_only_the_online_registrations_attend_in_person(hybrid, organiser):
    event, people = hybrid
    update_event(organiser, event, _input(event, format=EventFormat.IN_PERSON, capacity=5))
    db.session.commit()
    assert [p.attendance for p in people] == [IN_PERSON] * 5
    assert (_taken(event, IN_PERSON), _taken(event, ONLINE)) == (5, 0)
    told = {m.recipient_email: m.text_body for m in _messages("event_changed")}
    assert "You now take part in person" in told[people[3].email]
    assert "You now take part in person" not in told[people[0].email]


def test_a_capacity_the_converted_places_would_exceed_is_asked_before_saving(hybrid, organiser):
    event, people = hybrid
    with pytest.raises(DomainError) as refused:
        update_event(organiser, event, _input(event, format=EventFormat.DIGITAL, venue="", capacity=4))
    assert refused.value.field == "capacity" and refused.value.confirm_field == "capacity_confirmed"
    assert "Online 2" in str(refused.value) and "In person 1" not in str(refused.value)
    db.session.rollback()
    db.session.expire_all()
    assert event.format is EventFormat.HYBRID and [p.attendance for p in people] == [IN_PERSON] * 3 + [ONLINE] * 2


def test_once_confirmed_the_overflow_tops_the_waiting_list_and_reads_why(hybrid, organiser, register):
    event, people = hybrid
    later = register(event, name="Later", attendance=ONLINE)  # online had no limit: confirmed
    update_event(organiser, event, _input(event, format=EventFormat.DIGITAL, venue="", capacity=4,
                                          capacity_confirmed=True))
    db.session.commit()
    assert [p.status for p in [*people, later]] == [S.CONFIRMED] * 4 + [S.WAITLISTED] * 2
    assert [waiting_list_position(p) for p in (people[4], later)] == [1, 2], "in the order they registered"
    assert _taken(event, ONLINE) == 4 and _taken(event, IN_PERSON) == 0
    assert_seats_consistent(event)
    assert _messages("registration_place_withdrawn") == [], "told in the change message, not in a second one"
    told = {m.recipient_email: m for m in _messages("event_changed")}
    for number, person in ((1, people[4]), (2, later)):
        message = told[person.email]
        assert f"top of the waiting list, number {number}" in message.text_body
        assert message.ics_method == "CANCEL", "their calendar drops the event"
    assert told[people[0].email].ics_method == "REQUEST"


def test_a_plain_lowering_of_the_capacity_still_tells_in_its_own_message(open_event, register, make):
    event = open_event(capacity=3)
    people = [register(event) for _ in range(3)]
    organiser = make.user(Role.ORGANISER, event.host_city)
    update_event(organiser, event, _input(event, capacity=2, capacity_confirmed=True))
    db.session.commit()
    assert [m.recipient_email for m in _messages("registration_place_withdrawn")] == [people[2].email]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_event_form_warns_of_the_overflow_before_saving(app, hybrid, organiser, make, lang):
    event, people = hybrid
    client = app.test_client()
    make.login(client, organiser)
    data = {"theme_en": event.theme_en, "theme_fr": event.theme_fr, "host_city_id": event.host_city_id,
            "start_date": event.start_date.isoformat(), "end_date": event.end_date.isoformat(),
            "format": EventFormat.DIGITAL.value, "venue": "", "capacity": "4", "slug": event.slug,
            "online_url": event.online_url, "tell_participants": "y"}
    refused = client.post(f"/manage/events/{event.slug}/edit?lang={lang}", data=data)
    assert refused.status_code == 422
    error = refused.text.split('id="capacity-error"')[1].split("</ul>")[0]
    expected = ("With the event online only, everyone registered attends online" if lang == "en"
                else "uniquement en ligne, tous les inscrits y participent en ligne")
    assert expected in error and "Online 2" in error
    assert 'name="capacity_confirmed"' in refused.text
    db.session.expire_all()
    assert event.format is EventFormat.HYBRID
    saved = client.post(f"/manage/events/{event.slug}/edit?lang={lang}", data={**data, "capacity_confirmed": "y"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert [p.attendance for p in people] == [ONLINE] * 5
    assert [p.status for p in people] == [S.CONFIRMED] * 4 + [S.WAITLISTED]


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "With the event in person only, everyone registered attends in person"),
    ("fr", "L'événement ayant lieu uniquement en présentiel, tous les inscrits y participent en présentiel"),
])
def test_the_overflow_warning_of_a_move_in_person_reads_naturally(app, hybrid, organiser, make, lang, expected):
    event, _ = hybrid
    client = app.test_client()
    make.login(client, organiser)
    data = {"theme_en": event.theme_en, "theme_fr": event.theme_fr, "host_city_id": event.host_city_id,
            "start_date": event.start_date.isoformat(), "end_date": event.end_date.isoformat(),
            "format": EventFormat.IN_PERSON.value, "venue": event.venue, "capacity": "4", "slug": event.slug,
            "online_url": event.online_url, "tell_participants": "y"}
    refused = client.post(f"/manage/events/{event.slug}/edit?lang={lang}", data=data)
    assert refused.status_code == 422
    error = html.unescape(refused.text.split('id="capacity-error"')[1].split("</ul>")[0])
    assert expected in error


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_capacity_and_telling_participants_are_asked_on_the_same_refused_form(app, hybrid, organiser, make,
                                                                                   lang):
    event, people = hybrid
    client = app.test_client()
    make.login(client, organiser)
    data = {"theme_en": event.theme_en, "theme_fr": event.theme_fr, "host_city_id": event.host_city_id,
            "start_date": event.start_date.isoformat(), "end_date": event.end_date.isoformat(),
            "format": EventFormat.IN_PERSON.value, "venue": event.venue, "capacity": "4", "slug": event.slug,
            "online_url": event.online_url}
    refused = client.post(f"/manage/events/{event.slug}/edit?lang={lang}", data=data)
    assert refused.status_code == 422
    page = refused.text.replace("&#39;", "'")
    assert 'name="capacity_confirmed"' in page and 'name="tell_participants"' in page
    assert "Online 2" in page.split('id="capacity-error"')[1].split("</ul>")[0]
    told = page.split('id="tell_participants-error"')[1].split("</ul>")[0]
    said = {"en": ("to 5 people, with an updated calendar invitation, or a cancellation to those who lose their "
                   "place at the event", "with an updated calendar invitation, to 5"),
            "fr": ("à 5 personnes, avec une invitation d'agenda mise à jour, ou une annulation à celles qui "
                   "perdent leur place à l'événement", "mise à jour, à 5")}[lang]
    assert said[0] in told and said[1] not in told
    db.session.expire_all()
    assert event.format is EventFormat.HYBRID
    saved = client.post(f"/manage/events/{event.slug}/edit?lang={lang}",
                        data={**data, "capacity_confirmed": "y", "tell_participants": "y"})
    assert saved.status_code == 302, saved.text[:2000]
    db.session.expire_all()
    assert [p.attendance for p in people] == [IN_PERSON] * 5
    assert [p.status for p in people] == [S.CONFIRMED] * 4 + [S.WAITLISTED]
    told = {m.recipient_email: m.ics_method for m in _messages("event_changed")}
    assert told[people[4].email] == "CANCEL" and told[people[0].email] == "REQUEST"


def test_without_a_lost_place_the_question_speaks_only_of_the_updated_invitation(hybrid, organiser):
    event, _people = hybrid
    with pytest.raises(DomainError) as refused:
        update_event(organiser, event, _input(event, format=EventFormat.IN_PERSON, capacity=5,
                                              tell_participants=False))
    assert refused.value.field == "tell_participants"
    assert "with an updated calendar invitation, to 5 people" in str(refused.value)
    assert "cancellation" not in str(refused.value)
