"""The room prioritises: the organiser's voting settings, and what confirmed participants do from
their own page (endorse a recommendation, spend or take back priority dots). Flush, never commit.

The allowance holds under double clicks and simultaneous requests: a dot is spent only by

    UPDATE capture_dot_budgets SET spent = spent + 1
    WHERE event_id = :event AND registration_id = :registration
      AND spent < (SELECT dots_allowance FROM capture_settings WHERE event_id = :event)

one statement that the database serialises (the second of two simultaneous requests waits for the
first, then sees its count), on SQLite and PostgreSQL alike. A button carries its own key: a
double click sends it twice, and the second finds the dot of the first. A refused vote is always
said so, never dropped silently.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from app.capture.common import MAX_DOTS, bump, require_organiser, settings_of, stored_settings
from app.capture.models import CaptureSettings, Dot, DotBudget, Endorsement, Entry, EntryKind
from app.db_types import utcnow
from app.domain import DomainError
from app.events.models import Event, EventState
from app.events.services import touch
from app.extensions import db
from app.registration.models import Registration, RegistrationStatus

VOTING_STATES = (EventState.OPEN, EventState.CLOSED, EventState.FINISHED)


# --- The organiser's settings --------------------------------------------------------------------


def set_allowance(actor, event: Event, allowance: int) -> CaptureSettings:
    require_organiser(actor, event)
    if not 1 <= allowance <= MAX_DOTS:
        raise DomainError(_l("Give each participant between 1 and %(max)d dots.", max=MAX_DOTS), field="dots_allowance")
    most = db.session.scalar(select(func.max(DotBudget.spent)).where(DotBudget.event_id == event.id)) or 0
    if allowance < most:
        raise DomainError(_l("A participant has already spent %(spent)d dots: the allowance cannot go below that.",
                             spent=most), field="dots_allowance")
    settings = stored_settings(event)
    settings.dots_allowance = allowance
    bump(event)
    return settings


def set_voting(actor, event: Event, open_: bool) -> CaptureSettings:
    require_organiser(actor, event)
    settings = stored_settings(event)
    if open_:
        if event.state not in VOTING_STATES:
            raise DomainError(_l("Voting opens once the event is open."))
        if settings.is_closed:
            raise DomainError(_l("Capture is closed for this event. Reopen it first."))
    settings.voting_open = open_
    touch(event)  # the hub says whether voting is open
    bump(event)
    return settings


def set_results_revealed(actor, event: Event, revealed: bool) -> CaptureSettings:
    require_organiser(actor, event)
    settings = stored_settings(event)
    settings.results_revealed = revealed
    bump(event)
    return settings


def set_capture_closed(actor, event: Event, closed: bool, now: datetime | None = None) -> CaptureSettings:
    """Closing capture ends typing and voting; the results and the final recommendations stay."""
    require_organiser(actor, event)
    settings = stored_settings(event)
    if closed:
        settings.closed_at = settings.closed_at or now or utcnow()
        settings.voting_open = False
    else:
        settings.closed_at = None
    touch(event)
    bump(event)
    return settings


# --- What participants do ------------------------------------------------------------------------


def why_cannot_vote(registration: Registration, settings: CaptureSettings | None = None):
    """The reason this participant cannot vote now, or None when they can."""
    event = registration.event
    settings = settings or settings_of(event)
    if registration.status is not RegistrationStatus.CONFIRMED or registration.is_erased:
        return _l("Only confirmed participants vote.")
    if event.state not in VOTING_STATES:
        return _l("Voting is not possible for this event.")
    if settings.is_closed:
        return _l("Capture is closed: voting has ended.")
    if not settings.voting_open:
        return _l("Voting is not open at the moment. The organisers open it during the recommendations session.")
    return None


def _require_voting(registration: Registration) -> None:
    if (reason := why_cannot_vote(registration)) is not None:
        raise DomainError(reason)


def _votable(registration: Registration, recommendation_id: int) -> Entry:
    entry = db.session.get(Entry, recommendation_id)
    if (entry is None or entry.event_id != registration.event_id or entry.kind is not EntryKind.RECOMMENDATION
            or entry.is_removed):
        raise DomainError(_l("This recommendation does not exist (any more). Reload the page."))
    if entry.merged_into_id is not None:
        raise DomainError(_l("This recommendation was merged into “%(other)s”: vote for that one. Your earlier "
                             "votes for it count there already.", other=_short(entry.merged_into)))
    return entry


def _short(entry: Entry) -> str:
    text = entry.text_en or entry.text_fr or entry.title_en or entry.title_fr
    return text if len(text) <= 80 else text[:79] + "…"


def _group_ids(entry: Entry) -> list[int]:
    """The recommendation and those merged into it: the votes that count for it."""
    return [entry.id, *db.session.scalars(select(Entry.id).where(Entry.merged_into_id == entry.id))]


@dataclass
class VoteResult:
    message: object
    changed: bool


def endorse(registration: Registration, recommendation_id: int, now: datetime | None = None) -> VoteResult:
    entry = _votable(registration, recommendation_id)
    _require_voting(registration)
    group = _group_ids(entry)
    if db.session.scalar(select(Endorsement.id).where(Endorsement.registration_id == registration.id,
                                                      Endorsement.recommendation_id.in_(group)).limit(1)):
        return VoteResult(_l("You already support this recommendation."), False)
    # The pair is unique: the same click arrived twice at once fails here, and the route runs this
    # again, which then finds the first one (see app.capture.common.once).
    db.session.add(Endorsement(recommendation_id=entry.id, registration_id=registration.id, created_at=now or utcnow()))
    db.session.flush()
    bump(registration.event)
    return VoteResult(_l("You support this recommendation."), True)


def withdraw_endorsement(registration: Registration, recommendation_id: int) -> VoteResult:
    entry = _votable(registration, recommendation_id)
    _require_voting(registration)
    result = db.session.execute(delete(Endorsement).where(
        Endorsement.registration_id == registration.id, Endorsement.recommendation_id.in_(_group_ids(entry))))
    if not result.rowcount:
        return VoteResult(_l("You did not support this recommendation."), False)
    bump(registration.event)
    return VoteResult(_l("You no longer support this recommendation."), True)


def _take_one_dot(event_id: int, registration_id: int) -> int:
    """Count one more dot spent if the allowance has room: how many budget rows it changed."""
    allowance = select(CaptureSettings.dots_allowance).where(CaptureSettings.event_id == event_id).scalar_subquery()
    return db.session.execute(
        update(DotBudget)
        .where(DotBudget.event_id == event_id, DotBudget.registration_id == registration_id,
               DotBudget.spent < allowance)
        .values(spent=DotBudget.spent + 1).execution_options(synchronize_session=False)
    ).rowcount


def spend_dot(registration: Registration, recommendation_id: int, client_key: str,
              now: datetime | None = None) -> VoteResult:
    """Put one of the participant's dots on a recommendation, if they have one left."""
    entry = _votable(registration, recommendation_id)
    _require_voting(registration)
    event = registration.event
    client_key = (client_key or "").strip()[:64] or None
    if client_key and db.session.scalar(select(Dot.id).where(Dot.registration_id == registration.id,
                                                             Dot.client_key == client_key)):
        return VoteResult(_l("This dot was already counted."), False)
    # The guard comes first, as the transaction's first write: one conditional UPDATE.
    if _take_one_dot(event.id, registration.id) != 1:
        if db.session.get(DotBudget, (event.id, registration.id)) is None:
            # The participant's first dot makes their budget row, spent = 1 (every allowance is at least 1).
            # The row's key is unique: a simultaneous first dot fails here, and the route runs this
            # again, which then takes the UPDATE above (see app.capture.common.once).
            db.session.add(DotBudget(event_id=event.id, registration_id=registration.id, spent=1))
            db.session.flush()
        # A simultaneous first dot may have committed the row between the UPDATE and the look
        # (PostgreSQL reads each statement afresh): that dot may be this very click, and the
        # allowance is then decided by the row as it is now.
        elif client_key and db.session.scalar(select(Dot.id).where(Dot.registration_id == registration.id,
                                                                   Dot.client_key == client_key)):
            return VoteResult(_l("This dot was already counted."), False)
        elif _take_one_dot(event.id, registration.id) != 1:
            raise DomainError(_l("You have no dots left. Take one back from another recommendation to move it here."))
    # (registration, key) is unique too: the same button arrived twice at once fails here, and the
    # route runs this again, which then finds the first dot. A refusal above rolls back with it.
    db.session.add(Dot(recommendation_id=entry.id, registration_id=registration.id, client_key=client_key,
                       created_at=now or utcnow()))
    db.session.flush()
    bump(event)
    return VoteResult(_l("Dot added."), True)


def take_back_dot(registration: Registration, recommendation_id: int, dot_id: int | None = None) -> VoteResult:
    """Take back one of the participant's dots from a recommendation (the one the button names,
    so that a double click takes back one)."""
    entry = _votable(registration, recommendation_id)
    _require_voting(registration)
    query = select(Dot.id).where(Dot.registration_id == registration.id,
                                 Dot.recommendation_id.in_(_group_ids(entry)))
    if dot_id is not None:
        query = query.where(Dot.id == dot_id)
    found = db.session.scalar(query.order_by(Dot.id.desc()).limit(1))
    if found is None:
        return VoteResult(_l("This dot was already taken back.") if dot_id is not None
                          else _l("You have no dot on this recommendation."), False)
    deleted = db.session.execute(delete(Dot).where(Dot.id == found))
    if deleted.rowcount != 1:
        return VoteResult(_l("This dot was already taken back."), False)
    db.session.execute(
        update(DotBudget)
        .where(DotBudget.event_id == registration.event_id, DotBudget.registration_id == registration.id,
               DotBudget.spent > 0)
        .values(spent=DotBudget.spent - 1).execution_options(synchronize_session=False)
    )
    bump(registration.event)
    return VoteResult(_l("Dot taken back."), True)
