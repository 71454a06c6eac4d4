"""Queueing messages: render now, write to the outbox in the caller's transaction (flush, never
commit); `app.mail.delivery` sends them after that transaction has committed.

Other stages call one function:

    from app.mail.services import queue_message, event_invitation
    queue_message(kind_name, Recipient(email, name, "fr", private_link=url),
                  event=event, context={...the keys the kind requires...},
                  invitation=event_invitation(event))

A kind, and the context it takes, is declared by the package that sends it (`app/mail/kinds.py`).
"""

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from email.utils import make_msgid, parseaddr

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.calendar import Person, item_uid, to_ics
from app.calendar import invitation as build_invitation
from app.db_types import utcnow
from app.domain import DomainError
from app.extensions import db
from app.i18n import localized
from app.links import public_url
from app.mail.kinds import kind_named
from app.mail.models import CalendarItem, OutboxMessage, OutboxStatus
from app.mail.recipients import Audience, Recipient, participants_of
from app.mail.rendering import render_message

# Anything that could end a header line or smuggle one in: CR, LF and every other control or
# line-separator character becomes a space.
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
# An address part: none of the characters that delimit addresses in a header, no whitespace and no
# control character (a NUL or an ESC is not whitespace to `\s`).
_ADDRESS_PART = r"[^@\s<>,;:\"()\[\]\\\x00-\x1f\x7f]+"
_EMAIL = re.compile(rf"^{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}$")

# Why a message never left: what it announced was undone before its turn came.
WITHDRAWN = "withdrawn: undone before it was sent"
# What stays of a message whose recipient's personal data was erased.
ERASED = "(erased)"
ERASED_ADDRESS = "erased@invalid"


def clean_header(value: str | None) -> str:
    """A value that cannot break out of its header line, whatever it contains."""
    return re.sub(" {2,}", " ", _HEADER_UNSAFE.sub(" ", value or "")).strip(" ")


def checked_email(address: str) -> str:
    address = (address or "").strip()
    if not _EMAIL.match(address):
        raise ValueError(f"not an email address we can send to: {address!r}")
    return address


@dataclass(frozen=True)
class Invitation:
    """What the calendar attachment of a message needs. `start`/`end` are UTC instants (a
    session, the field visit, an event from its first to its last session) or dates (a whole
    event, `end` inclusive). `sequence` None means: keep the item's SEQUENCE, raised automatically
    when what `basis` describes (by default its time, place and status) changed since the last
    invitation with this UID. `organizer` None means: the host city's organiser."""

    uid: str
    summary_by_lang: dict
    start: date | datetime
    end: date | datetime
    zone_name: str
    description_by_lang: dict = field(default_factory=dict)
    location: str = ""
    url: str = ""
    method: str = "REQUEST"
    sequence: int | None = None
    organizer: Person | None = None
    # What the item is, the same for every recipient (the location may differ: the meeting link
    # goes only to those who attend online).
    basis: str = ""

    @property
    def timed(self) -> bool:
        return isinstance(self.start, datetime)

    @property
    def status(self) -> str:
        return "CANCELLED" if self.method.upper() == "CANCEL" else "CONFIRMED"

    def fingerprint(self) -> str:
        what = "|".join([self.start.isoformat(), self.end.isoformat(), self.zone_name, self.basis or self.location,
                         self.status])
        return hashlib.sha256(what.encode()).hexdigest()


def event_invitation(event, *, cancelled: bool = False, recipient: Recipient | None = None) -> Invitation:
    """The invitation to a whole event: from its first to its last session once the agenda gives
    times (its days before that), its venue (or, for a recipient who attends online, the meeting
    link), its page."""
    from app.stages import event_time_span

    description = {lang: localized(event, "summary", lang).text for lang in ("en", "fr")}
    meeting_link = recipient.meeting_link if recipient is not None else None
    span = event_time_span(event)
    start, end = span if span else (event.start_date, event.end_date)
    return Invitation(
        uid=item_uid("event", event.id),
        summary_by_lang={lang: localized(event, "theme", lang).text for lang in ("en", "fr")},
        description_by_lang=description, start=start, end=end, zone_name=event.timezone,
        location=event.place or meeting_link or "", url=public_url(f"/events/{event.slug}/"),
        method="CANCEL" if cancelled else "REQUEST",
        basis="|".join([event.place, event.format.value, event.online_url]),
    )


def addressed_to(invitation: Invitation, event, recipient: Recipient) -> Invitation:
    """The same invitation for one recipient: with the meeting link as its place when the event has
    no venue and they are entitled to the link."""
    return replace(invitation, location=event.place or recipient.meeting_link or "")


def participant_cancellation(event, recipient: Recipient | None = None) -> Invitation:
    """The METHOD:CANCEL for one participant who gives up their place: the event's UID, one more
    than any SEQUENCE sent so far. The tracked SEQUENCE moves up with it, so that an invitation
    sent later (the same person registers again) outranks this cancellation in their calendar:
    clients ignore a REQUEST whose SEQUENCE is below the CANCEL they hold."""
    cancel = event_invitation(event, cancelled=True, recipient=recipient)
    return replace(cancel, sequence=_raise_sequence(cancel.uid))


def _raise_sequence(uid: str) -> int:
    """One more than the item's SEQUENCE, in one statement (nothing waits on a lock held while
    anything else runs), and forget what it was about: the next invitation counts as a change."""
    raised = db.session.execute(
        update(CalendarItem).where(CalendarItem.uid == uid)
        .values(sequence=CalendarItem.sequence + 1, fingerprint="")
        .returning(CalendarItem.sequence)
    ).scalar()
    if raised is not None:
        return raised
    try:
        with db.session.begin_nested():
            db.session.add(CalendarItem(uid=uid, sequence=1, fingerprint=""))
        return 1
    except IntegrityError:  # created meanwhile by another transaction
        return _raise_sequence(uid)


def tracked_sequences(uids) -> dict[str, int]:
    """The SEQUENCE each of these calendar items was last sent with (feeds show the same)."""
    uids = list(uids)
    if not uids:
        return {}
    rows = db.session.execute(select(CalendarItem.uid, CalendarItem.sequence).where(CalendarItem.uid.in_(uids)))
    return {uid: sequence for uid, sequence in rows}  # noqa: C416 (a Result is not a mapping of its rows)


def sender_person() -> Person:
    name, address = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    return Person(clean_header(name), address or "events@mc2cm-events.local")


def network_contact() -> Person:
    """The network's own people (NETWORK_CONTACT): who answers for a host city without an organiser
    account. Replies to the no-reply sender would reach nobody."""
    name, address = parseaddr(current_app.config.get("NETWORK_CONTACT") or "")
    return Person(clean_header(name), address)


def host_organizer(event) -> Person:
    """The person who answers replies and stands as ORGANIZER: the first active organiser account
    of the event's host city, else the network's contact."""
    from app.auth.models import Role, User

    if event is not None:
        user = db.session.scalar(
            select(User).where(User.city_id == event.host_city_id, User.role == Role.ORGANISER,
                               User.active.is_(True)).order_by(User.id).limit(1)
        )
        if user is not None:
            return Person(clean_header(user.name), user.email)
    return network_contact()


def calendar_sequence(invitation: Invitation) -> int:
    """The SEQUENCE to send for this invitation: the same as last time for the same time, place and
    status; one more when any of them changed."""
    if invitation.sequence is not None:
        return invitation.sequence
    fingerprint = invitation.fingerprint()
    item = db.session.get(CalendarItem, invitation.uid, with_for_update=True)
    if item is None:
        # A first cancellation must still outrank the invitation that calendars hold (SEQUENCE 0,
        # sent before this item was tracked, or through a feed).
        first = 1 if invitation.status == "CANCELLED" else 0
        try:
            with db.session.begin_nested():
                db.session.add(CalendarItem(uid=invitation.uid, sequence=first, fingerprint=fingerprint))
            return first
        except IntegrityError:  # another transaction created it first
            item = db.session.get(CalendarItem, invitation.uid, with_for_update=True, populate_existing=True)
    if item.fingerprint != fingerprint:
        item.sequence += 1
        item.fingerprint = fingerprint
        db.session.flush()
    return item.sequence


def _message_id() -> str:
    domain = sender_person().email.rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def queue_message(kind: str, recipient: Recipient, *, event=None, context: dict | None = None,
                  invitation: Invitation | None = None, dedupe_key: str | None = None,
                  now: datetime | None = None) -> OutboxMessage | None:
    """Render `kind` for `recipient` in both languages (theirs first) and add it to the outbox in
    the current transaction. Returns None, queueing nothing, when `dedupe_key` was used before."""
    context = dict(context or {})
    missing = [key for key in kind_named(kind).requires if key not in context]
    if missing:
        raise ValueError(f"{kind} needs {', '.join(missing)} in its context")
    recipient = replace(recipient, email=checked_email(recipient.email), name=clean_header(recipient.name))
    if dedupe_key and db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    organizer = (invitation.organizer if invitation and invitation.organizer else None) or host_organizer(event)
    ics = None
    if invitation is not None:
        calendar = build_invitation(
            invitation.method, invitation.uid, calendar_sequence(invitation), invitation.summary_by_lang,
            invitation.description_by_lang, invitation.start, invitation.end, invitation.zone_name,
            invitation.location, invitation.url, organizer, Person(recipient.name, recipient.email),
            languages=recipient.languages, dtstamp=now,
        )
        ics = to_ics(calendar)
    rendered = render_message(kind, recipient, event=event, context=context, invitation=invitation)
    message = OutboxMessage(
        kind=kind, event_id=event.id if event is not None else None, recipient_email=recipient.email,
        recipient_name=recipient.name, languages=",".join(rendered.languages),
        reply_to_email=organizer.email, reply_to_name=organizer.name, subject=clean_header(rendered.subject),
        text_body=rendered.text, html_body=rendered.html, ics=ics,
        ics_method=invitation.method.upper() if invitation else None, message_id=_message_id(),
        dedupe_key=dedupe_key, status=OutboxStatus.QUEUED, next_attempt_at=now or utcnow(),
        created_at=now or utcnow(),
    )
    if dedupe_key:
        try:
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:  # queued meanwhile by another process
            return None
    else:  # nothing to collide with: no savepoint (two round trips) around it
        db.session.add(message)
    db.session.info["mail_queued"] = True
    return message


def resend(message: OutboxMessage, now: datetime | None = None) -> OutboxMessage:
    """Queue a copy of a message (same content, new Message-ID) to go out again."""
    if message.recipient_email == ERASED_ADDRESS:
        raise DomainError(_l("This person's data was erased: the message cannot be sent again."))
    copy = OutboxMessage(
        kind=message.kind, event_id=message.event_id, recipient_email=message.recipient_email,
        recipient_name=message.recipient_name, languages=message.languages, reply_to_email=message.reply_to_email,
        reply_to_name=message.reply_to_name, subject=message.subject, text_body=message.text_body,
        html_body=message.html_body, ics=message.ics, ics_method=message.ics_method, message_id=_message_id(),
        status=OutboxStatus.QUEUED, next_attempt_at=now or utcnow(), created_at=now or utcnow(),
    )
    db.session.add(copy)
    db.session.flush()
    db.session.info["mail_queued"] = True
    return copy


# Event-wide messages: to everyone the participant sources list.

def queue_event_cancelled(event, reason: str = "", now: datetime | None = None) -> list[OutboxMessage]:
    queued = []
    cancellation = event_invitation(event, cancelled=True)
    for recipient in participants_of(event, Audience.ACTIVE):
        message = queue_message(
            "event_cancelled", recipient, event=event, context={"reason": reason},
            invitation=addressed_to(cancellation, event, recipient),
            dedupe_key=f"event-cancelled:{event.id}:{recipient.email.lower()}", now=now,
        )
        if message is not None:
            queued.append(message)
    return queued


REMINDERS = (
    # kind, dedupe prefix, days before the start (local dates): from, to
    ("reminder_7_days", "reminder-7d", 7, 2),
    ("reminder_1_day", "reminder-1d", 1, 1),
)


def send_reminders(now: datetime | None = None) -> list[OutboxMessage]:
    """Queue the reminders that are due: a week before (sent from 7 down to 2 days before, so that
    a missed run or a late registration still gets one) and the day before. Each goes to each
    participant once, however often this runs (its dedupe key is `reminder-7d:<event>:<email>`)."""
    from app.events.lifecycle import local_today
    from app.events.models import Event, EventState

    now = now or utcnow()
    horizon = now.date() + timedelta(days=9)
    events = db.session.scalars(
        select(Event).where(Event.state.in_([EventState.OPEN, EventState.CLOSED]),
                            Event.start_date <= horizon, Event.start_date >= now.date() - timedelta(days=1))
    ).all()
    queued = []
    for event in events:
        days = (event.start_date - local_today(event, now)).days
        for kind, prefix, most, least in REMINDERS:
            if not least <= days <= most:
                continue
            invitation = event_invitation(event)
            for recipient in participants_of(event, Audience.ATTENDING):
                message = queue_message(kind, recipient, event=event, context={"days": days},
                                        invitation=addressed_to(invitation, event, recipient),
                                        dedupe_key=f"{prefix}:{event.id}:{recipient.email.lower()}", now=now)
                if message is not None:
                    queued.append(message)
    return queued


def withdraw_unsent(event_id: int, email: str, kind: str) -> int:
    """Messages of this kind to this address that have not left yet stay in the outbox, marked as
    withdrawn, and are never sent (what they announced was undone)."""
    rows = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.event_id == event_id, OutboxMessage.kind == kind,
        func.lower(OutboxMessage.recipient_email) == email.strip().lower(),
        OutboxMessage.status == OutboxStatus.QUEUED)).all()
    for message in rows:
        message.status = OutboxStatus.FAILED
        message.last_error = WITHDRAWN
    db.session.flush()
    return len(rows)


def withdraw_messages(ids) -> int:
    """Of these messages, those that have not left yet are withdrawn (what they announced was
    undone) and never sent. Returns how many: fewer than asked means some had left already."""
    if not ids:
        return 0
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(list(ids)),
                                                          OutboxMessage.status == OutboxStatus.QUEUED)
                              .with_for_update()).all()
    for message in rows:
        message.status = OutboxStatus.FAILED
        message.last_error = WITHDRAWN
    db.session.flush()
    return len(rows)


def forget_recipient(event_id: int, email: str) -> int:
    """Erase a person's copies in the outbox of one event: what was sent stays counted, not who it
    went to nor what it said. Messages not yet sent are dropped (there is nobody to send them to)."""
    address = email.strip().lower()
    rows = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.event_id == event_id, func.lower(OutboxMessage.recipient_email) == address)).all()
    for message in rows:
        if message.status in (OutboxStatus.QUEUED, OutboxStatus.SENDING):
            message.status = OutboxStatus.FAILED
            message.last_error = "recipient erased before delivery"
        message.recipient_email = ERASED_ADDRESS
        message.recipient_name = ""
        message.subject = message.text_body = message.html_body = ERASED
        message.ics = None
        message.ics_method = None
    db.session.flush()
    return len(rows)
