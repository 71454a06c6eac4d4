"""Sending the outbox: claim what is due, send it over one SMTP connection, record the outcome.

Safe with several workers at once: on PostgreSQL each claims its rows with
`SELECT … FOR UPDATE SKIP LOCKED`, on SQLite with one conditional UPDATE (SQLite runs one writer at
a time). A claimed row is "sending" until its outcome is recorded; a worker that dies leaves it so,
and `recover_stuck()` queues it again after MAIL_SENDING_TIMEOUT seconds.
"""

import os
import smtplib
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.encoders import encode_base64
from email.mime.base import MIMEBase

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import select, update

from app.db_types import utcnow
from app.extensions import db, mail
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.services import clean_header


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0


class OutboxMail(Message):
    """A Flask-Mail message with the invitation inside the alternatives (text/calendar with its
    method, as Outlook and Gmail expect it) and once more as an .ics attachment (Apple Mail,
    Thunderbird and webmail offer to open it)."""

    def __init__(self, *args, calendar: bytes | None = None, method: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.calendar = calendar
        self.method = method

    def _message(self):
        message = super()._message()
        if self.calendar:
            alternative = next(part for part in message.walk() if part.get_content_type() == "multipart/alternative")
            inline = MIMEBase("text", "calendar", method=self.method, charset="utf-8")
            inline.set_payload(self.calendar)
            encode_base64(inline)
            del inline["MIME-Version"]
            alternative.attach(inline)
            attached = MIMEBase("application", "ics", name="invite.ics")
            attached.set_payload(self.calendar)
            encode_base64(attached)
            del attached["MIME-Version"]
            attached.add_header("Content-Disposition", "attachment", filename="invite.ics")
            message.attach(attached)
        return message


class TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so that a silent server cannot hold a worker."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 30)
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def smtp_connection() -> Connection:
    """A connection configured from Flask-Mail's settings as they are now (MAIL_SERVER, MAIL_PORT,
    MAIL_USE_TLS, MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD); the outbox decides what goes out,
    so it is never suppressed."""
    state = mail.init_mail(current_app.config, current_app.debug, testing=False)
    state.suppress = False
    return TimedConnection(state)


def build_mail(message: OutboxMessage) -> OutboxMail:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "events@mc2cm-events.local"
    reply_to = None
    if message.reply_to_email:
        reply_to = (clean_header(message.reply_to_name), message.reply_to_email.strip())
    mail_message = OutboxMail(
        subject=clean_header(message.subject),
        recipients=[(clean_header(message.recipient_name), message.recipient_email.strip())],
        body=message.text_body, html=message.html_body, sender=clean_header(sender), reply_to=reply_to,
        charset="utf-8", calendar=message.ics, method=message.ics_method,
        extra_headers={"Auto-Submitted": "auto-generated", "Content-Language": ", ".join(message.language_order)},
    )
    mail_message.msgId = message.message_id
    return mail_message


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:80]


def _config(name: str):
    return current_app.config[name]


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try after `attempts` failed ones: doubling, capped."""
    seconds = _config("MAIL_RETRY_BASE_SECONDS") * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, _config("MAIL_RETRY_MAX_SECONDS")))


def recover_stuck(now: datetime) -> int:
    """Queue again the messages left "sending" by a worker that stopped before recording them."""
    cutoff = now - timedelta(seconds=_config("MAIL_SENDING_TIMEOUT"))
    stuck = (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.locked_at < cutoff)
    note = "delivery interrupted (worker stopped?); queued again"
    gave_up = db.session.execute(
        update(OutboxMessage).where(stuck, OutboxMessage.attempts >= _config("MAIL_MAX_ATTEMPTS"))
        .values(status=OutboxStatus.FAILED, locked_by=None, locked_at=None, last_error=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    requeued = db.session.execute(
        update(OutboxMessage).where(stuck)
        .values(status=OutboxStatus.QUEUED, locked_by=None, locked_at=None, last_error=note, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return gave_up + requeued


def claim(batch_size: int, worker_id: str, now: datetime) -> list[int]:
    """Mark up to `batch_size` due messages as being sent by this worker; commit; return their ids."""
    due = (OutboxMessage.status == OutboxStatus.QUEUED) & (OutboxMessage.next_attempt_at <= now)
    order = (OutboxMessage.next_attempt_at, OutboxMessage.id)
    claimed_values = dict(status=OutboxStatus.SENDING, locked_at=now, attempts=OutboxMessage.attempts + 1)
    if db.session.get_bind().dialect.name == "postgresql":
        ids = list(db.session.scalars(
            select(OutboxMessage.id).where(due).order_by(*order).limit(batch_size).with_for_update(skip_locked=True)
        ))
        if ids:
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                               .values(locked_by=worker_id, **claimed_values)
                               .execution_options(synchronize_session=False))
        db.session.commit()
        return ids
    token = f"{worker_id[:70]}:{uuid.uuid4().hex[:12]}"
    candidates = select(OutboxMessage.id).where(due).order_by(*order).limit(batch_size).scalar_subquery()
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(candidates), due)
        .values(locked_by=token, **claimed_values).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.locked_by == token, OutboxMessage.status == OutboxStatus.SENDING)
    ))


def renew_claim(message_id: int, owner: str) -> bool:
    """Just before sending: still ours? Renews the claim's time so that another worker's
    `recover_stuck` does not take back a message of a long batch and send it a second time."""
    renewed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING,
               OutboxMessage.locked_by == owner)
        .values(locked_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return renewed == 1


def _record_sent(message: OutboxMessage, note: str = "") -> None:
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    message.locked_by = None
    message.locked_at = None
    message.note = note
    db.session.commit()


def _record_failure(message: OutboxMessage, error: BaseException, now: datetime, report: DeliveryReport) -> None:
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.locked_by = None
    message.locked_at = None
    if message.attempts >= _config("MAIL_MAX_ATTEMPTS"):
        message.status = OutboxStatus.FAILED
        report.failed += 1
    else:
        message.status = OutboxStatus.QUEUED
        message.next_attempt_at = now + backoff(message.attempts)
        report.retried += 1
    db.session.commit()


# Errors after which the connection cannot be used for the rest of the batch.
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPAuthenticationError,
                     OSError)


def _print(message: OutboxMessage) -> None:
    """Delivery without an SMTP server: the message goes to standard output (and the log)."""
    built = build_mail(message)
    lines = [
        "=" * 72,
        f"Mail (not sent: no MAIL_SERVER) #{message.id} {message.kind}",
        f"To: {built.recipients[0][0]} <{built.recipients[0][1]}>",
        f"Subject: {built.subject}",
        f"Invitation: {message.ics_method}" if message.ics else "Invitation: none",
        "",
        message.text_body,
    ]
    text = "\n".join(lines)
    print(text, flush=True)
    current_app.logger.info("mail printed instead of sent: %s to %s", message.kind, message.recipient_email)


def release(message_ids: list[int]) -> None:
    """Give claimed messages back, untried, for any worker to send (a worker asked to stop)."""
    if message_ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.SENDING)
            .values(status=OutboxStatus.QUEUED, locked_by=None, locked_at=None,
                    attempts=OutboxMessage.attempts - 1)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def deliver_due(batch_size: int | None = None, worker_id: str | None = None,
                now: datetime | None = None, should_stop=lambda: False) -> DeliveryReport:
    """Send one batch of due messages over one SMTP connection and record each outcome. Between two
    messages, `should_stop()` may end the batch early: the rest goes back to the queue untried."""
    now = now or utcnow()
    batch_size = batch_size or _config("MAIL_BATCH_SIZE")
    worker_id = worker_id or default_worker_id()
    report = DeliveryReport(recovered=recover_stuck(now))
    ids = claim(batch_size, worker_id, now)
    report.claimed = len(ids)
    if not ids:
        return report
    messages = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))
                                       .order_by(OutboxMessage.id)))
    if not current_app.config.get("MAIL_SERVER"):
        for message in messages:
            _print(message)
            _record_sent(message, note="printed: no MAIL_SERVER configured")
            report.sent += 1
        return report
    owners = {message.id: message.locked_by for message in messages}
    pending = list(messages)
    try:
        with smtp_connection() as connection:
            while pending:
                if should_stop():
                    release([message.id for message in pending])
                    pending = []
                    break
                message = pending[0]
                if not renew_claim(message.id, owners[message.id]):
                    pending.pop(0)  # taken back meanwhile: whoever holds it now sends it
                    continue
                try:
                    connection.send(build_mail(message))
                except CONNECTION_ERRORS:
                    raise
                except Exception as error:  # refused recipient, bad header…: this message only
                    pending.pop(0)
                    _record_failure(message, error, now, report)
                else:
                    pending.pop(0)
                    _record_sent(message)
                    report.sent += 1
    except Exception as error:  # the server is down, or went away: the rest waits for the next try
        current_app.logger.warning("mail delivery interrupted: %s: %s", type(error).__name__, error)
        db.session.rollback()
        for message in pending:
            _record_failure(message, error, now, report)
    return report
