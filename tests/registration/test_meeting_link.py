"""The event's online meeting link reaches confirmed participants who attend online, and nobody
else: not the waiting list, not those who come in person, not the public feed."""


from app.events.models import EventFormat
from app.extensions import db
from app.registration import signup
from app.registration.models import AttendanceMode, RegistrationStatus
from app.registration.tokens import make_token
from tests.registration.conftest import person

LINK = "https://meet.example.org/secret-room"


def _register(event, email, attendance):
    registration = signup.register(event, person(email, attendance=attendance)).registration
    db.session.commit()
    return registration


def test_only_confirmed_online_participants_see_the_link_on_their_page_and_in_their_calendar(client, open_event):
    event = open_event(capacity=1, format=EventFormat.HYBRID, online_url=LINK,
                       settings={"online_capacity": 1})
    online = _register(event, "online@example.net", AttendanceMode.ONLINE)
    in_person = _register(event, "here@example.net", AttendanceMode.IN_PERSON)
    waiting = _register(event, "late@example.net", AttendanceMode.ONLINE)
    assert (online.status, in_person.status, waiting.status) == (RegistrationStatus.CONFIRMED,
                                                                 RegistrationStatus.CONFIRMED,
                                                                 RegistrationStatus.WAITLISTED)
    for registration, sees in ((online, True), (in_person, False), (waiting, False)):
        token = make_token(registration)
        page = client.get(f"/r/{token}?lang=fr").text
        ics = client.get(f"/r/{token}/calendar.ics").data.decode()
        assert (LINK in page, LINK in ics.replace("\r\n ", "")) == (sees, sees), registration.email
    assert LINK not in client.get(f"/events/{event.slug}/calendar.ics").data.decode().replace("\r\n ", "")
    assert "Lien de la réunion en ligne\u00a0:" in client.get(f"/r/{make_token(online)}?lang=fr").text
