"""Reads for the agenda pages and feeds, eager-loaded: their query count does not grow with items."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.agenda.models import AgendaChange, AgendaItem, AgendaPresenter, ItemKind, overlapping_ids
from app.events.models import Event
from app.extensions import db
from app.registration.labels import STATUS_LABELS
from app.registration.models import Registration, RegistrationStatus
from app.timezones import utc_to_local


@dataclass(frozen=True)
class AgendaDay:
    day: date
    items: list[AgendaItem]

    @property
    def ends_at(self):
        """When the day's last item ends (not always the last to start)."""
        return max(item.ends_at for item in self.items)


@dataclass(frozen=True)
class AgendaPage:
    event: Event
    days: list[AgendaDay]
    changes: list[AgendaChange]
    overlapping: set[int]

    @property
    def items(self) -> list[AgendaItem]:
        return [item for day in self.days for item in day.items]


def _with_presenters():
    """The presenters with the registrations of those who are participants: one query for all of them."""
    return selectinload(AgendaItem.presenters).joinedload(AgendaPresenter.registration)


def items_of(event: Event) -> list[AgendaItem]:
    return list(db.session.scalars(
        select(AgendaItem).options(_with_presenters())
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
        select(AgendaItem).options(_with_presenters())
        .where(AgendaItem.id == item_id, AgendaItem.event_id == event.id)
    )


def items_presented_by(registration_id: int) -> list[AgendaItem]:
    """The items a registered participant presents, in time order."""
    return list(db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.id.in_(select(AgendaPresenter.item_id)
                                 .where(AgendaPresenter.registration_id == registration_id)))
        .order_by(AgendaItem.starts_at, AgendaItem.id)
    ))


def presenting_registration_ids(event: Event) -> set[int]:
    """The registrations of the event's participants who present an item of its agenda."""
    return set(db.session.scalars(
        select(AgendaPresenter.registration_id).join(AgendaItem, AgendaItem.id == AgendaPresenter.item_id)
        .where(AgendaItem.event_id == event.id, AgendaPresenter.registration_id.is_not(None))))


def presenter_choices(event: Event, item: AgendaItem | None = None) -> list[tuple[int, str]]:
    """Whom a presenter line may name: the event's confirmed participants, by name — organisation.
    The participants the item already names are listed too, with their status when it is no longer
    confirmed, so that an edit shows them (and saving says why they cannot stay)."""
    linked = {p.registration_id for p in item.presenters if p.registration_id} if item is not None else set()
    condition = Registration.status == RegistrationStatus.CONFIRMED
    if linked:
        condition = or_(condition, Registration.id.in_(linked))
    registrations = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.erased_at.is_(None), condition)
        .order_by(func.lower(Registration.name), Registration.id)
    )
    choices = []
    for registration in registrations:
        label = " — ".join(part for part in (registration.name, registration.organisation) if part)
        if registration.status is not RegistrationStatus.CONFIRMED:
            label = f"{label} ({STATUS_LABELS[registration.status]})"
        choices.append((registration.id, label))
    return choices


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
