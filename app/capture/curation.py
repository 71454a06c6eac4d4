"""What organisers do with the recommendations: merge duplicates (and undo it), mark the final
ones (what goes to the learning note), and, after the event, the cities' follow-up. Flush, never
commit.

A merge moves no vote: the original keeps its rows and points to the recommendation it was merged
into, and every count groups a recommendation with those merged into it, each voter once. Undoing
the merge gives the original its own votes back.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import Role
from app.capture.common import bump, clean_text, clean_url, require_organiser
from app.capture.models import Entry, EntryKind, FollowUp, FollowUpStatus, Merge
from app.db_types import utcnow
from app.domain import Checks, DomainError, PermissionDenied
from app.events.models import City, Event, EventState
from app.extensions import db

NOTE_MAX = 5000


def _recommendation(event: Event, entry_id: int | None, field: str | None = None) -> Entry:
    entry = db.session.get(Entry, entry_id) if entry_id is not None else None
    if entry is None or entry.event_id != event.id or entry.kind is not EntryKind.RECOMMENDATION or entry.is_removed:
        raise DomainError(_l("Choose a recommendation of this event."), field=field)
    return entry


def merge(actor, event: Event, source: Entry, target_id: int | None, now: datetime | None = None) -> Merge:
    require_organiser(actor, event)
    source = _recommendation(event, source.id)
    target = _recommendation(event, target_id, field="target_id")
    if source.id == target.id:
        raise DomainError(_l("Choose another recommendation to merge this one into."), field="target_id")
    if source.is_merged:
        raise DomainError(_l("This recommendation is already merged into another."))
    if target.is_merged:
        raise DomainError(_l("That recommendation is itself merged into another: merge into that one."),
                          field="target_id")
    if db.session.scalar(select(Entry.id).where(Entry.merged_into_id == source.id).limit(1)):
        raise DomainError(_l("Other recommendations are merged into this one: merge the other way round, or undo "
                             "those merges first."))
    if source.is_final:
        raise DomainError(_l("This recommendation is final: unmark it before merging it into another."))
    now = now or utcnow()
    source.merged_into_id = target.id
    record = Merge(event_id=event.id, source_id=source.id, target_id=target.id, actor_id=getattr(actor, "id", None),
                   merged_at=now)
    db.session.add(record)
    bump(event)
    return record


def undo_merge(actor, event: Event, record: Merge, now: datetime | None = None) -> Merge:
    require_organiser(actor, event)
    if record.event_id != event.id:
        raise DomainError(_l("This merge belongs to another event."))
    if record.undone_at is not None:
        raise DomainError(_l("This merge was already undone."))
    source = db.session.get(Entry, record.source_id)
    if source is None or source.merged_into_id != record.target_id:
        raise DomainError(_l("This merge was already undone."))
    source.merged_into_id = None
    record.undone_at = now or utcnow()
    record.undone_by_id = getattr(actor, "id", None)
    bump(event)
    return record


def set_final(actor, event: Event, entry: Entry, final: bool, now: datetime | None = None) -> Entry:
    require_organiser(actor, event)
    entry = _recommendation(event, entry.id)
    if final and entry.is_merged:
        raise DomainError(_l("This recommendation is merged into another: mark that one final."))
    entry.final_at = (entry.final_at or now or utcnow()) if final else None
    bump(event, board=False)
    return entry


# --- Follow-up after the event -----------------------------------------------------------------


@dataclass
class FollowUpInput:
    city_id: int | None
    status: FollowUpStatus | None
    note: str = ""
    noted_on: date | None = None
    action_url: str = ""


def can_follow_up(user, city_id: int | None) -> bool:
    """Administrators for any city; organisers for their own city, whoever hosted the event."""
    if not user.is_authenticated:
        return False
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.ORGANISER and user.city_id is not None and user.city_id == city_id


def record_follow_up(actor, event: Event, entry: Entry, data: FollowUpInput, now: datetime | None = None) -> FollowUp:
    if data.city_id is None or db.session.get(City, data.city_id) is None:
        raise DomainError(_l("Choose a city."), field="city_id")
    if not can_follow_up(actor, data.city_id):
        raise PermissionDenied(_l("Organisers record the follow-up of their own city only."), field="city_id")
    if event.state is not EventState.FINISHED:
        raise DomainError(_l("Follow-up is recorded once the event is finished."))
    entry = _recommendation(event, entry.id)
    if not entry.is_final:
        raise DomainError(_l("Follow-up is recorded for the final recommendations only."))
    checks = Checks()
    if data.status not in FollowUpStatus:
        checks.refuse(_l("Choose what came of it."), field="status")
    note = clean_text(data.note)
    if len(note) > NOTE_MAX:
        checks.refuse(_l("At most %(max)d characters.", max=NOTE_MAX), field="note")
    action_url = checks.run(lambda: clean_url(data.action_url, "action_url"))
    checks.raise_any()
    now = now or utcnow()
    noted_on = data.noted_on or now.date()
    follow_up = db.session.scalar(select(FollowUp).where(FollowUp.recommendation_id == entry.id,
                                                         FollowUp.city_id == data.city_id))
    if follow_up is None:
        follow_up = FollowUp(recommendation_id=entry.id, city_id=data.city_id)
        db.session.add(follow_up)
    follow_up.status = data.status
    follow_up.note = note
    follow_up.noted_on = noted_on
    follow_up.action_url = action_url[:500]
    follow_up.updated_by_id = getattr(actor, "id", None)
    follow_up.updated_at = now
    bump(event, board=False)
    return follow_up
