"""A few demo participants for `flask seed-demo`, registered the way the public form registers them."""

from app.events.models import Event
from app.extensions import db
from app.registration.models import AttendanceMode
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
