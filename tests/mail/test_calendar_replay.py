"""The proof that calendars stay in step: a real server driven through its pages (the organiser
moves the event, adds and moves sessions, changes the venue; a participant cancels and registers
again; the event is cancelled), every message delivered to a real SMTP server, and each person's
invitations applied in the order received as a calendar client does (RFC 5546: a higher SEQUENCE
wins, CANCEL removes; like the strictest clients, a change that kept its SEQUENCE is ignored). What
each calendar then holds must be what the app says that person attends, and every message must pass
check-mail."""

import email
import re
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from icalendar import Calendar

from app.calendar import event_uid
from app.db_types import utcnow
from app.events.models import EventState
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.services import addressed_to, event_invitation
from app.registration.models import Registration, RegistrationStatus
from app.registration.recipients import recipient_for
from app.registration.tokens import make_token
from tests.factories import PASSWORD
from tests.http_session import Session
from tests.mail.conftest import assert_passes

PEOPLE = {"amal@example.net": "fr", "bruno@example.net": "en", "chloe@example.net": "fr"}


def _register_through_the_form(session: Session, slug: str, address: str, language: str) -> None:
    reply = session.submit(f"/events/{slug}/register?lang={language}", {
        "name": address.split("@")[0].title(), "email": address, "organisation": "Ville", "position": "Cheffe",
        "city": "Tunis", "country_code": "TN", "preferred_language": language, "consent_processing": "y",
    }, action_contains="register")
    assert reply.status == 302, reply.text[:2000]


def _deliver(mail_sink, expected_total: int) -> list:
    report = deliver_due()
    assert report.failed == 0 and report.retried == 0
    return mail_sink.wait(expected_total)


def _calendar_part(message) -> bytes | None:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True)
    return None


def replay(files) -> dict[str, dict]:
    """Per recipient, what their calendar holds after applying each invitation in order:
    {address: {uid: (start, end, location)}}."""
    held: dict[str, dict] = {}
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        ics = _calendar_part(message)
        if ics is None:
            continue
        address = str(message["To"].addresses[0].addr_spec).lower()
        calendar = Calendar.from_ical(ics)
        method = str(calendar["METHOD"])
        for vevent in calendar.walk("VEVENT"):
            uid, sequence = str(vevent["UID"]), int(vevent["SEQUENCE"])
            state = held.setdefault(address, {})
            current = state.get(uid)
            if method == "CANCEL":
                entry = {"sequence": sequence, "cancelled": True}
            else:
                entry = {"sequence": sequence, "cancelled": False,
                         "what": (_instant(vevent["DTSTART"].dt), _instant(vevent["DTEND"].dt),
                                  str(vevent.get("LOCATION", "")))}
            if current is not None and sequence < current["sequence"]:
                continue  # an older version: a client ignores it
            if current is not None and sequence == current["sequence"] and entry != current:
                continue  # a change that did not raise SEQUENCE: the strictest clients keep what they hold
            state[uid] = entry
    return {address: {uid: entry["what"] for uid, entry in state.items() if not entry["cancelled"]}
            for address, state in held.items()}


def _instant(value):
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def what_the_app_says(event) -> dict[str, dict]:
    """For each of the people, the event as the app would invite them to it now, if they hold a place."""
    db.session.expire_all()
    expected = {}
    for address in PEOPLE:
        registration = db.session.query(Registration).filter_by(event_id=event.id, email=address).one()
        if registration.status is not RegistrationStatus.CONFIRMED or event.state is EventState.CANCELLED:
            expected[address] = {}
            continue
        invitation = addressed_to(event_invitation(event), event, recipient_for(registration))
        end = invitation.end if isinstance(invitation.end, datetime) else invitation.end + timedelta(days=1)
        expected[address] = {invitation.uid: (_instant(invitation.start), end, invitation.location)}
    return expected


@pytest.fixture
def event(make, host):
    lyon, _organiser = host
    return make.event(lyon, EventState.OPEN, capacity=10, venue="Hôtel de Ville, Lyon",
                      theme_en="Urban citizenship", theme_fr="Citoyenneté urbaine",
                      registration_opens_at=utcnow() - timedelta(days=1),
                      registration_closes_at=utcnow() + timedelta(days=20))


def test_each_calendar_ends_as_the_app_says_after_every_kind_of_change(live_server, event, host, mail_sink):
    _lyon, organiser = host
    slug = event.slug
    public = Session(live_server)
    for address, language in PEOPLE.items():
        _register_through_the_form(public, slug, address, language)
    staff = Session(live_server)
    assert staff.submit("/manage/login", {"email": organiser.email, "password": PASSWORD}).status == 302
    sent = len(PEOPLE)

    # The event moves by a day (it has no agenda yet).
    first = event.start_date + timedelta(days=1)
    reply = staff.submit(f"/manage/events/{slug}/edit", {"start_date": first.isoformat(), "tell_participants": "y",
                                                         "end_date": (first + timedelta(days=1)).isoformat()})
    assert reply.status == 302, reply.text[:3000]
    sent += len(PEOPLE)
    files = _deliver(mail_sink, sent)
    assert replay(files) == what_the_app_says(event)

    # Two sessions, then the last one moves later: the invitation now runs from 09:00 to the new end.
    for start, end, title in (("09:00", "12:00", "Opening"), ("14:00", "17:00", "Recommendations")):
        reply = staff.submit(f"/manage/events/{slug}/agenda/items/new", {
            "kind": "session", "title_en": title, "title_fr": title,
            "starts_at": f"{first.isoformat()}T{start}", "ends_at": f"{first.isoformat()}T{end}"},
            )
        assert reply.status == 302, reply.text[:3000]
        sent += len(PEOPLE)
    db.session.expire_all()
    last_item = max(int(n) for n in re.findall(r'id="item-(\d+)"', staff.get(f"/manage/events/{slug}/agenda").text))
    reply = staff.submit(f"/manage/events/{slug}/agenda/items/{last_item}", {
        "starts_at": f"{first.isoformat()}T15:00", "ends_at": f"{first.isoformat()}T18:30"},
        )
    assert reply.status == 302, reply.text[:3000]
    sent += len(PEOPLE)

    # The venue changes.
    reply = staff.submit(f"/manage/events/{slug}/edit", {"venue": "Salle Molière, 20 quai de Bondy, Lyon",
                                                         "tell_participants": "y"})
    assert reply.status == 302, reply.text[:3000]
    sent += len(PEOPLE)
    files = _deliver(mail_sink, sent)
    calendars = replay(files)
    assert calendars == what_the_app_says(event)
    (held,) = calendars["amal@example.net"].values()
    assert held[2] == "Salle Molière, 20 quai de Bondy, Lyon"
    assert (held[1] - held[0]) == timedelta(hours=9, minutes=30)

    # Bruno cancels from his own page, then registers again with the same address.
    bruno = db.session.query(Registration).filter_by(event_id=event.id, email="bruno@example.net").one()
    reply = public.submit(f"/r/{make_token(bruno)}/cancel", {"confirmed": "y"}, action_contains="/cancel")
    assert reply.status == 302, reply.text[:3000]
    _register_through_the_form(public, slug, "bruno@example.net", "en")
    sent += 2
    files = _deliver(mail_sink, sent)
    assert replay(files) == what_the_app_says(event)
    assert calendars["bruno@example.net"] == replay(files)["bruno@example.net"] != {}

    # The event moves online: every calendar now holds the meeting link as its place.
    link = "https://meet.example.org/mc2cm-lyon"
    reply = staff.submit(f"/manage/events/{slug}/edit", {"format": "digital", "venue": "", "online_url": link,
                                                         "tell_participants": "y"})
    assert reply.status == 302, reply.text[:3000]
    sent += len(PEOPLE)
    files = _deliver(mail_sink, sent)
    calendars = replay(files)
    assert calendars == what_the_app_says(event)
    assert {place for held in calendars.values() for (_start, _end, place) in held.values()} == {link}

    # The event is cancelled: every calendar is empty.
    reply = staff.submit(f"/manage/events/{slug}/", {"target": "cancelled", "confirmed": "y", "reason": "Grève"},
                         action_contains="/state")
    assert reply.status in (200, 302), reply.text[:3000]
    if reply.status == 200:  # the confirmation step
        reply = staff.post(f"/manage/events/{slug}/state", [
            *staff.form(f"/manage/events/{slug}/", "/state")[1][:1], ("target", "cancelled"), ("confirmed", "y"),
            ("reason", "Grève")])
    sent += len(PEOPLE)
    files = _deliver(mail_sink, sent)
    assert replay(files) == what_the_app_says(event) == {address: {} for address in PEOPLE}
    assert event_uid(event) in set(_all_uids(files))
    assert_passes([path for path in files if _calendar_part(_read(path))], expect_ics=True)


def _read(path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def _all_uids(files):
    for path in files:
        ics = _calendar_part(_read(path))
        if ics:
            for vevent in Calendar.from_ical(ics).walk("VEVENT"):
                yield str(vevent["UID"])
