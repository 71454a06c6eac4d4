"""What every capture service shares: the event's settings row, the live pages' revision, who may
capture, and typed text made safe to keep."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.auth.permissions import can_manage_event, can_view_workspace
from app.capture.models import CaptureSettings
from app.db_types import utcnow
from app.domain import DomainError, PermissionDenied
from app.events.models import Event, EventState
from app.extensions import db

DEFAULT_DOTS = 5
MAX_DOTS = 30

# Every C0 control but tab and line feed, DEL, the C1 controls: never kept (PostgreSQL refuses a NUL
# in text; the rest confuse exports and screens). Line breaks are kept in long texts only.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str:
    """A long text as typed, line breaks kept, without control characters."""
    value = _LINE_BREAKS.sub("\n", value or "")
    return _CONTROLS.sub("", value).strip()


def clean_line(value: str | None) -> str:
    """A one-line value: no line break, no control character, runs of spaces as one."""
    return _SPACES.sub(" ", _CONTROLS.sub(" ", value or "")).strip()


def clean_url(value: str | None, field: str) -> str:
    url = _CONTROLS.sub("", value or "").strip()
    if url and (not url.lower().startswith(("https://", "http://")) or any(c.isspace() for c in url)):
        raise DomainError(_l("Give a web address that starts with https://"), field=field)
    return url


def _insert():
    return postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert


def ensure_settings(event_id: int) -> None:
    """The event's settings row exists (made with the defaults if not), safe under concurrency."""
    db.session.execute(_insert()(CaptureSettings.__table__).values(
        event_id=event_id, dots_allowance=DEFAULT_DOTS, voting_open=False, results_revealed=False, revision=0,
        board_revision=0, updated_at=utcnow()).on_conflict_do_nothing())


def settings_of(event: Event) -> CaptureSettings:
    """The event's settings; an unsaved row with the defaults while it has none."""
    settings = db.session.get(CaptureSettings, event.id)
    if settings is None:
        settings = CaptureSettings(event_id=event.id, dots_allowance=DEFAULT_DOTS, voting_open=False,
                                   results_revealed=False, revision=0, board_revision=0)
    return settings


def stored_settings(event: Event) -> CaptureSettings:
    ensure_settings(event.id)
    settings = db.session.get(CaptureSettings, event.id)
    db.session.refresh(settings)
    return settings


def bump(event: Event, *, board: bool = True) -> None:
    """Tell the live pages that what they show has changed; `board=False` when the big screen
    does not show it (a challenge, a case, an observation, a final mark, a follow-up). Called last
    in every service, so that the row lock it takes on PostgreSQL is held as briefly as possible."""
    db.session.flush()
    ensure_settings(event.id)
    values = {"revision": CaptureSettings.revision + 1, "updated_at": utcnow()}
    if board:
        values["board_revision"] = CaptureSettings.board_revision + 1
    db.session.execute(
        update(CaptureSettings).where(CaptureSettings.event_id == event.id)
        .values(**values).execution_options(synchronize_session=False)
    )


def can_capture(user, event: Event) -> bool:
    """The event's organisers (and administrators) and the facilitators assigned to it."""
    return can_view_workspace(user, event)


def require_capture(user, event: Event) -> None:
    if not can_capture(user, event):
        raise PermissionDenied(
            _l("Only the facilitators of this event and its organisers can record what it produces."))


def require_organiser(user, event: Event) -> None:
    if not can_manage_event(user, event):
        raise PermissionDenied(_l("Only the organisers of this event's host city can do this."))


def require_capture_open(event: Event) -> None:
    if event.state is EventState.CANCELLED:
        raise DomainError(_l("This event has been cancelled: nothing more is recorded."))
    if settings_of(event).is_closed:
        raise DomainError(_l("Capture is closed for this event. An organiser can reopen it."))


def once(call):
    """Run a service that inserts a row guarded by a unique key (an entry's client key, a dot's
    button key, an endorsement). When a simultaneous request inserted the same key first, the
    insert fails: roll back and run the service again, which then finds that row and answers as
    for a resend. (No savepoint: SQLite's driver commits the transaction when one is released.)"""
    try:
        return call()
    except IntegrityError:
        db.session.rollback()
        return call()
