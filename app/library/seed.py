"""The library's part of `flask seed-demo`: the network's sixteen past events get their policy
areas (what each meeting was about, in the network's own list of priorities), so that the library
and its figures show the network's history by area. Only events without areas get them: running it
again, or after an organiser chose other areas, changes nothing.

The past events' content comes from the stages' seeds: capture's Lyon 2017 meeting in full
(cases, recommendations with their SDG targets, votes, follow-up), and, once the learning-note
stage plugs into the library, its Lyon 2017 note."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db_types import utcnow
from app.events.models import City, Event, PolicyArea
from app.extensions import db
from app.stages import SeedContext

# (host city, year, start of the English theme) -> policy-area codes (app/data/policy_areas.csv).
PAST_EVENT_AREAS = {
    ("Lyon", 2016, "Technical workshop"): ["coordination"],
    ("Lisbon", 2016, "Intercultural dialogue"): ["intercultural"],
    ("Madrid", 2016, "Employment"): ["employment"],
    ("Tangier", 2016, "Access to basic services"): ["basic_services"],
    ("Vienna", 2017, "Refugees hosting"): ["refugees", "welcome"],
    ("Amman", 2017, "Urban planning"): ["urban_planning", "basic_services"],
    ("Turin", 2017, "Education"): ["basic_services", "intercultural"],
    ("Lyon", 2017, "Inter-institutional coordination"): ["coordination", "multilevel"],
    ("Tunis", 2018, "Communication on migration"): ["narrative"],
    ("Amman", 2019, "Data collection"): ["coordination"],
    ("Sfax", 2019, "Cooperating with civil society"): ["participation", "multilevel"],
    ("Casablanca", 2019, "Cultural policies"): ["intercultural", "participation"],
    ("Seville", 2020, "Communication on migration"): ["narrative"],
    ("Rabat", 2020, "Private sector engagement"): ["employment", "multilevel"],
    ("Grenoble", 2021, "Urban citizenship"): ["participation", "welcome"],
    ("Dortmund", 2021, "The link between homelessness"): ["basic_services", "urban_planning"],
}


def seed_past_event_areas() -> int:
    areas = {area.code: area for area in db.session.scalars(select(PolicyArea))}
    events = db.session.scalars(select(Event).options(selectinload(Event.policy_areas)).join(City)
                                .where(Event.start_date < date(2022, 1, 1))).all()
    added = 0
    for event in events:
        for (city, year, theme), codes in PAST_EVENT_AREAS.items():
            if (event.host_city.name_en == city and event.start_date.year == year
                    and event.theme_en.startswith(theme) and not event.policy_areas):
                event.policy_areas = [areas[code] for code in codes if code in areas]
                event.updated_at = utcnow()  # what the library's index and cached pages follow
                added += 1
    db.session.flush()
    return added


def seed(context: SeedContext) -> None:
    added = seed_past_event_areas()
    if added:  # reported when something was added only, after the stages' lines
        context.count("past events' policy areas", added)
