"""The agenda: organisers build it from the template and adjust it; the public reads it by day."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.agenda import services
from app.agenda.models import AgendaChange, AgendaItem, ChangeAction, ItemKind
from app.agenda.signals import agenda_changed
from app.auth.models import Role
from app.domain import DomainError, PermissionDenied
from app.events.models import EventFormat, EventState
from app.extensions import db

DAY = date(2027, 10, 30)  # Saturday; Paris changes from +02 to +01 in the night to Sunday 31st.


@pytest.fixture
def lyon(make):
    return make.city("Lyon", "Europe/Paris", "FR")


@pytest.fixture
def event(make, lyon):
    return make.event(lyon, EventState.DRAFT, start_date=DAY, end_date=DAY + timedelta(days=1),
                      format=EventFormat.HYBRID, online_url="https://meet.example.org/lyon")


@pytest.fixture
def organiser(client, make, lyon):
    user = make.user(Role.ORGANISER, lyon)
    make.login(client, user)
    return user


def _items(event) -> list[AgendaItem]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(AgendaItem).where(AgendaItem.event_id == event.id)
                                   .order_by(AgendaItem.starts_at)))


def _form(**overrides):
    data = {
        "kind": "local_solutions", "title_en": "Housing first in Lyon", "title_fr": "Le logement d'abord à Lyon",
        "description_en": "A case presentation.", "description_fr": "Une présentation de cas.",
        "starts_at": "2027-10-31T09:00", "ends_at": "2027-10-31T10:30", "track": "", "room": "Salle 2",
        "online_url": "", "presenters-0-name": "Claire Martin", "presenters-0-organisation": "Métropole de Lyon",
        "presenters-0-city": "Lyon", "presenters-0-email": "claire@example.org",
        "presenters-1-name": "", "presenters-1-organisation": "", "presenters-1-city": "", "presenters-1-email": "",
    }
    data.update(overrides)
    return data


def test_organiser_starts_from_the_template_on_an_empty_agenda(client, event, organiser):
    page = client.get(f"/manage/events/{event.slug}/agenda?lang=en").text
    assert "Start from the peer-learning template" in page
    response = client.post(f"/manage/events/{event.slug}/agenda/template")
    assert response.status_code == 302
    items = _items(event)
    assert [i.kind for i in items] == [ItemKind.OPENING, ItemKind.CHALLENGES, ItemKind.LOCAL_SOLUTIONS,
                                       ItemKind.FIELD_VISIT, ItemKind.RECOMMENDATIONS, ItemKind.CLOSING]
    # 09:00 in Lyon on 30 October 2027 is 07:00 UTC (+02); on the 31st, after the change, 08:00 UTC.
    assert items[0].starts_at == datetime(2027, 10, 30, 7, 0, tzinfo=UTC)
    assert items[3].starts_at == datetime(2027, 10, 31, 8, 0, tzinfo=UTC)
    # The event's meeting link is private: template items on the public agenda do not carry it.
    assert all(i.online_url == "" for i in items)
    assert "meet.example.org" not in client.application.test_client().get(f"/events/{event.slug}/agenda").text
    assert all(i.title_en and i.title_fr for i in items)
    # A second click does not duplicate anything.
    again = client.post(f"/manage/events/{event.slug}/agenda/template?lang=en", follow_redirects=True)
    assert "The agenda already has items." in again.text
    assert len(_items(event)) == 6


def test_template_fits_a_one_day_event(app, make, lyon):
    one_day = make.event(lyon, start_date=DAY, end_date=DAY)
    items = services.create_from_template(make.user(Role.ADMIN), one_day)
    assert len(items) == 6
    assert {i.starts_at.date() for i in items} == {DAY}


def test_organiser_adds_an_item_with_a_presenter_in_local_time(client, event, organiser):
    response = client.post(f"/manage/events/{event.slug}/agenda/items/new?lang=en", data=_form())
    assert response.status_code == 302
    (item,) = _items(event)
    assert item.starts_at == datetime(2027, 10, 31, 8, 0, tzinfo=UTC)  # after the change: +01
    assert [(p.name, p.organisation, p.city, p.email) for p in item.presenters] == [
        ("Claire Martin", "Métropole de Lyon", "Lyon", "claire@example.org")]
    edit = client.get(f"/manage/events/{event.slug}/agenda/items/{item.id}?lang=en").text
    assert 'value="2027-10-31T09:00"' in edit and "Claire Martin" in edit


@pytest.mark.parametrize(("overrides", "lang", "message", "field"), [
    ({"ends_at": "2027-10-31T08:00"}, "en", "The item must end after it starts.", "ends_at"),
    ({"ends_at": "2027-10-31T08:00"}, "fr", "La séquence doit se terminer après son début.", "ends_at"),
    ({"starts_at": "2027-11-02T09:00", "ends_at": "2027-11-02T10:00"}, "en",
     "The item must start during the event, between Saturday, October 30, 2027 and Sunday, October 31, 2027.",
     "starts_at"),
    ({"ends_at": "2027-11-01T01:00"}, "en", "The item must end by the end of the event", "ends_at"),
    ({"title_en": "", "title_fr": ""}, "fr", "Donnez un titre à la séquence", "title_en"),
    ({"online_url": "javascript:alert(1)"}, "en", "Give a secure web address, starting with https://", "online_url"),
    ({"online_url": "http://meet.example.org/x"}, "en", "starting with https://", "online_url"),
    ({"presenters-0-name": ""}, "en", "Give the name of every presenter", "presenters"),
])
def test_invalid_items_get_a_clear_message_next_to_the_field_and_keep_the_input(
        client, event, organiser, overrides, lang, message, field):
    response = client.post(f"/manage/events/{event.slug}/agenda/items/new?lang={lang}", data=_form(**overrides))
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert "Métropole de Lyon" in response.text
    assert _items(event) == []


def test_a_time_skipped_by_the_spring_change_is_refused(client, make, lyon, organiser):
    spring = make.event(lyon, start_date=date(2027, 3, 27), end_date=date(2027, 3, 28))
    response = client.post(f"/manage/events/{spring.slug}/agenda/items/new?lang=en",
                           data=_form(starts_at="2027-03-28T02:30", ends_at="2027-03-28T04:00"))
    assert response.status_code == 422
    assert "This time does not exist in Europe/Paris" in response.text


def test_overlaps_within_one_track_are_warned_about_but_saved(client, make, event, organiser):
    make.agenda_item(event, "09:30", "11:00", day=1, title_en="Earlier session")
    response = client.post(f"/manage/events/{event.slug}/agenda/items/new?lang=en", data=_form(),
                           follow_redirects=True)
    assert response.status_code == 200
    assert "This item overlaps “Earlier session”" in response.text
    assert "Overlaps another item of the same track." in response.text
    assert len(_items(event)) == 2
    # In a different track, the same times are parallel sessions, not a clash.
    response = client.post(f"/manage/events/{event.slug}/agenda/items/new?lang=en",
                           data=_form(track="Room B", title_en="Parallel"), follow_redirects=True)
    assert "overlaps “Earlier session”" not in response.text


def test_edit_raises_the_sequence_only_when_time_or_place_changes(client, make, event, organiser):
    client.post(f"/manage/events/{event.slug}/agenda/items/new", data=_form())
    (item,) = _items(event)
    assert item.sequence == 0
    client.post(f"/manage/events/{event.slug}/agenda/items/{item.id}", data=_form(description_en="Changed text"))
    assert _items(event)[0].sequence == 0
    client.post(f"/manage/events/{event.slug}/agenda/items/{item.id}", data=_form(room="Salle 5"))
    assert _items(event)[0].sequence == 1
    client.post(f"/manage/events/{event.slug}/agenda/items/{item.id}",
                data=_form(room="Salle 5", starts_at="2027-10-31T09:15"))
    assert _items(event)[0].sequence == 2


def test_reorder_swaps_neighbours_keeping_durations(app, make, event):
    admin = make.user(Role.ADMIN)
    first = make.agenda_item(event, "09:00", "09:30", title_en="Opening")
    second = make.agenda_item(event, "10:00", "12:00", title_en="Challenges")
    services.move_item(admin, event, second, "up")
    db.session.commit()
    db.session.refresh(first)
    db.session.refresh(second)
    # Challenges now 09:00–11:00, the 30-minute gap stays, Opening 11:30–12:00 (Paris, +02 = UTC+2).
    assert (second.starts_at, second.ends_at) == (datetime(2027, 10, 30, 7, 0, tzinfo=UTC),
                                                  datetime(2027, 10, 30, 9, 0, tzinfo=UTC))
    assert (first.starts_at, first.ends_at) == (datetime(2027, 10, 30, 9, 30, tzinfo=UTC),
                                                datetime(2027, 10, 30, 10, 0, tzinfo=UTC))
    assert first.sequence == second.sequence == 1
    with pytest.raises(DomainError, match="already the first"):
        services.move_item(admin, event, second, "up")


def test_remove_item(client, make, event, organiser):
    item = make.agenda_item(event)
    client.post(f"/manage/events/{event.slug}/agenda/items/{item.id}/remove", data={"confirmed": "y"})
    assert _items(event) == []


def test_other_cities_organisers_cannot_change_the_agenda(app, make, event):
    stranger = make.user(Role.ORGANISER, make.city("Tunis", "Africa/Tunis", "TN"))
    with pytest.raises(PermissionDenied):
        services.create_from_template(stranger, event)


def test_items_of_another_event_are_not_reachable(client, make, event, organiser, lyon):
    other_item = make.agenda_item(make.event(lyon))
    assert client.get(f"/manage/events/{event.slug}/agenda/items/{other_item.id}").status_code == 404
    assert client.post(f"/manage/events/{event.slug}/agenda/items/{other_item.id}/remove",
                       data={"confirmed": "y"}).status_code == 404


# Public agenda


def test_public_agenda_by_day_in_both_languages_with_the_zone_named(client, make, event):
    event.state = EventState.OPEN
    db.session.commit()
    services.create_from_template(make.user(Role.ADMIN), event)
    db.session.commit()
    english = client.get(f"/events/{event.slug}/agenda?lang=en")
    assert english.status_code == 200
    text = english.text
    assert "Saturday, October 30, 2027" in text and "Sunday, October 31, 2027" in text
    assert "Europe/Paris" in text and "09:00" in text
    assert "Local solutions: case presentations" in text
    assert text.index("Saturday, October 30") < text.index("Field visit") < text.index("Closing")
    assert f"/events/{event.slug}/calendar.ics" in text and "Add to calendar" in text
    french = client.get(f"/events/{event.slug}/agenda?lang=fr").text
    assert "samedi 30 octobre 2027" in french and "Visite de terrain" in french
    assert "Ajouter à mon agenda" in french
    hub = client.get(f"/events/{event.slug}/?lang=en").text
    assert f'href="/events/{event.slug}/agenda"' in hub


def test_draft_event_agenda_is_not_public(client, make, event):
    make.agenda_item(event)
    assert client.get(f"/events/{event.slug}/agenda").status_code == 404
    assert client.get(f"/events/{event.slug}/calendar.ics").status_code == 404


def test_agenda_page_shows_fallback_translation_marked(client, make, event):
    event.state = EventState.OPEN
    db.session.commit()
    make.agenda_item(event, title_en="Only in English", title_fr="")
    page = client.get(f"/events/{event.slug}/agenda?lang=fr").text
    assert '<span lang="en">Only in English</span>' in page and "en anglais uniquement" in page


def test_change_log_and_signal_once_the_event_is_open(client, make, event, organiser):
    received = []

    def receiver(sender, changes):
        received.append([(c.action, c.title_en) for c in changes])

    item = make.agenda_item(event, "10:00", "11:00", day=1, title_en="Case presentations", title_fr="Cas")
    with agenda_changed.connected_to(receiver):
        # While a draft, nothing is logged or announced.
        client.post(f"/manage/events/{event.slug}/agenda/items/{item.id}",
                    data=_form(title_en="Case presentations", title_fr="Cas", starts_at="2027-10-31T10:30",
                               ends_at="2027-10-31T11:30"))
        assert received == [] and db.session.scalar(db.select(db.func.count(AgendaChange.id))) == 0
        event.state = EventState.OPEN
        db.session.commit()
        client.post(f"/manage/events/{event.slug}/agenda/items/{item.id}",
                    data=_form(title_en="Case presentations", title_fr="Cas", starts_at="2027-10-31T11:00",
                               ends_at="2027-10-31T12:00"))
        client.post(f"/manage/events/{event.slug}/agenda/items/new", data=_form(title_en="New session"))
        client.post(f"/manage/events/{event.slug}/agenda/items/{item.id}/remove", data={"confirmed": "y"})
    assert received == [[(ChangeAction.RESCHEDULED, "Case presentations")], [(ChangeAction.ADDED, "New session")],
                        [(ChangeAction.REMOVED, "Case presentations")]]
    page = client.get(f"/events/{event.slug}/agenda?lang=en").text
    assert "Changes to the agenda" in page
    assert "“Case presentations” moved from Sun, Oct 31, 10:30 to Sun, Oct 31, 11:00." in page
    assert "Added: “New session”, Sun, Oct 31, 09:00." in page
    assert "Removed: “Case presentations”, which was planned for Sun, Oct 31, 11:00." in page
    french = client.get(f"/events/{event.slug}/agenda?lang=fr").text
    assert "Modifications du programme" in french
    assert "«\u00a0Cas\u00a0»\u00a0: déplacement du dim. 31 oct., 10:30" in french
    assert "Ajout\u00a0: «\u00a0" in french and "Retrait\u00a0: «\u00a0Cas\u00a0»" in french
    assert "</time>\u00a0: " in french and "</time>: " in page  # the moment of each change, then its colon
    assert "Now at" not in page and "Nouveau lieu" not in french  # the place did not change: nothing said of it


def test_agenda_page_query_count_does_not_grow_with_items(client, make, event, count_queries):
    event.state = EventState.OPEN
    db.session.commit()

    def count() -> int:
        with count_queries() as queries:
            assert client.get(f"/events/{event.slug}/agenda").status_code == 200
        return len(queries)

    make.agenda_item(event, "09:00", "10:00")
    few = count()
    admin = make.user(Role.ADMIN)
    # Presenters who are registered participants come with the presenters, in the same query.
    participants = [make.registration(event, name=f"Participant {n}") for n in range(3)]
    for hour in range(10, 18):
        linked = services.PresenterInput(registration_id=participants[hour % 3].id)
        result = services.add_item(admin, event, services.ItemInput(
            ItemKind.SESSION, f"S{hour}", "", datetime(2027, 10, 31, hour), datetime(2027, 10, 31, hour, 50),
            presenters=[services.PresenterInput("A", "B", "C"), services.PresenterInput("D"), linked]))
        services.update_item(admin, event, result.item, services.ItemInput(
            ItemKind.SESSION, f"S{hour}", "", datetime(2027, 10, 31, hour), datetime(2027, 10, 31, hour, 55),
            presenters=[services.PresenterInput("A", "B", "C"), linked]))
    db.session.commit()
    db.session.expire_all()
    assert count() == few
    page = client.get(f"/events/{event.slug}/agenda").text
    assert all(f"Participant {n} (Ville de Tunis, Tunis)" in page for n in range(3))


def test_template_on_an_open_event_is_one_announcement_of_six_additions(app, make, event):
    event.state = EventState.OPEN
    db.session.commit()
    received = []
    with agenda_changed.connected_to(lambda sender, changes: received.append([c.action for c in changes])):
        services.create_from_template(make.user(Role.ADMIN), event)
    assert received == [[ChangeAction.ADDED] * 6]


def test_an_event_edit_cannot_strand_its_agenda(app, make, event, lyon):
    from app.domain import DomainError
    from app.events.services import EventInput, update_event

    organiser = make.user(Role.ADMIN)  # an administrator may move an event to another city
    services.create_from_template(organiser, event)
    db.session.commit()

    def edit(**changes):
        values = dict(theme_en=event.theme_en, theme_fr=event.theme_fr, host_city_id=event.host_city_id,
                      start_date=event.start_date, end_date=event.end_date, venue=event.venue,
                      format=event.format, online_url=event.online_url, slug=event.slug)
        values.update(changes)
        return update_event(organiser, event, EventInput(**values))

    with pytest.raises(DomainError, match="would fall outside the new dates") as refused:
        edit(start_date=DAY + timedelta(days=1))
    assert refused.value.field == "start_date"
    db.session.rollback()
    with pytest.raises(DomainError, match="another time zone"):
        edit(host_city_id=make.city("Amman", "Asia/Amman", "JO").id)
    db.session.rollback()
    edit(end_date=DAY + timedelta(days=2), theme_en="Longer now")  # items still inside: fine
    assert event.theme_en == "Longer now"


def test_moving_the_event_moves_the_agenda_with_it_when_asked_keeping_local_times(app, make):
    """Paris changes its clocks on 31 October 2027: 09:00 stays 09:00 on the other side of it."""
    from datetime import date

    from app.auth.models import Role
    from app.domain import DomainError
    from app.events.services import EventInput, update_event
    from app.timezones import utc_to_local

    paris = make.city("Paris", "Europe/Paris", "FR")
    organiser = make.user(Role.ORGANISER, paris)
    event = make.event(paris, EventState.DRAFT, start_date=date(2027, 10, 28), end_date=date(2027, 10, 29))
    item = make.agenda_item(event, "09:00", "10:30", day=1)

    def edit(shift: bool):
        return update_event(organiser, event, EventInput(
            theme_en=event.theme_en, theme_fr=event.theme_fr, host_city_id=paris.id, start_date=date(2027, 11, 4),
            end_date=date(2027, 11, 5), venue=event.venue, shift_with_dates=shift))

    with pytest.raises(DomainError) as refused:
        edit(shift=False)
    assert "Move the agenda with the dates" in str(refused.value.message)
    db.session.rollback()
    edit(shift=True)
    db.session.commit()
    db.session.refresh(item)
    local = utc_to_local(item.starts_at, "Europe/Paris")
    assert (local.date(), local.strftime("%H:%M"), utc_to_local(item.ends_at, "Europe/Paris").strftime("%H:%M")) == (
        date(2027, 11, 5), "09:00", "10:30")
    assert item.sequence == 1


def test_removing_an_item_asks_first_saying_how_many_people_are_told(app, client, make):
    from app.auth.models import Role
    from app.registration import signup
    from tests.registration.conftest import person

    lyon = make.city("Lyon", "Europe/Paris", "FR")
    organiser = make.user(Role.ORGANISER, lyon)
    event = make.event(lyon, EventState.OPEN, capacity=5)
    item = make.agenda_item(event, "09:00", "10:00", title_en="Opening", title_fr="Ouverture")
    signup.register(event, person("amal@example.net"), check_window=False)
    db.session.commit()
    make.login(client, organiser)
    url = f"/manage/events/{event.slug}/agenda/items/{item.id}/remove"
    page = client.get(f"{url}?lang=en")
    assert page.status_code == 200 and "1 person (confirmed participants" in page.text
    item_id = item.id
    assert client.post(url).status_code == 200, "not confirmed: asked again"
    assert db.session.get(AgendaItem, item_id) is not None
    assert client.post(url, data={"confirmed": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(AgendaItem, item_id) is None


def test_reordering_an_open_events_agenda_logs_the_new_times_and_not_an_unchanged_place(client, make, event):
    admin = make.user(Role.ADMIN)
    event.state = EventState.OPEN
    db.session.commit()
    make.agenda_item(event, "09:00", "09:30", title_en="Opening", title_fr="Ouverture", room="Cortile")
    lunch = make.agenda_item(event, "12:00", "13:00", title_en="Lunch", title_fr="Déjeuner", room="Cortile")
    services.move_item(admin, event, lunch, "up")
    db.session.commit()
    french = client.get(f"/events/{event.slug}/agenda?lang=fr").text
    assert "«\u00a0Déjeuner\u00a0»\u00a0: déplacement du" in french
    assert "Nouveau lieu" not in french and "Désormais" not in french


def test_the_item_forms_of_an_open_event_say_how_many_people_saving_emails(client, make):
    from app.registration import signup
    from tests.registration.conftest import person

    lyon = make.city("Lyon", "Europe/Paris", "FR")
    organiser = make.user(Role.ORGANISER, lyon)
    event = make.event(lyon, EventState.OPEN, capacity=5)
    item = make.agenda_item(event, "09:00", "10:00", title_en="Opening", title_fr="Ouverture")
    make.login(client, organiser)
    edit, new = f"/manage/events/{event.slug}/agenda/items/{item.id}", f"/manage/events/{event.slug}/agenda/items/new"
    assert 'id="who-is-told"' not in client.get(f"{edit}?lang=en").text, "nobody registered yet"
    for address in ("amal@example.net", "bruno@example.net"):
        signup.register(event, person(address), check_window=False)
    db.session.commit()
    assert "Saving emails this to 2 people (confirmed participants" in client.get(f"{edit}?lang=en").text
    assert "Enregistrer enverra ceci par courriel à 2 personnes (participants" in client.get(f"{new}?lang=fr").text
    event.state = EventState.DRAFT
    db.session.commit()
    assert 'id="who-is-told"' not in client.get(f"{edit}?lang=en").text, "nobody is emailed before it opens"
