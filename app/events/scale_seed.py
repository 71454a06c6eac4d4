"""`flask seed-demo --scale`: the network at the size the benchmarks measure (issue 14).

On top of the ordinary demo data: `20 × scale` finished events (their meeting captured and written
up) and `4 × scale` upcoming open ones (at least one of each), hosted by the network's cities in
turn, then each stage's part (StageSpec.scale_seed): registrations, agenda, background, field
visits, captured entries with votes and follow-ups, published notes. Deterministic: the same
events and content on every run (an upcoming event's dates follow today's, as the demo event's do).
Events that exist already are kept as they are, and a stage seeds only events without its data.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.db_types import utcnow
from app.events.models import City, CityKind, Event, EventFormat, EventState, EventStateChange, PolicyArea
from app.events.services import default_slug, unique_slug
from app.extensions import db
from app.i18n import french_spacing
from app.stages import ScaleSeedContext, seed_stages_at_scale
from app.timezones import local_to_utc

FINISHED_AT_SCALE_1 = 20
UPCOMING_AT_SCALE_1 = 4
FIRST_FINISHED = date(2022, 2, 8)  # a Tuesday; one meeting every ten weeks after it
UPCOMING_CAPACITY = 200

# theme en, theme fr, policy-area codes
THEMES = [
    ("Language learning for adult newcomers", "L'apprentissage de la langue pour les adultes nouvellement arrivés",
     ["welcome", "intercultural"]),
    ("Recognition of foreign qualifications", "La reconnaissance des qualifications étrangères", ["employment"]),
    ("Health services for migrants", "Les services de santé pour les personnes migrantes", ["basic_services"]),
    ("Unaccompanied minors in the city", "Les mineurs non accompagnés dans la ville", ["welcome", "refugees"]),
    ("Migrant entrepreneurship", "L'entrepreneuriat des personnes migrantes", ["employment"]),
    ("Public spaces and social cohesion", "Espaces publics et cohésion sociale", ["urban_planning", "intercultural"]),
    ("Women on the move", "Les femmes en migration", ["participation", "basic_services"]),
    ("Climate and migration in cities", "Climat et migrations dans les villes", ["urban_planning", "multilevel"]),
    ("Fighting discrimination at the counter", "Lutter contre les discriminations au guichet", ["intercultural"]),
    ("Schools that welcome", "Des écoles qui accueillent", ["basic_services", "welcome"]),
    ("Diaspora and local development", "Diasporas et développement local", ["participation", "employment"]),
    ("Data on migration at city level", "Les données sur les migrations à l'échelle de la ville", ["coordination"]),
    ("Informal settlements and housing", "Habitat informel et logement", ["urban_planning", "basic_services"]),
    ("Migrants' voice in local politics", "La voix des personnes migrantes dans la politique locale",
     ["participation"]),
    ("Seasonal workers in the region", "Les travailleurs saisonniers dans la région", ["employment", "multilevel"]),
    ("Culture as a meeting place", "La culture comme lieu de rencontre", ["intercultural", "participation"]),
    ("Mental health after the journey", "La santé mentale après le parcours migratoire", ["basic_services"]),
    ("Cities and national reception systems", "Les villes et les dispositifs nationaux d'accueil",
     ["multilevel", "coordination"]),
    ("Digital services for all residents", "Des services numériques pour tous les habitants",
     ["basic_services", "coordination"]),
    ("Returning migrants and reintegration", "Le retour et la réintégration des personnes migrantes",
     ["welcome", "multilevel"]),
]
UPCOMING_THEMES = [
    ("Housing first for newcomers", "Le logement d'abord pour les nouveaux arrivants", ["urban_planning"]),
    ("Jobs in the green transition", "Les emplois de la transition écologique", ["employment"]),
    ("Libraries as welcome centres", "Les bibliothèques comme lieux d'accueil", ["welcome", "intercultural"]),
    ("Young people between two cultures", "Les jeunes entre deux cultures", ["intercultural", "participation"]),
]


def _theme(themes: list, number: int) -> tuple[str, str, list[str], int]:
    """The number-th theme; past the list's length, the list again with a round number."""
    theme_en, theme_fr, codes = themes[number % len(themes)]
    return theme_en, theme_fr, codes, number // len(themes)


def _network_cities() -> list[City]:
    return list(db.session.scalars(select(City).where(City.kind == CityKind.CITY).order_by(City.name_en)))


def _next_tuesday_after(day: date) -> date:
    return day + timedelta(days=(1 - day.weekday()) % 7 or 7)


def _event(theme: tuple, city: City, start: date, state: EventState, areas: dict, **values) -> tuple[Event, bool]:
    theme_en, theme_fr, codes, round_number = theme
    if round_number:
        theme_en, theme_fr = f"{theme_en} ({round_number + 1})", f"{theme_fr} ({round_number + 1})"
    existing = db.session.scalar(select(Event).where(Event.host_city_id == city.id, Event.start_date == start,
                                                     Event.theme_en == theme_en))
    if existing is not None:
        return existing, False
    event = Event(
        slug=unique_slug(default_slug(theme_en, city, start)), theme_en=theme_en, theme_fr=french_spacing(theme_fr),
        summary_en=f"Two days in {city.name_en} on one question the network's cities share: {theme_en.lower()}.",
        summary_fr=french_spacing(f"Deux jours à {city.name_fr} sur une question que partagent les villes du "
                                  f"réseau : {theme_fr[0].lower()}{theme_fr[1:]}."),
        host_city=city, start_date=start, end_date=start + timedelta(days=1), state=state,
        venue=f"City Hall, {city.name_en}", policy_areas=[areas[code] for code in codes if code in areas], **values)
    db.session.add(event)
    db.session.add(EventStateChange(event=event, from_state=EventState.DRAFT, to_state=state, reason="scale data"))
    db.session.flush()
    return event, True


def seed_scale_events(scale: float) -> ScaleSeedContext:
    cities = _network_cities()
    areas = {area.code: area for area in db.session.scalars(select(PolicyArea))}
    finished_count = max(1, round(FINISHED_AT_SCALE_1 * scale))
    upcoming_count = max(1, round(UPCOMING_AT_SCALE_1 * scale))
    context = ScaleSeedContext(finished=[], upcoming=[], scale=scale)
    added = 0
    for number in range(finished_count):
        start = FIRST_FINISHED + timedelta(weeks=10 * number)
        event, new = _event(_theme(THEMES, number), cities[number % len(cities)], start, EventState.FINISHED, areas,
                            format=EventFormat.HYBRID if number % 3 == 0 else EventFormat.IN_PERSON, capacity=None)
        context.finished.append(event)
        added += new
    today = utcnow().date()
    for number in range(upcoming_count):
        city = cities[(number * 7 + 3) % len(cities)]
        start = _next_tuesday_after(today + timedelta(days=60 + 21 * number))
        event, new = _event(
            _theme(UPCOMING_THEMES, number), city, start, EventState.OPEN, areas, format=EventFormat.IN_PERSON,
            capacity=UPCOMING_CAPACITY,
            registration_opens_at=datetime.combine(today - timedelta(days=30), time(8), tzinfo=UTC),
            registration_closes_at=local_to_utc(datetime.combine(start - timedelta(days=7), time(18)),
                                                city.timezone))
        context.upcoming.append(event)
        added += new
    context.count("scale events", added)
    seed_stages_at_scale(context)
    return context
