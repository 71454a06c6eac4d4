"""Staff forms report every error of a submit at once (the form's own checks and the services'
rules together), list them at the top with a link to each field, and keep what was typed."""

import re
from datetime import date, timedelta

import pytest

from app.auth.models import Role
from app.domain import Checks, DomainError, DomainErrors
from app.events.models import Event, EventFormat, EventState
from app.extensions import db
from app.field_visit.models import FieldVisit


@pytest.fixture
def lyon(make):
    return make.city("Lyon", "Europe/Paris", "FR")


@pytest.fixture
def organiser(client, make, lyon):
    user = make.user(Role.ORGANISER, lyon)
    make.login(client, user)
    return user


def _summary_links(page: str) -> list[str]:
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    return re.findall(r'href="#([^"]+)"', summary)


def _event_form(city_id, **overrides):
    data = {
        "theme_en": "Inclusive housing", "theme_fr": "Logement inclusif", "host_city_id": city_id,
        "start_date": "2030-03-26", "end_date": "2030-03-27", "format": "hybrid", "venue": "Palais de la Bourse",
        "online_url": "https://meet.example.org/lyon", "capacity": "40", "slug": "",
    }
    data.update(overrides)
    return data


def test_the_event_form_reports_its_fields_and_its_rules_in_one_submit(client, organiser):
    # A missing capacity check (the form's) and three rules (the service's) fail together.
    response = client.post("/manage/events/new?lang=en", data=_event_form(
        organiser.city_id, capacity="0", theme_en="", theme_fr="", slug="Bad Slug!",
        online_url="http://meet.example.org/lyon", end_date="2030-03-20"))
    assert response.status_code == 422
    page = response.text
    assert set(_summary_links(page)) == {"capacity", "theme_en", "slug", "online_url", "end_date"}
    for field in ("capacity", "theme_en", "slug", "online_url", "end_date"):
        assert f'id="{field}-error"' in page
    assert "There are 5 problems to correct." in page
    assert "starting with https://" in page.split('id="online_url-error"')[1].split("</ul>")[0]
    assert 'tabindex="-1" autofocus' in page, "the summary takes the focus"
    assert 'value="Palais de la Bourse"' in page and 'value="http://meet.example.org/lyon"' in page
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_the_summary_speaks_the_user_language_and_the_https_field_says_so(client, organiser):
    page = client.get("/manage/events/new?lang=fr").text
    assert "https://" in page.split('for="online_url"')[1].split("</p>")[0], "label or hint names https://"
    response = client.post("/manage/events/new?lang=fr", data=_event_form(
        organiser.city_id, theme_en="", theme_fr="", online_url="meet.example.org"))
    page = response.text
    assert "Il y a 2\u00a0problèmes à corriger." in page or "Il y a 2 problèmes à corriger." in page
    assert "Donnez une adresse web sécurisée" in page


@pytest.fixture
def event(make, lyon):
    return make.event(lyon, EventState.DRAFT, start_date=date(2027, 10, 30), end_date=date(2027, 10, 31),
                      format=EventFormat.HYBRID, online_url="https://meet.example.org/lyon")


def test_the_agenda_item_form_reports_every_error_including_presenter_lines(client, event, organiser):
    data = {
        "kind": "local_solutions", "title_en": "", "title_fr": "", "starts_at": "2027-10-31T11:00",
        "ends_at": "", "online_url": "ftp://files.example.org", "room": "Salle 2",
        "presenters-0-name": "", "presenters-0-organisation": "Métropole de Lyon",
        "presenters-0-email": "not an address",
    }
    response = client.post(f"/manage/events/{event.slug}/agenda/items/new?lang=en", data=data)
    assert response.status_code == 422
    links = _summary_links(response.text)
    # ends_at is the form's own check; the others are the agenda's rules, shown in the same submit.
    assert {"title_en", "ends_at", "online_url", "presenters-error"} <= set(links)
    assert "Give the name of every presenter" in response.text
    assert "does not look right: not an address" in response.text
    assert 'value="Métropole de Lyon"' in response.text and 'value="Salle 2"' in response.text


def test_the_field_visit_form_reports_every_rule_at_once(client, make, event, organiser):
    day = (event.start_date + timedelta(days=1)).isoformat()
    data = {"title_en": "", "title_fr": "", "meets_at": f"{day}T14:00", "returns_at": f"{day}T13:00",
            "meeting_point": "", "online_url": "", "capacity": "5", "reserved": "9", "agenda_item_id": "",
            "stops-0-place": "", "stops-0-address": "12 rue de Marseille"}
    response = client.post(f"/manage/events/{event.slug}/field-visit/new?lang=en", data=data)
    assert response.status_code == 422
    assert set(_summary_links(response.text)) >= {"title_en", "returns_at", "meeting_point", "reserved",
                                                  "stops-error"}
    assert 'value="12 rue de Marseille"' in response.text
    assert db.session.scalar(db.select(db.func.count(FieldVisit.id))) == 0


def test_checks_keep_every_refusal_and_raise_one_or_all():
    checks = Checks()
    checks.raise_any()  # nothing refused: nothing raised
    checks.refuse("first", field="a")
    with pytest.raises(DomainError) as single:
        checks.raise_any()
    assert not isinstance(single.value, DomainErrors)

    def refused():
        raise DomainError("second", field="b")

    assert checks.run(refused) is None
    with pytest.raises(DomainErrors) as several:
        checks.raise_any()
    assert [(e.message, e.field) for e in several.value.all_errors] == [("first", "a"), ("second", "b")]


def test_an_account_form_reports_a_taken_address_and_a_missing_city_together(client, make):
    admin = make.user(Role.ADMIN, email="amina@example.org")
    make.login(client, admin)
    response = client.post("/manage/users/new?lang=en", data={
        "email": "amina@example.org", "name": "Someone", "role": "organiser", "city_id": "0",
        "preferred_language": "fr"})
    assert {"email", "city_id"} <= set(_summary_links(response.text))
