"""The network's front door: its events filtered by host city, policy area, year and format (in the
URL, without JavaScript), and the map of the network's cities with its text equivalent."""

import re
from datetime import date
from urllib.parse import quote

import pytest

from app.events import network_map
from app.events.models import EventFormat, EventState, PolicyArea
from app.events.seed import read_csv
from app.extensions import db
from tests.test_fuzz import CONTROL, DATE_VALUES, NUMBER_VALUES, TEXT_VALUES


@pytest.fixture
def network(make):
    areas = {code: PolicyArea(code=code, name_en=name_en, name_fr=name_fr, source="test")
             for code, name_en, name_fr in [("housing", "Housing", "Logement"),
                                            ("employment", "Employment", "Emploi")]}
    db.session.add_all(areas.values())
    db.session.commit()
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    tunis = make.city("Tunis", "Africa/Tunis", "TN")
    def held(city, state, theme, **fields):
        return make.event(city, state, theme_en=theme, theme_fr=theme, **fields)

    return {
        "lyon-2017": held(lyon, EventState.FINISHED, "Coordination 2017", start_date=date(2017, 12, 12),
                          policy_areas=[areas["housing"]]),
        "tunis-2017": held(tunis, EventState.FINISHED, "Welcome 2017", start_date=date(2017, 5, 3),
                           policy_areas=[areas["employment"]], format=EventFormat.DIGITAL),
        "tunis-2019": held(tunis, EventState.FINISHED, "Jobs 2019", start_date=date(2019, 3, 5),
                           policy_areas=[areas["housing"], areas["employment"]]),
        "lyon-next": held(lyon, EventState.OPEN, "Housing ahead", format=EventFormat.HYBRID),
        "draft": held(tunis, EventState.DRAFT, "Secret 2018", start_date=date(2018, 1, 1), format=EventFormat.HYBRID),
    }


def _shown(page: str) -> set[str]:
    themes = {"Coordination 2017", "Welcome 2017", "Jobs 2019", "Housing ahead", "Secret 2018"}
    return {theme for theme in themes if theme in page}


@pytest.mark.parametrize(("query", "expected"), [
    ("city=tunis", {"Welcome 2017", "Jobs 2019"}),
    ("area=housing", {"Coordination 2017", "Jobs 2019"}),
    ("year=2017", {"Coordination 2017", "Welcome 2017"}),
    ("format=digital", {"Welcome 2017"}),
    ("city=tunis&area=housing", {"Jobs 2019"}),
    ("city=lyon&format=hybrid", {"Housing ahead"}),
])
def test_each_filter_keeps_only_the_events_it_names(client, network, query, expected):
    page = client.get(f"/?lang=en&{query}").text
    assert _shown(page) == expected
    count = len(expected)
    assert f"{count} event{'s' if count > 1 else ''} match{'' if count > 1 else 'es'} these filters." in page
    assert '<a href="/">Clear the filters</a>' in page
    for name, value in (pair.split("=") for pair in query.split("&")):
        assert re.search(rf'<select id="filter-{name}" name="{name}">.*?<option value="{value}" selected>', page,
                         re.S), f"{name} is kept selected"


def test_without_filters_every_public_event_is_shown_and_nothing_is_counted(client, network):
    page = client.get("/?lang=en").text
    assert _shown(page) == {"Coordination 2017", "Welcome 2017", "Jobs 2019", "Housing ahead"}
    assert "match these filters" not in page and "Clear the filters" not in page


def test_filters_offer_only_what_public_events_have(client, network):
    page = client.get("/?lang=en").text
    years = re.search(r'<select id="filter-year".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="(\d+)">', years) == sorted(
        {"2017", "2019", str(network["lyon-next"].start_date.year)}, reverse=True)  # no 2018: a draft's
    formats = re.search(r'<select id="filter-format".*?</select>', page, re.S).group(0)
    assert 'value="digital"' in formats and 'value="hybrid"' in formats and 'value="in_person"' in formats
    # The draft's format alone would not offer a format; its year does not appear.
    assert "2018" not in years


def test_a_filter_value_the_network_does_not_have_is_said_and_left_out(client, network):
    response = client.get("/?lang=fr&city=atlantis&year=2017&format=%3Cscript%3E")
    assert response.status_code == 200
    page = response.text
    assert _shown(page) == {"Coordination 2017", "Welcome 2017"}  # the year still applies
    assert "atlantis" in page and "&lt;script&gt;" in page and "<script>" not in page.split("</head>")[1]
    assert "ont été ignorés\u00a0: atlantis" in page


@pytest.mark.parametrize("bad", [*TEXT_VALUES, *NUMBER_VALUES, *DATE_VALUES])
def test_no_filter_answers_500_to_input_that_breaks_databases(client, network, bad):
    for name in ("city", "area", "year", "format"):
        value = bad.decode() if isinstance(bad, bytes) else quote(bad, safe="")
        response = client.get(f"/?lang=en&{name}={value}")
        assert response.status_code == 200, (name, bad)
        assert "were left out" in response.text or "was left out" in response.text
        assert not CONTROL.search(response.text)


def test_a_filtered_view_is_never_served_from_the_unfiltered_page_cache(client, network):
    assert len(_shown(client.get("/?lang=en").text)) == 4
    assert _shown(client.get("/?lang=en&city=lyon").text) == {"Coordination 2017", "Housing ahead"}
    assert _shown(client.get("/?lang=en&city=tunis").text) == {"Welcome 2017", "Jobs 2019"}


def test_the_filtered_page_query_count_does_not_grow_with_data(client, make, count_queries):
    area = PolicyArea(code="housing", name_en="Housing", name_fr="Logement", source="test")
    db.session.add(area)
    db.session.commit()
    for n in range(2):
        make.event(make.city(f"City {n}", "Europe/Rome", "IT"), EventState.FINISHED, days_ahead=-30 * (n + 1),
                   policy_areas=[area])
    client.application.config["PAGE_CACHE"] = False
    try:
        with count_queries() as few:
            assert client.get("/?area=housing&year=&city=city-0").status_code == 200
        for n in range(10):
            make.event(make.city(f"Other {n}", "Africa/Tunis", "TN"), EventState.OPEN, days_ahead=30 * (n + 1),
                       policy_areas=[area], format=EventFormat.HYBRID)
        with count_queries() as many:
            assert client.get("/?area=housing&year=&city=city-0").status_code == 200
    finally:
        client.application.config["PAGE_CACHE"] = True
    assert len(many) == len(few)


# --- The map --------------------------------------------------------------------------------------


def test_the_map_links_every_located_city_to_its_page_and_lists_them_all(client, network, make):
    make.city("Atlantis", "Europe/Lisbon", "PT")  # no known position: listed, not drawn
    page = client.get("/?lang=fr").text
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'aria-hidden="true"' in svg.split(">")[0]
    assert re.findall(r'<a href="/cities/([a-z-]+)" tabindex="-1">', svg) == ["lyon", "tunis"]  # west to east
    assert re.search(r'<circle class="city host"[^>]*/>\s*<text[^>]*>Tunis</text>', svg)
    assert "Atlantis" not in svg
    listed = re.search(r'<ul class="city-list">.*?</ul>', page, re.S).group(0)
    assert re.findall(r'<a href="/cities/([a-z-]+)">', listed) == ["atlantis", "lyon", "tunis"]
    assert "a accueilli 2 événements" in listed  # Lyon and Tunis each hosted two public events


def test_the_map_projects_north_up_and_west_left():
    lisbon_x, lisbon_y = network_map.project(38.72, -9.14)
    amman_x, amman_y = network_map.project(31.95, 35.93)
    vienna_x, vienna_y = network_map.project(48.21, 16.37)
    assert lisbon_x < vienna_x < amman_x
    assert vienna_y < lisbon_y < amman_y
    assert network_map.project(network_map.NORTH, network_map.WEST) == (0, 0)


def _inside(point, polygon) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_every_city_of_the_network_has_a_position_on_land_inside_the_map():
    locations = network_map.city_locations()
    assert {row["name_en"] for row in read_csv("cities.csv")} <= set(locations)
    for name, (latitude, longitude) in locations.items():
        point = (longitude, latitude)
        assert network_map.WEST < longitude < network_map.EAST and network_map.SOUTH < latitude < network_map.NORTH
        on_land = _inside(point, network_map.MAINLAND) or any(_inside(point, i) for i in network_map.ISLANDS)
        assert on_land and not any(_inside(point, sea) for sea in network_map.INLAND_SEAS), name


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_reference_cities_labels_overlap_no_other_label(app, lang):
    from types import SimpleNamespace

    cities = [SimpleNamespace(id=number, name_en=row["name_en"], name_fr=row["name_fr"], slug=row["name_en"].lower())
              for number, row in enumerate(read_csv("cities.csv"))]
    drawn = network_map.network_map(cities, {}, lambda city: getattr(city, f"name_{lang}")).cities
    assert len(drawn) == len(cities)
    boxes = []
    for place in drawn:
        width = len(place.name) * network_map.CHAR_WIDTH
        left = {"start": place.label_x, "end": place.label_x - width, "middle": place.label_x - width / 2}
        top = place.label_y - network_map.LABEL_SIZE * 0.85
        box = (left[place.label_anchor], top, left[place.label_anchor] + width, top + network_map.LABEL_SIZE)
        assert box[0] >= 0 and box[2] <= network_map.WIDTH, place.name
        boxes.append((place.name, box))
    for index, (name, box) in enumerate(boxes):
        for other, second in boxes[index + 1:]:
            assert not network_map._overlaps(box, second), f"{name} and {other}"
