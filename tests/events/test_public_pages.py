import html

import pytest

from app import create_app
from app.auth.models import Role
from app.events.models import EventFormat, EventState, PolicyArea
from app.events.services import EventInput, touch, update_event
from app.extensions import db
from app.stages import specs


def test_network_page_lists_upcoming_and_past_events_without_drafts(client, make):
    vienna = make.city("Vienna", "Europe/Vienna", "AT", name_fr="Vienne")
    upcoming = make.event(vienna, EventState.OPEN, theme_en="Housing first", format=EventFormat.HYBRID)
    past = make.event(vienna, EventState.FINISHED, days_ahead=-400, theme_en="Refugees hosting")
    draft = make.event(vienna, EventState.DRAFT, theme_en="Secret plans")
    response = client.get("/?lang=en")
    assert response.status_code == 200
    page = response.text
    upcoming_part, past_part = page.split('id="past-heading"')
    assert upcoming.theme_en in upcoming_part and past.theme_en in past_part
    assert draft.theme_en not in page
    assert "Vienna, Austria" in page
    assert "Hybrid (in person and online)" in page
    assert f'datetime="{upcoming.start_date.isoformat()}"' in page


def test_network_page_in_french_names_cities_and_countries_in_french(client, make):
    vienna = make.city("Vienna", "Europe/Vienna", "AT", name_fr="Vienne")
    make.event(vienna, EventState.OPEN)
    page = client.get("/?lang=fr").text
    assert "Vienne, Autriche" in page
    assert "Événements passés" in page


def test_month_only_events_show_the_month_not_invented_days(client, make):
    from datetime import date

    make.event(state=EventState.FINISHED, start_date=date(2016, 11, 1), end_date=date(2016, 11, 1), month_only=True)
    assert "November 2016" in client.get("/?lang=en").text
    assert "novembre 2016" in client.get("/?lang=fr").text


def test_cancelled_upcoming_event_is_marked(client, make):
    make.event(state=EventState.CANCELLED, theme_en="Called off")
    page = client.get("/?lang=en").text
    assert "Called off" in page and "state-cancelled" in page


def test_network_page_query_count_does_not_grow_with_events(client, make, count_queries):
    cities = [make.city(f"City {n}", "Europe/Rome", "IT") for n in range(3)]
    for city in cities:
        make.event(city, EventState.OPEN)
    with count_queries() as few:
        client.get("/")
    for n in range(12):
        make.event(make.city(f"Other {n}", "Africa/Tunis", "TN"), EventState.FINISHED, days_ahead=-30 * (n + 1))
    with count_queries() as many:
        client.get("/")
    assert len(many) == len(few)


def test_hub_shows_the_event_and_its_stages(client, make):
    turin = make.city("Turin", "Europe/Rome", "IT")
    event = make.event(turin, EventState.OPEN, theme_en="Inclusive housing", theme_fr="Logement inclusif",
                       venue="Palazzo Civico", capacity=40)
    page = client.get(f"/events/{event.slug}/?lang=en").text
    assert "<h1><span>Inclusive housing</span></h1>" in page
    stages = [spec.title for spec in specs(client.application)]
    assert [str(title) for title in stages[:4]] == ["Background document", "Agenda", "Field visit", "Registration"]
    positions = [page.index(f">{title}<") for title in stages]
    assert positions == sorted(positions), "in the order the stages were registered"
    # Stages the app does not have yet are not announced.
    assert "Thematic learning note" not in page
    assert "Palazzo Civico" in page and "Europe/Rome" in page and "40" in page
    assert '<a href="/cities/turin">Turin</a>' in page  # the host city's page in the network's library
    french = client.get(f"/events/{event.slug}/?lang=fr").text
    assert "Logement inclusif" in french and "Document de cadrage" in french


def test_hub_of_a_cancelled_event_says_every_stage_is_cancelled(client, make):
    event = make.event(state=EventState.CANCELLED)
    page = client.get(f"/events/{event.slug}/?lang=en").text
    assert page.count("status-cancelled") == len(specs(client.application)) >= 3


def test_hub_query_count_is_constant(client, make, count_queries):
    event = make.event(state=EventState.OPEN)
    url = f"/events/{event.slug}/"
    with count_queries() as few:
        client.get(url)
    event.policy_areas = [PolicyArea(code=f"area{n}", name_en=f"Area {n}", name_fr=f"Domaine {n}", source="test")
                          for n in range(8)]
    touch(event)
    db.session.commit()
    with count_queries() as many:
        page = client.get(url).text
    assert "Domaine 7" in page or "Area 7" in page
    # The fingerprint, the event, at most one query per stage for its status, and two for the places
    # left beside the Register button.
    assert len(many) == len(few) <= 5 + len(specs(client.application))


def test_public_pages_are_served_again_from_the_cache_with_one_query(client, make, count_queries):
    event = make.event(state=EventState.OPEN)
    for path in ("/?lang=en", f"/events/{event.slug}/?lang=fr"):
        first = client.get(path)
        with count_queries() as queries:
            again = client.get(path)
        assert again.text == first.text
        assert len(queries) == 1, "only the fingerprint is read"
        assert client.get(path, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_a_change_shows_at_once_despite_the_cache(client, make):
    organiser = make.user(Role.ORGANISER, make.city())
    event = make.event(organiser.city, EventState.OPEN, theme_en="Before")
    assert "Before" in client.get(f"/events/{event.slug}/?lang=en").text
    assert "Before" in client.get("/?lang=en").text
    update_event(organiser, event, EventInput(
        theme_en="After", theme_fr=event.theme_fr, host_city_id=event.host_city_id, start_date=event.start_date,
        end_date=event.end_date, venue=event.venue, slug=event.slug))
    db.session.commit()
    assert "After" in client.get(f"/events/{event.slug}/?lang=en").text
    assert "After" in client.get("/?lang=en").text


def test_signed_in_staff_and_pending_messages_bypass_the_cache(client, make):
    event = make.event(state=EventState.OPEN)
    client.get("/?lang=en")
    make.login(client, make.user(Role.ADMIN, name="Amina Haddad"))
    page = client.get("/?lang=en").text
    assert "Staff area" in page and event.theme_en in page


def test_draft_hub_is_hidden_from_the_public_and_previewed_by_its_organiser(client, make):
    lyon = make.city()
    event = make.event(lyon, EventState.DRAFT)
    assert client.get(f"/events/{event.slug}/").status_code == 404
    make.login(client, make.user(Role.ORGANISER, lyon))
    response = client.get(f"/events/{event.slug}/?lang=en")
    assert response.status_code == 200
    assert "Preview: this event is a draft" in response.text


def test_unknown_event_gets_a_translated_404_page(client):
    response = client.get("/events/nothing-here/?lang=fr")
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    assert '<html lang="fr">' in response.text


def test_server_error_page_shows_no_stack_trace(database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom?lang=en")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == response.json["schema"] == "ok"


def test_healthz_fails_when_the_database_is_unreachable():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
                                 "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


@pytest.mark.parametrize("path", ["/", "/healthz", "/manage/login"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_pages_fetch_nothing_from_outside(client, make):
    event = make.event(state=EventState.OPEN)
    for path in ("/", f"/events/{event.slug}/", "/manage/login"):
        page = client.get(path).text
        assert "http://" not in page.replace("http://localhost", "")
        assert "https://" not in page


def test_an_event_is_past_by_its_host_citys_calendar(app, make):
    from datetime import UTC, date, datetime

    from app.events.queries import network_events

    amman = make.city("Amman", "Asia/Amman", "JO")
    event = make.event(amman, EventState.CLOSED, start_date=date(2030, 3, 9), end_date=date(2030, 3, 10))
    # 22:30 UTC on 10 March is already 11 March, 01:30, in Amman (+03): the meeting is over there.
    assert network_events(datetime(2030, 3, 10, 20, 0, tzinfo=UTC)).upcoming == [event]
    assert network_events(datetime(2030, 3, 10, 22, 30, tzinfo=UTC)).past == [event]


def test_every_cached_stage_page_shows_a_change_at_once(client, make):
    from app.agenda import services as agenda_services
    from app.registration import queries as registration_queries
    from app.registration import staff as registration_staff

    organiser = make.user(Role.ORGANISER, make.city())
    event = make.event(organiser.city, EventState.OPEN)
    agenda, feed = f"/events/{event.slug}/agenda?lang=en", f"/events/{event.slug}/calendar.ics"
    participants = f"/events/{event.slug}/participants?lang=en"
    client.get(agenda), client.get(feed), client.get(participants)
    agenda_services.create_from_template(organiser, event)
    db.session.commit()
    assert "Identification of recommendations" in client.get(agenda).text
    assert client.get(feed).text.count("BEGIN:VEVENT") == 6
    registration = make.registration(event, name="Amal Benali", consent_public_list=True)
    assert "Amal Benali" in client.get(participants).text, registration
    settings = registration_queries.settings_for(event)
    registration_staff.update_settings(organiser, event, registration_staff.SettingsInput(
        moderated=settings.moderated, promotion=settings.promotion, offer_hours=settings.offer_hours,
        online_capacity=settings.online_capacity, public_list=False))
    db.session.commit()
    assert "Amal Benali" not in client.get(participants).text


def test_the_event_page_offers_register_with_places_left_only_while_registration_is_open(client, make):
    from datetime import timedelta

    from app.db_types import utcnow

    soon = make.event(state=EventState.OPEN, capacity=40, registration_opens_at=utcnow() + timedelta(days=3),
                      registration_closes_at=utcnow() + timedelta(days=20))
    page = client.get(f"/events/{soon.slug}/?lang=en").text
    assert "Registration opens on" in page and ">Register</a>" not in page
    assert "Open for registration" not in page
    now_open = make.event(state=EventState.OPEN, capacity=40, registration_opens_at=utcnow() - timedelta(days=1),
                          registration_closes_at=utcnow() + timedelta(days=20))
    page = html.unescape(client.get(f"/events/{now_open.slug}/?lang=fr").text)
    assert f'href="/events/{now_open.slug}/register">S\'inscrire</a>' in page
    assert "40 places restantes" in page and "Inscription jusqu'au" in page
    home = client.get("/?lang=en").text
    assert "40 places left · Register by" in home
    closed = make.event(state=EventState.CLOSED, capacity=40)
    assert "Registration is closed." in client.get(f"/events/{closed.slug}/?lang=en").text


def test_a_hybrid_event_with_unlimited_online_places_says_the_places_left_in_person(client, make):
    from datetime import timedelta

    from app.db_types import utcnow
    from app.events.models import EventFormat

    hybrid = make.event(state=EventState.OPEN, capacity=12, format=EventFormat.HYBRID,
                        registration_opens_at=utcnow() - timedelta(days=1),
                        registration_closes_at=utcnow() + timedelta(days=20))
    assert "12 places left in person" in client.get(f"/events/{hybrid.slug}/?lang=en").text
    assert "12 places left in person · Register by" in client.get("/?lang=en").text
    assert "12 places restantes en présentiel" in html.unescape(client.get("/?lang=fr").text)


@pytest.mark.parametrize(("venue", "written"), [
    ("Hôtel de Ville, 1 place de la Comédie, Lyon", "Hôtel de Ville, 1 place de la Comédie, Lyon"),
    ("Hôtel de Ville, 1 place de la Comédie", "Hôtel de Ville, 1 place de la Comédie, Lyon"),
    ("Hôtel de Ville, LYON,", "Hôtel de Ville, LYON"),
    ("", "Lyon"),
])
def test_the_venue_names_its_city_once(venue, written):
    from app.events.models import Event

    assert Event(venue=venue).venue_address("Lyon") == written
