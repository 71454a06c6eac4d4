"""Undo of a removed agenda item: the message after a removal offers "Undo", which puts the item
back with its times, texts and presenters; emails about the removal that have not left are withdrawn
(then the removal leaves no trace), and after the window the undo is refused with a clear message."""

import re
from datetime import date, timedelta

import pytest

from app.agenda import services
from app.agenda.models import AgendaChange, AgendaItem, ChangeAction, ItemKind, RemovedItem
from app.auth.models import Role
from app.domain import DomainError
from app.events.models import EventState
from app.extensions import db
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.services import WITHDRAWN

DAY = date(2027, 10, 30)


@pytest.fixture
def lyon(make):
    return make.city("Lyon", "Europe/Paris", "FR")


@pytest.fixture
def organiser(client, make, lyon):
    user = make.user(Role.ORGANISER, lyon)
    make.login(client, user)
    return user


def _item_with_presenters(make, event) -> AgendaItem:
    from app.agenda.models import AgendaPresenter

    participant = make.registration(event, name="Lina Haddad")
    item = make.agenda_item(event, "14:00", "15:30", kind=ItemKind.LOCAL_SOLUTIONS, title_en="Local solutions",
                            title_fr="Solutions locales", description_en="Cases.", description_fr="Des cas.",
                            room="Salle Molière", track="A")
    item.presenters = [AgendaPresenter(position=0, registration_id=participant.id, name=""),
                       AgendaPresenter(position=1, name="Omar Benali", organisation="Ville de Tanger", city="Tanger",
                                       email="omar@example.org")]
    db.session.commit()
    return item


def _columns(item: AgendaItem) -> tuple:
    return (item.kind, item.title_en, item.title_fr, item.description_en, item.description_fr, item.starts_at,
            item.ends_at, item.room, item.track,
            [(p.name, p.organisation, p.city, p.email, p.registration_id) for p in item.presenters])


def _remove(client, event, item):
    response = client.post(f"/manage/events/{event.slug}/agenda/items/{item.id}/remove?lang=en",
                           data={"confirmed": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    return client.get(response.headers["Location"]).text


def _undo_url(page: str) -> str:
    return re.search(r'<form method="post" action="([^"]+/restore)">\s*<input type="hidden" name="csrf_token"',
                     page).group(1)


def test_undo_puts_the_removed_item_back_as_it_was(client, make, lyon, organiser):
    event = make.event(lyon, EventState.DRAFT, start_date=DAY)
    item = _item_with_presenters(make, event)
    item_id, before = item.id, _columns(item)
    page = _remove(client, event, item)
    assert "Item removed from the agenda." in page and ">Undo</button>" in page
    assert db.session.scalar(db.select(db.func.count(AgendaItem.id))) == 0
    response = client.post(_undo_url(page) + "?lang=en")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#item-{item_id}")
    assert "Item restored, with its times, texts and presenters." in client.get(response.headers["Location"]).text
    db.session.expire_all()
    restored = db.session.get(AgendaItem, item_id)
    assert restored is not None and _columns(restored) == before
    # Once only.
    again = client.post(_undo_url(page) + "?lang=en", follow_redirects=True)
    assert "it was restored already" in again.text
    assert db.session.scalar(db.select(db.func.count(AgendaItem.id))) == 1


def test_undo_before_the_emails_leave_withdraws_them_and_leaves_no_trace(client, make, lyon, organiser):
    event = make.event(lyon, EventState.OPEN, start_date=DAY)
    item = _item_with_presenters(make, event)
    make.registration(event, name="Ana")
    page = _remove(client, event, item)
    queued = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "agenda_changed")).all()
    assert len(queued) == 2  # the confirmed participants: Lina (who presents) and Ana
    assert db.session.scalar(db.select(db.func.count(AgendaChange.id))) == 1
    client.post(_undo_url(page))
    db.session.expire_all()
    assert {(m.status, m.last_error) for m in queued} == {(OutboxStatus.FAILED, WITHDRAWN)}
    assert db.session.scalar(db.select(db.func.count(AgendaChange.id))) == 0
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))
                             .where(OutboxMessage.status == OutboxStatus.QUEUED)) == 0


def test_undo_after_an_email_left_tells_them_it_is_back(client, make, lyon, organiser):
    event = make.event(lyon, EventState.OPEN, start_date=DAY)
    item = _item_with_presenters(make, event)
    sequence = item.sequence
    page = _remove(client, event, item)
    sent = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "agenda_changed")).first()
    sent.status = OutboxStatus.SENT
    db.session.commit()
    client.post(_undo_url(page))
    db.session.expire_all()
    actions = db.session.scalars(db.select(AgendaChange.action).order_by(AgendaChange.id)).all()
    assert actions == [ChangeAction.REMOVED, ChangeAction.ADDED]
    added_back = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "agenda_changed",
                                                                   OutboxMessage.status == OutboxStatus.QUEUED)).all()
    assert len(added_back) == 2 and all("Local solutions" in m.text_body for m in added_back)
    assert db.session.scalar(db.select(AgendaItem.sequence)) == sequence + 1


def test_undo_is_refused_after_its_window_and_for_another_events_removal(app, make, lyon):
    organiser = make.user(Role.ORGANISER, lyon)
    event = make.event(lyon, EventState.DRAFT, start_date=DAY)
    other = make.event(lyon, EventState.DRAFT, start_date=DAY)
    item = make.agenda_item(event)
    removed = services.remove_item(organiser, event, item)
    db.session.commit()
    with pytest.raises(DomainError):
        services.restore_item(organiser, other, removed.id)
    late = removed.removed_at + services.UNDO_WINDOW + timedelta(seconds=1)
    with pytest.raises(DomainError, match="minutes only"):
        services.restore_item(organiser, event, removed.id, now=late)
    db.session.rollback()


def test_only_the_events_organisers_may_undo(client, make, lyon):
    organiser = make.user(Role.ORGANISER, lyon)
    event = make.event(lyon, EventState.DRAFT, start_date=DAY)
    removed = services.remove_item(organiser, event, make.agenda_item(event))
    db.session.commit()
    stranger = make.user(Role.ORGANISER, make.city("Tunis", "Africa/Tunis", "TN"))
    make.login(client, stranger)
    response = client.post(f"/manage/events/{event.slug}/agenda/removed/{removed.id}/restore")
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(AgendaItem.id))) == 0


def test_old_copies_are_dropped_at_the_next_removal(app, make, lyon):
    organiser = make.user(Role.ORGANISER, lyon)
    event = make.event(lyon, EventState.DRAFT, start_date=DAY)
    first = services.remove_item(organiser, event, make.agenda_item(event))
    first.removed_at -= services.UNDO_WINDOW + timedelta(minutes=1)
    db.session.commit()
    services.remove_item(organiser, event, make.agenda_item(event))
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(RemovedItem.id))) == 1


def test_undo_puts_back_what_pointed_at_the_item(app, make, lyon):
    """The field visit that filled the slot fills it again (the agenda names no stage: it puts back
    whatever lost the item with it)."""
    from datetime import datetime, time

    from app.field_visit.models import FieldVisit
    from app.timezones import local_to_utc

    organiser = make.user(Role.ORGANISER, lyon)
    event = make.event(lyon, EventState.DRAFT, start_date=DAY)
    slot = make.agenda_item(event, "14:00", "17:00", kind=ItemKind.FIELD_VISIT, title_en="Field visit")
    other = make.agenda_item(event, "09:00", "10:00")
    visit = FieldVisit(event_id=event.id, title_en="La Guillotière", meeting_point="Place Gabriel Péri", capacity=10,
                       agenda_item_id=slot.id, meets_at=local_to_utc(datetime.combine(DAY, time(14)), event.timezone),
                       returns_at=local_to_utc(datetime.combine(DAY, time(17)), event.timezone))
    db.session.add(visit)
    db.session.commit()
    slot_id = slot.id
    removed = services.remove_item(organiser, event, slot)
    db.session.commit()
    db.session.expire_all()
    assert visit.agenda_item_id is None
    services.restore_item(organiser, event, removed.id)
    db.session.commit()
    assert db.session.get(FieldVisit, visit.id).agenda_item_id == slot_id
    # Given another slot before the undo: that later choice stands.
    removed = services.remove_item(organiser, event, db.session.get(AgendaItem, slot_id))
    db.session.commit()
    db.session.expire_all()
    visit.agenda_item_id = other.id
    db.session.commit()
    services.restore_item(organiser, event, removed.id)
    db.session.commit()
    assert db.session.get(FieldVisit, visit.id).agenda_item_id == other.id
