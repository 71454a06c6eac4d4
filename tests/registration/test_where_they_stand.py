"""The participant knows where they stand: the thank-you page says what happens next, the private
page carries the practical information, a cancelled registration's page says what still holds."""

import html

from sqlalchemy import select

from app.auth.models import Role
from app.events.models import EventFormat
from app.extensions import db
from app.registration import signup, tokens
from app.registration.models import AttendanceMode, Registration


def _form(email="amal@example.org", **overrides):
    data = {"name": "Amal Benali", "email": email, "organisation": "Ville de Tunis", "city": "Tunis",
            "country_code": "TN", "preferred_language": "fr", "consent_processing": "y", "website": ""}
    data.update(overrides)
    return data


def test_the_thank_you_page_says_what_comes_next(client, open_event):
    event = open_event(capacity=1, format=EventFormat.HYBRID)
    client.post(f"/events/{event.slug}/register", data=_form(attendance="online"))
    page = html.unescape(client.get(f"/events/{event.slug}/register/sent?lang=en").text)
    assert "An email with your private link is on its way" in page
    assert "The email says whether your place is confirmed" in page
    assert "the meeting link comes with the email that confirms your place" in page

    in_person = open_event(capacity=1)
    client.post(f"/events/{in_person.slug}/register", data=_form())
    page = html.unescape(client.get(f"/events/{in_person.slug}/register/sent?lang=en").text)
    assert "If you take part online" not in page, "an in-person event has no meeting link"
    assert "Your private page holds the venue with a map link" in page, "no 'if': everyone comes in person"


def _main_part(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_thank_you_page_is_the_same_whoever_the_address_belongs_to(client, open_event):
    """Anyone can type someone else's address: a new registration, one that existed, one that went
    to the waiting list all get the very same page, so it tells nothing about that person."""
    event = open_event(capacity=1)
    client.post(f"/events/{event.slug}/register", data=_form())
    new = _main_part(client.get(f"/events/{event.slug}/register/sent?lang=en").text)
    client.post(f"/events/{event.slug}/register", data=_form())
    existing = _main_part(client.get(f"/events/{event.slug}/register/sent?lang=en").text)
    client.post(f"/events/{event.slug}/register", data=_form("bruno@example.org"))
    waiting = _main_part(client.get(f"/events/{event.slug}/register/sent?lang=en").text)
    assert new == existing == waiting
    assert "confirmed." not in new and "waiting list." not in new.split("<h2")[0]


def test_the_private_page_carries_the_practical_information(client, make, open_event, register):
    event = open_event(capacity=5, venue="Palais de la Bourse, 20 place de la Bourse")
    organiser = make.user(Role.ORGANISER, event.host_city, name="Hélène Moreau", email="helene@example.org")
    registration = register(event, name="Amal Benali")
    page = html.unescape(client.get(f"/r/{tokens.make_token(registration)}?lang=fr").text)
    practical = page.split('id="practical"')[1].split("</section>")[0]
    assert "Palais de la Bourse, 20 place de la Bourse" in practical
    assert "https://www.openstreetmap.org/search?query=Palais+de+la+Bourse" in practical
    assert "<iframe" not in page, "a plain link, no embedded map"
    assert organiser.name in practical and "mailto:helene@example.org" in practical
    assert "Informations pratiques" in page


def test_an_online_participant_learns_when_the_meeting_link_comes(client, open_event, register):
    event = open_event(capacity=1, format=EventFormat.HYBRID, online_url="https://meet.example.org/room",
                       settings={"online_capacity": 1})
    register(event, email="first@example.org", attendance=AttendanceMode.ONLINE)
    waiting = register(event, email="second@example.org", attendance=AttendanceMode.ONLINE)
    page = html.unescape(client.get(f"/r/{tokens.make_token(waiting)}?lang=en").text)
    assert "once your place is confirmed" in page and "https://meet.example.org/room" not in page
    first = db.session.scalar(select(Registration).where(Registration.email == "first@example.org"))
    page = html.unescape(client.get(f"/r/{tokens.make_token(first)}?lang=en").text)
    assert "https://meet.example.org/room" in page.split('id="practical"')[1].split("</section>")[0]


def test_a_cancelled_registration_says_what_holds_and_offers_to_register_again(client, open_event, register):
    event = open_event(capacity=5, format=EventFormat.HYBRID)
    registration = register(event, attendance=AttendanceMode.ONLINE)
    token = tokens.make_token(registration)
    signup.cancel(registration)
    db.session.commit()
    page = html.unescape(client.get(f"/r/{token}?lang=en").text)
    section = page.split('id="what-still-holds"')[1].split("</section>")[0]
    assert "You no longer hold a place" in section
    assert "You will not receive the online meeting link." in section
    assert "removes the event from your calendar" in section
    assert f"/events/{event.slug}/register" in section and "Register again" in section
    assert 'id="practical"' not in page
    page = html.unescape(client.get(f"/r/{token}?lang=fr").text)
    assert "Vous n'avez plus de place" in page


def test_a_cancelled_registration_is_not_offered_to_register_again_once_registration_closed(
        client, open_event, register):
    event = open_event(capacity=5)
    registration = register(event)
    signup.cancel(registration)
    db.session.commit()
    event.registration_closes_at = event.registration_opens_at
    db.session.commit()
    page = html.unescape(client.get(f"/r/{tokens.make_token(registration)}?lang=en").text)
    assert "Register again" not in page and "you cannot register again" in page


def test_the_private_page_summarises_the_agenda_by_day(client, make, open_event, register):
    event = open_event(capacity=5)
    make.agenda_item(event)
    registration = register(event)
    page = html.unescape(client.get(f"/r/{tokens.make_token(registration)}?lang=en").text)
    section = page.split('id="agenda-heading"')[1].split("</section>")[0]
    assert "1 agenda item" in section and f"/events/{event.slug}/agenda" in section
