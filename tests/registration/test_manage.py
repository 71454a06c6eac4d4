"""Organisers' pages: the participant table, export, decisions, check-in, erasure, settings."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.auth.models import Role
from app.events.models import EventFormat
from app.extensions import db
from app.registration.exports import neutralise
from app.registration.models import AttendanceMode, Registration, RegistrationSettings, RegistrationStatus
from tests.registration.conftest import assert_seats_consistent

S = RegistrationStatus


@pytest.fixture
def organiser(client, make):
    user = make.user(Role.ORGANISER, make.city("Lyon", "Europe/Paris", "FR"))
    make.login(client, user)
    return user


def _base(event):
    return f"/manage/events/{event.slug}/participants"


@pytest.mark.parametrize(("lang", "texts"), [
    ("en", ["Participants", "On the waiting list", "Export (CSV)", "0 of 2 places free"]),
    ("fr", ["Participants", "En liste d'attente", "Exporter (CSV)", "0 places libres sur 2"]),
])
def test_table_lists_counts_and_capacity(client, organiser, open_event, register, lang, texts):
    event = open_event(capacity=2, host=organiser.city)
    for name in ("Ana", "Bo", "Cy"):
        register(event, name=name)
    page = client.get(f"{_base(event)}/?lang={lang}").text.replace("&#39;", "'")
    for text in texts:
        assert text in page
    assert '<strong class="count-confirmed">2</strong>' in page
    assert '<strong class="count-waitlisted">1</strong>' in page
    assert "Ana" in page and "Cy" in page


def test_table_searches_and_filters(client, organiser, open_event, register):
    event = open_event(capacity=10, host=organiser.city, format=EventFormat.HYBRID)
    register(event, name="Amal Benali", organisation="Ville de Tunis", city="Tunis", attendance=AttendanceMode.ONLINE)
    register(event, name="Jean Dupont", organisation="Ville de Lyon", city="Lyon",
             attendance=AttendanceMode.IN_PERSON)
    register(event, name="Marta Ruiz", organisation="Ayuntamiento de Madrid", city="Madrid",
             attendance=AttendanceMode.IN_PERSON)

    def names(query):
        page = client.get(f"{_base(event)}/?{query}").text
        return {n for n in ("Amal Benali", "Jean Dupont", "Marta Ruiz") if n in page.split("<table")[-1]}

    assert names("q=dupont") == {"Jean Dupont"}
    assert names("q=VILLE") == {"Amal Benali", "Jean Dupont"}
    register(event, name="Sami Trabelsi", organisation="UNHCR", city="Sfax", attendance=AttendanceMode.ONLINE)
    page = client.get(f"{_base(event)}/?q=SFAX").text.split("<table")[-1]
    assert "Sami Trabelsi" in page and "Jean Dupont" not in page, "the search box finds a city too"
    assert names("city=Madrid") == {"Marta Ruiz"}
    assert names("organisation=Ville+de+Tunis") == {"Amal Benali"}
    assert names("attendance=in_person") == {"Jean Dupont", "Marta Ruiz"}
    assert names("status=waitlisted") == set()
    assert names("status=confirmed&attendance=online") == {"Amal Benali"}


def test_table_query_count_stays_constant(client, organiser, open_event, register, count_queries):
    event = open_event(capacity=3, host=organiser.city)
    register(event)
    with count_queries() as few:
        assert client.get(f"{_base(event)}/").status_code == 200
    for number in range(15):
        register(event, organisation=f"Org {number}", city=f"City {number}")
    with count_queries() as many:
        assert client.get(f"{_base(event)}/").status_code == 200
    assert len(many) == len(few)


def _csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so that Excel reads UTF-8"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_csv_export_neutralises_formulas(client, organiser, open_event, register):
    event = open_event(capacity=5, host=organiser.city)
    register(event, name="=HYPERLINK(\"http://evil\")", organisation="+33 1 23", position="@SUM(A1)",
             city="-2+3", dietary_needs="=cmd|' /C calc'!A0")
    rows = _csv_rows(client.get(f"{_base(event)}/export.csv?lang=en"))
    assert len(rows) == 1
    row = rows[0]
    assert row["Name"] == "'=HYPERLINK(\"http://evil\")"
    assert (row["Organisation"], row["Position"], row["City"], row["Dietary needs"]) == (
        "'+33 1 23", "'@SUM(A1)", "'-2+3", "'=cmd|' /C calc'!A0")
    assert row["Status"] == "Confirmed" and row["Email"].endswith("@example.org")


def test_csv_export_reads_as_people_write_in_the_viewers_language_and_the_events_time(
        client, organiser, open_event, register):
    event = open_event(capacity=5, host=organiser.city)
    registration = register(event, name="Zoé Müller", country_code="MA", preferred_language="fr",
                            dietary_needs="Végétarien")
    registration.created_at = datetime(2026, 7, 1, 8, 5, tzinfo=UTC)  # 10:05 in Lyon (summer time)
    registration.checked_in_at = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)  # 09:30 in Lyon (winter time)
    db.session.commit()
    row = _csv_rows(client.get(f"{_base(event)}/export.csv?lang=fr"))[0]
    assert row["Statut"] == "Confirmée" and row["Nom"] == "Zoé Müller" and row["Régime alimentaire"] == "Végétarien"
    assert row["Pays"] == "Maroc" and row["Langue"] == "français" and row["Participation"] == "En présentiel"
    assert row["Inscription (heure locale, Europe/Paris)"] == "2026-07-01 10:05"
    assert row["Arrivée (heure locale, Europe/Paris)"] == "2026-12-01 09:30"


def test_exports_follow_the_tables_filters(client, organiser, open_event, register):
    event = open_event(capacity=5, host=organiser.city)
    register(event, name="From Tunis", city="Tunis")
    register(event, name="From Lyon", city="Lyon")
    page = client.get(f"{_base(event)}/?city=Tunis").text
    assert f'href="{_base(event)}/export.csv?city=Tunis"' in page
    assert f'href="{_base(event)}/export.xlsx?city=Tunis"' in page
    assert [row["Name"] for row in _csv_rows(client.get(f"{_base(event)}/export.csv?city=Tunis&lang=en"))] == [
        "From Tunis"]
    sheet = load_workbook(io.BytesIO(client.get(f"{_base(event)}/export.xlsx?q=from+lyon").data)).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["From Lyon"]


def test_xlsx_export_has_labels_local_times_and_text_that_never_runs(client, organiser, open_event, register):
    event = open_event(capacity=5, host=organiser.city)
    registration = register(event, name="=1+1", organisation="Mairie d'Orléans")
    registration.created_at = datetime(2026, 7, 1, 8, 5, tzinfo=UTC)
    db.session.commit()
    response = client.get(f"{_base(event)}/export.xlsx?lang=fr")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "no-store" in response.headers["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Numéro", "Statut", "Nom"] and "Inscription (heure locale, Europe/Paris)" in header
    row = dict(zip(header, sheet[2], strict=True))
    assert row["Nom"].value == "=1+1" and row["Nom"].data_type == "s", "stored as text, not a formula"
    assert row["Organisation"].value == "Mairie d'Orléans"
    assert row["Inscription (heure locale, Europe/Paris)"].value == datetime(2026, 7, 1, 10, 5)
    assert row["Statut"].value == "Confirmée"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_neutralise_prefixes_every_formula_start(value):
    assert neutralise(value) == "'" + value
    assert neutralise("Lyon") == "Lyon" and neutralise(None) == ""


def test_organiser_approves_rejects_and_moves_from_the_waiting_list(client, organiser, open_event, register, changes):
    event = open_event(capacity=1, host=organiser.city, settings=dict(moderated=True))
    first, second, third = register(event), register(event), register(event)
    assert client.post(f"{_base(event)}/{first.id}/approve").status_code == 302
    assert client.post(f"{_base(event)}/{second.id}/approve").status_code == 302
    assert client.post(f"{_base(event)}/{third.id}/reject", data={"confirmed": "y"}).status_code == 302
    for registration in (first, second, third):
        db.session.refresh(registration)
    assert (first.status, second.status, third.status) == (S.CONFIRMED, S.WAITLISTED, S.REJECTED)
    # No seat free: moving from the waiting list is refused with a message.
    response = client.post(f"{_base(event)}/{second.id}/promote?lang=en", follow_redirects=True)
    assert "No place is free" in response.text
    event.capacity = 2
    db.session.commit()
    client.post(f"{_base(event)}/{second.id}/promote")
    db.session.refresh(second)
    assert second.status is S.CONFIRMED
    assert [c for _e, c in changes[3:]] == ["approved", "waitlisted", "rejected", "promoted"]
    assert_seats_consistent(event)


def test_check_in_from_the_qr_code_and_the_list(client, organiser, open_event, register):
    event = open_event(capacity=5, host=organiser.city)
    amal = register(event, name="Amal Benali")
    jean = register(event, name="Jean Dupont")
    page = client.get(f"{_base(event)}/{amal.id}/check-in?lang=en").text
    assert "Amal Benali" in page and "big-button" in page
    assert client.post(f"{_base(event)}/{amal.id}/check-in", data={"back": "check-in"}).status_code == 302
    db.session.refresh(amal)
    assert amal.checked_in_at is not None
    listing = client.get(f"{_base(event)}/check-in?q=jean&lang=fr").text
    assert "Jean Dupont" in listing and "Amal Benali" not in listing
    assert "Enregistrer l'arrivée" in listing.replace("&#39;", "'")
    client.post(f"{_base(event)}/{jean.id}/check-in")
    client.post(f"{_base(event)}/{amal.id}/undo-check-in")
    db.session.refresh(amal)
    db.session.refresh(jean)
    assert amal.checked_in_at is None and jean.checked_in_at is not None


def test_waitlisted_people_cannot_be_checked_in(client, organiser, open_event, register):
    event = open_event(capacity=1, host=organiser.city)
    register(event)
    waiting = register(event)
    page = client.get(f"{_base(event)}/{waiting.id}/check-in?lang=en").text
    assert "do not check them in" in page
    response = client.post(f"{_base(event)}/{waiting.id}/check-in?lang=en", follow_redirects=True)
    assert "Only confirmed participants can be checked in." in response.text
    db.session.refresh(waiting)
    assert waiting.checked_in_at is None


def test_erasure_needs_confirmation_and_keeps_counts(client, organiser, open_event, register):
    event = open_event(capacity=1, host=organiser.city)
    leaving, waiting = register(event, name="Leaving Person"), register(event)
    client.post(f"{_base(event)}/{leaving.id}/erase", data={})
    db.session.refresh(leaving)
    assert not leaving.is_erased
    assert client.post(f"{_base(event)}/{leaving.id}/erase", data={"confirmed": "y"}).status_code == 302
    db.session.refresh(leaving)
    db.session.refresh(waiting)
    assert leaving.is_erased and leaving.email is None and waiting.status is S.CONFIRMED
    page = client.get(f"{_base(event)}/?lang=en").text
    assert "Leaving Person" not in page and "(erased)" in page
    assert '<strong class="count-cancelled">1</strong>' in page and '<strong class="count-confirmed">1</strong>' in page
    assert_seats_consistent(event)


def test_settings_switch_to_offers_and_online_places(client, organiser, open_event, register):
    event = open_event(capacity=1, host=organiser.city, format=EventFormat.HYBRID,
                       settings=dict(online_capacity=1))
    register(event, attendance=AttendanceMode.ONLINE)
    waiting = register(event, attendance=AttendanceMode.ONLINE)
    bad = client.post(f"{_base(event)}/settings?lang=fr", data={"promotion": "offer", "offer_hours": "0"})
    assert bad.status_code == 422 and 'id="offer_hours-error"' in bad.text
    response = client.post(f"{_base(event)}/settings", data={"promotion": "offer", "offer_hours": "24",
                                                             "online_capacity": "2", "public_list": "y"})
    assert response.status_code == 302
    settings = db.session.get(RegistrationSettings, event.id)
    db.session.refresh(settings)
    assert (settings.promotion.value, settings.offer_hours, settings.online_capacity) == ("offer", 24, 2)
    db.session.refresh(waiting)
    assert waiting.status is S.OFFERED, "a new online place is offered to the first waiting"


def test_organiser_of_another_city_is_refused_everywhere(client, make, open_event, register):
    event = open_event(capacity=5)
    registration = register(event)
    stranger = make.user(Role.ORGANISER, make.city("Tunis", "Africa/Tunis", "TN"))
    make.login(client, stranger)
    for path in ("/", "/export.csv", "/check-in", "/settings", f"/{registration.id}", f"/{registration.id}/check-in"):
        assert client.get(_base(event) + path).status_code == 403, path
    for action in ("approve", "reject", "promote", "check-in", "undo-check-in", "new-link", "erase"):
        assert client.post(f"{_base(event)}/{registration.id}/{action}", data={"confirmed": "y"}).status_code == 403
    db.session.refresh(registration)
    assert registration.status is S.CONFIRMED and not registration.is_erased


def test_a_registration_of_another_event_is_not_found(client, organiser, open_event, register):
    mine = open_event(capacity=5, host=organiser.city)
    other = open_event(capacity=5, host=organiser.city)
    registration = register(other)
    assert client.get(f"{_base(mine)}/{registration.id}").status_code == 404
    assert client.post(f"{_base(mine)}/{registration.id}/reject", data={"confirmed": "y"}).status_code == 404
    assert db.session.scalar(select(Registration.status)) is S.CONFIRMED


def test_raising_the_capacity_then_filling_gives_places_in_order(client, organiser, open_event, register, changes):
    event = open_event(capacity=1, host=organiser.city)
    register(event)
    first, second, third = register(event), register(event), register(event)
    event.capacity = 3  # as the organiser does on the event's edit page
    db.session.commit()
    page = client.get(f"{_base(event)}/?lang=en").text
    assert "Give the free places to the waiting list" in page
    response = client.post(f"{_base(event)}/fill?lang=en", follow_redirects=True)
    assert "Given a place from the waiting list: 2." in response.text
    for registration in (first, second, third):
        db.session.refresh(registration)
    assert (first.status, second.status, third.status) == (S.CONFIRMED, S.CONFIRMED, S.WAITLISTED)
    assert [c for _e, c in changes[-2:]] == ["promoted", "promoted"]
    assert "Give the free places" not in client.get(f"{_base(event)}/?lang=en").text
    assert_seats_consistent(event)


def test_rejecting_asks_first_saying_who_is_told_and_where_the_place_goes(client, organiser, open_event, register):
    event = open_event(capacity=1, host=organiser.city)
    held, _waiting = register(event, name="Amal Benali"), register(event, name="Bruno Costa")
    page = client.get(f"{_base(event)}/{held.id}/reject?lang=en")
    assert page.status_code == 200
    assert "Registration not accepted" in page.text and "removed from their calendar" in page.text
    assert "first person on the waiting list: Bruno Costa" in page.text
    assert client.post(f"{_base(event)}/{held.id}/reject").status_code == 200  # not confirmed: asked again
    db.session.refresh(held)
    assert held.status is S.CONFIRMED
    french = client.get(f"{_base(event)}/{held.id}/reject?lang=fr").text
    assert "Refuser Amal Benali\u00a0?" in french


def test_a_rejection_undone_before_its_email_leaves_is_never_sent(client, organiser, open_event, register):
    from sqlalchemy import select

    from app.mail.models import OutboxMessage, OutboxStatus
    from app.mail.services import WITHDRAWN

    event = open_event(capacity=2, host=organiser.city)
    registration = register(event, email="amal@example.net")
    assert client.post(f"{_base(event)}/{registration.id}/reject", data={"confirmed": "y"}).status_code == 302
    assert client.post(f"{_base(event)}/{registration.id}/restore").status_code == 302
    db.session.refresh(registration)
    assert registration.status is S.CONFIRMED
    messages = {m.kind: m for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_email == "amal@example.net"))}
    assert messages["registration_rejected"].status is OutboxStatus.FAILED
    assert messages["registration_rejected"].last_error == WITHDRAWN
    assert messages["registration_approved"].status is OutboxStatus.QUEUED
    # Restoring again is refused: the registration is active.
    response = client.post(f"{_base(event)}/{registration.id}/restore?lang=en", follow_redirects=True)
    assert "Only a rejected or cancelled registration can be restored." in response.text


def test_check_in_shows_how_many_arrived_and_each_persons_needs(client, organiser, open_event, register):
    event = open_event(capacity=10, host=organiser.city, format=EventFormat.HYBRID)
    amal = register(event, name="Amal Benali", dietary_needs="Halal", accessibility_needs="Step-free access",
                    attendance=AttendanceMode.IN_PERSON)
    register(event, name="Jean Dupont", attendance=AttendanceMode.IN_PERSON)
    register(event, name="Aaron Online", attendance=AttendanceMode.ONLINE)  # never expected at the door
    listing = client.get(f"{_base(event)}/check-in?lang=en").text
    assert "0 of 2 arrived" in listing
    amal_row = listing.split("Amal Benali")[1].split("</li>")[0]
    assert "Dietary needs:" in amal_row and "Halal" in amal_row
    assert "Accessibility needs:" in amal_row and "Step-free access" in amal_row
    assert "Dietary needs" not in listing.split("Jean Dupont")[1].split("</li>")[0]
    # The list says why the count leaves someone out: the online participant comes last, marked.
    assert listing.index("Jean Dupont") < listing.index("Aaron Online"), "by name, he would come first"
    assert "Takes part online" in listing.split("Aaron Online")[1].split("</li>")[0]
    assert "Takes part online" not in listing.split("Jean Dupont")[1].split("</li>")[0]
    client.post(f"{_base(event)}/{amal.id}/check-in")
    assert "1 of 2 arrived" in client.get(f"{_base(event)}/check-in?lang=en").text
    page = client.get(f"{_base(event)}/{amal.id}/check-in?lang=fr").text
    assert "Halal" in page and "Step-free access" in page and "Régime alimentaire\u00a0:" in page
    assert "1 personne arrivée sur 2" in page
