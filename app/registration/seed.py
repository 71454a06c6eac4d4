"""A few demo participants for `flask seed-demo`, registered the way the public form registers them."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.events.models import City, Event
from app.extensions import db
from app.registration.models import AttendanceMode, Registration, RegistrationStatus, SeatPool
from app.registration.queries import find_registration
from app.registration.signup import RegistrationInput, register

DEMO_PARTICIPANTS = [
    # name, email, organisation, position, city, country, language, in person, public list
    ("Amal Benali", "amal.benali@example.org", "Municipalité de Tunis", "Chargée de mission logement", "Tunis",
     "TN", "fr", True, True),
    ("Jean Dupont", "jean.dupont@example.org", "Ville de Lyon", "Chef de projet", "Lyon", "FR", "fr", True, True),
    ("Lina Haddad", "lina.haddad@example.org", "Greater Amman Municipality", "Policy officer", "Amman", "JO", "en",
     True, False),
    ("Marta Ruiz", "marta.ruiz@example.org", "Ayuntamiento de Madrid", "Social services", "Madrid", "ES", "en",
     False, True),
    ("Karim Nassar", "karim.nassar@example.org", "Beirut Municipality", "Urban planner", "Beirut", "LB", "en",
     True, True),
]


def seed_demo_registrations(event: Event) -> int:
    """A few participants, leaving most of the 40 places free so that anyone can register at once."""
    added = 0
    for name, email, organisation, position, city, country, language, in_person, public in DEMO_PARTICIPANTS:
        if find_registration(event, email) is not None:
            continue
        register(event, RegistrationInput(
            name=name, email=email, organisation=organisation, position=position, city=city, country_code=country,
            preferred_language=language, consent_processing=True, consent_public_list=public,
            attendance=AttendanceMode.IN_PERSON if in_person else AttendanceMode.ONLINE,
        ), check_window=False)
        added += 1
    db.session.flush()
    return added


# `flask seed-demo --scale`: the network's participants, written straight to the tables (no email:
# the people are invented), with the seat counters in step with the places they hold.
FIRST_NAMES = ["Amal", "Jean", "Lina", "Marta", "Karim", "Sofia", "Youssef", "Claire", "Omar", "Inês", "Nadia",
               "Luca", "Salma", "Pablo", "Hélène", "Mehdi", "Anna", "Rania", "Tariq", "Élodie", "Hassan", "Chiara",
               "Farah", "Nikos", "Leila", "Samir", "Maria", "Yasmine", "Ahmed", "Eva"]
LAST_NAMES = ["Benali", "Dupont", "Haddad", "Ruiz", "Nassar", "Costa", "El Amrani", "Martin", "Saleh", "Carvalho",
              "Khoury", "Moretti", "Bennani", "Ortega", "Lambert", "Alaoui", "Huber", "Mansour", "Zaki", "Rey",
              "Fares", "Bianco", "Jaber", "Papadopoulos", "Trabelsi", "Aziz", "Gómez", "Idrissi", "Nasser", "Gruber"]
ORGANISATIONS = ["City administration", "Metropolitan authority", "Ministry of the Interior", "Migrants' association",
                 "UN agency", "University", "Regional government", "Civil society organisation"]
REGISTRATIONS_AT_SCALE_1 = 3000
UPCOMING_SHARE = 0.2  # of the registrations, for the upcoming events (the rest attended the finished ones)


def _per_event(total: int, events: list) -> list[int]:
    base, extra = divmod(total, len(events)) if events else (0, 0)
    return [base + (1 if n < extra else 0) for n in range(len(events))]


def seed_scale_registrations(context) -> int:
    rng = context.random("registration")
    cities = list(db.session.scalars(select(City).order_by(City.name_en)))
    total = context.share(REGISTRATIONS_AT_SCALE_1)
    upcoming_total = round(total * UPCOMING_SHARE) if context.upcoming else 0
    plan = list(zip(context.finished, _per_event(total - upcoming_total, context.finished), strict=True))
    plan += list(zip(context.upcoming, _per_event(upcoming_total, context.upcoming), strict=True))
    added = 0
    for event, count in plan:
        if db.session.scalar(select(func.count(Registration.id)).where(Registration.event_id == event.id)):
            continue
        opened = datetime.combine(event.start_date, datetime.min.time(), tzinfo=UTC) - timedelta(days=60)
        if event in context.upcoming:
            count = min(count, (event.capacity or count) - 10)  # room left for the benchmark's sign-ups
        rows = []
        for number in range(count):
            city = cities[rng.randrange(len(cities))]
            at = opened + timedelta(minutes=37 * number)
            rows.append(Registration(
                event_id=event.id, email=f"{event.slug[:40]}.{number:04d}@example.org",
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", organisation=rng.choice(ORGANISATIONS),
                city=city.name_en, country_code=city.country_code, preferred_language=rng.choice(("en", "fr")),
                attendance=AttendanceMode.IN_PERSON, consent_processing_at=at, consent_public_list=rng.random() < 0.6,
                status=RegistrationStatus.CONFIRMED, token_version=f"{rng.getrandbits(128):032x}", created_at=at,
                updated_at=at))
        db.session.add_all(rows)
        db.session.add(SeatPool(event_id=event.id, attendance=AttendanceMode.IN_PERSON, taken=count))
        added += count
    db.session.flush()
    return added
