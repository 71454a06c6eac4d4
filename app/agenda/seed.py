"""The demo event's two-day agenda, for `flask seed-demo`: written straight to the tables, so that
seeding needs no account and records no "changes" on the agenda of an event that is already open.
Added only when the event has no agenda yet; demo presenters who registered are linked to their
registration (the registration stage seeds before this one)."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from app.agenda.models import AgendaItem, AgendaPresenter, ItemKind
from app.agenda.services import template_values
from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.timezones import local_to_utc

ROOMS = {
    ItemKind.OPENING: "Sala delle Colonne",
    ItemKind.CHALLENGES: "Sala delle Colonne",
    ItemKind.LOCAL_SOLUTIONS: "Sala delle Colonne",
    ItemKind.FIELD_VISIT: "Palazzo Civico – Via Arquata",
    ItemKind.RECOMMENDATIONS: "Sala Marmi – Sala Rossa",
    ItemKind.CLOSING: "Sala delle Colonne",
}
PRESENTERS = {
    ItemKind.OPENING: [("Giulia Rossi", "City of Turin", "Turin")],
    ItemKind.LOCAL_SOLUTIONS: [("Karim Ben Salah", "Municipality of Tunis", "Tunis"),
                               ("Lina Haddad", "Greater Amman Municipality", "Amman"),
                               ("Claire Martin", "Métropole de Lyon", "Lyon")],
    ItemKind.FIELD_VISIT: [("Marco Bianchi", "Agenzia Sociale per la Locazione", "Turin")],
}


def seed_agenda(event: Event) -> int:
    if db.session.scalar(select(func.count(AgendaItem.id)).where(AgendaItem.event_id == event.id)):
        return 0
    now = utcnow()
    items = []
    for values in template_values(event):
        values.pop("presenters")
        item = AgendaItem(event_id=event.id, created_at=now, updated_at=now, sequence=0, **values)
        item.room = ROOMS[item.kind]
        item.presenters = [AgendaPresenter(position=n, name=name, organisation=organisation, city=city)
                           for n, (name, organisation, city) in enumerate(PRESENTERS.get(item.kind, []))]
        items.append(item)
    for day_index in range(2):
        day = event.start_date + timedelta(days=day_index)
        items.append(AgendaItem(
            event_id=event.id, kind=ItemKind.BREAK, title_en="Lunch", title_fr="Déjeuner", room="Cortile",
            starts_at=local_to_utc(datetime.combine(day, time(12, 30)), event.timezone),
            ends_at=local_to_utc(datetime.combine(day, time(14, 0)), event.timezone),
            created_at=now, updated_at=now, sequence=0,
        ))
    db.session.add_all(items)
    db.session.flush()
    return len(items)


def link_demo_presenters(event: Event) -> int:
    """Demo presenters who also registered (a confirmed participant of the same name) become linked
    to their registration, as an organiser would choose them in the item form."""
    from app.registration.models import Registration, RegistrationStatus

    registrations = {r.name: r for r in db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.CONFIRMED))}
    presenters = db.session.scalars(
        select(AgendaPresenter).join(AgendaItem, AgendaPresenter.item_id == AgendaItem.id)
        .where(AgendaItem.event_id == event.id, AgendaPresenter.registration_id.is_(None)))
    linked = 0
    for presenter in presenters:
        registration = registrations.get(presenter.name)
        if registration is not None:
            presenter.registration_id = registration.id
            presenter.name = presenter.organisation = presenter.city = presenter.email = ""
            linked += 1
    db.session.flush()
    return linked


def seed_scale_agenda(context) -> int:
    """`flask seed-demo --scale`: every event's template agenda with its lunches, three of its
    participants presenting local solutions and a host presenting the visit."""
    from app.registration.models import Registration

    added = 0
    for event in context.events:
        if db.session.scalar(select(func.count(AgendaItem.id)).where(AgendaItem.event_id == event.id)):
            continue
        now = utcnow()
        speakers = list(db.session.scalars(select(Registration.id).where(Registration.event_id == event.id)
                                           .order_by(Registration.id).limit(3)))
        items = []
        for values in template_values(event):
            values.pop("presenters")
            item = AgendaItem(event_id=event.id, created_at=now, updated_at=now, sequence=0, **values)
            item.room = "Main hall"
            if item.kind is ItemKind.LOCAL_SOLUTIONS:
                item.presenters = [AgendaPresenter(position=n, name="", registration_id=registration_id)
                                   for n, registration_id in enumerate(speakers)]
            elif item.kind is ItemKind.FIELD_VISIT:
                item.presenters = [AgendaPresenter(position=0, name="Host city guide",
                                                   organisation=f"City of {event.host_city.name_en}",
                                                   city=event.host_city.name_en)]
            items.append(item)
        for day_index in range((event.end_date - event.start_date).days + 1):
            day = event.start_date + timedelta(days=day_index)
            items.append(AgendaItem(
                event_id=event.id, kind=ItemKind.BREAK, title_en="Lunch", title_fr="Déjeuner", room="Courtyard",
                starts_at=local_to_utc(datetime.combine(day, time(12, 30)), event.timezone),
                ends_at=local_to_utc(datetime.combine(day, time(14, 0)), event.timezone),
                created_at=now, updated_at=now, sequence=0))
        db.session.add_all(items)
        added += len(items)
    db.session.flush()
    return added
