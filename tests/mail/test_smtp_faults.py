"""Delivery against an SMTP server that misbehaves (tests/mail/smtp_faults.py): a refused recipient
fails only its own message (4xx tried again later, 5xx failed at once), a dropped connection is
opened again for the rest of the batch, once per message at most, nothing that raised is recorded as
sent, and an error kept on a message names nobody else."""

import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.events.models import EventState
from app.extensions import db
from app.mail.delivery import CONNECTION_LOST, OutboxMail, backoff, deliver_due, smtp_connection
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.recipients import Recipient
from app.mail.services import queue_message
from tests.mail.conftest import SENDER
from tests.mail.smtp_faults import FaultySMTPServer

PEOPLE = [
    Recipient("amina.first@example.net", "Amina Benali", "fr"),
    Recipient("bruno.gone@example.net", "Bruno Disparu", "fr"),
    Recipient("chloe.busy@example.net", "Chloé Occupée", "en"),
    Recipient("driss.last@example.net", "Driss Dernier", "en"),
]
FIRST, GONE, BUSY, LAST = (person.email for person in PEOPLE)


@pytest.fixture
def faulty(smtp_settings):
    """Start a FaultySMTPServer with the given faults and point the app's mail settings at it."""
    servers = []

    def start(**faults) -> FaultySMTPServer:
        server = FaultySMTPServer(**faults).start()
        servers.append(server)
        smtp_settings.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False,
                             MAIL_USE_SSL=False, MAIL_USERNAME=None, MAIL_PASSWORD=None, MAIL_DEFAULT_SENDER=SENDER,
                             MAIL_MAX_ATTEMPTS=5)
        return server

    yield start
    for server in servers:
        server.stop()


def _queue(make, people=PEOPLE) -> dict[str, OutboxMessage]:
    event = make.event(state=EventState.OPEN)
    messages = {person.email: queue_message("private_link_resent", person, event=event) for person in people}
    db.session.commit()
    return messages


def _outcomes() -> dict[str, tuple]:
    db.session.expire_all()
    return {m.recipient_email: (m.status, m.attempts) for m in db.session.scalars(select(OutboxMessage))}


def _assert_names_nobody_else(messages: dict[str, OutboxMessage]) -> None:
    for message in db.session.scalars(select(OutboxMessage)):
        for other in PEOPLE:
            if other.email != message.recipient_email:
                assert other.email not in message.last_error, (message.recipient_email, message.last_error)
                assert other.name not in message.last_error, (message.recipient_email, message.last_error)


def test_a_refused_recipient_fails_only_its_own_message(app, make, faulty):
    server = faulty(refuse={GONE: (550, "5.1.1 <bruno.gone@example.net>: mailbox unavailable"),
                            BUSY: (451, "4.2.0 mailbox busy, try later")})
    messages = _queue(make)
    now = utcnow()
    report = deliver_due(now=now)
    assert (report.claimed, report.sent, report.retried, report.failed) == (4, 2, 1, 1)
    assert _outcomes() == {FIRST: (OutboxStatus.SENT, 1), GONE: (OutboxStatus.FAILED, 1),
                           BUSY: (OutboxStatus.QUEUED, 1), LAST: (OutboxStatus.SENT, 1)}
    assert [r.rcpt_tos for r in server.received] == [[FIRST], [LAST]]
    assert server.connections == 1, "a refusal does not cost the connection"

    gone, busy = messages[GONE], messages[BUSY]
    # 5xx: failed at once (1 attempt of 5), with the server's reason about this recipient.
    assert "550" in gone.last_error and "5.1.1 <bruno.gone@example.net>: mailbox unavailable" in gone.last_error
    # 4xx: tried again after the backoff.
    assert "451" in busy.last_error and "mailbox busy" in busy.last_error
    assert busy.next_attempt_at == now + backoff(1)
    _assert_names_nobody_else(messages)

    # The busy mailbox accepts later; the refused one is never tried again.
    server.refuse.pop(BUSY)
    assert deliver_due(now=now + timedelta(hours=1)).sent == 1
    assert _outcomes()[BUSY] == (OutboxStatus.SENT, 2)
    assert _outcomes()[GONE] == (OutboxStatus.FAILED, 1)
    assert not server.accepted_for(GONE)


def test_a_refusal_whose_text_names_someone_else_is_kept_without_it(app, make, faulty):
    faulty(refuse={GONE: (550, "5.7.1 relaying for amina.first@example.net and Amina Benali denied"),
                   BUSY: (452, "4.5.3 too many recipients after <driss.last@example.net>")})
    messages = _queue(make)
    deliver_due()
    gone, busy = messages[GONE], messages[BUSY]
    assert gone.status is OutboxStatus.FAILED and "550" in gone.last_error
    assert busy.status is OutboxStatus.QUEUED and "452" in busy.last_error
    _assert_names_nobody_else(messages)


def test_a_dropped_connection_is_opened_again_for_the_rest_of_the_batch(app, make, faulty):
    server = faulty(drop_after_data={GONE: 1})
    messages = _queue(make)
    report = deliver_due()
    assert (report.sent, report.retried, report.failed) == (4, 0, 0)
    assert _outcomes() == dict.fromkeys((FIRST, GONE, BUSY, LAST), (OutboxStatus.SENT, 1))
    assert server.dropped == [(1, GONE)]
    assert server.connections == 2
    assert [(r.connection, r.rcpt_tos) for r in server.received] == [
        (1, [FIRST]), (2, [GONE]), (2, [BUSY]), (2, [LAST])]
    # At-least-once: the message sent again is the same message, with the same Message-ID.
    assert messages[GONE].message_id.encode() in server.accepted_for(GONE)[0].data


def test_a_message_that_drops_the_connection_again_is_tried_once_more_only(app, make, faulty):
    server = faulty(drop_after_data={GONE: 3})
    messages = _queue(make)
    report = deliver_due()
    assert (report.sent, report.retried, report.failed) == (3, 1, 0)
    assert _outcomes() == {FIRST: (OutboxStatus.SENT, 1), GONE: (OutboxStatus.QUEUED, 1),
                           BUSY: (OutboxStatus.SENT, 1), LAST: (OutboxStatus.SENT, 1)}
    assert server.dropped == [(1, GONE), (2, GONE)], "tried twice, on two connections, no more"
    assert server.connections == 3
    assert not server.accepted_for(GONE)
    assert messages[GONE].last_error == CONNECTION_LOST
    _assert_names_nobody_else(messages)


def test_a_server_that_goes_away_mid_batch_leaves_the_rest_queued_never_sent(app, make, faulty):
    server = faulty(drop_after_data={GONE: 1}, stop_after_drop=True)
    messages = _queue(make)
    report = deliver_due()
    assert (report.sent, report.retried) == (1, 3)
    assert _outcomes() == {FIRST: (OutboxStatus.SENT, 1), GONE: (OutboxStatus.QUEUED, 1),
                           BUSY: (OutboxStatus.QUEUED, 1), LAST: (OutboxStatus.QUEUED, 1)}
    assert [r.rcpt_tos for r in server.received] == [[FIRST]]
    for email in (GONE, BUSY, LAST):
        assert "Connection refused" in messages[email].last_error, messages[email].last_error
        assert messages[email].sent_at is None
    _assert_names_nobody_else(messages)


def test_a_message_refused_for_one_of_its_recipients_is_not_reported_sent(app, faulty):
    """smtplib only raises when every recipient was refused; a message is sent only when all were
    accepted (ours have one recipient, but the connection does not rely on it)."""
    server = faulty(refuse={GONE: (550, "5.1.1 mailbox unavailable")})
    connection = smtp_connection()
    connection.open()
    try:
        mail = OutboxMail(subject="Two recipients", recipients=[("Amina", FIRST), ("Bruno", GONE)], body="text",
                          sender=SENDER)
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            connection.send(mail)
        assert list(refused.value.recipients) == [GONE]
    finally:
        connection.close()
    assert [r.rcpt_tos for r in server.received] == [[FIRST]]
