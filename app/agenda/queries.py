"""Reads for the agenda pages and feeds, eager-loaded: their query count does not grow with items."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.agenda.models import AgendaChange, AgendaItem, ItemKind
from app.agenda.services import overlapping_ids
from app.events.models import Event, EventState
from app.extensions import db
from app.timezones import utc_to_local


@dataclass(frozen=True)
class AgendaDay:
    day: date
    items: list[AgendaItem]


@dataclass(frozen=True)
class AgendaPage:
    event: Event
    days: list[AgendaDay]
    changes: list[AgendaChange]
    overlapping: set[int]

    @property
    def items(self) -> list[AgendaItem]:
        return [item for day in self.days for item in day.items]


def items_of(event: Event) -> list[AgendaItem]:
    return list(db.session.scalars(
        select(AgendaItem).options(selectinload(AgendaItem.presenters))
        .where(AgendaItem.event_id == event.id).order_by(AgendaItem.starts_at, AgendaItem.track, AgendaItem.id)
    ))


def by_day(items: list[AgendaItem], zone_name: str) -> list[AgendaDay]:
    days: dict[date, list[AgendaItem]] = {}
    for item in items:
        days.setdefault(utc_to_local(item.starts_at, zone_name).date(), []).append(item)
    return [AgendaDay(day, day_items) for day, day_items in sorted(days.items())]


def agenda_page(event: Event) -> AgendaPage:
    items = items_of(event)
    changes = list(db.session.scalars(
        select(AgendaChange).where(AgendaChange.event_id == event.id)
        .order_by(AgendaChange.changed_at.desc(), AgendaChange.id.desc())
    ))
    return AgendaPage(event, by_day(items, event.timezone), changes, overlapping_ids(items))


def item_of(event: Event, item_id: int) -> AgendaItem | None:
    return db.session.scalar(
        select(AgendaItem).options(selectinload(AgendaItem.presenters))
        .where(AgendaItem.id == item_id, AgendaItem.event_id == event.id)
    )


@dataclass(frozen=True)
class AgendaSummary:
    items: int
    field_visit_id: int | None


def agenda_summary(event: Event) -> AgendaSummary:
    """How many items, and the field visit's id: what the hub needs, in one query."""
    rows = db.session.execute(
        select(AgendaItem.kind, func.count(), func.min(AgendaItem.id))
        .where(AgendaItem.event_id == event.id).group_by(AgendaItem.kind)
    ).all()
    visit = next((row[2] for row in rows if row[0] is ItemKind.FIELD_VISIT), None)
    return AgendaSummary(sum(row[1] for row in rows), visit)


def network_events() -> list[Event]:
    """Every public event of the network, for the network feed (month-only events have no days to give)."""
    return list(db.session.scalars(
        select(Event).options(joinedload(Event.host_city))
        .where(Event.state != EventState.DRAFT, Event.month_only.is_(False))
        .order_by(Event.start_date, Event.id)
    ))
