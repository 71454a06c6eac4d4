"""Sending the outbox: claim what is due, send it over one SMTP connection, record the outcome.

Safe with several workers at once: on PostgreSQL each claims its rows with
`SELECT … FOR UPDATE SKIP LOCKED`, on SQLite with one conditional UPDATE (SQLite runs one writer at
a time). A claimed row is "sending" until its outcome is recorded; a worker that dies leaves it so,
and `recover_stuck()` queues it again after MAIL_SENDING_TIMEOUT seconds.

Round trips per message are few (issue 14): a worker renews its claim on what is left of its batch
in one statement, and only when a tenth of MAIL_SENDING_TIMEOUT has gone by since the last time
(so that no other worker can take a message back while it is being sent); sent messages are
recorded in one commit per RECORD_EVERY. A crash between the server's acceptance and that commit
re-sends at most those messages, with their same Message-ID (delivery is at-least-once).
"""

import os
import re
import smtplib
import socket
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import base64mime, quoprimime
from email.encoders import encode_base64
from email.mime.base import MIMEBase
from email.utils import parseaddr

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message
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


# Headers with text a person wrote (Subject, and the display names of From, To and Reply-To) are
# written here, not by the email package: Flask-Mail pre-encodes them with email.header.Header, which
# cuts encoded-words in the middle of a word, and email.policy then folds them again (even its own
# folding cuts words of some long French subjects with a no-break space). Each one is ASCII, cut only
# between encoded-words, and kept exactly as written by `FoldedHeader`.

LINE_LENGTH = 78  # RFC 5322's recommended limit, as email.policy.SMTP uses it
ENCODED_WORD_LENGTH = 75  # RFC 2047's limit
_TOKENS = re.compile(r"\S+\s*|\s+")  # a word with the whitespace after it
_ADDRESS_LIKE_IN_NAME = re.compile(r'["\\<>@]|=\?')
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")  # RFC 5322 atext


class FoldedHeader(str):
    """A header value the email package writes out exactly as folded here. `email.policy.EmailPolicy`
    stores a value that has a `name` as it is and asks it to fold itself, so it is neither parsed
    nor folded again. The string is the unfolded value; `lines` are the folded lines, the first
    without "Name: ", the others starting with a space."""

    name: str
    lines: tuple[str, ...]

    def __new__(cls, name: str, lines: list[str]):
        value = super().__new__(cls, "".join(lines))
        value.name = name
        value.lines = tuple(lines)
        return value

    def fold(self, *, policy) -> str:
        return f"{self.name}: {policy.linesep.join(self.lines)}{policy.linesep}"


def encoded_word(text: str) -> str:
    """`text` as one RFC 2047 encoded-word in UTF-8, Q or B encoding, whichever is shorter. The Q
    encoding of the email package keeps only letters, digits and -!*+/ as they are, so both are
    also safe in a display name."""
    data = text.encode("utf-8")
    return min(quoprimime.header_encode(data, "utf-8"), base64mime.header_encode(data, "utf-8"), key=len)


def _fits(text: str, room: int) -> bool:
    return len(encoded_word(text)) <= room


def split_for_encoding(text: str, first_room: int = ENCODED_WORD_LENGTH) -> list[str]:
    """`text` cut into pieces that each fit one encoded-word (the first one in `first_room`
    characters). Pieces end after the whitespace that follows a word, so each keeps its own trailing
    space, and a reader, which drops the whitespace between two adjacent encoded-words, joins them
    back into `text` exactly. Only a word too long for an encoded-word of its own is cut, between
    two characters (never before a combining mark); readers join it back the same way."""
    pieces: list[str] = []
    current = ""
    for token in _TOKENS.findall(text):
        room = first_room if not pieces else ENCODED_WORD_LENGTH
        if _fits(current + token, room):
            current += token
            continue
        if current:
            pieces.append(current)
            current = ""
        room = first_room if not pieces else ENCODED_WORD_LENGTH
        while not _fits(token, room):
            cut = 1
            while cut < len(token) and _fits(token[:cut + 1], room):
                cut += 1
            while 1 < cut < len(token) and unicodedata.combining(token[cut]):
                cut -= 1
            pieces.append(token[:cut])
            token = token[cut:]
            room = ENCODED_WORD_LENGTH
        current = token
    if current:
        pieces.append(current)
    return pieces


def _fold(name: str, words: list[str]) -> FoldedHeader:
    """Words (atoms, encoded-words, an <address>) joined by single spaces, a new line started
    whenever the next word would make the line longer than LINE_LENGTH."""
    lines: list[str] = []
    for word in words:
        used = len(lines[-1]) + (len(name) + 2 if len(lines) == 1 else 0) if lines else 0
        if lines and used + 1 + len(word) <= LINE_LENGTH:
            lines[-1] += " " + word
        else:
            lines.append(word if not lines else " " + word)
    return FoldedHeader(name, lines)


def subject_header(subject: str) -> FoldedHeader:
    """The Subject as readers will display it: `subject` exactly. A short ASCII subject stays
    plain; any other is written as encoded-words cut at word boundaries."""
    subject = clean_header(subject)
    if subject.isascii() and "=?" not in subject and len("Subject: ") + len(subject) <= LINE_LENGTH:
        return FoldedHeader("Subject", [subject])
    room = min(ENCODED_WORD_LENGTH, LINE_LENGTH - len("Subject: "))
    return _fold("Subject", [encoded_word(piece) for piece in split_for_encoding(subject, room)])


_NOT_IN_ADDRESS = re.compile(r"[\s<>,;:\"()\[\]\\\x00-\x1f\x7f]")


def ascii_address(address: str) -> str:
    """The address as headers and the SMTP envelope carry it, its domain in IDNA; an address that
    could end its <…> or its header line is refused."""
    address = (address or "").strip()
    local, _, domain = address.rpartition("@")
    if not local or not domain or _NOT_IN_ADDRESS.search(address):
        raise ValueError("not an address a message can be sent to or from")
    if address.isascii():
        return address
    if not local.isascii():
        raise ValueError("an address with a non-ASCII local part needs SMTPUTF8, which is not used")
    return f"{local}@{domain.encode('idna').decode('ascii')}"


def display_name_words(display: str, first_room: int = ENCODED_WORD_LENGTH) -> list[str]:
    """A display name as the words of a phrase that no parser can mistake for an address: plain
    atoms as they are; a short ASCII name with nothing address-like in it ("Dr. Ann Smith, MC2CM")
    as one quoted-string, never folded; any other (quotes, backslashes, <, >, @, accents, an "=?"…)
    as encoded-words, which hold none of the characters that delimit addresses. Encoded-words are
    cut as subjects are; a reader that keeps the space between two of them (Python's email.policy
    does, against RFC 2047) shows one space more there, never a cut word or another address."""
    if "=?" not in display and _ATOMS.fullmatch(display):
        return display.split(" ")
    if (display.isascii() and display.isprintable() and not _ADDRESS_LIKE_IN_NAME.search(display)
            and len(display) + 2 <= first_room):
        return [f'"{display}"']
    return [encoded_word(piece) for piece in split_for_encoding(display, first_room)]


def address_header(name: str, mailboxes: list[tuple[str, str]]) -> FoldedHeader:
    """An address header whose display names cannot change its addresses, whatever they contain
    (see `display_name_words`)."""
    words: list[str] = []
    for display, address in mailboxes:
        if words:
            words[-1] += ","
        display = clean_header(display)
        address = ascii_address(address)
        if not display:
            words.append(address)
            continue
        room = min(ENCODED_WORD_LENGTH, LINE_LENGTH - len(name) - 2) if not words else ENCODED_WORD_LENGTH
        words.extend(display_name_words(display, room))
        words.append(f"<{address}>")
    return _fold(name, words)


def mailbox(value: str | tuple[str, str]) -> tuple[str, str]:
    """(display name, address) from Flask-Mail's two ways of giving one."""
    return value if isinstance(value, tuple) else parseaddr(value)


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
        headers = {"From": address_header("From", [mailbox(self.sender)]),
                   "To": address_header("To", [mailbox(r) for r in self.recipients])}
        if self.subject:
            headers["Subject"] = subject_header(self.subject)
        if self.reply_to:
            headers["Reply-To"] = address_header("Reply-To", [mailbox(self.reply_to)])
        for name, value in headers.items():
            if name in message:
                message.replace_header(name, value)
            else:
                message[name] = value
        return message


class TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout (a silent server cannot hold a worker), opened
    and closed explicitly, so that a batch can open it again after the server dropped it."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 30)
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        try:
            host.set_debuglevel(int(self.mail.debug))
            if self.mail.use_tls:
                host.starttls()
            if self.mail.username and self.mail.password:
                host.login(self.mail.username, self.mail.password)
        except BaseException:
            host.close()
            raise
        return host

    @property
    def is_open(self) -> bool:
        return self.host is not None and self.host.sock is not None

    @property
    def spent(self) -> bool:
        """MAIL_MAX_EMAILS messages went over this connection: the next one needs a new one."""
        return bool(self.mail.max_emails) and self.num_emails >= self.mail.max_emails

    def open(self) -> None:
        self.close()
        self.host = self.configure_host()
        self.num_emails = 0

    def close(self) -> None:
        host, self.host = self.host, None
        if host is not None:
            try:
                host.quit()
            except (smtplib.SMTPException, OSError):
                host.close()

    def send(self, message: Message, envelope_from: str | tuple[str, str] | None = None) -> None:
        """Send one message to its own recipients. The envelope carries bare addresses, never a
        display name for the SMTP library to parse back. Returns only when the server accepted
        the message for every recipient: smtplib reports the refused ones instead of raising when
        another one was accepted, they are raised here."""
        if not self.is_open:
            raise smtplib.SMTPServerDisconnected("not connected")
        if message.has_bad_headers():
            raise BadHeaderError("a header of the message holds a line break")
        sender = ascii_address(mailbox(envelope_from or message.sender)[1])
        recipients = [ascii_address(mailbox(recipient)[1]) for recipient in message.send_to]
        refused = self.host.sendmail(sender, recipients, message.as_bytes(), message.mail_options,
                                     message.rcpt_options)
        self.num_emails += 1
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


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


def renew_claims(message_ids: list[int], owners: set[str]) -> set[int]:
    """`renew_claim` for what is left of a batch, in one statement: the ids still ours."""
    if not message_ids:
        return set()
    renewed = set(db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.SENDING,
               OutboxMessage.locked_by.in_(owners))
        .values(locked_at=utcnow()).returning(OutboxMessage.id).execution_options(synchronize_session=False)
    ))
    db.session.commit()
    return renewed


# Sent messages recorded per commit (a commit waits for the disk on PostgreSQL).
RECORD_EVERY = 25


# Stored as written here, in English, and put in the reader's language when the outbox shows it.
PRINTED_NOTE = "printed: no MAIL_SERVER configured"


def _record_sent(message: OutboxMessage, note: str = "", commit: bool = True) -> None:
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    message.locked_by = None
    message.locked_at = None
    message.note = note
    if commit:
        db.session.commit()


def _record_sent_again(message_ids: list[int]) -> None:
    """After a rollback: what the server accepted is recorded as sent, if the database lets us."""
    if not message_ids:
        return
    try:
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(message_ids))
                           .values(status=OutboxStatus.SENT, sent_at=utcnow(), locked_by=None, locked_at=None,
                                   note="").execution_options(synchronize_session=False))
        db.session.commit()
    except Exception:  # still down: recover_stuck sends them again later, with the same Message-ID
        current_app.logger.exception("mail delivery: could not record %d sent messages", len(message_ids))
        db.session.rollback()


def _record_failure(message: OutboxMessage, error: str, now: datetime, report: DeliveryReport,
                    permanent: bool = False) -> None:
    """Not sent this time: tried again after a backoff, or given up (a permanent refusal, or
    MAIL_MAX_ATTEMPTS tries)."""
    message.last_error = error[:2000]
    message.locked_by = None
    message.locked_at = None
    if permanent or message.attempts >= _config("MAIL_MAX_ATTEMPTS"):
        message.status = OutboxStatus.FAILED
        report.failed += 1
    else:
        message.status = OutboxStatus.QUEUED
        message.next_attempt_at = now + backoff(message.attempts)
        report.retried += 1
    db.session.commit()


class ServerUnreachable(Exception):
    """No connection to the SMTP server could be opened: the rest of the batch waits."""


@dataclass(frozen=True)
class Failure:
    """Why one message was not sent, as kept on it; `permanent`: not worth trying again."""

    error: str
    permanent: bool = False


_ADDRESS_LIKE = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
CONNECTION_LOST = "the connection to the mail server was lost while sending; it will be tried again"


def _own_text(text: str, message: OutboxMessage) -> str | None:
    """The server's text, kept on `message` only when it names no other address than the message's
    own (its recipient, its sender): an error kept on a message never names anybody else."""
    text = " ".join(clean_header(text).split())
    own = {message.recipient_email.strip().lower(),
           parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")[1].lower()}
    if any(found.strip(".").lower() not in own for found in _ADDRESS_LIKE.findall(text)):
        return None
    return text


def _reply_text(code: int, reply: bytes | str, message: OutboxMessage) -> str:
    reply = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    text = _own_text(reply, message)
    return f"{code} {text}" if text is not None else f"{code} (the server's text is not kept: it names someone else)"


def _refusal(error: Exception, message: OutboxMessage, address: str) -> Failure:
    """Why this message was not sent. Mostly the server answered no: to its recipient (RCPT), its
    sender (MAIL FROM) or its content (DATA). A 5xx refusal of the recipient or of the content is
    final; any 4xx, a refused sender (a setting, which an operator can fix) and any other error are
    tried again later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = error.recipients.get(address) or next(iter(error.recipients.values()), (0, b""))
        return Failure(f"recipient refused by the mail server: {_reply_text(code, reply, message)}",
                       permanent=500 <= code < 600)
    if isinstance(error, smtplib.SMTPResponseException):
        what = "sender" if isinstance(error, smtplib.SMTPSenderRefused) else "message"
        code = error.smtp_code
        return Failure(f"{what} refused by the mail server: {_reply_text(code, error.smtp_error, message)}",
                       permanent=isinstance(error, smtplib.SMTPDataError) and 500 <= code < 600)
    text = _own_text(str(error), message)
    return Failure(f"{type(error).__name__}: {text}" if text is not None else type(error).__name__)


def _open(connection: TimedConnection) -> None:
    try:
        connection.open()
    except Exception as error:  # kept on every message of the batch: no address in it
        raise ServerUnreachable(_ADDRESS_LIKE.sub("<address>", f"{type(error).__name__}: {error}")) from error


def _send_one(connection: TimedConnection, message: OutboxMessage) -> Failure | None:
    """Send one message over `connection`, opening it when needed. None: the server accepted it.
    When the connection is lost during the send, it is opened again and the message tried once
    more, never more (a server that drops every message does not keep a worker looping). Raises
    ServerUnreachable when no connection can be opened."""
    try:
        built = build_mail(message)
        address = ascii_address(message.recipient_email)
    except Exception as error:  # a header that cannot be written: this message only
        return _refusal(error, message, "")
    for retry in (False, True):
        if not connection.is_open or connection.spent:
            _open(connection)
        try:
            connection.send(built)
        except Exception as error:
            if not connection.is_open:  # dropped (smtplib closes on a lost connection or a 421)
                connection.close()
                if retry:
                    return Failure(CONNECTION_LOST)
                continue
            if not isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                connection.close()  # perhaps in the middle of a transaction: the next message starts afresh
            return _refusal(error, message, address)
        return None
    return Failure(CONNECTION_LOST)


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
            _record_sent(message, note=PRINTED_NOTE, commit=False)
            report.sent += 1
        db.session.commit()
        return report
    owners = {message.locked_by for message in messages}
    owned = set(ids)  # the claim was made just now: nothing to renew yet
    renew_every = _config("MAIL_SENDING_TIMEOUT") / 10
    renewed_at = time.monotonic()
    pending = list(messages)
    unrecorded: list[int] = []  # sent, recorded with the next commit
    connection = smtp_connection()
    # The batch's messages are ours until recorded: a commit need not make each read again.
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        while pending:
            if should_stop():
                release([message.id for message in pending])
                pending = []
                break
            if time.monotonic() - renewed_at > renew_every:
                owned = renew_claims([message.id for message in pending], owners)
                renewed_at = time.monotonic()
                unrecorded = []  # the renewal's commit recorded them
            message = pending[0]
            if message.id not in owned:
                pending.pop(0)  # taken back meanwhile: whoever holds it now sends it
                continue
            try:
                failure = _send_one(connection, message)
            except ServerUnreachable as error:  # the server is down: the rest waits for the next try
                current_app.logger.warning("mail delivery: %s", error)
                for waiting in pending:
                    _record_failure(waiting, str(error), now, report)
                unrecorded = []
                pending = []
                break
            pending.pop(0)
            if failure is None:
                _record_sent(message, commit=False)
                unrecorded.append(message.id)
                report.sent += 1
                if len(unrecorded) >= RECORD_EVERY:
                    db.session.commit()
                    unrecorded = []
            else:
                current_app.logger.warning("mail #%s not sent: %s", message.id, failure.error)
                _record_failure(message, failure.error, now, report, permanent=failure.permanent)
                unrecorded = []  # committed with the failure
        db.session.commit()
    except Exception:  # the database, or a bug: what is not recorded yet waits for the next try
        current_app.logger.exception("mail delivery interrupted")
        db.session.rollback()
        _record_sent_again(unrecorded)
        for message in pending:
            _record_failure(message, "delivery was interrupted; it will be tried again", now, report)
    finally:
        session.expire_on_commit = expire_on_commit
        connection.close()
    return report
