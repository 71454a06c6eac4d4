"""Invitations a calendar matches to what it holds: a stable UID, SEQUENCE raised on every change,
METHOD:CANCEL for a cancellation; checked by check-mail and the three parsers of check-ics."""

import email
from datetime import UTC, datetime
from email import policy
from types import SimpleNamespace

from icalendar import Calendar

from app.calendar import Person, invitation, item_uid, to_ics
from app.events.models import EventState
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.recipients import Recipient
from app.mail.services import Invitation, queue_message
from tests.mail.conftest import assert_passes
from tests.test_calendar_core import run_check_ics

ZOE = Recipient("zoe.lefevre@example.net", "Zoé Lefèvre-Ben Saïd", "fr", private_link="http://127.0.0.1:5000/r/zoe")
REGISTRATION = SimpleNamespace(attendance="in_person")


def _session(start: datetime, end: datetime, place: str = "Salle Molière", zone: str = "Europe/Paris",
             method: str = "REQUEST") -> Invitation:
    return Invitation(item_uid("agenda-item", 12), {"en": "Local solutions", "fr": "Solutions locales"}, start, end,
                      zone, description_by_lang={"en": "Cases presented by participants.",
                                                 "fr": "Des cas présentés par les participants."},
                      location=place, url="http://127.0.0.1:5000/events/x/agenda", method=method)


def _calendar_of(path) -> Calendar:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return Calendar.from_ical(part.get_payload(decode=True))


def test_update_after_a_time_change_and_a_cancellation_match_the_original(app, make, mail_sink, host, tmp_path):
    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN)
    first = _session(datetime(2027, 10, 30, 7, 0, tzinfo=UTC), datetime(2027, 10, 30, 9, 0, tzinfo=UTC))
    queue_message("registration_confirmed", ZOE, event=event, context={"registration": REGISTRATION},
                  invitation=first)
    db.session.commit()
    # The same invitation again (a reminder): nothing changed, same SEQUENCE.
    queue_message("reminder_1_day", ZOE, event=event, invitation=first)
    # Moved by an hour, into the next day's winter time: SEQUENCE goes up.
    moved = _session(datetime(2027, 11, 1, 8, 0, tzinfo=UTC), datetime(2027, 11, 1, 10, 0, tzinfo=UTC))
    queue_message("agenda_changed", ZOE, event=event, context={"changes": []}, invitation=moved)
    cancelled = _session(moved.start, moved.end, method="CANCEL")
    queue_message("registration_cancelled", ZOE, event=event, context={"registration": REGISTRATION},
                  invitation=cancelled)
    db.session.commit()
    deliver_due()
    files = mail_sink.wait(4)
    assert_passes(files, expect_ics=True)

    events = [_calendar_of(path) for path in files]
    vevents = [next(iter(c.walk("VEVENT"))) for c in events]
    assert {str(v["UID"]) for v in vevents} == {item_uid("agenda-item", 12)}
    assert [int(v["SEQUENCE"]) for v in vevents] == [0, 0, 1, 2]
    assert [str(c["METHOD"]) for c in events] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert [str(v["STATUS"]) for v in vevents] == ["CONFIRMED", "CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert str(vevents[0]["ORGANIZER"]) == "mailto:organisatrice.lyon@mc2cm.example.org"
    assert vevents[0]["ORGANIZER"].params["CN"] == "Hélène Moreau-Dubois"
    assert str(vevents[0]["ATTENDEE"]) == "mailto:zoe.lefevre@example.net"
    assert vevents[0]["ATTENDEE"].params["RSVP"] == "TRUE"

    # Every parser reads the moved session at the new instant, across the clock change.
    moved_ics = tmp_path / "moved.ics"
    moved_ics.write_bytes(events[2].to_ical())
    result = run_check_ics(moved_ics, f"{item_uid('agenda-item', 12)}=2027-11-01T08:00:00Z")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_first_cancellation_outranks_the_original_invitation(app, make, host):
    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN)
    cancel = _session(datetime(2027, 5, 3, 7, 0, tzinfo=UTC), datetime(2027, 5, 3, 9, 0, tzinfo=UTC), method="CANCEL")
    message = queue_message("registration_cancelled", ZOE, event=event, context={"registration": REGISTRATION},
                            invitation=cancel)
    assert b"SEQUENCE:1" in message.ics and b"METHOD:CANCEL" in message.ics


def test_without_a_host_organiser_the_network_contact_answers_never_the_no_reply_sender(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "NETWORK_CONTACT", "Équipe du réseau MC2CM <reseau@mc2cm.example.org>")
    event = make.event(make.city("Tunis", "Africa/Tunis", "TN"), EventState.OPEN)
    start = datetime(2027, 5, 3, 7, 0, tzinfo=UTC)
    message = queue_message("reminder_1_day", ZOE, event=event, invitation=_session(start, start.replace(hour=9),
                                                                                    zone="Africa/Tunis"))
    organizer = next(iter(Calendar.from_ical(message.ics).walk("VEVENT")))["ORGANIZER"]
    assert (str(organizer), organizer.params["CN"]) == ("mailto:reseau@mc2cm.example.org", "Équipe du réseau MC2CM")
    assert (message.reply_to_email, message.reply_to_name) == ("reseau@mc2cm.example.org", "Équipe du réseau MC2CM")
    assert app.config["MAIL_DEFAULT_SENDER"] not in (message.reply_to_email, str(organizer))


def test_casablanca_session_is_written_in_utc_and_read_right(app, tmp_path):
    start = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    calendar = invitation("REQUEST", "session-1@mc2cm-events", 0, {"en": "Visit", "fr": "Visite"}, {},
                          start, start.replace(hour=11), "Africa/Casablanca", "Médina", "",
                          Person("Organiser", "org@example.org"), Person("Zoé", "zoe@example.net"))
    path = tmp_path / "casa.ics"
    path.write_bytes(to_ics(calendar))
    assert b"DTSTART:20270301T090000Z" in path.read_bytes()
    result = run_check_ics(path, "session-1@mc2cm-events=2027-03-01T09:00:00Z")
    assert result.returncode == 0, result.stdout + result.stderr


def test_names_cannot_break_the_calendar(app, tmp_path):
    start = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    calendar = invitation("REQUEST", "x@mc2cm-events", 0, {"en": "Title\r\nATTENDEE:mailto:evil@x.org", "fr": ""},
                          {"en": "Line one\nLine two"}, start, start.replace(hour=10), "Europe/Rome", "", "",
                          Person('Org "the boss"\r\nX-INJECTED:1', "org@example.org"),
                          Person("Zoé\nATTENDEE:mailto:evil@x.org", "zoe@example.net"))
    data = to_ics(calendar)
    unfolded = data.replace(b"\r\n ", b"")
    assert b"\r\nX-INJECTED" not in unfolded and unfolded.count(b"\r\nATTENDEE") == 1
    path = tmp_path / "names.ics"
    path.write_bytes(data)
    result = run_check_ics(path)
    assert result.returncode == 0, result.stdout + result.stderr
