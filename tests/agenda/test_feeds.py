"""Calendar feeds of an event's agenda and of the whole network, checked by three parsers."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from app.agenda import services
from app.agenda.calendar import agenda_item_vevent
from app.agenda.models import ItemKind
from app.auth.models import Role
from app.events.models import EventState
from app.extensions import db
from tests.ical_check import assert_check_ics

# zone, first day, and the UTC instant of 09:00 on the first and second day.
ZONES = [
    # Across the European autumn change: +02 on Saturday, +01 on Sunday.
    ("Lyon", "Europe/Paris", "FR", date(2027, 10, 30), "2027-10-30T07:00:00Z", "2027-10-31T08:00:00Z"),
    # Amman has kept +03 all year since 2022.
    ("Amman", "Asia/Amman", "JO", date(2027, 1, 12), "2027-01-12T06:00:00Z", "2027-01-13T06:00:00Z"),
    # Casablanca during Ramadan 2027 is on +00 (and +01 otherwise).
    ("Tangier", "Africa/Casablanca", "MA", date(2027, 2, 20), "2027-02-20T09:00:00Z", "2027-02-21T09:00:00Z"),
]


def _open_event(make, city_name, zone, country, first_day, **fields):
    city = make.city(city_name, zone, country)
    return make.event(city, EventState.OPEN, start_date=first_day, end_date=first_day + timedelta(days=1), **fields)


def _parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


@pytest.mark.parametrize(("city", "zone", "country", "first_day", "day1", "day2"), ZONES)
def test_event_feed_is_read_alike_by_all_parsers(client, make, tmp_path, city, zone, country, first_day, day1, day2):
    event = _open_event(make, city, zone, country, first_day)
    items = services.create_from_template(make.user(Role.ADMIN), event)
    db.session.commit()
    response = client.get(f"/events/{event.slug}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    path = tmp_path / "feed.ics"
    path.write_bytes(response.data)
    opening, visit = items[0], items[3]
    assert visit.kind is ItemKind.FIELD_VISIT
    assert_check_ics(path, f"agenda-item-{opening.id}@mc2cm-events.local={day1}",
                     f"agenda-item-{visit.id}@mc2cm-events.local={day2}")
    calendar = _parse(response.data)
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 6
    first = next(v for v in vevents if str(v["UID"]) == f"agenda-item-{opening.id}@mc2cm-events.local")
    assert str(first["SUMMARY"]) in ("Opening / Ouverture", "Ouverture / Opening")
    assert "DTSTAMP" in first and first["SEQUENCE"] == 0
    assert str(first["URL"]).endswith(f"/events/{event.slug}/agenda")
    assert "Hôtel de Ville" in str(first["LOCATION"])
    if zone == "Africa/Casablanca":
        assert b"TZID" not in response.data and calendar.walk("VTIMEZONE") == []
    else:
        assert f"DTSTART;TZID={zone}:".encode() in response.data
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [zone]


def test_feed_language_order_follows_the_viewer(client, make):
    event = _open_event(make, "Lyon", "Europe/Paris", "FR", date(2027, 5, 4))
    make.agenda_item(event, title_en="Opening", title_fr="Ouverture", description_en="Welcome.",
                     description_fr="Bienvenue.")
    french = _parse(client.get(f"/events/{event.slug}/calendar.ics?lang=fr").data).walk("VEVENT")[0]
    assert str(french["SUMMARY"]) == "Ouverture / Opening"
    assert str(french["DESCRIPTION"]).startswith("Bienvenue.\n\nWelcome.")


def test_sequence_rises_when_time_or_place_changes_and_uid_stays(client, make, tmp_path):
    event = _open_event(make, "Lyon", "Europe/Paris", "FR", date(2027, 10, 30))
    admin = make.user(Role.ADMIN)
    data = services.ItemInput(ItemKind.SESSION, "Session", "Séance", datetime(2027, 10, 30, 9),
                              datetime(2027, 10, 30, 10), room="Room 1")
    item = services.add_item(admin, event, data).item
    db.session.commit()
    before = _parse(client.get(f"/events/{event.slug}/calendar.ics").data).walk("VEVENT")[0]
    data.starts_local, data.ends_local = datetime(2027, 10, 31, 9), datetime(2027, 10, 31, 10)
    services.update_item(admin, event, item, data)
    db.session.commit()
    response = client.get(f"/events/{event.slug}/calendar.ics")
    after = _parse(response.data).walk("VEVENT")[0]
    assert after["UID"] == before["UID"]
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    path = tmp_path / "moved.ics"
    path.write_bytes(response.data)
    assert_check_ics(path, f"{after['UID']}=2027-10-31T08:00:00Z")


def test_no_injection_through_titles(client, make, tmp_path):
    event = _open_event(make, "Lyon", "Europe/Paris", "FR", date(2027, 6, 1))
    hostile = "Panel\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x\r\nSUMMARY:injected"
    make.agenda_item(event, title_en=hostile, title_fr="Table ronde\nBEGIN:VEVENT", room="Salle; A,\nB",
                     description_en="Line one\nBEGIN:VALARM")
    response = client.get(f"/events/{event.slug}/calendar.ics")
    path = tmp_path / "hostile.ics"
    path.write_bytes(response.data)
    assert_check_ics(path)
    lines = response.data.decode().split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1 and "UID:evil@x" not in lines
    (vevent,) = _parse(response.data).walk("VEVENT")
    assert str(vevent["SUMMARY"]).startswith("Panel\nEND:VEVENT\nBEGIN:VEVENT")


def test_add_to_calendar_gives_one_item(client, make, tmp_path):
    event = _open_event(make, "Amman", "Asia/Amman", "JO", date(2027, 1, 12))
    item = make.agenda_item(event, "14:00", "15:30")
    make.agenda_item(event, "16:00", "17:00")
    response = client.get(f"/events/{event.slug}/agenda/{item.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{event.slug}-{item.id}.ics"'
    path = tmp_path / "item.ics"
    path.write_bytes(response.data)
    assert_check_ics(path, f"agenda-item-{item.id}@mc2cm-events.local=2027-01-12T11:00:00Z")
    assert len(_parse(response.data).walk("VEVENT")) == 1


def test_event_without_agenda_is_one_all_day_event(client, make):
    event = _open_event(make, "Lyon", "Europe/Paris", "FR", date(2027, 6, 1))
    (vevent,) = _parse(client.get(f"/events/{event.slug}/calendar.ics").data).walk("VEVENT")
    assert vevent["DTSTART"].dt == date(2027, 6, 1) and vevent["DTEND"].dt == date(2027, 6, 3)
    assert str(vevent["UID"]) == f"event-{event.id}@mc2cm-events.local"


def test_uid_domain_is_configurable(app, make):
    event = _open_event(make, "Lyon", "Europe/Paris", "FR", date(2027, 6, 1))
    item = make.agenda_item(event)
    vevent = agenda_item_vevent(item, ("fr", "en"), uid_domain="events.mc2cm.example")
    assert str(vevent["UID"]) == f"agenda-item-{item.id}@events.mc2cm.example"


def test_network_feed_lists_every_public_event(client, make, tmp_path):
    shown = [_open_event(make, city, zone, country, first_day) for city, zone, country, first_day, *_ in ZONES]
    cancelled = _open_event(make, "Lyon", "Europe/Paris", "FR", date(2027, 9, 1), theme_en="Called off")
    cancelled.state = EventState.CANCELLED
    draft = make.event(make.city("Lyon"), EventState.DRAFT, theme_en="Secret draft")
    month_only = make.event(make.city("Lyon"), EventState.FINISHED, start_date=date(2021, 3, 1),
                            end_date=date(2021, 3, 1), month_only=True, theme_en="Known by month")
    db.session.commit()
    response = client.get("/calendar.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    path = tmp_path / "network.ics"
    path.write_bytes(response.data)
    assert_check_ics(path)
    vevents = {str(v["UID"]): v for v in _parse(response.data).walk("VEVENT")}
    assert set(vevents) == {f"event-{e.id}@mc2cm-events.local" for e in [*shown, cancelled]}
    assert str(vevents[f"event-{cancelled.id}@mc2cm-events.local"]["STATUS"]) == "CANCELLED"
    assert draft.theme_en.encode() not in response.data and month_only.theme_en.encode() not in response.data
    lyon = vevents[f"event-{shown[0].id}@mc2cm-events.local"]
    assert lyon["DTSTART"].dt == date(2027, 10, 30) and lyon["DTEND"].dt == date(2027, 11, 1)
    assert str(lyon["URL"]).endswith(f"/events/{shown[0].slug}/")


def test_feed_dtstamp_is_utc(app, make):
    event = _open_event(make, "Lyon", "Europe/Paris", "FR", date(2027, 6, 1))
    item = make.agenda_item(event)
    vevent = agenda_item_vevent(item)
    stamp = vevent["DTSTAMP"].dt
    assert stamp.utcoffset() == timedelta(0) and stamp == item.updated_at.astimezone(UTC)


def test_a_previewed_draft_feed_is_never_stored_by_shared_caches(client, make):
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    draft = make.event(lyon, EventState.DRAFT)
    public = make.event(lyon, EventState.OPEN)
    assert client.get(f"/events/{public.slug}/calendar.ics").headers["Cache-Control"] == "public, max-age=300"
    assert client.get(f"/events/{draft.slug}/calendar.ics").status_code == 404
    make.login(client, make.user(Role.ORGANISER, lyon))
    assert client.get(f"/events/{draft.slug}/calendar.ics").headers["Cache-Control"] == "private, no-store"


def test_the_presenters_line_agrees_with_their_number_and_is_spaced_in_french(app, make):
    from app.agenda.models import AgendaPresenter

    event = _open_event(make, "Turin", "Europe/Rome", "IT", date(2027, 6, 1))
    item = make.agenda_item(event)
    db.session.add(AgendaPresenter(item_id=item.id, position=0, name="Giulia Rossi", city="Torino"))
    db.session.commit()
    description = str(agenda_item_vevent(item, ("fr", "en"))["DESCRIPTION"])
    assert "Intervenant\u00a0: Giulia Rossi, Torino" in description
    assert "Presenter: Giulia Rossi, Torino" in description and "Intervenants" not in description
    db.session.add(AgendaPresenter(item_id=item.id, position=1, name="Ana Ruiz"))
    db.session.commit()
    db.session.refresh(item)
    description = str(agenda_item_vevent(item, ("fr", "en"))["DESCRIPTION"])
    assert "Intervenants\u00a0: Giulia Rossi, Torino\u00a0; Ana Ruiz" in description
    assert "Presenters: Giulia Rossi, Torino; Ana Ruiz" in description
