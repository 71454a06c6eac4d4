"""`flask seed-demo`: the network's reference data, and one upcoming event to try everything on.

Every step looks for what it would create first, so running it again adds nothing twice.
"""

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from app.auth.models import Role, User
from app.db_types import utcnow
from app.events.models import (
    City,
    CityKind,
    Event,
    EventFormat,
    EventState,
    EventStateChange,
    FacilitatorAssignment,
    PolicyArea,
)
from app.events.services import default_slug, unique_slug
from app.extensions import db
from app.i18n import french_spacing
from app.stages import SeedContext, seed_stages
from app.timezones import local_to_utc

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_SLUG = "inclusive-access-to-housing-turin"
# Published on purpose: these accounts exist only where DEMO_ACCOUNTS is set (never in production).
DEMO_PASSWORDS = {
    "admin@example.org": "demo-admin-2026",
    "organiser.turin@example.org": "demo-organiser-2026",
    "facilitator@example.org": "demo-facilitator-2026",
}


@dataclass
class SeedReport:
    cities: int = 0
    policy_areas: int = 0
    events: int = 0
    accounts: int = 0
    stages: dict = field(default_factory=dict)  # what each stage's demo seed added, by label


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seed_cities(report: SeedReport) -> dict[str, City]:
    cities = {c.name_en: c for c in db.session.scalars(select(City))}
    for row in read_csv("cities.csv"):
        if row["name_en"] not in cities:
            city = City(name_en=row["name_en"], name_fr=row["name_fr"], country_code=row["country_code"],
                        timezone=row["timezone"], kind=CityKind(row["kind"]))
            db.session.add(city)
            cities[city.name_en] = city
            report.cities += 1
    db.session.flush()
    return cities


def seed_policy_areas(report: SeedReport) -> dict[str, PolicyArea]:
    areas = {a.code: a for a in db.session.scalars(select(PolicyArea))}
    for row in read_csv("policy_areas.csv"):
        if row["code"] not in areas:
            area = PolicyArea(code=row["code"], name_en=row["name_en"], name_fr=row["name_fr"], source=row["source"])
            db.session.add(area)
            areas[area.code] = area
            report.policy_areas += 1
    db.session.flush()
    return areas


def parse_reference_dates(start: str, end: str) -> tuple[date, date, bool]:
    """`YYYY-MM-DD` where the days are public; `YYYY-MM` (month only, no end) otherwise."""
    if len(start) == 7:
        first = date.fromisoformat(f"{start}-01")
        return first, first, True
    return date.fromisoformat(start), date.fromisoformat(end or start), False


def seed_past_events(cities: dict[str, City], report: SeedReport) -> None:
    known = {(e.host_city_id, e.start_date, e.theme_en) for e in db.session.scalars(select(Event))}
    for row in read_csv("events.csv"):
        city = cities[row["host_city"]]
        start, end, month_only = parse_reference_dates(row["start_date"], row["end_date"])
        if (city.id, start, row["theme_en"]) in known:
            continue
        db.session.add(Event(
            slug=unique_slug(default_slug(row["theme_en"], city, start)), theme_en=row["theme_en"],
            theme_fr=french_spacing(row["theme_fr"]), host_city=city, start_date=start, end_date=end,
            month_only=month_only,
            format=EventFormat(row["format"]), state=EventState.FINISHED,
        ))
        db.session.flush()
        report.events += 1


def _next_tuesday_after(day: date) -> date:
    return day + timedelta(days=(1 - day.weekday()) % 7 or 7)


def seed_demo_event(cities: dict[str, City], areas: dict[str, PolicyArea], report: SeedReport) -> Event:
    existing = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    if existing is not None:
        return existing
    turin = cities["Turin"]
    start = _next_tuesday_after(utcnow().date() + timedelta(days=45))
    event = Event(
        slug=DEMO_SLUG,
        theme_en="Inclusive access to housing for migrants",
        theme_fr="Accès inclusif au logement pour les personnes migrantes",
        summary_en=(
            "Two days in Turin on how cities open the housing market to newcomers: rental guarantees, "
            "social intermediation agencies and the first months after arrival. Participants present "
            "their own local solutions, visit a social housing project run with the city, and agree "
            "on recommendations for the network."
        ),
        summary_fr=(
            "Deux jours à Turin sur la manière dont les villes ouvrent le marché du logement aux "
            "nouveaux arrivants\u00a0: garanties locatives, agences d'intermédiation sociale et les premiers "
            "mois après l'arrivée. Les participants présentent leurs solutions locales, visitent un "
            "projet de logement social mené avec la ville et s'accordent sur des recommandations pour "
            "le réseau."
        ),
        host_city=turin, start_date=start, end_date=start + timedelta(days=1), format=EventFormat.HYBRID,
        venue="Palazzo Civico, Piazza Palazzo di Città 1, 10122 Torino",
        online_url="https://meet.example.org/mc2cm-turin-housing", capacity=40,
        registration_opens_at=utcnow() - timedelta(days=1),
        registration_closes_at=local_to_utc(datetime.combine(start - timedelta(days=7), time(18)), turin.timezone),
        policy_areas=[areas["urban_planning"], areas["basic_services"], areas["welcome"]],
        state=EventState.OPEN,
    )
    db.session.add(event)
    db.session.add(EventStateChange(event=event, from_state=EventState.DRAFT, to_state=EventState.OPEN,
                                    reason="demo data"))
    db.session.flush()
    report.events += 1
    return event


def seed_demo_accounts(cities: dict[str, City], demo_event: Event, report: SeedReport) -> None:
    people = [
        ("admin@example.org", "Amina Haddad", Role.ADMIN, None, "en"),
        ("organiser.turin@example.org", "Giulia Rossi", Role.ORGANISER, cities["Turin"], "en"),
        ("facilitator@example.org", "Zoé Lefèvre-Ben Saïd", Role.FACILITATOR, None, "fr"),
    ]
    for email, name, role, city, language in people:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=role, city=city, preferred_language=language)
            user.set_password(DEMO_PASSWORDS[email])
            db.session.add(user)
            db.session.flush()
            report.accounts += 1
        if role is Role.FACILITATOR and db.session.get(FacilitatorAssignment, (demo_event.id, user.id)) is None:
            db.session.add(FacilitatorAssignment(event_id=demo_event.id, user_id=user.id))
    db.session.flush()


def seed_all(with_demo_accounts: bool) -> SeedReport:
    report = SeedReport()
    cities = seed_cities(report)
    areas = seed_policy_areas(report)
    seed_past_events(cities, report)
    demo_event = seed_demo_event(cities, areas, report)
    if with_demo_accounts:
        seed_demo_accounts(cities, demo_event, report)
    stages = SeedContext(demo_event, with_demo_people=with_demo_accounts)
    seed_stages(stages)
    report.stages = stages.counts
    return report
