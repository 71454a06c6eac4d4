"""What organisers do: describe visits (bad input refused next to its field, in both languages), the
agenda slot a visit fills, event edits that would strand a visit, who goes, CSV, check-in."""

import csv
import html
import io
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.agenda.models import ItemKind
from app.domain import DomainError
from app.events.models import EventFormat
from app.events.services import EventInput, update_event
from app.extensions import db
from app.field_visit import services, signups
from app.field_visit.models import FieldVisit, SignupStatus
from app.field_visit.services import StopInput
from app.registration.tokens import make_token
from tests.field_visit.conftest import visit_input


def _form(event, day=1, **fields) -> dict:
    on = (event.start_date + timedelta(days=day)).isoformat()
    data = {
        "title_en": "The Guillotière", "title_fr": "La Guillotière", "meets_at": f"{on}T14:00",
        "returns_at": f"{on}T17:30", "meeting_point": "Place Gabriel Péri",
        "meeting_address": "Place Gabriel Péri, 69007 Lyon", "capacity": "10", "reserved": "0",
        "guide_languages": ["fr", "en"], "agenda_item_id": "",
        "stops-0-place": "Letter-writer", "stops-0-address": "12 rue de Marseille, 69007 Lyon",
        "stops-0-at": f"{on}T14:30",
    }
    data.update(fields)
    return data


def test_organiser_adds_a_visit_with_its_stops(client, make, event, organiser):
    make.login(client, organiser)
    response = client.post(f"/manage/events/{event.slug}/field-visit/new?lang=en", data=_form(event))
    assert response.status_code == 302, response.text
    visit = db.session.scalars(select(FieldVisit)).one()
    assert [s.place for s in visit.stops] == ["Letter-writer"]
    assert visit.languages == ["fr", "en"]
    page = client.get(f"/manage/events/{event.slug}/field-visit?lang=en").text
    assert "The Guillotière" in page and "Going: 0" in page


@pytest.mark.parametrize(("lang", "fields", "field", "message"), [
    ("en", {"stops-0-at": "2001-01-01T10:00"}, "stops", "Stop 1: its time must fall during the event"),
    ("fr", {"stops-0-at": "2001-01-01T10:00"}, "stops", "Étape 1\u00a0: son heure doit tomber pendant l'événement"),
    ("en", {"returns_at": None}, "returns_at", "The return must come after the meeting time."),
    ("fr", {"returns_at": None}, "returns_at", "Le retour doit venir après l'heure du rendez-vous."),
    ("en", {"online_url": "http://tour.example.org/x"}, "online_url", "Give a secure web address"),
    ("fr", {"online_url": "http://tour.example.org/x"}, "online_url", "Donnez une adresse web sécurisée"),
    ("en", {"meets_at": "2001-01-01T10:00", "returns_at": "2001-01-01T12:00"}, "meets_at",
     "Choose a time during the event"),
])
def test_bad_input_is_refused_next_to_its_field(client, make, event, organiser, lang, fields, field, message):
    make.login(client, organiser)
    data = _form(event, **fields)
    if fields.get("returns_at", "") is None:
        data["returns_at"] = data["meets_at"].replace("T14:00", "T13:00")
    response = client.post(f"/manage/events/{event.slug}/field-visit/new?lang={lang}", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert db.session.scalar(select(FieldVisit.id)) is None


def test_capacity_below_those_signed_up_is_refused(client, make, event, organiser, new_visit, participant):
    visit = new_visit(event, capacity=5)
    for _ in range(3):
        signups.sign_up(participant(event), visit)
    db.session.commit()
    make.login(client, organiser)
    response = client.post(f"/manage/events/{event.slug}/field-visit/{visit.id}?lang=en",
                           data=_form(event, capacity="4", reserved="2"))
    assert response.status_code == 422
    assert "3 participants already hold a place" in response.text and 'id="capacity-error"' in response.text
    db.session.refresh(visit)
    assert visit.capacity == 5


def test_more_places_go_to_the_waiting_list(event, organiser, new_visit, participant):
    visit = new_visit(event, capacity=1)
    people = [participant(event) for _ in range(3)]
    rows = [signups.sign_up(p, visit) for p in people]
    services.update_visit(organiser, event, visit, visit_input(event, capacity=2))
    db.session.commit()
    for row in rows:
        db.session.refresh(row)
    assert [r.status for r in rows] == [SignupStatus.CONFIRMED, SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]


def test_only_the_event_organisers_change_visits(make, event, new_visit):
    from app.auth.models import Role
    from app.domain import PermissionDenied

    visit = new_visit(event)
    stranger = make.user(Role.ORGANISER, make.city("Tunis", "Africa/Tunis", "TN"))
    with pytest.raises(PermissionDenied):
        services.update_visit(stranger, event, visit, visit_input(event))
    with pytest.raises(PermissionDenied):
        services.create_visit(stranger, event, visit_input(event))


def test_the_template_field_visit_item_becomes_the_visit_slot(client, make, event, organiser):
    from app.agenda.services import create_from_template

    create_from_template(organiser, event)
    db.session.commit()
    slot = next(i for i in event_items(event) if i.kind is ItemKind.FIELD_VISIT)
    assert services.free_template_slot(event) == slot.id
    make.login(client, organiser)
    form_page = client.get(f"/manage/events/{event.slug}/field-visit/new?lang=en").text
    assert f'<option selected value="{slot.id}">' in form_page
    day = event.start_date + timedelta(days=1)
    client.post(f"/manage/events/{event.slug}/field-visit/new?lang=en",
                data=_form(event, agenda_item_id=str(slot.id), meets_at=f"{day}T08:45"))
    visit = db.session.scalars(select(FieldVisit)).one()
    assert visit.agenda_item_id == slot.id
    agenda = client.get(f"/events/{event.slug}/agenda?lang=en").text
    # The slot shows the visit, at the visit's times (08:45, not the template's 09:00).
    assert "The Guillotière" in agenda and "08:45" in agenda and "Meeting point:" in agenda
    feed = client.get(f"/events/{event.slug}/calendar.ics").text
    assert f"UID:field-visit-{visit.id}@" in feed
    assert f"UID:agenda-item-{slot.id}@" not in feed  # one copy, not two
    assert feed.count("BEGIN:VEVENT") == len(event_items(event))


def event_items(event):
    from app.agenda.queries import items_of

    return items_of(event)


def test_an_event_edit_may_not_strand_its_visits(event, organiser, new_visit):
    new_visit(event, day=1)
    data = EventInput(theme_en=event.theme_en, theme_fr=event.theme_fr, host_city_id=event.host_city_id,
                      start_date=event.start_date, end_date=event.start_date, format=event.format,
                      venue=event.venue, capacity=event.capacity)
    with pytest.raises(DomainError, match="field visit") as refused:
        update_event(organiser, event, data)
    assert refused.value.field == "start_date"


def test_who_goes_csv_and_check_in(client, make, event, organiser, new_visit, participant):
    visit = new_visit(event, capacity=1, meal_included=True)
    going = participant(event, name="=HYPERLINK(\"x\")", accessibility_needs="No stairs please",
                        dietary_needs="Vegetarian")
    waiting = participant(event, name="Zoé Waiting")
    going_row = signups.sign_up(going, visit)
    signups.sign_up(waiting, visit)
    db.session.commit()
    make.login(client, organiser)
    page = client.get(f"/manage/events/{event.slug}/field-visit/{visit.id}/people?lang=en").text
    assert "No stairs please" in page and "Vegetarian" in page and "Zoé Waiting" in page
    response = client.get(f"/manage/events/{event.slug}/field-visit/{visit.id}/people.csv?lang=en")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["Name", "Organisation", "City", "Status", "Accessibility needs"]
    assert "Dietary needs" in rows[0]
    assert rows[1][0].startswith("'=")  # a formula is neutralised
    check_in = client.get(f"/manage/events/{event.slug}/field-visit/{visit.id}/check-in?lang=en").text
    assert "Zoé Waiting" not in check_in  # only those with a place
    client.post(f"/manage/events/{event.slug}/field-visit/{visit.id}/check-in/{going_row.id}")
    db.session.refresh(going_row)
    assert going_row.checked_in_at is not None
    client.post(f"/manage/events/{event.slug}/field-visit/{visit.id}/check-in/{going_row.id}/undo")
    db.session.refresh(going_row)
    assert going_row.checked_in_at is None


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_online_only_event_offers_no_check_in_at_the_meeting_point(client, make, event, organiser, new_visit,
                                                                     lang):
    visit = new_visit(event)
    make.login(client, organiser)
    check_in = f"/field-visit/{visit.id}/check-in"
    pages = [f"/manage/events/{event.slug}/field-visit?lang={lang}",
             f"/manage/events/{event.slug}/field-visit/{visit.id}/people?lang={lang}"]
    assert all(check_in in client.get(page).text for page in pages)
    event.format = EventFormat.DIGITAL
    db.session.commit()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200 and check_in not in response.text, page


def test_closing_and_reopening_sign_up(client, make, event, organiser, new_visit):
    visit = new_visit(event)
    make.login(client, organiser)
    client.post(f"/manage/events/{event.slug}/field-visit/{visit.id}/sign-up", data={"open": "0"})
    db.session.refresh(visit)
    assert visit.signup_open is False
    client.post(f"/manage/events/{event.slug}/field-visit/{visit.id}/sign-up", data={"open": "1"})
    db.session.refresh(visit)
    assert visit.signup_open is True


def test_removing_a_visit_cancels_it_in_the_calendars_of_those_going(event, organiser, new_visit, participant):
    from app.mail.models import OutboxMessage

    visit = new_visit(event)
    person = participant(event)
    signups.sign_up(person, visit)
    services.remove_visit(organiser, event, visit)
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "field_visit_cancelled")).one()
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "field_visit_left")) is None
    assert message.ics_method == "CANCEL" and "will not take place" in message.text_body
    # Not "your place is freed": the visit is not happening at all.
    assert message.subject.startswith("The field visit will not take place: ")
    assert "is freed" not in message.subject


def test_removing_a_visit_tells_those_on_its_waiting_list_and_those_offered_a_place(
        event, organiser, new_visit, participant):
    """Their rows go with the visit: without a message they would never learn it."""
    from app.field_visit.models import EndReason
    from app.field_visit.places import end_signup
    from app.mail.models import OutboxMessage
    from tests.field_visit.conftest import offer_policy

    offer_policy(event)
    visit = new_visit(event, capacity=2)
    leaving, going, offered, waiting_en, waiting_fr = (participant(event), participant(event), participant(event),
                                                      participant(event), participant(event, language="fr"))
    rows = [signups.sign_up(p, visit) for p in (leaving, going, offered, waiting_en, waiting_fr)]
    end_signup(rows[0], EndReason.CHANGED_MIND, rows[0].updated_at)  # the freed place is offered to the next
    db.session.commit()
    assert [r.status for r in rows[1:]] == [SignupStatus.CONFIRMED, SignupStatus.OFFERED, SignupStatus.WAITLISTED,
                                            SignupStatus.WAITLISTED]
    before = db.session.scalar(select(db.func.max(OutboxMessage.id)))
    services.remove_visit(organiser, event, visit)
    db.session.commit()
    told = {m.recipient_email: m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > before))}
    assert set(told) == {p.email for p in (going, offered, waiting_en, waiting_fr)}
    assert {m.kind for m in told.values()} == {"field_visit_cancelled"}
    assert told[going.email].ics_method == "CANCEL"
    assert "The place offered to you on it is withdrawn" in told[offered.email].text_body
    english = told[waiting_en.email]
    assert english.ics_method is None
    assert "will not take place" in english.text_body and "You were on its waiting list" in english.text_body
    french = told[waiting_fr.email]
    assert "n'aura pas lieu" in french.text_body and "Vous étiez sur sa liste d'attente" in french.text_body
    assert french.subject.startswith("La visite de terrain n'aura pas lieu\u00a0: ")
    assert "libérée" not in french.subject and "freed" not in english.subject


@pytest.mark.parametrize(("lang", "told", "nobody"), [
    ("en", ["These people are emailed that the visit will not take place:",
            "1 person with a place, with a cancellation for their calendar;",
            "2 people waiting for a place (on its waiting list, or offered one)."],
     "Nobody is emailed: nobody holds a place on the visit or waits for one."),
    ("fr", ["Ces personnes sont prévenues par courriel que la visite n'aura pas lieu\u00a0:",
            "1 personne qui a une place, avec une annulation pour son agenda\u00a0;",
            "2 personnes qui attendent une place (sur sa liste d'attente, ou à qui une place est proposée)."],
     "Personne n'est prévenu par courriel\u00a0: personne n'a de place pour cette visite ni n'en attend une."),
])
def test_removing_a_visit_asks_first_saying_who_is_emailed(client, make, event, organiser, new_visit, participant,
                                                           lang, told, nobody):
    from app.mail.models import OutboxMessage

    visit = new_visit(event, capacity=1)
    for _ in range(3):
        signups.sign_up(participant(event), visit)
    empty = new_visit(event, day=0, title_en="Empty", title_fr="Vide")
    db.session.commit()
    make.login(client, organiser)
    index = client.get(f"/manage/events/{event.slug}/field-visit?lang={lang}").text
    url = f"/manage/events/{event.slug}/field-visit/{visit.id}/remove"
    assert f'href="{url}"' in index and f'action="{url}"' not in index, "the list links to the question"
    page = client.get(f"{url}?lang={lang}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for line in told:
        assert line in text
    assert nobody in html.unescape(client.get(
        f"/manage/events/{event.slug}/field-visit/{empty.id}/remove?lang={lang}").text)
    visit_id = visit.id
    assert client.post(f"{url}?lang={lang}").status_code == 200, "not confirmed: asked again"
    assert db.session.get(FieldVisit, visit_id) is not None
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "field_visit_cancelled")) is None
    assert client.post(f"{url}?lang={lang}", data={"confirmed": "y"}).status_code == 302
    # The question said « Retirer » (remove): the answer says the same verb.
    done = {"en": "Visit removed.", "fr": "Visite retirée."}[lang]
    assert done in html.unescape(client.get(f"/manage/events/{event.slug}/field-visit?lang={lang}").text)
    db.session.expire_all()
    assert db.session.get(FieldVisit, visit_id) is None
    cancelled = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "field_visit_cancelled")).all()
    assert len(cancelled) == 3


def _moving_onto_the_morning(event, new_visit, participant):
    """Morning 09:00–12:00 and afternoon 14:00–17:00 (2 places): who signed up where, in this order."""
    morning = new_visit(event, start="09:00", end="12:00", title_en="Morning", title_fr="Matin")
    afternoon = new_visit(event, start="14:00", end="17:00", capacity=2, title_en="Afternoon", title_fr="Après-midi")
    afternoon_first = participant(event, name="Zoé Afternoon-First", language="fr")
    morning_first = participant(event, name="Ali Morning-First")
    waiting = participant(event, name="Wassim Waiting")
    waiting_both = participant(event, name="Nadia Waiting-Too")
    for person, visit in ((afternoon_first, afternoon), (morning_first, morning), (morning_first, afternoon),
                          (afternoon_first, morning), (waiting_both, morning), (waiting_both, afternoon),
                          (waiting, afternoon)):
        signups.sign_up(person, visit)
    db.session.commit()
    return morning, afternoon, dict(afternoon_first=afternoon_first, morning_first=morning_first, waiting=waiting,
                                    waiting_both=waiting_both)


def _statuses(visit) -> dict[str, SignupStatus]:
    from app.field_visit.models import VisitSignup

    return {s.registration.name: s.status for s in db.session.scalars(
        select(VisitSignup).where(VisitSignup.visit_id == visit.id))}


def test_moving_a_visit_onto_another_asks_first_then_each_keeps_the_one_signed_up_first(
        event, organiser, new_visit, participant):
    from app.field_visit.models import EndReason
    from app.mail.models import OutboxMessage

    morning, afternoon, people = _moving_onto_the_morning(event, new_visit, participant)
    was = afternoon.meets_at
    with pytest.raises(DomainError) as refused:
        services.update_visit(organiser, event, afternoon, visit_input(event, start="11:00", end="13:00",
                                                                       capacity=2, title_en="Afternoon"))
    db.session.rollback()
    error = refused.value.all_errors[0]
    assert error.confirm_field == "overlap_confirmed" and error.field == "meets_at"
    message = str(error.message)
    assert "3 people" in message
    assert all(name in message for name in ("Zoé Afternoon-First", "Ali Morning-First", "Nadia Waiting-Too"))
    assert "Wassim Waiting" not in message
    db.session.refresh(afternoon)
    assert afternoon.meets_at == was and "Wassim Waiting" in _statuses(afternoon)
    before = db.session.scalar(select(db.func.max(OutboxMessage.id)))

    services.update_visit(organiser, event, afternoon, visit_input(event, start="11:00", end="13:00", capacity=2,
                                                                   title_en="Afternoon", title_fr="Après-midi",
                                                                   overlap_confirmed=True))
    db.session.commit()
    assert _statuses(morning) == {"Zoé Afternoon-First": SignupStatus.LEFT, "Ali Morning-First": SignupStatus.CONFIRMED,
                                  "Nadia Waiting-Too": SignupStatus.CONFIRMED}
    # Nadia, first on the afternoon's waiting list, left it before Ali's place was freed: the place
    # went to Wassim, and Nadia was never given a place only to lose it.
    assert _statuses(afternoon) == {"Zoé Afternoon-First": SignupStatus.CONFIRMED,
                                    "Ali Morning-First": SignupStatus.LEFT, "Wassim Waiting": SignupStatus.CONFIRMED,
                                    "Nadia Waiting-Too": SignupStatus.LEFT}
    from app.field_visit.models import VisitSignup

    assert {s.ended_reason for s in db.session.scalars(select(VisitSignup).where(
        VisitSignup.status == SignupStatus.LEFT))} == {EndReason.VISITS_OVERLAP}
    sent = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > before)))
    left = {m.recipient_email: m for m in sent if m.kind == "field_visit_left"}
    assert set(left) == {people[k].email for k in ("afternoon_first", "morning_first", "waiting_both")}
    ali = left[people["morning_first"].email]
    assert ali.ics_method == "CANCEL"
    assert "the field visits “Afternoon” and “Morning” take place at the same time. You keep “Morning”" in ali.text_body
    zoe = left[people["afternoon_first"].email].text_body
    assert "Vous gardez «\u00a0Après-midi\u00a0», votre inscription la plus ancienne" in zoe
    assert "You keep “Afternoon”" in zoe  # the English version below
    # Wassim's place came with the new time: the message giving it is all he gets, no "has changed".
    assert [m.kind for m in sent if m.recipient_email == people["waiting"].email] == ["field_visit_signup"]
    assert "field_visit_signup" not in [m.kind for m in sent if m.recipient_email == people["waiting_both"].email]


@pytest.mark.parametrize("lang, asked, confirm", [
    ("en", "At this time the visit overlaps another one that 1 person is also signed up for",
     "Yes, save the new time"),
    ("fr", "À cette heure, la visite chevauche une autre visite à laquelle 1\u00a0personne est aussi inscrite",
     "Oui, enregistrer le nouvel horaire"),
])
def test_the_organiser_is_asked_before_a_move_onto_another_visit_and_confirms_on_the_form(
        client, make, event, organiser, new_visit, participant, lang, asked, confirm):
    morning = new_visit(event, start="09:00", end="12:00", title_en="Morning")
    afternoon = new_visit(event, start="14:00", end="17:00", title_en="Afternoon")
    person = participant(event, name="Ali Both")
    signups.sign_up(person, morning)
    signups.sign_up(person, afternoon)
    db.session.commit()
    make.login(client, organiser)
    on = (event.start_date + timedelta(days=1)).isoformat()
    moved = _form(event, title_en="Afternoon", meets_at=f"{on}T11:00", returns_at=f"{on}T13:00",
                  **{"stops-0-at": f"{on}T11:30"})
    url = f"/manage/events/{event.slug}/field-visit/{afternoon.id}?lang={lang}"
    response = client.post(url, data=moved)
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert asked in page and "Ali Both" in page and 'id="meets_at-error"' in page
    assert 'name="overlap_confirmed"' in page and confirm in page
    assert "overlap_confirmed" not in html.unescape(client.get(url).text)
    assert _statuses(afternoon)["Ali Both"] is SignupStatus.CONFIRMED
    response = client.post(url, data={**moved, "overlap_confirmed": "y"})
    assert response.status_code == 302
    assert _statuses(afternoon)["Ali Both"] is SignupStatus.LEFT
    assert _statuses(morning)["Ali Both"] is SignupStatus.CONFIRMED
    panel = html.unescape(client.get(f"/r/{make_token(person)}?lang={lang}").text)
    assert {"en": "it now overlaps another visit you signed up for first",
            "fr": "elle chevauche désormais une autre visite"}[lang] in panel


def test_signing_up_again_after_leaving_counts_from_the_new_sign_up(event, organiser, new_visit, participant):
    morning = new_visit(event, start="09:00", end="12:00")
    afternoon = new_visit(event, start="14:00", end="17:00")
    person = participant(event, name="Ali Back-Again")
    signups.sign_up(person, afternoon)
    signups.leave(person, afternoon)
    signups.sign_up(person, morning)
    signups.sign_up(person, afternoon)
    services.update_visit(organiser, event, afternoon, visit_input(event, start="11:00", end="13:00",
                                                                   overlap_confirmed=True))
    db.session.commit()
    assert _statuses(morning)["Ali Back-Again"] is SignupStatus.CONFIRMED
    assert _statuses(afternoon)["Ali Back-Again"] is SignupStatus.LEFT


def test_a_move_that_overlaps_nobody_s_other_visit_is_saved_without_asking(event, organiser, new_visit, participant):
    morning = new_visit(event, start="09:00", end="12:00")
    afternoon = new_visit(event, start="14:00", end="17:00")
    signups.sign_up(participant(event), morning)
    signups.sign_up(participant(event), afternoon)
    services.update_visit(organiser, event, afternoon, visit_input(event, start="11:00", end="13:00"))
    db.session.commit()
    assert set(_statuses(morning).values()) == set(_statuses(afternoon).values()) == {SignupStatus.CONFIRMED}


def test_stop_without_a_place_is_refused(event, organiser):
    with pytest.raises(DomainError) as refused:
        services.create_visit(organiser, event, visit_input(event, stops=[StopInput(address="1 rue X")]))
    assert refused.value.field == "stops"


def test_a_time_skipped_by_the_clocks_is_refused(make, organiser):
    from datetime import date

    from app.events.models import EventState

    event = make.event(organiser.city, EventState.OPEN, start_date=date(2031, 3, 29), end_date=date(2031, 3, 30))
    data = visit_input(event, day=1, meets_local=datetime.combine(date(2031, 3, 30), time(2, 30)),
                       returns_local=datetime.combine(date(2031, 3, 30), time(5, 0)), stops=[])
    with pytest.raises(DomainError) as refused:
        services.create_visit(organiser, event, data)
    assert refused.value.field == "meets_at"


def test_other_stages_can_name_a_visit(app, event, new_visit):
    """What the capture stage's observation form offers: the event's visits, in time order."""
    from app.field_visit.queries import visit_choices

    late, early = new_visit(event, day=1, title_en="Late"), new_visit(event, day=0, title_en="Early")
    with app.test_request_context("/?lang=en"):
        assert visit_choices(event) == [(early.id, "Early"), (late.id, "Late")]


def test_moving_the_event_with_its_agenda_moves_the_visits_and_tells_those_signed_up(
        event, organiser, new_visit, participant):
    from sqlalchemy import select

    from app.field_visit.models import FieldVisit
    from app.mail.models import OutboxMessage
    from app.timezones import utc_to_local

    visit = new_visit(event, day=1, start="14:00", end="17:30")
    person = participant(event)
    signups.sign_up(person, visit)
    db.session.commit()
    later = event.start_date + timedelta(days=7)
    update_event(organiser, event, EventInput(
        theme_en=event.theme_en, theme_fr=event.theme_fr, host_city_id=event.host_city_id, start_date=later,
        end_date=later + timedelta(days=1), format=event.format, venue=event.venue, capacity=event.capacity,
        shift_with_dates=True, tell_participants=True))
    db.session.commit()
    moved = db.session.get(FieldVisit, visit.id)
    local = utc_to_local(moved.meets_at, event.timezone)
    assert (local.date(), local.strftime("%H:%M")) == (later + timedelta(days=1), "14:00")
    assert all(utc_to_local(stop.at, event.timezone).date() == later + timedelta(days=1) for stop in moved.stops)
    kinds = set(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient_email == person.email)))
    assert {"event_changed", "field_visit_changed"} <= kinds


def test_the_edit_form_says_how_many_people_a_new_time_or_meeting_point_is_emailed_to(
        client, make, event, organiser, new_visit, participant):
    visit = new_visit(event)
    make.login(client, organiser)
    url = f"/manage/events/{event.slug}/field-visit/{visit.id}"
    assert 'id="who-is-told"' not in client.get(f"{url}?lang=en").text, "nobody holds a place yet"
    signups.sign_up(participant(event), visit)
    db.session.commit()
    assert ("A new time or meeting point is emailed, with the updated calendar invitation, to 1 person with a place "
            "on this visit.") in client.get(f"{url}?lang=en").text
    assert "à 1 personne qui a une place sur cette visite" in client.get(f"{url}?lang=fr").text
