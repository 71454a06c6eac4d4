"""Building an event's agenda: items, presenters, the peer-learning template and the change log.

Flush, never commit. Once the event is open, every change is written to the agenda's change log and
announced (`agenda_changed`) so that the mail work can tell presenters and participants.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import delete, func, select, update

from app.agenda.models import AgendaChange, AgendaItem, AgendaPresenter, ChangeAction, ItemKind, RemovedItem
from app.agenda.queries import items_of
from app.agenda.signals import agenda_changed
from app.auth.permissions import can_manage_event
from app.db_types import utcnow
from app.domain import Checks, DomainError, PermissionDenied
from app.events.models import City, Event, EventState
from app.events.services import touch
from app.extensions import db
from app.forms import HTTPS_REQUIRED
from app.i18n import format_day, french_spacing
from app.registration.models import Registration, RegistrationStatus
from app.timezones import entered_time_to_utc, local_to_utc, utc_to_local

# From "open" on, the agenda is public and people plan around it: its changes are logged and announced.
LOGGED_STATES = (EventState.OPEN, EventState.CLOSED)


@dataclass
class PresenterInput:
    """A presenter as the organiser enters them: a registered participant of the event
    (`registration_id`), or a name with organisation, city and an optional email. For a participant
    the free-text fields are ignored: their registration's details are shown, always current."""

    name: str = ""
    organisation: str = ""
    city: str = ""
    email: str = ""
    registration_id: int | None = None


@dataclass
class ItemInput:
    """An item as the organiser enters it; times are wall-clock times in the event's zone."""

    kind: ItemKind
    title_en: str
    title_fr: str
    starts_local: datetime | None
    ends_local: datetime | None
    description_en: str = ""
    description_fr: str = ""
    track: str = ""
    room: str = ""
    online_url: str = ""
    presenters: list[PresenterInput] = field(default_factory=list)


@dataclass
class SaveResult:
    item: AgendaItem
    warnings: list = field(default_factory=list)


def _check_permission(actor, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_l("Only the organisers of this event's host city can change its agenda."))


def _validated(event: Event, data: ItemInput) -> dict:
    """The item's columns from what the organiser typed; every refusal at once (Checks)."""
    checks = Checks()
    title_en, title_fr = data.title_en.strip(), french_spacing(data.title_fr.strip())
    if not (title_en or title_fr):
        checks.refuse(_l("Give the item a title in English, in French, or both."), field="title_en")
    if data.starts_local is None:
        checks.refuse(_l("Enter when the item starts."), field="starts_at")
    if data.ends_local is None:
        checks.refuse(_l("Enter when the item ends."), field="ends_at")
    first_day, day_after = event.start_date, event.end_date + timedelta(days=1)
    if data.starts_local is not None and not first_day <= data.starts_local.date() < day_after:
        checks.refuse(_l("The item must start during the event, between %(first)s and %(last)s.",
                         first=format_day(event.start_date), last=format_day(event.end_date)), field="starts_at")
    if data.starts_local is not None and data.ends_local is not None and data.ends_local <= data.starts_local:
        checks.refuse(_l("The item must end after it starts."), field="ends_at")
    elif data.ends_local is not None and data.ends_local > datetime.combine(day_after, time()):
        checks.refuse(_l("The item must end by the end of the event's last day (%(last)s).",
                         last=format_day(event.end_date)), field="ends_at")
    starts_at = ends_at = None
    if not checks.refused("starts_at"):
        starts_at = checks.run(lambda: entered_time_to_utc(data.starts_local, event.timezone, "starts_at"))
    if not checks.refused("ends_at"):
        ends_at = checks.run(lambda: entered_time_to_utc(data.ends_local, event.timezone, "ends_at"))
    online_url = data.online_url.strip()
    if online_url and not online_url.lower().startswith("https://"):
        checks.refuse(HTTPS_REQUIRED, field="online_url")
    presenters = []
    linked: set[int] = set()
    for presenter in data.presenters:
        if presenter.registration_id is not None:
            registration = checks.run(lambda p=presenter: _presenting_participant(event, p.registration_id))
            if registration is not None and registration.id not in linked:  # listed twice: once is enough
                linked.add(registration.id)
                presenters.append(PresenterInput(registration_id=registration.id))
            continue
        values = [presenter.name, presenter.organisation, presenter.city, presenter.email]
        if not any(v.strip() for v in values):
            continue
        if not presenter.name.strip():
            checks.refuse(_l("Give the name of every presenter (or leave the whole line empty)."), field="presenters")
        email = presenter.email.strip()
        if email and ("@" not in email or any(c.isspace() for c in email)):
            checks.refuse(_l("This presenter's email address does not look right: %(email)s", email=email),
                          field="presenters")
        presenters.append(PresenterInput(presenter.name.strip(), presenter.organisation.strip(),
                                         presenter.city.strip(), email))
    checks.raise_any()
    return dict(
        kind=data.kind, title_en=title_en, title_fr=title_fr, description_en=data.description_en.strip(),
        description_fr=french_spacing(data.description_fr.strip()), starts_at=starts_at, ends_at=ends_at,
        track=data.track.strip(), room=data.room.strip(), online_url=online_url, presenters=presenters,
    )


def _presenting_participant(event: Event, registration_id: int) -> Registration:
    """The registration a presenter is linked to: a confirmed participant of this event."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id or registration.is_erased:
        raise DomainError(_l("The presenter you chose is not registered for this event. Choose one of its "
                             "confirmed participants, or enter a name below."), field="presenters")
    if registration.status is not RegistrationStatus.CONFIRMED:
        raise DomainError(_l("%(name)s does not hold a confirmed place at this event, so cannot be linked as a "
                             "presenter. Choose a confirmed participant, or enter their name below.",
                             name=registration.name), field="presenters")
    return registration


def _overlap_warnings(event: Event, item: AgendaItem) -> list:
    track = item.track.strip().lower()
    others = [i for i in items_of(event) if i.id != item.id and i.track.strip().lower() == track]
    warnings = []
    for other in others:
        if other.starts_at < item.ends_at and item.starts_at < other.ends_at:
            local = utc_to_local(other.starts_at, event.timezone)
            warnings.append(_l("This item overlaps “%(title)s” (%(day)s at %(time)s) in the same track. "
                               "Check the times, or put parallel sessions in different tracks.",
                               title=other.title_en or other.title_fr, day=format_day(local.date()),
                               time=f"{local:%H:%M}"))
    return warnings


def _log(event: Event, item: AgendaItem, action: ChangeAction, actor, now: datetime, *,
         old_starts_at: datetime | None = None, old_place: str = "") -> AgendaChange | None:
    if event.state not in LOGGED_STATES:
        return None
    change = AgendaChange(
        event_id=event.id, item_id=item.id if action is not ChangeAction.REMOVED else None, action=action,
        title_en=item.title_en, title_fr=item.title_fr, old_starts_at=old_starts_at,
        new_starts_at=None if action is ChangeAction.REMOVED else item.starts_at, old_place=old_place,
        new_place="" if action is ChangeAction.REMOVED else item.place, actor_id=getattr(actor, "id", None),
        changed_at=now,
    )
    db.session.add(change)
    return change


def _announce(event: Event, changes: list) -> None:
    changes = [c for c in changes if c is not None]
    if changes:
        db.session.flush()
        agenda_changed.send(event, changes=changes)


def _set_presenters(item: AgendaItem, presenters: list[PresenterInput]) -> bool:
    before = [(p.name, p.organisation, p.city, p.email, p.registration_id) for p in item.presenters]
    after = [(p.name, p.organisation, p.city, p.email, p.registration_id) for p in presenters]
    if before == after:
        return False
    item.presenters = [AgendaPresenter(position=n, name=p.name, organisation=p.organisation, city=p.city,
                                       email=p.email, registration_id=p.registration_id)
                       for n, p in enumerate(presenters)]
    return True


def check_item_input(event: Event, data: ItemInput) -> None:
    """The rules of the item form, without saving (see app.actions.check_rules_too)."""
    _validated(event, data)


def add_item(actor, event: Event, data: ItemInput, now: datetime | None = None) -> SaveResult:
    _check_permission(actor, event)
    touch(event)
    values = _validated(event, data)
    return _add(actor, event, values, now or utcnow())


def _add(actor, event: Event, values: dict, now: datetime) -> SaveResult:
    item, change = _insert(actor, event, values, now)
    _announce(event, [change])
    return SaveResult(item, _overlap_warnings(event, item))


def _insert(actor, event: Event, values: dict, now: datetime) -> tuple[AgendaItem, AgendaChange | None]:
    presenters = values.pop("presenters")
    item = AgendaItem(event_id=event.id, sequence=0, created_at=now, updated_at=now, **values)
    _set_presenters(item, presenters)
    db.session.add(item)
    db.session.flush()
    return item, _log(event, item, ChangeAction.ADDED, actor, now)


def update_item(actor, event: Event, item: AgendaItem, data: ItemInput, now: datetime | None = None) -> SaveResult:
    _check_permission(actor, event)
    touch(event)
    if item.event_id != event.id:
        raise DomainError(_l("This item belongs to another event."))
    values = _validated(event, data)
    now = now or utcnow()
    presenters = values.pop("presenters")
    old_starts_at, old_ends_at, old_place = item.starts_at, item.ends_at, item.place
    old_room, old_url = item.room, item.online_url
    other_changed = any(getattr(item, name) != value for name, value in values.items()
                        if name not in ("starts_at", "ends_at", "room", "online_url"))
    for name, value in values.items():
        setattr(item, name, value)
    other_changed = _set_presenters(item, presenters) or other_changed
    time_changed = (item.starts_at, item.ends_at) != (old_starts_at, old_ends_at)
    place_changed = (item.room, item.online_url) != (old_room, old_url)
    if time_changed or place_changed:
        item.sequence += 1
    if not (time_changed or place_changed or other_changed):
        return SaveResult(item, _overlap_warnings(event, item))
    item.updated_at = now
    db.session.flush()
    if time_changed:
        action = ChangeAction.RESCHEDULED
    elif place_changed:
        action = ChangeAction.MOVED
    else:
        action = ChangeAction.UPDATED
    change = _log(event, item, action, actor, now, old_starts_at=old_starts_at if time_changed else None,
                  old_place=old_place if place_changed else "")
    if change is not None and not place_changed:
        change.new_place = ""
    _announce(event, [change])
    return SaveResult(item, _overlap_warnings(event, item))


def who_hears_of(event: Event, item: AgendaItem | None) -> int:
    """How many people a change of this item (or a new item, None) is emailed to now (none before
    the event opens)."""
    from app.agenda.notifications import AGENDA_STATES, recipients_of

    if event.state not in AGENDA_STATES:
        return 0
    return len(recipients_of(event, [item] if item is not None else []))


# How long a removal can be undone from the message that follows it: long enough to see the slip,
# short enough that nobody plans around the gap in the meantime.
UNDO_WINDOW = timedelta(minutes=30)
_ITEM_COLUMNS = ("kind", "title_en", "title_fr", "description_en", "description_fr", "track", "room", "online_url",
                 "sequence")
_PRESENTER_COLUMNS = ("name", "organisation", "city", "email", "registration_id")


def _snapshot(item: AgendaItem) -> str:
    values = {name: getattr(item, name) for name in _ITEM_COLUMNS}
    values.update(starts_at=item.starts_at.isoformat(), ends_at=item.ends_at.isoformat(), created_at=item.created_at
                  .isoformat(), presenters=[{name: getattr(p, name) for name in _PRESENTER_COLUMNS}
                                            for p in item.presenters], references=_references(item.id))
    return json.dumps(values)


def _links_to_items():
    """The columns of other tables that point at an agenda item and lose it with it (ON DELETE SET
    NULL: a field visit's slot, a captured case's session, the change log), with their table's key."""
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for foreign_key in table.foreign_keys:
            if foreign_key.column.table.name == AgendaItem.__tablename__ and foreign_key.ondelete == "SET NULL" \
                    and len(key) == 1:
                yield table, foreign_key.parent, key[0]


def _references(item_id: int) -> dict:
    """{"table.column": [row keys]}: the rows that point at the item now, put back on undo."""
    found = {}
    for table, column, key in _links_to_items():
        rows = db.session.scalars(select(key).where(column == item_id)).all()
        if rows:
            found[f"{table.name}.{column.name}"] = list(rows)
    return found


def _put_back_references(item: AgendaItem, references: dict) -> None:
    """The rows that pointed at the removed item point at it again, unless they were given another
    item meanwhile (then the organiser's later choice stands)."""
    for table, column, key in _links_to_items():
        rows = references.get(f"{table.name}.{column.name}")
        if rows:
            db.session.execute(update(table).where(key.in_(rows), column.is_(None)).values({column.name: item.id}),
                               execution_options={"synchronize_session": False})
    db.session.expire_all()  # the ORM's copies of those rows still say they point nowhere


def remove_item(actor, event: Event, item: AgendaItem, now: datetime | None = None) -> RemovedItem:
    """Remove the item, keeping a copy for `UNDO_WINDOW` (the returned RemovedItem) with what the
    removal wrote: its change log entry and the messages it queued."""
    from app.mail.models import OutboxMessage

    _check_permission(actor, event)
    touch(event)
    if item.event_id != event.id:
        raise DomainError(_l("This item belongs to another event."))
    now = now or utcnow()
    snapshot = _snapshot(item)
    last_message = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    change = _log(event, item, ChangeAction.REMOVED, actor, now, old_starts_at=item.starts_at, old_place=item.place)
    removed_id = item.id
    db.session.delete(item)
    db.session.flush()
    _announce(event, [change])
    queued = db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.id > last_message, OutboxMessage.event_id == event.id,
        OutboxMessage.kind == "agenda_changed")).all()
    db.session.execute(delete(RemovedItem).where(RemovedItem.removed_at < now - UNDO_WINDOW))
    removed = RemovedItem(event_id=event.id, item_id=removed_id, snapshot=snapshot,
                          change_id=change.id if change is not None else None, message_ids=json.dumps(list(queued)),
                          removed_by_id=getattr(actor, "id", None), removed_at=now)
    db.session.add(removed)
    db.session.flush()
    return removed


def restore_item(actor, event: Event, removed_id: int, now: datetime | None = None) -> AgendaItem:
    """Undo a removal within `UNDO_WINDOW`: the item comes back with its times, texts and presenters
    (and its id, while no other item took it). The messages announcing the removal that have not
    left yet are withdrawn; if none had left, the removal leaves no trace (its change log entry
    goes too); otherwise the item is announced as added back, its calendar SEQUENCE raised."""
    from app.mail.services import withdraw_messages

    _check_permission(actor, event)
    now = now or utcnow()
    removed = db.session.get(RemovedItem, removed_id)
    if removed is None or removed.event_id != event.id or removed.restored_at is not None:
        raise DomainError(_l("There is no removed item to restore here: it was restored already, or its "
                             "removal can no longer be undone."))
    if removed.removed_at < now - UNDO_WINDOW:
        raise DomainError(_l("A removal can be undone for %(minutes)d minutes only. Add the item again instead.",
                             minutes=UNDO_WINDOW.seconds // 60))
    touch(event)
    values = json.loads(removed.snapshot)
    presenters = values.pop("presenters")
    references = values.pop("references", {})
    message_ids = json.loads(removed.message_ids)
    nobody_told = withdraw_messages(message_ids) == len(message_ids)
    for name in ("starts_at", "ends_at", "created_at"):
        values[name] = datetime.fromisoformat(values[name])
    values["kind"] = ItemKind(values["kind"])
    if not nobody_told:
        values["sequence"] += 1
    item = AgendaItem(event_id=event.id, updated_at=now, **values)
    if db.session.get(AgendaItem, removed.item_id) is None:
        item.id = removed.item_id  # the same UID in the feeds: calendars see the same session again
    known = set(db.session.scalars(select(Registration.id).where(Registration.event_id == event.id)))
    item.presenters = [AgendaPresenter(position=n, **{**p, "registration_id": p["registration_id"]
                                                      if p["registration_id"] in known else None})
                       for n, p in enumerate(presenters) if p["name"] or p["registration_id"] in known]
    db.session.add(item)
    removed.restored_at = now
    db.session.flush()
    _put_back_references(item, references)
    if nobody_told:
        if removed.change_id is not None and (change := db.session.get(AgendaChange, removed.change_id)):
            db.session.delete(change)
        db.session.flush()
    else:
        _announce(event, [_log(event, item, ChangeAction.ADDED, actor, now)])
    return item


def move_item(actor, event: Event, item: AgendaItem, direction: str, now: datetime | None = None) -> AgendaItem:
    """Swap an item with the one before (`up`) or after (`down`) it on the same day and track.

    Each keeps its duration and the gap between them stays: the pair simply trades places in time.
    """
    _check_permission(actor, event)
    touch(event)
    if item.event_id != event.id:
        raise DomainError(_l("This item belongs to another event."))
    if direction not in ("up", "down"):
        raise DomainError(_l("Choose whether to move the item earlier or later."))
    day = utc_to_local(item.starts_at, event.timezone).date()
    same_day = [i for i in items_of(event)
                if utc_to_local(i.starts_at, event.timezone).date() == day
                and i.track.strip().lower() == item.track.strip().lower()]
    index = next(n for n, i in enumerate(same_day) if i.id == item.id)
    neighbour_index = index - 1 if direction == "up" else index + 1
    if not 0 <= neighbour_index < len(same_day):
        raise DomainError(_l("This item is already the first of its day.") if direction == "up"
                          else _l("This item is already the last of its day."))
    first, second = sorted((item, same_day[neighbour_index]), key=lambda i: (i.starts_at, i.id))
    if second.starts_at < first.ends_at:
        raise DomainError(_l("These two items overlap; change their times instead."))
    now = now or utcnow()
    gap = second.starts_at - first.ends_at
    span_start, span_end = first.starts_at, second.ends_at
    old_first, old_second = first.starts_at, second.starts_at
    second_duration = second.ends_at - second.starts_at
    second.starts_at, second.ends_at = span_start, span_start + second_duration
    first.starts_at, first.ends_at = second.ends_at + gap, span_end
    changes = []
    for moved, old in ((second, old_second), (first, old_first)):
        moved.sequence += 1
        moved.updated_at = now
        # The place stays: recording it as both old and new keeps "Now at…" out of the change log.
        changes.append(_log(event, moved, ChangeAction.RESCHEDULED, actor, now, old_starts_at=old,
                            old_place=moved.place))
    db.session.flush()
    _announce(event, changes)
    return item


# The peer-learning template: every MC2CM event follows these steps. Titles and descriptions are
# content (stored in both languages, then edited by the organiser), not interface strings.
TEMPLATE = (
    (ItemKind.OPENING, "Opening", "Ouverture",
     "Welcome by the host city and the network; aims of the two days and round of introductions.",
     "Accueil par la ville hôte et le réseau\u00a0; objectifs des deux journées et tour de table."),
    (ItemKind.CHALLENGES, "Common challenges and opportunities", "Défis et opportunités communs",
     "Participants share the challenges and opportunities their cities meet on the theme, based on the "
     "background document.",
     "Les participants partagent les défis et les opportunités que leurs villes rencontrent sur le thème, à "
     "partir du document de cadrage."),
    (ItemKind.LOCAL_SOLUTIONS, "Local solutions: case presentations", "Solutions locales\u00a0: présentations de cas",
     "Cities present a practice that works for them, followed by questions and discussion.",
     "Des villes présentent une pratique qui fonctionne chez elles, suivie de questions et d'une discussion."),
    (ItemKind.FIELD_VISIT, "Field visit", "Visite de terrain",
     "A visit to a project of the host city, with the people who run it.",
     "Visite d'un projet de la ville hôte, avec les personnes qui le mènent."),
    (ItemKind.RECOMMENDATIONS, "Identification of recommendations", "Identification des recommandations",
     "Working groups turn what was shared and seen into recommendations for cities and the network.",
     "Des groupes de travail transforment ce qui a été partagé et vu en recommandations pour les villes et le "
     "réseau."),
    (ItemKind.CLOSING, "Closing", "Clôture",
     "Summary of the recommendations, evaluation and next steps.",
     "Synthèse des recommandations, évaluation et prochaines étapes."),
)
# (day index, start, end) for each template item: a two-day event, and the same steps in one day.
TWO_DAY_TIMES = ((0, "09:00", "09:30"), (0, "09:30", "12:30"), (0, "14:00", "17:30"),
                 (1, "09:00", "12:30"), (1, "14:00", "16:30"), (1, "16:30", "17:00"))
ONE_DAY_TIMES = ((0, "09:00", "09:15"), (0, "09:15", "10:45"), (0, "11:00", "13:00"),
                 (0, "14:00", "15:30"), (0, "15:45", "17:00"), (0, "17:00", "17:30"))


def _wall_clock(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm))


def template_values(event: Event) -> list[dict]:
    """The six template items for `event`, as column values (times converted to UTC)."""
    times = TWO_DAY_TIMES if event.end_date > event.start_date else ONE_DAY_TIMES
    values = []
    for (kind, title_en, title_fr, text_en, text_fr), (day_index, start, end) in zip(TEMPLATE, times, strict=True):
        day = event.start_date + timedelta(days=day_index)
        values.append(dict(
            kind=kind, title_en=title_en, title_fr=title_fr, description_en=text_en, description_fr=text_fr,
            starts_at=local_to_utc(_wall_clock(day, start), event.timezone),
            ends_at=local_to_utc(_wall_clock(day, end), event.timezone), track="", room="",
            # The event's meeting link stays private (participants get it in their invitation);
            # items shown on the public agenda start without it.
            online_url="", presenters=[],
        ))
    return values


def create_from_template(actor, event: Event, now: datetime | None = None) -> list[AgendaItem]:
    """The six steps of a peer-learning event at sensible times, for the organiser to adjust."""
    _check_permission(actor, event)
    touch(event)
    if items_of(event):
        raise DomainError(_l("The agenda already has items. The template can only start an empty agenda."))
    now = now or utcnow()
    inserted = [_insert(actor, event, values, now) for values in template_values(event)]
    # One announcement for the whole template, listing every item it added.
    _announce(event, [change for _item, change in inserted])
    return [item for item, _change in inserted]


def shift_items(event: Event, days: int, now: datetime | None = None) -> int:
    """Move every item by `days` days as the host city's clocks show it (09:00 stays 09:00 across a
    clock change), when the organiser moves the event's dates. Each moved item is in the change log
    and its SEQUENCE rises; the participants hear of it in the message about the new dates."""
    now = now or utcnow()
    items = items_of(event)
    for item in items:
        old_starts_at = item.starts_at
        try:
            item.starts_at = local_to_utc(
                utc_to_local(item.starts_at, event.timezone).replace(tzinfo=None) + timedelta(days=days),
                event.timezone)
            item.ends_at = local_to_utc(
                utc_to_local(item.ends_at, event.timezone).replace(tzinfo=None) + timedelta(days=days), event.timezone)
        except ValueError:  # the time does not exist, or happens twice, on the new day
            raise DomainError(_l("“%(title)s” would fall at a time the clocks skip or repeat on its new day. Move "
                                 "it in the agenda first.", title=item.title_en or item.title_fr),
                              field="start_date") from None
        item.sequence += 1
        item.updated_at = now
        _log(event, item, ChangeAction.RESCHEDULED, None, now, old_starts_at=old_starts_at, old_place=item.place)
    db.session.flush()
    return len(items)


def agenda_fits_the_new_dates(event: Event, values: dict) -> None:
    """An event's edit may not leave agenda items outside its days or move them to another zone."""
    items = items_of(event)
    if not items:
        return
    new_city = db.session.get(City, values["host_city_id"])
    if new_city.timezone != event.timezone:
        raise DomainError(_l("The agenda's times are set in %(zone)s. Remove its items before moving the event "
                             "to a city in another time zone.", zone=event.timezone), field="host_city_id")
    outside = [item for item in items
               if not values["start_date"] <= utc_to_local(item.starts_at, event.timezone).date() <= values["end_date"]]
    if outside:
        raise DomainError(lazy_ngettext("%(num)d agenda item would fall outside the new dates. Tick “Move the "
                                        "agenda with the dates”, or move or remove it in the agenda first.",
                                        "%(num)d agenda items would fall outside the new dates. Tick “Move the "
                                        "agenda with the dates”, or move or remove them in the agenda first.",
                                        len(outside)), field="start_date")


def copy_agenda(duplication) -> int:
    """The agenda's shape into a duplicated event (app.stages.Duplication): every item, moved to
    the new dates, without its presenters (people of the source event) nor its change log."""
    for item in items_of(duplication.source):
        starts_at, ends_at = duplication.moved(item.starts_at), duplication.moved(item.ends_at)
        if ends_at <= starts_at:  # its start fell in a clock change's gap and came out later: keep its length
            ends_at = starts_at + (item.ends_at - item.starts_at)
        copy = duplication.copy(item, event_id=duplication.target.id, sequence=0, starts_at=starts_at, ends_at=ends_at)
        db.session.add(copy)
        db.session.flush()
        duplication.copied[("agenda_item", item.id)] = copy
    return len(duplication.copied)
