"""Delivery through a real SMTP server: retries, recovery, one connection, header safety."""

import json
import socket
from datetime import timedelta

from sqlalchemy import func, select

from app.db_types import utcnow
from app.events.lifecycle import change_state
from app.events.models import EventState
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.recipients import Recipient
from app.mail.services import event_invitation, queue_message
from tests.mail.conftest import SENDER, _start_sink, assert_passes

ZOE = Recipient("zoe.lefevre@example.net", "Zoé Lefèvre-Ben Saïd", "fr", private_link="http://127.0.0.1:5000/r/zoe")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _statuses() -> list[tuple]:
    return list(db.session.execute(
        select(OutboxMessage.status, OutboxMessage.attempts).order_by(OutboxMessage.id)
    ))


def test_smtp_down_then_up_loses_nothing_and_doubles_nothing(app, make, host, participants, smtp_settings,
                                                              tmp_path):
    lyon, organiser = host
    event = make.event(lyon, EventState.OPEN)
    participants[event.id] = [ZOE, Recipient("ahmed@example.net", "Ahmed", "en")]
    smtp_settings.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_DEFAULT_SENDER=SENDER,
                         MAIL_USE_TLS=False, MAIL_USE_SSL=False)

    # The action succeeds although no SMTP server answers.
    change_state(event, EventState.CANCELLED, organiser, confirmed=True, reason="Grève")
    db.session.commit()
    assert db.session.get(type(event), event.id).state is EventState.CANCELLED

    now = utcnow()
    report = deliver_due(now=now)
    assert (report.claimed, report.sent, report.retried) == (2, 0, 2)
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert all(r.status is OutboxStatus.QUEUED and r.attempts == 1 for r in rows)
    assert all("Connection refused" in r.last_error or "ConnectionRefused" in r.last_error for r in rows)
    assert all(r.next_attempt_at >= now + timedelta(seconds=app.config["MAIL_RETRY_BASE_SECONDS"]) for r in rows)
    # Not due yet: the next run leaves them alone.
    assert deliver_due(now=now).claimed == 0

    # The server comes back.
    state = tmp_path / "state"
    state.mkdir()
    process, port = _start_sink(tmp_path / "mails", state)
    try:
        smtp_settings["MAIL_PORT"] = port
        later = now + timedelta(hours=1)
        assert deliver_due(now=later).sent == 2
        assert deliver_due(now=later + timedelta(hours=1)).claimed == 0
        from tests.mail.conftest import Sink

        sink = Sink(tmp_path / "mails", port)
        files = sink.wait(2)
        assert len(files) == 2
        assert sorted(str(m["To"].addresses[0].addr_spec) for m in sink.messages()) == [
            "ahmed@example.net", "zoe.lefevre@example.net"]
        assert_passes(files, expect_ics=True)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert _statuses() == [(OutboxStatus.SENT, 2), (OutboxStatus.SENT, 2)]


def test_gives_up_after_the_limit_with_the_error_kept(app, make, smtp_settings):
    smtp_settings.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_MAX_ATTEMPTS=3)
    event = make.event()
    queue_message("private_link_resent", ZOE, event=event)
    db.session.commit()
    now = utcnow()
    for hours in range(3):
        deliver_due(now=now + timedelta(days=hours))
    message = db.session.scalars(select(OutboxMessage)).one()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)
    assert "Connection refused" in message.last_error
    assert deliver_due(now=now + timedelta(days=30)).claimed == 0


def test_backoff_doubles_between_attempts(app, make, smtp_settings):
    smtp_settings.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_RETRY_BASE_SECONDS=60)
    queue_message("private_link_resent", ZOE, event=make.event())
    db.session.commit()
    now = utcnow()
    waits = []
    for _ in range(3):
        deliver_due(now=now)
        message = db.session.scalars(select(OutboxMessage)).one()
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at
    assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]


def test_french_name_and_accented_subject_are_encoded(app, make, mail_sink, host):
    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN, theme_fr="Accueil des réfugiés à Saint-Étienne",
                       theme_en="Welcoming refugees in Saint-Étienne")
    queue_message("registration_confirmed", ZOE, event=event, context={"registration": object()},
                  invitation=event_invitation(event))
    db.session.commit()
    deliver_due()
    [path] = mail_sink.wait(1)
    raw = path.read_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(byte < 128 for byte in head), "headers must be ASCII (RFC 2047)"
    [message] = mail_sink.messages()
    assert str(message["To"]) == "Zoé Lefèvre-Ben Saïd <zoe.lefevre@example.net>"
    assert str(message["From"]) == SENDER
    assert str(message["Subject"]).startswith("Inscription confirmée\u00a0: Accueil des réfugiés à Saint-Étienne / ")
    assert str(message["Reply-To"]) == "Hélène Moreau-Dubois <organisatrice.lyon@mc2cm.example.org>"
    assert message["Message-ID"] and message["Date"]
    assert_passes([path], expect_ics=True)


def test_no_header_injection_through_a_name_or_a_title(app, make, mail_sink, host):
    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN, theme_en="Housing\r\nBcc: x@evil.example",
                       theme_fr="Logement\nTo: y@evil.example")
    intruder = Recipient("eve@example.net", "Eve\r\nBcc: x@evil.example", "en")
    queue_message("registration_received", intruder, event=event, context={"registration": object()})
    queue_message("registration_confirmed", intruder, event=event, context={"registration": object()},
                  invitation=event_invitation(event))
    db.session.commit()
    deliver_due()
    files = mail_sink.wait(2)
    for path in files:
        head = path.read_bytes().split(b"\r\n\r\n", 1)[0].decode("ascii")
        names = [line.split(":", 1)[0].lower() for line in head.split("\r\n") if line and line[0] not in " \t"]
        assert "bcc" not in names
        assert names.count("to") == 1 and names.count("subject") == 1
        envelope = json.loads(path.with_suffix(".json").read_text())
        assert envelope["rcpt_tos"] == ["eve@example.net"]
    assert_passes(files[:1])
    assert_passes(files[1:], expect_ics=True)


def test_many_messages_go_over_one_smtp_connection(app, make, mail_sink):
    event = make.event()
    for number in range(20):
        queue_message("private_link_resent", Recipient(f"p{number}@example.net", f"Personne {number}", "fr"),
                      event=event)
    db.session.commit()
    assert deliver_due(batch_size=50).sent == 20
    mail_sink.wait(20)
    peers = {tuple(json.loads(p.with_suffix(".json").read_text())["peer"]) for p in mail_sink.files()}
    assert len(peers) == 1, "one SMTP connection (one client port) for the whole batch"


def test_messages_stuck_in_sending_are_recovered(app, make, mail_sink):
    event = make.event()
    queue_message("private_link_resent", ZOE, event=event)
    db.session.commit()
    # A worker claimed it and died before recording the outcome.
    crashed_at = utcnow() - timedelta(hours=1)
    message = db.session.scalars(select(OutboxMessage)).one()
    message.status, message.locked_by, message.locked_at, message.attempts = (
        OutboxStatus.SENDING, "dead-host:123", crashed_at, 1)
    db.session.commit()
    report = deliver_due()
    assert (report.recovered, report.sent) == (1, 1)
    mail_sink.wait(1)
    db.session.refresh(message)
    assert (message.status, message.attempts, message.locked_by) == (OutboxStatus.SENT, 2, None)


def test_a_message_being_sent_by_a_live_worker_is_left_alone(app, make):
    queue_message("private_link_resent", ZOE, event=make.event())
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage)).one()
    message.status, message.locked_by, message.locked_at = OutboxStatus.SENDING, "other", utcnow()
    db.session.commit()
    assert (deliver_due().claimed, deliver_due().recovered) == (0, 0)


def test_without_mail_server_messages_are_printed_and_marked(app, make, smtp_settings, capsys):
    smtp_settings["MAIL_SERVER"] = None
    queue_message("private_link_resent", ZOE, event=make.event())
    db.session.commit()
    assert deliver_due().sent == 1
    out = capsys.readouterr().out
    assert "Zoé Lefèvre-Ben Saïd <zoe.lefevre@example.net>" in out and "Bonjour Zoé" in out
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status is OutboxStatus.SENT and "no MAIL_SERVER" in message.note


def test_a_rolled_back_action_queues_nothing(app, make, host, participants):
    lyon, organiser = host
    event = make.event(lyon, EventState.OPEN)
    participants[event.id] = [ZOE]
    change_state(event, EventState.CANCELLED, organiser, confirmed=True)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_message_taken_back_from_a_slow_worker_is_not_sent_by_it(app, make):
    from app.mail.delivery import claim, recover_stuck, renew_claim

    event = make.event(state=EventState.OPEN)
    queue_message("private_link_resent", Recipient("a@example.net", "A", "en"), event=event)
    db.session.commit()
    start = utcnow()
    (message_id,) = claim(10, "slow-worker", start)
    owner = db.session.get(OutboxMessage, message_id).locked_by
    assert renew_claim(message_id, owner), "a live claim is renewed"
    # Much later, another worker finds the message still "sending" and queues it again.
    later = utcnow() + timedelta(seconds=app.config["MAIL_SENDING_TIMEOUT"] + 1)
    assert recover_stuck(later) == 1
    assert not renew_claim(message_id, owner), "the slow worker must not send it now"


def test_a_worker_asked_to_stop_finishes_one_message_and_gives_the_rest_back(app, make, mail_sink):
    event = make.event(state=EventState.OPEN)
    for number in range(3):
        queue_message("private_link_resent", Recipient(f"p{number}@example.net", f"P{number}", "en"), event=event)
    db.session.commit()
    asked = []

    def should_stop():
        asked.append(True)
        return len(asked) > 1  # SIGTERM arrives while the first message is being sent

    report = deliver_due(should_stop=should_stop)
    assert report.sent == 1
    assert len(mail_sink.wait(1)) == 1
    db.session.expire_all()
    waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.QUEUED)).all()
    assert len(waiting) == 2 and all(m.attempts == 0 and m.locked_by is None for m in waiting)
    assert deliver_due().sent == 2, "any worker sends them next"
