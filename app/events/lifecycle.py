"""The event lifecycle, in one place: draft → open → closed → finished, and cancelled.

Every state change goes through `change_state()`, which checks who may make it and whether the
event is ready, records it, and announces it (`event_state_changed`) so that its emails are queued.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.permissions import can_manage_event
from app.db_types import utcnow
from app.domain import DomainError, PermissionDenied
from app.events.labels import MISSING_TRANSLATION, STATE_LABELS
from app.events.models import Event, EventFormat, EventState, EventStateChange
from app.events.signals import event_state_changed
from app.extensions import db
from app.i18n import format_local_datetime, missing_translations
from app.stages import transition_warnings
from app.timezones import utc_to_local

S = EventState
ALLOWED_TRANSITIONS: dict[EventState, tuple[EventState, ...]] = {
    S.DRAFT: (S.OPEN, S.CANCELLED),
    S.OPEN: (S.CLOSED, S.DRAFT, S.CANCELLED),
    S.CLOSED: (S.FINISHED, S.OPEN, S.CANCELLED),
    S.FINISHED: (),
    S.CANCELLED: (),
}


class TransitionRefused(DomainError):
    pass


@dataclass
class TransitionCheck:
    """Blockers stop a transition; warnings stop it unless the organiser confirms."""

    target: EventState
    blockers: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.blockers


def local_today(event: Event, now: datetime | None = None) -> date:
    return utc_to_local(now or utcnow(), event.timezone).date()


def check_transition(event: Event, target: EventState, now: datetime | None = None) -> TransitionCheck:
    check = TransitionCheck(target)
    if target not in ALLOWED_TRANSITIONS[event.state]:
        check.blockers.append(
            _l("An event that is “%(current)s” cannot become “%(target)s”.",
               current=STATE_LABELS[event.state], target=STATE_LABELS[target])
        )
        return check
    today = local_today(event, now)
    if target is S.OPEN:
        if not (event.theme_en.strip() or event.theme_fr.strip()):
            check.blockers.append(_l("Give the event a theme before opening it."))
        if event.end_date < today:
            check.blockers.append(_l("The event has already ended; it cannot be opened."))
        if event.format in (EventFormat.IN_PERSON, EventFormat.HYBRID) and not event.venue.strip():
            check.blockers.append(_l("Add the venue before opening an event that meets in person."))
        if event.format in (EventFormat.DIGITAL, EventFormat.HYBRID) and not event.online_url.strip():
            check.blockers.append(_l("Add the online meeting link before opening an event held online."))
        closes = event.registration_closes_at
        if closes is not None and closes <= (now or utcnow()):
            check.blockers.append(
                _l("Registration closed on %(when)s. Move the closing date in the event's settings before "
                   "opening it again.", when=format_local_datetime(closes, event.timezone))
            )
        check.warnings.extend(missing_translation_warnings(event))
    elif target is S.FINISHED and event.start_date > today:
        check.blockers.append(_l("The meeting has not started yet; it cannot be marked as finished."))
    if not check.blockers:
        check.warnings.extend(transition_warnings(event, target))
    return check


def missing_translation_warnings(event: Event) -> list:
    """What lacks its English or French side ("The theme has no English version yet.")."""
    return [MISSING_TRANSLATION[field_name, lang]
            for field_name, lang in missing_translations(event, Event.BILINGUAL_FIELDS)]


def change_state(event: Event, target: EventState, actor, *, confirmed: bool = False, reason: str = "",
                 now: datetime | None = None) -> EventStateChange:
    """Move an event to `target`, or raise TransitionRefused saying why not."""
    if not can_manage_event(actor, event):
        raise PermissionDenied(_l("Only the organisers of this event's host city can change its state."))
    check = check_transition(event, target, now)
    if check.blockers:
        raise TransitionRefused(check.blockers[0])
    if check.warnings and not confirmed:
        raise TransitionRefused(_l("Please confirm, having read what the change means."))
    return _record(event, target, actor, reason, now)


def _record(event: Event, target: EventState, actor, reason: str, now: datetime | None) -> EventStateChange:
    change = EventStateChange(
        event=event, from_state=event.state, to_state=target, actor=actor, reason=reason.strip(),
        changed_at=now or utcnow(),
    )
    event.state = target
    db.session.add(change)
    db.session.flush()
    event_state_changed.send(event, change=change)
    return change


def close_due_registrations(now: datetime | None = None) -> list[Event]:
    """Close every open event whose registration window has ended. Safe to run from cron."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Event).where(Event.state == S.OPEN, Event.registration_closes_at <= now).with_for_update()
    ).all()
    for event in due:
        _record(event, S.CLOSED, None, "registration window ended", now)
    return list(due)
