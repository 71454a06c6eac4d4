"""A change of an open event's dates, place or format: the organiser sees who will be told before
saving, and each of them gets one message, in their language first, with the updated invitation."""

import html
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.auth.models import Role
from app.db_types import utcnow
from app.events.models import EventFormat, EventState
from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration import signup
from app.registration.models import AttendanceMode
from tests.registration.conftest import person


def _form(event, **changes) -> dict:
    values = {"theme_en": event.theme_en, "theme_fr": event.theme_fr, "summary_en": event.summary_en,
              "summary_fr": event.summary_fr, "host_city_id": event.host_city_id,
              "start_date": event.start_date.isoformat(), "end_date": event.end_date.isoformat(),
              "format": event.format.value, "venue": event.venue, "online_url": event.online_url,
              "capacity": event.capacity or "", "slug": event.slug}
    values.update(changes)
    return values


def _open_event_with_people(make):
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    organiser = make.user(Role.ORGANISER, lyon)
    event = make.event(lyon, EventState.OPEN, capacity=10, format=EventFormat.HYBRID, venue="Hôtel de Ville",
                       online_url="https://meet.example.org/old", registration_opens_at=utcnow() - timedelta(days=1),
                       registration_closes_at=utcnow() + timedelta(days=20))
    signup.register(event, person("amal@example.net", name="Amal Benali", preferred_language="fr",
                                  attendance=AttendanceMode.IN_PERSON))
    signup.register(event, person("bruno@example.net", name="Bruno Costa", attendance=AttendanceMode.ONLINE))
    db.session.commit()
    return event, organiser


def _messages(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.recipient_email)))


def test_the_organiser_sees_who_will_be_told_and_nothing_is_saved_until_they_agree(client, make):
    event, organiser = _open_event_with_people(make)
    make.login(client, organiser)
    response = client.post(f"/manage/events/{event.slug}/edit?lang=en", data=_form(event, venue="Salle Molière"))
    assert response.status_code == 422
    assert "2 people: Amal Benali, Bruno Costa" in response.text
    assert 'name="tell_participants"' in response.text and 'value="Salle Molière"' in response.text
    db.session.expire_all()
    assert event.venue == "Hôtel de Ville" and _messages("event_changed") == []

    response = client.post(f"/manage/events/{event.slug}/edit?lang=en",
                           data=_form(event, venue="Salle Molière", tell_participants="y"))
    assert response.status_code == 302
    db.session.expire_all()
    assert event.venue == "Salle Molière"
    amal, bruno = _messages("event_changed")
    assert amal.text_body.index("Lieu\u00a0: Hôtel de Ville → Salle Molière") < amal.text_body.index(
        "Venue: Hôtel de Ville → Salle Molière")
    for message in (amal, bruno):
        (vevent,) = Calendar.from_ical(message.ics).walk("VEVENT")
        assert str(vevent["LOCATION"]) == "Salle Molière" and int(vevent["SEQUENCE"]) >= 1


def test_a_new_meeting_link_reaches_only_those_who_attend_online(client, make):
    event, organiser = _open_event_with_people(make)
    make.login(client, organiser)
    response = client.post(f"/manage/events/{event.slug}/edit",
                           data=_form(event, online_url="https://meet.example.org/new", tell_participants="y"))
    assert response.status_code == 302
    messages = _messages("event_changed")
    assert [m.recipient_email for m in messages] == ["bruno@example.net"]
    assert "https://meet.example.org/new" in messages[0].text_body


def test_a_draft_or_an_event_nobody_registered_for_saves_at_once(client, make):
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    organiser = make.user(Role.ORGANISER, lyon)
    event = make.event(lyon, EventState.OPEN, venue="Hôtel de Ville")
    make.login(client, organiser)
    assert client.post(f"/manage/events/{event.slug}/edit", data=_form(event, venue="Ailleurs")).status_code == 302
    assert _messages("event_changed") == []


def test_a_hybrid_event_moved_online_gives_everyone_with_a_place_the_meeting_link(client, make):
    """Once the event is online only, those who had a place in person attend online too: the
    message telling them, their invitation, their page and their calendar carry the link."""
    from app.registration.models import Registration
    from app.registration.tokens import make_token

    event, organiser = _open_event_with_people(make)
    make.login(client, organiser)
    response = client.post(f"/manage/events/{event.slug}/edit",
                           data=_form(event, format=EventFormat.DIGITAL.value, venue="", tell_participants="y"))
    assert response.status_code == 302, response.text[:2000]
    amal, bruno = _messages("event_changed")
    for message in (amal, bruno):
        assert "https://meet.example.org/old" in message.text_body, message.recipient_email
        (vevent,) = Calendar.from_ical(message.ics).walk("VEVENT")
        assert str(vevent["LOCATION"]) == "https://meet.example.org/old"
    token = make_token(db.session.scalars(select(Registration).filter_by(email="amal@example.net")).one())
    page = client.get(f"/r/{token}?lang=en").text
    assert "https://meet.example.org/old" in page
    assert "have not given the venue yet" not in page and "<dd>Online</dd>" in page
    assert "https://meet.example.org/old" in client.get(f"/r/{token}/calendar.ics").data.decode().replace("\r\n ", "")


def test_feeds_show_the_sequence_the_invitations_carry_after_a_move(client, make):
    """One SEQUENCE per UID: after the event moves, its feed, the network's feed and a participant's
    own feed carry the SEQUENCE of the invitation just sent, not 0."""
    from app.calendar import event_uid
    from app.registration.models import Registration
    from app.registration.tokens import make_token

    event, organiser = _open_event_with_people(make)
    make.login(client, organiser)
    moved = event.start_date + timedelta(days=1)
    response = client.post(f"/manage/events/{event.slug}/edit", data=_form(
        event, start_date=moved.isoformat(), end_date=(moved + timedelta(days=1)).isoformat(), tell_participants="y"))
    assert response.status_code == 302, response.text[:2000]
    uid = event_uid(event)
    sent = {int(vevent["SEQUENCE"]) for message in _messages("event_changed")
            for vevent in Calendar.from_ical(message.ics).walk("VEVENT")}
    assert sent == {1}
    token = make_token(db.session.scalars(select(Registration).filter_by(email="amal@example.net")).one())
    for path in (f"/events/{event.slug}/calendar.ics", "/calendar.ics", f"/r/{token}/calendar.ics"):
        (vevent,) = [v for v in Calendar.from_ical(client.get(path).data).walk("VEVENT") if str(v["UID"]) == uid]
        assert int(vevent["SEQUENCE"]) == 1, path
        assert vevent["DTSTART"].dt == moved, path


@pytest.mark.parametrize(("lang", "told", "converted", "tick"), [
    ("en", "Saving emails this change, with an updated calendar invitation, to 2 people: Amal Benali, Bruno Costa.",
     "1 person registered in person will now take part online.", "Tick the box to save and tell them."),
    ("fr", "à 2 personnes\u00a0: Amal Benali, Bruno Costa.",
     "1 personne inscrite en présentiel participera désormais en ligne.",
     "Cochez la case pour enregistrer et les prévenir."),
])
def test_a_format_change_says_whose_registration_it_converts_before_it_is_emailed(client, make, lang, told, converted,
                                                                                   tick):
    event, organiser = _open_event_with_people(make)
    make.login(client, organiser)
    response = client.post(f"/manage/events/{event.slug}/edit?lang={lang}",
                           data=_form(event, format=EventFormat.DIGITAL.value))
    assert response.status_code == 422
    error = html.unescape(response.text.split('id="tell_participants-error"')[1].split("</ul>")[0])
    assert error.index(told) < error.index(converted) < error.index(tick)
    # A change that converts nobody says only who is told.
    response = client.post(f"/manage/events/{event.slug}/edit?lang={lang}", data=_form(event, venue="Salle Molière"))
    error = html.unescape(response.text.split('id="tell_participants-error"')[1].split("</ul>")[0])
    assert told in error and converted not in error
