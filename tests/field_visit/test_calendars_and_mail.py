"""The field visit in calendars and mail: the event feed and the personal feed (through check-ics),
invitations with the meeting point as LOCATION whose SEQUENCE rises with a change of time or
meeting point (the feeds show the same), and every message through a real SMTP server and check-mail,
replayed as a calendar client applies them."""

import re
from datetime import UTC, timedelta

from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.field_visit import services, signups
from app.field_visit.calendar import visit_uid, visit_vevent
from app.field_visit.notifications import send_reminders
from app.mail.delivery import deliver_due
from app.mail.models import OutboxMessage
from app.registration.tokens import make_token
from app.timezones import utc_to_local
from tests.field_visit.conftest import visit_input
from tests.ical_check import assert_check_ics
from tests.mail.conftest import assert_passes
from tests.mail.test_calendar_replay import replay


def _vevents(ics: str | bytes, uid: str) -> list:
    return [v for v in Calendar.from_ical(ics).walk("VEVENT") if str(v["UID"]) == uid]


def _z(instant) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_event_feed_and_personal_feed_pass_check_ics(client, event, new_visit, participant, tmp_path):
    visit = new_visit(event)
    going, not_going = participant(event), participant(event)
    signups.sign_up(going, visit)
    db.session.commit()
    uid = visit_uid(visit)
    feed = client.get(f"/events/{event.slug}/calendar.ics").data
    (vevent,) = _vevents(feed, uid)
    assert str(vevent["LOCATION"]) == "Place Gabriel Péri, Place Gabriel Péri, 69007 Lyon"
    assert "Letter-writer's office" in str(vevent["DESCRIPTION"])
    french = visit_vevent(visit, ("fr", "en"), 0)["DESCRIPTION"]
    assert "Point de rendez-vous\u00a0: Place Gabriel Péri" in french and "Meeting point: Place Gabriel Péri" in french
    assert "Étapes\u00a0: " in french and "Stops: " in french
    path = tmp_path / "event.ics"
    path.write_bytes(feed)
    assert_check_ics(path, f"{uid}={_z(visit.meets_at)}")
    mine = client.get(f"/r/{make_token(going)}/calendar.ics").data
    assert len(_vevents(mine, uid)) == 1
    path = tmp_path / "mine.ics"
    path.write_bytes(mine)
    assert_check_ics(path, f"{uid}={_z(visit.meets_at)}")
    assert _vevents(client.get(f"/r/{make_token(not_going)}/calendar.ics").data, uid) == []


def test_a_change_of_time_or_meeting_point_raises_sequence_in_invitations_and_feeds(
        client, event, organiser, new_visit, participant):
    visit = new_visit(event)
    person = participant(event, language="fr")
    signups.sign_up(person, visit)
    db.session.commit()
    uid = visit_uid(visit)
    first = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "field_visit_signup")).one()
    assert first.ics_method == "REQUEST" and int(_vevents(first.ics, uid)[0]["SEQUENCE"]) == 0
    services.update_visit(organiser, event, visit, visit_input(event, start="15:00", end="18:00"))
    db.session.commit()
    changed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "field_visit_changed")).one()
    (sent,) = _vevents(changed.ics, uid)
    assert int(sent["SEQUENCE"]) == 1 and str(sent["LOCATION"]).startswith("Place Gabriel Péri")
    assert utc_to_local(sent["DTSTART"].dt, event.timezone).hour == 15
    assert changed.subject.startswith("La visite de terrain a changé")
    assert "Nouvel horaire\u00a0:" in changed.text_body and "New time:" in changed.text_body
    (in_feed,) = _vevents(client.get(f"/events/{event.slug}/calendar.ics").data, uid)
    assert int(in_feed["SEQUENCE"]) == 1
    services.update_visit(organiser, event, visit, visit_input(event, start="15:00", end="18:00",
                                                               meeting_point="Place du Pont"))
    db.session.commit()
    (moved,) = _vevents(db.session.scalars(select(OutboxMessage.ics).where(OutboxMessage.kind == "field_visit_changed")
                                           .order_by(OutboxMessage.id.desc())).first(), uid)
    assert int(moved["SEQUENCE"]) == 2 and str(moved["LOCATION"]).startswith("Place du Pont")
    # A change of what is shown at a stop is no change of time or place: nobody is written to.
    services.update_visit(organiser, event, visit, visit_input(event, start="15:00", end="18:00",
                                                               meeting_point="Place du Pont", title_en="New title"))
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "field_visit_changed")) == 2


def test_reminder_the_day_before_carries_meeting_point_time_and_what_to_bring(event, new_visit, participant):
    visit = new_visit(event, day=1)
    person = participant(event, language="fr")
    signups.sign_up(person, visit)
    db.session.commit()
    the_day_before = visit.meets_at - timedelta(hours=20)
    assert len(send_reminders(now=the_day_before)) == 1
    assert send_reminders(now=the_day_before) == []  # never twice
    assert send_reminders(now=visit.meets_at - timedelta(days=3)) == []
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "field_visit_reminder")).one()
    assert message.subject.startswith("Visite de terrain demain")
    for text in ("Point de rendez-vous\u00a0: Place Gabriel Péri", "À prévoir\u00a0: Des chaussures confortables",
                 "What to bring: Comfortable shoes", "Meeting point: Place Gabriel Péri"):
        assert text in message.text_body
    # The meeting time, in each language's line of the visit (the mail's own footer says "Starts:").
    assert re.search(r"^Rendez-vous\u00a0: .*14:00 \(Europe/Paris\)$", message.text_body, re.MULTILINE)
    assert re.search(r"^Meeting: .*14:00 \(Europe/Paris\)$", message.text_body, re.MULTILINE)
    assert message.ics_method == "REQUEST"


def test_mails_pass_check_mail_and_calendars_replay_to_what_the_app_says(
        app, event, organiser, new_visit, participant, mail_sink):
    visit = new_visit(event, capacity=1)
    first, second = participant(event, language="fr"), participant(event)
    signups.sign_up(first, visit)          # confirmed: invitation
    signups.sign_up(second, visit)         # waiting list
    db.session.commit()
    services.update_visit(organiser, event, visit, visit_input(event, capacity=1, start="15:00", end="18:00"))
    db.session.commit()
    signups.leave(first, visit)            # CANCEL for the first, the place (and an invitation) to the second
    db.session.commit()
    send_reminders(now=visit.meets_at - timedelta(hours=20))
    db.session.commit()
    queued = db.session.scalar(select(db.func.count()).select_from(OutboxMessage))
    sent = 0
    while (report := deliver_due(now=visit.meets_at)).claimed:
        assert report.failed == 0, report
        sent += report.sent
    assert sent == queued
    files = mail_sink.wait(queued)
    field_visit_files = [f for f, m in zip(files, mail_sink.messages(), strict=True)
                         if "visit" in str(m["Subject"]).lower() or "visite" in str(m["Subject"]).lower()]
    assert len(field_visit_files) == 6  # first: signed up, changed, left; second: waiting, promoted, reminder
    assert_passes(field_visit_files)
    held = replay(files)
    uid = visit_uid(visit)
    db.session.refresh(visit)
    assert uid not in held.get(first.email, {})
    start, end, location = held[second.email][uid]
    assert (start, end) == (visit.meets_at, visit.returns_at) and location.startswith("Place Gabriel Péri")


def test_cancelling_the_event_cancels_the_visit_in_calendars(event, organiser, new_visit, participant):
    from app.events.lifecycle import change_state
    from app.events.models import EventState

    visit = new_visit(event)
    person = participant(event, language="fr")
    signups.sign_up(person, visit)
    db.session.commit()
    change_state(event, EventState.CANCELLED, organiser, confirmed=True, reason="Grève")
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "field_visit_cancelled")).one()
    assert message.ics_method == "CANCEL" and visit_uid(visit) in message.ics.decode()
    assert "L'événement est annulé, et avec lui la visite de terrain" in message.text_body
    assert message.subject.startswith("La visite de terrain n'aura pas lieu\u00a0: ")
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "field_visit_left")) is None
