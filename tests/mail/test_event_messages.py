"""Messages the mail package queues itself: the event cancelled, the reminders."""

from datetime import UTC, datetime, time, timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from app.calendar import event_uid
from app.events.lifecycle import change_state
from app.events.models import EventState
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.models import OutboxMessage
from app.mail.recipients import Recipient, participants_of
from app.mail.services import send_reminders
from tests.mail.conftest import assert_passes

ZOE = Recipient("zoe.lefevre@example.net", "Zoé Lefèvre-Ben Saïd", "fr", private_link="http://127.0.0.1:5000/r/zoe")
AHMED = Recipient("ahmed@example.net", "Ahmed Haddad", "en", private_link="http://127.0.0.1:5000/r/ahmed")


def _count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def test_cancelling_an_event_sends_a_cancellation_to_every_participant(app, make, host, participants, mail_sink):
    lyon, organiser = host
    event = make.event(lyon, EventState.OPEN)
    participants[event.id] = [ZOE, AHMED, Recipient("ZOE.LEFEVRE@example.net", "Zoé again", "fr")]
    change_state(event, EventState.CANCELLED, organiser, confirmed=True, reason="Grève des transports")
    db.session.commit()
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.kind, m.recipient_email, m.ics_method) for m in messages] == [
        ("event_cancelled", "zoe.lefevre@example.net", "CANCEL"), ("event_cancelled", "ahmed@example.net", "CANCEL")]
    assert "Grève des transports" in messages[0].text_body
    assert messages[0].subject.startswith("Événement annulé")
    assert messages[1].subject.startswith("Event cancelled")
    deliver_due()
    files = mail_sink.wait(2)
    assert_passes(files, expect_ics=True)
    vevent = next(iter(Calendar.from_ical(messages[0].ics).walk("VEVENT")))
    assert (str(vevent["UID"]), str(vevent["STATUS"])) == (event_uid(event), "CANCELLED")


def test_other_state_changes_send_nothing(app, make, host, participants):
    lyon, organiser = host
    event = make.event(lyon, EventState.OPEN)
    participants[event.id] = [ZOE]
    change_state(event, EventState.CLOSED, organiser)
    db.session.commit()
    assert _count() == 0


def test_participant_sources_are_merged_and_removable(app, make):
    from app.mail.recipients import register_participant_source

    event = make.event()
    remove_first = register_participant_source(app, lambda e, audience: [ZOE])
    remove_second = register_participant_source(app, lambda e, audience: [AHMED, ZOE])
    try:
        assert participants_of(event) == [ZOE, AHMED]
    finally:
        remove_first()
        remove_second()
    assert participants_of(event) == []


def _noon(day) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def test_reminders_a_week_and_a_day_before_never_twice(app, make, host, participants, runner, mail_sink):
    lyon, _organiser = host
    today = datetime.now(UTC).date()
    in_a_week = make.event(lyon, EventState.OPEN, start_date=today + timedelta(days=7))
    tomorrow = make.event(lyon, EventState.CLOSED, start_date=today + timedelta(days=1))
    far = make.event(lyon, EventState.OPEN, start_date=today + timedelta(days=30))
    draft = make.event(lyon, EventState.DRAFT, start_date=today + timedelta(days=1))
    for event in (in_a_week, tomorrow, far, draft):
        participants[event.id] = [ZOE, AHMED]

    first = runner.invoke(args=["mail", "send-reminders"])
    assert first.exit_code == 0 and "Queued 4 reminder(s)." in first.output
    second = runner.invoke(args=["mail", "send-reminders"])
    assert "Queued 0 reminder(s)." in second.output
    kinds = sorted(db.session.execute(select(OutboxMessage.kind, OutboxMessage.event_id)).all())
    assert kinds == sorted([("reminder_1_day", tomorrow.id)] * 2 + [("reminder_7_days", in_a_week.id)] * 2)

    # Days later the week reminder is not sent again; the day-before one comes when due.
    assert send_reminders(now=_noon(today + timedelta(days=3))) == []
    db.session.commit()
    due = send_reminders(now=_noon(today + timedelta(days=6)))
    assert {(m.kind, m.event_id) for m in due} == {("reminder_1_day", in_a_week.id)}
    db.session.commit()
    assert send_reminders(now=_noon(today + timedelta(days=6))) == []

    # What is due now goes out; the day-before reminder queued "in six days" waits for its time.
    assert runner.invoke(args=["mail", "deliver"]).exit_code == 0
    files = mail_sink.wait(4)
    assert len(files) == 4
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))) == 2
    assert_passes(files, expect_ics=True)
    week = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder_7_days",
                                                          OutboxMessage.recipient_email == ZOE.email)).one()
    assert "commence dans 7\u00a0jours" in week.text_body or "commence dans 7 jours" in week.text_body
