"""The network in figures, on the demo data (`flask seed-demo`) with more participants: every
number recomputed here from the rows, by other means than app/library/figures.py."""

import re
import unicodedata
from datetime import date

import pytest
from sqlalchemy import select

from app.capture.models import Entry, EntryKind, EntrySdg, FollowUp
from app.events.models import City, Event, EventFormat, EventState
from app.events.seed import seed_all
from app.extensions import db
from app.library.figures import network_figures
from app.registration.models import Registration, RegistrationStatus


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return " ".join("".join(c for c in decomposed if unicodedata.category(c) != "Mn").split())


@pytest.fixture
def seeded(app, make):
    seed_all(with_demo_accounts=True)
    db.session.commit()
    finished = list(db.session.scalars(select(Event).where(Event.state == EventState.FINISHED)))
    tunis = next(e for e in finished if e.host_city.name_en == "Tunis")
    sfax = next(e for e in finished if e.host_city.name_en == "Sfax")
    # The same person at two events (email in other case), an erased registration, organisations
    # written differently, a city typed in French, a city outside the network, and people who do
    # not count (cancelled, waiting, or at an event not held yet).
    make.registration(tunis, email="Nadia.K@example.org", organisation="Ville de Tunis", city="Tunis",
                      country_code="TN")
    make.registration(sfax, email="nadia.k@EXAMPLE.org", organisation="  ville de  TUNIS ", city="tunis",
                      country_code="TN")
    make.registration(sfax, email=None, organisation="Métropole de Lyon", city="Marseille", country_code="FR",
                      erased_at=None)
    make.registration(sfax, email="karim@example.org", organisation="Metropole de Lyon", city="Tanger",
                      country_code="MA")
    make.registration(sfax, email="omar@example.org", organisation="UNHCR", city="Beyrouth", country_code="LB",
                      status=RegistrationStatus.CANCELLED)
    make.registration(tunis, email="wait@example.org", organisation="Waiting", city="Naples", country_code="IT",
                      status=RegistrationStatus.WAITLISTED)
    demo = db.session.scalar(select(Event).where(Event.state == EventState.OPEN))
    make.registration(demo, email="future@example.org", organisation="Future", city="Rabat", country_code="MA")
    return finished


def test_figures_are_computed_from_the_data(seeded):
    figures = network_figures()
    held = [e for e in db.session.scalars(select(Event)) if e.state is EventState.FINISHED]
    held_ids = {e.id for e in held}
    assert figures.events_held == len(held) == 16
    assert figures.by_format[EventFormat.IN_PERSON] == sum(e.format is EventFormat.IN_PERSON for e in held) == 12
    assert figures.by_format[EventFormat.DIGITAL] == sum(e.format is EventFormat.DIGITAL for e in held) == 4
    hosts = {e.host_city_id for e in held}
    assert figures.host_cities == len(hosts) == 14

    registrations = [r for r in db.session.scalars(select(Registration))
                     if r.event_id in held_ids and r.status is RegistrationStatus.CONFIRMED]
    emails = {r.email.lower() for r in registrations if r.email}
    assert figures.participants == len(emails) + sum(1 for r in registrations if not r.email)
    organisations = {_plain(r.organisation) for r in registrations if r.organisation.strip()}
    assert figures.organisations == len(organisations)
    assert "ville de tunis" in organisations and "metropole de lyon" in organisations

    cities = list(db.session.scalars(select(City)))
    by_name = {}
    for city in cities:
        by_name.setdefault(_plain(city.name_en), city.id)
        by_name.setdefault(_plain(city.name_fr), city.id)
    entries = list(db.session.scalars(select(Entry)))
    final = [e for e in entries if e.kind is EntryKind.RECOMMENDATION and e.final_at and not e.removed_at
             and not e.merged_into_id and e.event_id in held_ids]
    final_ids = {e.id for e in final}
    follow_ups = [f for f in db.session.scalars(select(FollowUp)) if f.recommendation_id in final_ids]
    taking_part = set(hosts)
    taking_part |= {e.city_id for e in entries if e.kind is EntryKind.CASE and e.city_id and e.event_id in held_ids}
    taking_part |= {f.city_id for f in follow_ups}
    taking_part |= {by_name.get(_plain(r.city), _plain(r.city)) for r in registrations if r.city.strip()}
    assert "marseille" in taking_part and by_name["tanger"] in taking_part
    assert figures.participating_cities == len(taking_part)
    countries = {c.country_code for c in cities if c.id in taking_part}
    countries |= {r.country_code for r in registrations if r.country_code}
    assert figures.countries == len(countries)

    assert figures.recommendations == len(final) == 6
    taken = {f.recommendation_id for f in follow_ups if f.status.value in ("planned", "in_progress", "done")}
    assert figures.taken_up == len(taken) == 2
    assert figures.uptake_cities == len({f.city_id for f in follow_ups if f.recommendation_id in taken}) == 2
    assert figures.uptake == {"done": 0, "in_progress": 1, "planned": 1, "dropped": 0, "none": 4}
    codes = [s for s in db.session.scalars(select(EntrySdg)) if s.entry_id in final_ids]
    assert figures.sdg_targets == len({s.code for s in codes if "." in s.code})
    assert figures.sdg_goals == len({s.goal for s in codes})
    per_goal = {goal.goal: count for goal, count in figures.per_goal}
    assert per_goal == {goal: len({s.entry_id for s in codes if s.goal == goal}) for goal in {s.goal for s in codes}}
    per_area = {area.code: count for area, count in figures.per_area}
    assert per_area == {code: sum(1 for e in final if code in [a.code for a in e.policy_areas])
                        for code in {a.code for e in final for a in e.policy_areas}}
    assert [row.year for row in figures.years] == sorted({e.start_date.year for e in held})
    assert sum(row.total for row in figures.years) == 16


def test_figures_page_draws_its_charts_and_gives_the_same_figures_in_tables(client, seeded):
    page = client.get("/library/figures?lang=en").text
    figures = network_figures()
    assert page.count('<svg class="chart"') == 4
    for chart_id in ("chart-years", "chart-areas", "chart-goals", "chart-uptake"):
        assert f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"' in page
        assert f'<title id="{chart_id}-title">' in page and f'<desc id="{chart_id}-desc">' in page
    assert page.count("<table>") == 4
    assert f"<dd>{figures.participants}</dd>" in page and f"<dd>{figures.events_held}</dd>" in page
    # The 2017 row: four events, in person, with their themes.
    row = re.search(r"<tr><th scope=\"row\">2017</th>(.*?)</tr>", page, re.S).group(1)
    assert "<td>4</td>" in row and "Refugees hosting" in row
    assert "http" not in re.sub(r'href="[^"]*"|xmlns="[^"]*"', "", page.split("<main", 1)[1])  # no chart service
    french = client.get("/library/figures?lang=fr").text
    assert "Événements tenus par année" in french and "Barres\u00a0:" in french


def test_figures_never_name_anyone(client, seeded):
    page = client.get("/library/figures?lang=en").text + client.get("/library?lang=en").text
    for name in ("Nadia Khoury", "nadia.k@example.org", "karim@example.org", "lyon2017.participant1"):
        assert name.lower() not in page.lower()


def test_held_events_only(seeded, make):
    before = network_figures()
    upcoming = make.event(make.city("Tunis"), EventState.OPEN, start_date=date(2031, 5, 1))
    make.registration(upcoming, email="someone@example.org", organisation="Somewhere", city="Oslo")
    assert network_figures().participants == before.participants
    assert network_figures().events_held == before.events_held
