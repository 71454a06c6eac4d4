"""The staff list of events: search and filters in the query string, within what each role sees."""

from datetime import date

import pytest

from app.auth.models import Role
from app.events.models import EventState


@pytest.fixture
def events(make):
    lyon, tunis = make.city("Lyon", "Europe/Paris", "FR"), make.city("Tunis", "Africa/Tunis", "TN")
    return {
        "housing": make.event(lyon, EventState.OPEN, theme_en="Inclusive housing", theme_fr="Logement inclusif",
                              start_date=date(2030, 3, 26)),
        "citizenship": make.event(lyon, EventState.FINISHED, theme_en="Urban citizenship",
                                  theme_fr="Citoyenneté urbaine", start_date=date(2021, 6, 10)),
        "tunis": make.event(tunis, EventState.DRAFT, theme_en="Migrants' access to services",
                            theme_fr="Accès des migrants aux services", start_date=date(2030, 9, 1)),
    }


def _listed(client, query: str, events: dict) -> set[str]:
    page = client.get(f"/manage/?lang=en&{query}").text
    return {name for name, event in events.items() if f'/manage/events/{event.slug}/"' in page}


@pytest.mark.parametrize(("query", "expected"), [
    ("", {"housing", "citizenship", "tunis"}),
    ("q=HOUSING", {"housing"}),
    ("q=citoyennet%C3%A9", {"citizenship"}),
    ("state=finished", {"citizenship"}),
    ("year=2030", {"housing", "tunis"}),
    ("year=2030&state=draft", {"tunis"}),
    ("q=nothing+like+it", set()),
    ("year=99999999999999999999&state=nonsense", {"housing", "citizenship", "tunis"}),
    ("year=123456789&city=99999999999", {"housing", "citizenship", "tunis"}),
])
def test_admin_searches_and_filters_the_events(client, make, events, query, expected):
    make.login(client, make.user(Role.ADMIN))
    assert _listed(client, query, events) == expected


def test_the_city_filter_and_the_filters_stay_in_the_form(client, make, events):
    make.login(client, make.user(Role.ADMIN))
    tunis_id = events["tunis"].host_city_id
    page = client.get(f"/manage/?lang=en&city={tunis_id}&q=access&year=2030").text
    assert _listed(client, f"city={tunis_id}", events) == {"tunis"}
    assert 'value="access"' in page
    assert f'<option value="{tunis_id}" selected>' in page and "<option selected>2030</option>" in page
    assert "1 event matches." in page


def test_an_organiser_filters_only_their_citys_events(client, make, events):
    make.login(client, make.user(Role.ORGANISER, events["housing"].host_city))
    assert _listed(client, f"city={events['tunis'].host_city_id}", events) == set()
    assert _listed(client, "year=2030", events) == {"housing"}
    page = client.get("/manage/?lang=en").text
    assert "2021" in page and '<select id="city"' not in page, "one city: no city filter to offer"


def test_the_list_in_french_says_how_many_match(client, make, events):
    make.login(client, make.user(Role.ADMIN))
    page = client.get("/manage/?lang=fr&year=2030").text
    assert "2\u00a0événements correspondent." in page or "2 événements correspondent." in page
    assert "Aucun événement ne correspond" in client.get("/manage/?lang=fr&q=zzz").text
