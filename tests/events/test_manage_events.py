"""Organiser pages: create, edit and move events, with errors next to their fields."""

from datetime import UTC, datetime

import pytest

from app.auth.models import Role
from app.events.models import Event, EventFormat, EventState
from app.extensions import db


@pytest.fixture
def organiser(client, make):
    user = make.user(Role.ORGANISER, make.city("Turin", "Europe/Rome", "IT"))
    make.login(client, user)
    return user


def _form(city_id, **overrides):
    data = {
        "theme_en": "Inclusive housing", "theme_fr": "Logement inclusif", "summary_en": "Two days.",
        "summary_fr": "Deux jours.", "host_city_id": city_id, "start_date": "2030-03-26",
        "end_date": "2030-03-27", "format": "hybrid", "venue": "Palazzo Civico",
        "online_url": "https://meet.example.org/turin", "capacity": "40",
        "registration_opens": "2030-02-01T09:00", "registration_closes": "2030-03-20T18:00", "slug": "",
    }
    data.update(overrides)
    return data


def test_organiser_creates_a_draft_with_local_registration_times(client, organiser):
    response = client.post("/manage/events/new?lang=en", data=_form(organiser.city_id))
    assert response.status_code == 302
    event = db.session.scalar(db.select(Event))
    assert event.slug == "inclusive-housing-turin-2030"
    assert event.state is EventState.DRAFT and event.format is EventFormat.HYBRID
    # 09:00 in Turin in February is 08:00 UTC (CET); 18:00 on 20 March is 17:00 UTC (still CET).
    assert event.registration_opens_at == datetime(2030, 2, 1, 8, 0, tzinfo=UTC)
    assert event.registration_closes_at == datetime(2030, 3, 20, 17, 0, tzinfo=UTC)
    edit_page = client.get(f"/manage/events/{event.slug}/edit").text
    assert 'value="2030-02-01T09:00"' in edit_page


@pytest.mark.parametrize(("lang", "overrides", "field", "message"), [
    ("en", {"end_date": "2030-03-25"}, "end_date", "The event cannot end before it starts."),
    ("fr", {"end_date": "2030-03-25"}, "end_date", "ne peut pas se terminer avant"),
    ("en", {"theme_en": "", "theme_fr": ""}, "theme_en", "Give the theme in English, in French, or both."),
    ("en", {"capacity": "0"}, "capacity", "Number must be between 1 and 10000."),
    ("en", {"online_url": "not a link"}, "online_url", "Give a secure web address, starting with https://"),
    ("en", {"online_url": "http://meet.example.org/x"}, "online_url", "starting with https://"),
    ("fr", {"online_url": "not a link"}, "online_url", "Donnez une adresse web sécurisée"),
    ("en", {"registration_closes": "2030-01-01T10:00"}, "registration_closes",
     "Registration must close after it opens."),
    ("en", {"registration_closes": "2030-04-01T10:00"}, "registration_closes",
     "Registration must close before the event ends."),
    ("en", {"registration_opens": "2030-03-31T02:30"}, "registration_opens", "does not exist in Europe/Rome"),
    ("fr", {"registration_opens": "2030-03-31T02:30"}, "registration_opens", "n'existe pas"),
    ("en", {"slug": "Bad Slug!"}, "slug", "Use only lowercase letters"),
    ("en", {"start_date": ""}, "start_date", "Enter the first day."),
    ("fr", {"start_date": ""}, "start_date", "Indiquez le premier jour."),
])
def test_bad_input_is_shown_next_to_the_field_and_keeps_what_was_typed(
        client, organiser, lang, overrides, field, message):
    response = client.post(f"/manage/events/new?lang={lang}", data=_form(organiser.city_id, **overrides))
    assert response.status_code == 422
    page = response.text
    assert f'id="{field}-error"' in page
    error_block = page.split(f'id="{field}-error"')[1].split("</ul>")[0]
    assert message in error_block.replace("&#39;", "'")
    assert 'value="Palazzo Civico"' in page, "what the organiser typed is kept"
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_slug_must_be_unique(client, organiser, make):
    make.event(organiser.city, slug="taken")
    response = client.post("/manage/events/new?lang=en", data=_form(organiser.city_id, slug="taken"))
    assert "Another event already uses this web address." in response.text


def test_generated_slugs_never_collide(client, organiser):
    client.post("/manage/events/new", data=_form(organiser.city_id))
    client.post("/manage/events/new", data=_form(organiser.city_id))
    slugs = sorted(db.session.scalars(db.select(Event.slug)))
    assert slugs == ["inclusive-housing-turin-2030", "inclusive-housing-turin-2030-2"]


def test_edit_saves_changes(client, organiser, make):
    event = make.event(organiser.city, theme_en="Old")
    data = _form(organiser.city_id, theme_en="New theme", slug=event.slug)
    assert client.post(f"/manage/events/{event.slug}/edit", data=data).status_code == 302
    db.session.refresh(event)
    assert event.theme_en == "New theme" and event.capacity == 40


def test_saving_a_public_event_with_a_one_sided_theme_says_so(client, organiser, make):
    event = make.event(organiser.city, EventState.OPEN, theme_en="Inclusive housing", theme_fr="Logement inclusif")
    data = _form(organiser.city_id, theme_en="", slug=event.slug)
    response = client.post(f"/manage/events/{event.slug}/edit?lang=en", data=data, follow_redirects=True)
    assert "Changes saved." in response.text
    assert "has no English version yet. Visitors see the other language, marked as such." in response.text
    draft = make.event(organiser.city, EventState.DRAFT, theme_en="Draft theme", theme_fr="Thème")
    data = _form(organiser.city_id, theme_en="", slug=draft.slug)
    response = client.post(f"/manage/events/{draft.slug}/edit?lang=en", data=data, follow_redirects=True)
    assert "Changes saved." in response.text and "Visitors see the other language" not in response.text


def test_organiser_opens_an_event_after_confirming_a_missing_translation(client, organiser, make):
    event = make.event(organiser.city, summary_fr="")
    response = client.post(f"/manage/events/{event.slug}/state?lang=en", data={"target": "open"})
    assert response.status_code == 200
    assert "The summary has no French version yet." in response.text
    db.session.refresh(event)
    assert event.state is EventState.DRAFT
    response = client.post(f"/manage/events/{event.slug}/state", data={"target": "open", "confirmed": "y"})
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.state is EventState.OPEN


def test_a_blocked_transition_gets_a_clear_page_not_an_error(client, organiser, make):
    event = make.event(organiser.city, venue="")
    response = client.post(f"/manage/events/{event.slug}/state?lang=fr",
                           data={"target": "open", "confirmed": "y"})
    assert response.status_code == 409
    assert "Indiquez le lieu" in response.text


def test_a_transition_outside_the_lifecycle_is_refused_clearly(client, organiser, make):
    event = make.event(organiser.city, EventState.FINISHED, days_ahead=-30)
    response = client.post(f"/manage/events/{event.slug}/state?lang=en", data={"target": "open"})
    assert response.status_code == 409
    assert "cannot become" in response.text


def test_nonsense_target_state_is_a_bad_request(client, organiser, make):
    event = make.event(organiser.city)
    assert client.post(f"/manage/events/{event.slug}/state", data={"target": "exploded"}).status_code == 400


def test_cancelling_asks_for_confirmation_first(client, organiser, make):
    event = make.event(organiser.city, EventState.OPEN)
    response = client.post(f"/manage/events/{event.slug}/state?lang=en", data={"target": "cancelled"})
    assert "Cancelling cannot be undone" in response.text
    db.session.refresh(event)
    assert event.state is EventState.OPEN
    client.post(f"/manage/events/{event.slug}/state",
                data={"target": "cancelled", "confirmed": "y", "reason": "Strike"})
    db.session.refresh(event)
    assert event.state is EventState.CANCELLED
    page = client.get(f"/manage/events/{event.slug}/?lang=en").text
    assert "Strike" in page


def test_assign_and_remove_a_facilitator(client, organiser, make):
    event = make.event(organiser.city)
    facilitator = make.user(Role.FACILITATOR, name="Zoé Lefèvre-Ben Saïd")
    page = client.get(f"/manage/events/{event.slug}/facilitators").text
    assert "Zoé Lefèvre-Ben Saïd" in page
    client.post(f"/manage/events/{event.slug}/facilitators", data={"user_id": facilitator.id})
    db.session.expire_all()
    assert event.facilitators == [facilitator]
    client.post(f"/manage/events/{event.slug}/facilitators/{facilitator.id}/remove")
    db.session.expire_all()
    assert event.facilitators == []


def test_only_facilitator_accounts_can_be_assigned(client, organiser, make):
    event = make.event(organiser.city)
    admin = make.user(Role.ADMIN)
    response = client.post(f"/manage/events/{event.slug}/facilitators", data={"user_id": admin.id})
    assert response.status_code == 200
    db.session.expire_all()
    assert event.facilitators == []


def test_an_over_long_reason_is_refused_next_to_the_field(client, organiser, make):
    event = make.event(organiser.city, EventState.OPEN)
    response = client.post(f"/manage/events/{event.slug}/state?lang=en",
                           data={"target": "cancelled", "confirmed": "y", "reason": "x" * 1001})
    assert response.status_code == 422
    assert 'id="reason-error"' in response.text
    db.session.refresh(event)
    assert event.state is EventState.OPEN


def test_an_event_ending_the_day_before_a_midnight_clock_change_can_be_created(client, make):
    beirut = make.city("Beirut", "Asia/Beirut", "LB")
    make.login(client, make.user(Role.ORGANISER, beirut))
    response = client.post("/manage/events/new", data=_form(
        beirut.id, start_date="2027-03-26", end_date="2027-03-27", registration_opens="2027-02-01T09:00",
        registration_closes="2027-03-20T18:00"))
    assert response.status_code == 302
