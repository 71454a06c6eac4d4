"""An event held online only shows and sends no venue (what the organiser typed stays stored, and
comes back when the event meets in person again), its hub offers only online participation, and
nobody is offered a check-in at an entrance there is none of."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.auth.models import Role
from app.db_types import utcnow
from app.events.models import EventFormat, EventState
from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration import printouts, signup
from app.registration.models import AttendanceMode, Registration
from app.registration.tokens import make_token
from tests.events.test_event_changes import _form
from tests.registration.conftest import person

VENUE = "Palazzo Civico, Piazza Palazzo di Città 1"
CHECK_IN_CODE = {"en": "Show this code at the entrance", "fr": "Présentez ce code à"}


def _hybrid_event_with_one_person(make):
    turin = make.city("Turin", "Europe/Rome", "IT")
    organiser = make.user(Role.ORGANISER, turin)
    event = make.event(turin, EventState.OPEN, capacity=10, format=EventFormat.HYBRID, venue=VENUE,
                       online_url="https://meet.example.org/turin", registration_opens_at=utcnow() - timedelta(days=1),
                       registration_closes_at=utcnow() + timedelta(days=20))
    signup.register(event, person("amal@example.net", name="Amal Benali", attendance=AttendanceMode.IN_PERSON))
    db.session.commit()
    return event, organiser


def _sent_since(first_id: int) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > first_id)))


def _last_message_id() -> int:
    return max(db.session.scalars(select(OutboxMessage.id)), default=0)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_event_moved_online_without_clearing_its_venue_shows_and_sends_it_nowhere(app, client, make, lang):
    event, organiser = _hybrid_event_with_one_person(make)
    make.login(client, organiser)
    assert VENUE in client.get(f"/events/{event.slug}/?lang={lang}").text
    before = _last_message_id()
    response = client.post(f"/manage/events/{event.slug}/edit?lang={lang}",
                           data=_form(event, format=EventFormat.DIGITAL.value, tell_participants="y"))
    assert response.status_code == 302, response.text[:2000]
    db.session.expire_all()
    assert event.venue == VENUE  # kept, for a switch back
    signup.register(event, person("bruno@example.net", name="Bruno Costa", preferred_language=lang,
                                  attendance=AttendanceMode.ONLINE))
    db.session.commit()
    sent = _sent_since(before)
    assert {m.kind for m in sent} >= {"event_changed", "registration_confirmed"}
    for message in sent:
        for part in (message.text_body, message.html_body, (message.ics or b"").decode()):
            assert "Palazzo" not in part, (message.kind, part)
    changed = next(m for m in sent if m.kind == "event_changed")
    (vevent,) = Calendar.from_ical(changed.ics).walk("VEVENT")
    assert str(vevent["LOCATION"]) == "https://meet.example.org/turin"
    amal = db.session.scalars(select(Registration).filter_by(email="amal@example.net")).one()
    pages = [f"/events/{event.slug}/?lang={lang}", f"/events/{event.slug}/calendar.ics", "/calendar.ics",
             f"/r/{make_token(amal)}?lang={lang}", f"/r/{make_token(amal)}/calendar.ics"]
    for path in pages:
        response = client.get(path)
        body = response.data.decode(errors="replace").replace("\r\n ", "")
        assert response.status_code == 200, path
        assert "Palazzo" not in body, path
    with app.test_request_context(f"/?lang={lang}"):
        assert "Palazzo" not in printouts.sign_in_sheet_html(event)
    # Back in person: the venue typed before is there again, on the form and the hub.
    assert VENUE in client.get(f"/manage/events/{event.slug}/edit?lang={lang}").text
    response = client.post(f"/manage/events/{event.slug}/edit?lang={lang}",
                           data=_form(event, format=EventFormat.HYBRID.value, tell_participants="y"))
    assert response.status_code == 302, response.text[:2000]
    assert VENUE in client.get(f"/events/{event.slug}/?lang={lang}").text


def test_the_venue_an_online_only_event_gives_is_none(app, make):
    event = make.event(format=EventFormat.DIGITAL, venue=VENUE)
    assert event.place == "" and event.venue_address("Turin") == "Turin"
    event.format = EventFormat.IN_PERSON
    assert event.place == VENUE and event.venue_address("Turin") == f"{VENUE}, Turin"


@pytest.mark.parametrize(("event_format", "lang", "said"), [
    (EventFormat.DIGITAL, "en", "Sign up to take part online."),
    (EventFormat.IN_PERSON, "en", "Sign up to take part in person."),
    (EventFormat.HYBRID, "en", "Sign up to take part, in person or online."),
    (EventFormat.DIGITAL, "fr", "Inscrivez-vous pour participer en ligne."),
    (EventFormat.IN_PERSON, "fr", "Inscrivez-vous pour participer en présentiel."),
])
def test_the_hub_asks_to_sign_up_only_for_the_ways_of_attending_the_event_offers(client, make, event_format, lang,
                                                                                  said):
    event = make.event(state=EventState.OPEN, format=event_format, online_url="https://meet.example.org/x")
    page = client.get(f"/events/{event.slug}/?lang={lang}").text
    assert said in page
    assert "in person or online" not in page or event_format is EventFormat.HYBRID


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_online_only_event_offers_no_check_in(client, make, lang):
    event, organiser = _hybrid_event_with_one_person(make)
    amal = db.session.scalars(select(Registration).filter_by(email="amal@example.net")).one()
    make.login(client, organiser)
    check_in = f"/participants/{amal.id}/check-in"
    participants = f"/manage/events/{event.slug}/participants/?lang={lang}"
    assert CHECK_IN_CODE[lang] in client.get(f"/r/{make_token(amal)}?lang={lang}").text
    page = client.get(participants).text
    assert check_in in page and "/sign-in-sheet.pdf" in page and "/badges.pdf" in page
    event.format = EventFormat.DIGITAL
    db.session.commit()
    assert CHECK_IN_CODE[lang] not in client.get(f"/r/{make_token(amal)}?lang={lang}").text
    page = client.get(participants).text
    assert check_in not in page and "/participants/check-in" not in page
    assert "/sign-in-sheet.pdf" not in page and "/badges.pdf" not in page  # nobody to sign in or to badge
    assert check_in not in client.get(f"/manage/events/{event.slug}/participants/{amal.id}?lang={lang}").text


@pytest.mark.parametrize(("lang", "place"), [("en", "Place:"), ("fr", "Lieu\u00a0:")])
def test_an_online_only_event_email_gives_its_meeting_link_once_not_as_a_place_too(app, client, make, lang, place):
    event, organiser = _hybrid_event_with_one_person(make)
    make.login(client, organiser)
    before = _last_message_id()
    response = client.post(f"/manage/events/{event.slug}/edit?lang={lang}",
                           data=_form(event, format=EventFormat.DIGITAL.value, tell_participants="y"))
    assert response.status_code == 302, response.text[:2000]
    changed = next(m for m in _sent_since(before) if m.kind == "event_changed")
    assert changed.text_body.count("https://meet.example.org/turin") == 2  # once in each language
    assert place not in changed.text_body
    assert ">Place<" not in changed.html_body and ">Lieu<" not in changed.html_body


@pytest.mark.parametrize(("event_format", "lang", "said", "not_said"), [
    (EventFormat.DIGITAL, "en", "The event takes place online: the meeting link", "in person"),
    (EventFormat.DIGITAL, "fr", "L'événement a lieu en ligne", "sur place"),
    (EventFormat.IN_PERSON, "en", "Your private page holds the venue", "online"),
    (EventFormat.IN_PERSON, "fr", "Votre page personnelle donne le lieu", "en ligne"),
    (EventFormat.HYBRID, "en", "If you come in person", None),
    (EventFormat.HYBRID, "fr", "Si vous venez sur place", None),
])
def test_the_page_after_registering_speaks_of_the_ways_of_attending_the_event_offers(client, make, event_format,
                                                                                      lang, said, not_said):
    event = make.event(state=EventState.OPEN, format=event_format, online_url="https://meet.example.org/x",
                       registration_opens_at=utcnow() - timedelta(days=1),
                       registration_closes_at=utcnow() + timedelta(days=20))
    page = client.get(f"/events/{event.slug}/register/sent?lang={lang}").text.replace("&#39;", "'")
    steps = page[page.index('class="next-steps"'):page.index("</ol>")]
    assert said in steps
    assert not_said is None or not_said not in steps
