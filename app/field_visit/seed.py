"""Demo data for `flask seed-demo`: the upcoming Turin event's visit with three stops and a few
sign-ups, the Guillotière visit of the network's launch workshop (Lyon, March 2016), and the study
visit of the coordination workshop (Lyon, December 2017) to the future one-stop shop of social
services, as the seed documents describe them. Each is added only where the event has no visit yet.
The capture stage's Lyon 2017 observations name that last visit, so this seed runs first
(`seed_rank`)."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.db_types import utcnow
from app.events.models import City, Event
from app.extensions import db
from app.field_visit.models import FieldVisit, FieldVisitStop
from app.timezones import local_to_utc


def _has_visit(event: Event) -> bool:
    return db.session.scalar(select(FieldVisit.id).where(FieldVisit.event_id == event.id).limit(1)) is not None


def _at(day: date, hhmm: str, zone: str) -> datetime:
    return local_to_utc(datetime.combine(day, time.fromisoformat(hhmm)), zone)


def seed_demo_visit(event: Event, with_people: bool) -> int:
    from app.agenda.models import AgendaItem, ItemKind

    if _has_visit(event):
        return 0
    zone = event.timezone
    day = event.start_date + timedelta(days=1) if event.end_date > event.start_date else event.start_date
    slot = db.session.scalar(select(AgendaItem.id).where(AgendaItem.event_id == event.id,
                                                         AgendaItem.kind == ItemKind.FIELD_VISIT).limit(1))
    now = utcnow()
    visit = FieldVisit(
        event_id=event.id, agenda_item_id=slot,
        title_en="Social housing and rental mediation in Turin",
        title_fr="Logement social et intermédiation locative à Turin",
        description_en=("The City's social rental agency shows how it guarantees landlords' rents so that newcomers "
                        "can rent on the private market; then a social housing estate renewed with its tenants, "
                        "and the neighbourhood house where residents old and new meet."),
        description_fr=("L'agence sociale de location de la Ville montre comment elle garantit les loyers aux "
                        "propriétaires pour que les nouveaux arrivants puissent louer sur le marché "
                        "privé\u00a0; puis un "
                        "ensemble de logements sociaux rénové avec ses locataires, et la maison de quartier où se "
                        "retrouvent habitants anciens et nouveaux."),
        host_organisations="City of Turin, Housing Department\nAgenzia Sociale per la Locazione (LoCare)\n"
                           "Casa del Quartiere di San Salvario",
        contact_name="Marco Bianchi", contact_phone="+39 011 000 0000", contact_email="marco.bianchi@example.org",
        meeting_point="Palazzo Civico, main entrance", meeting_address="Piazza Palazzo di Città 1, 10122 Torino",
        meets_at=_at(day, "08:45", zone), returns_at=_at(day, "12:30", zone),
        return_place="Palazzo Civico, Sala delle Colonne", transport="Tram line 4 and on foot (tickets provided)",
        guide_languages="en,fr,it",
        accessibility_en="About 2 km on foot in all, on flat streets; the estate's community room is up six steps "
                         "(a ramp is available on request).",
        accessibility_fr="Environ 2 km à pied au total, sur des rues plates\u00a0; la salle commune de l'ensemble est "
                         "six marches plus haut (une rampe est disponible sur demande).",
        what_to_bring_en="Comfortable shoes and an umbrella if rain is forecast.",
        what_to_bring_fr="Des chaussures confortables, et un parapluie si de la pluie est annoncée.",
        meal_included=False, capacity=15, reserved=3, signup_open=True, created_at=now, updated_at=now,
    )
    # Who receives the group is one text, shown on the English and the French page alike: a person
    # and their organisation, which read the same in both.
    stops = [
        ("Agenzia Sociale per la Locazione (LoCare)", "Piazza Palazzo di Città 1, 10122 Torino",
         "How the agency guarantees rents and mediates between landlords and newcomers.",
         "Comment l'agence garantit les loyers et fait l'intermédiaire entre propriétaires et nouveaux arrivants.",
         "Marco Bianchi, LoCare", "09:00"),
        ("Via Arquata social housing estate", "Via Arquata, 10133 Torino",
         "A social housing estate renewed with its tenants; a meeting with the tenants' committee.",
         "Un ensemble de logements sociaux rénové avec ses locataires\u00a0; rencontre avec le comité des locataires.",
         "Giulia Rossi, Comitato inquilini di Via Arquata", "10:00"),
        ("Casa del Quartiere di San Salvario", "Via Morgari 14, 10125 Torino",
         "A neighbourhood house where residents old and new run activities together.",
         "Une maison de quartier où habitants anciens et nouveaux animent des activités ensemble.",
         "Luca Ferrero, Casa del Quartiere di San Salvario", "11:15"),
    ]
    visit.stops = [FieldVisitStop(position=n, place=place, address=address, shown_en=en, shown_fr=fr,
                                  received_by=who, at=_at(day, hhmm, zone))
                   for n, (place, address, en, fr, who, hhmm) in enumerate(stops)]
    db.session.add(visit)
    db.session.flush()
    if with_people:
        _demo_signups(event, visit)
    return 1


def _demo_signups(event: Event, visit: FieldVisit) -> None:
    """A few of the demo participants who come in person sign up, as they would from their page."""
    from app.field_visit.signups import sign_up, why_cannot_sign_up
    from app.registration.models import Registration

    names = ("Amal Benali", "Jean Dupont", "Karim Nassar")
    for registration in db.session.scalars(select(Registration).where(Registration.event_id == event.id,
                                                                      Registration.name.in_(names))):
        if why_cannot_sign_up(registration, visit) is None:
            sign_up(registration, visit)
    db.session.flush()


GUILLOTIERE = dict(
    title_en="The Guillotière neighbourhood and its associations",
    title_fr="Le quartier de la Guillotière et ses associations",
    description_en=("In the Guillotière neighbourhood, associations welcome newcomers: school support for young "
                    "people who do not speak French, French courses, a public letter-writer, support with care and "
                    "help to open social-welfare rights."),
    description_fr=("Dans le quartier de la Guillotière, des associations accueillent les nouveaux arrivants\u00a0: "
                    "soutien scolaire pour les jeunes qui ne parlent pas français, cours de français, écrivain "
                    "public, accompagnement vers les soins et aide à l'ouverture des droits sociaux."),
    host_organisations="Ville de Lyon\nAssociations of the Guillotière neighbourhood",
    meeting_point="Place Gabriel Péri", meeting_address="Place Gabriel Péri, 69007 Lyon",
    return_place="Place Gabriel Péri", transport="On foot", guide_languages="fr,en",
)
# (place, address, what is shown there in English and in French). The documents name what the
# associations do, not where: the places are plausible premises of the neighbourhood, named as
# the host city names them (a place keeps its name on the English page, as Turin's do).
GUILLOTIERE_STOPS = (
    ("Maison des associations de la Guillotière", "La Guillotière, 69007 Lyon",
     "School support for young people who do not speak French",
     "Soutien scolaire pour les jeunes qui ne parlent pas français"),
    ("Locaux associatifs, rue de Marseille", "Rue de Marseille, 69007 Lyon", "French courses", "Cours de français"),
    ("Permanence associative, place Gabriel Péri", "Place Gabriel Péri, 69007 Lyon", "A public letter-writer",
     "Un écrivain public"),
    ("Locaux associatifs, Grande rue de la Guillotière", "Grande rue de la Guillotière, 69007 Lyon",
     "Support with care and help to open social-welfare rights",
     "Accompagnement vers les soins et aide à l'ouverture des droits sociaux"),
)


def _lyon_event_starting(start: date) -> Event | None:
    """One of the network's finished events in Lyon, found by its first day (None before they are seeded)."""
    return db.session.scalar(select(Event).join(City, Event.host_city_id == City.id)
                             .where(City.name_en == "Lyon", Event.start_date == start))


def seed_guillotiere_2016() -> int:
    """The network's launch workshop in Lyon (9–10 March 2016) and its visit of the Guillotière."""
    event = _lyon_event_starting(date(2016, 3, 9))
    if event is None or _has_visit(event):
        return 0
    zone = event.timezone
    day = event.end_date
    now = utcnow()
    visit = FieldVisit(event_id=event.id, meets_at=_at(day, "14:00", zone), returns_at=_at(day, "17:00", zone),
                       capacity=None, reserved=0, signup_open=False, created_at=now, updated_at=now, **GUILLOTIERE)
    visit.stops = [FieldVisitStop(position=n, place=place, address=address, shown_en=en, shown_fr=fr)
                   for n, (place, address, en, fr) in enumerate(GUILLOTIERE_STOPS)]
    db.session.add(visit)
    db.session.flush()
    return 1


LYON_2017 = dict(
    title_en="Study visit to the future one-stop shop of social services: the Maisons de la Métropole des "
             "Solidarités and the CCAS",
    title_fr="Visite d'étude du futur guichet unique des services sociaux\u00a0: les Maisons de la Métropole des "
             "Solidarités et le CCAS",
    description_en=("The Métropole de Lyon and the City of Lyon are bringing their social services under one roof: the "
                    "Maisons de la Métropole des Solidarités, where the Métropole's social workers receive residents, "
                    "will share a single reception desk with the City's social action centre (CCAS). The teams show "
                    "what changes for a newcomer: one reception, one file, one appointment calendar."),
    description_fr=("La Métropole de Lyon et la Ville de Lyon réunissent leurs services sociaux sous un même "
                    "toit\u00a0: les Maisons de la Métropole des Solidarités, où les travailleurs sociaux de la "
                    "Métropole reçoivent les habitants, partageront un accueil unique avec le centre communal "
                    "d'action sociale (CCAS) de la Ville. Les équipes montrent ce qui change pour un nouvel "
                    "arrivant\u00a0: un seul accueil, un seul dossier, un seul agenda de rendez-vous."),
    host_organisations="Métropole de Lyon, Maisons de la Métropole des Solidarités\n"
                       "Ville de Lyon, Centre communal d'action sociale (CCAS)",
    meeting_point="Hôtel de Ville de Lyon", meeting_address="1 place de la Comédie, 69001 Lyon",
    return_place="Hôtel de Ville de Lyon", transport="Metro and on foot", guide_languages="fr,en",
)
# Who receives the group: a person and their organisation (one text for both languages, as in Turin).
LYON_2017_STOPS = (
    ("Maison de la Métropole des Solidarités",
     "The single reception desk: a newcomer is received once, and social workers of the Métropole and of the "
     "CCAS follow them with one shared file.",
     "L'accueil unique\u00a0: un nouvel arrivant est reçu une seule fois, et les travailleurs sociaux de la "
     "Métropole et du CCAS le suivent avec un dossier partagé.",
     "Sophie Lambert, Maison de la Métropole des Solidarités", "14:45"),
    ("Centre communal d'action sociale (CCAS) de la Ville de Lyon",
     "What the City's social action centre brings under the shared roof: emergency aid, a postal address for "
     "those who have none, and help to open social rights; interpreting booked by phone.",
     "Ce que le centre communal d'action sociale de la Ville apporte sous le toit commun\u00a0: aides "
     "d'urgence, domiciliation pour ceux qui n'ont pas d'adresse et aide à l'ouverture des droits\u00a0; "
     "interprétariat réservé par téléphone.",
     "Karim Haddad, CCAS de Lyon", "16:00"),
)


def seed_lyon_2017() -> int:
    """The coordination workshop in Lyon (12–13 December 2017) and its study visit, the first afternoon."""
    event = _lyon_event_starting(date(2017, 12, 12))
    if event is None or _has_visit(event):
        return 0
    zone, day, now = event.timezone, event.start_date, utcnow()
    visit = FieldVisit(event_id=event.id, meets_at=_at(day, "14:15", zone), returns_at=_at(day, "17:30", zone),
                       capacity=None, reserved=0, signup_open=False, created_at=now, updated_at=now, **LYON_2017)
    visit.stops = [FieldVisitStop(position=n, place=place, address="Lyon", shown_en=en, shown_fr=fr, received_by=who,
                                  at=_at(day, hhmm, zone))
                   for n, (place, en, fr, who, hhmm) in enumerate(LYON_2017_STOPS)]
    db.session.add(visit)
    db.session.flush()
    return 1


# `flask seed-demo --scale`: one visit per event, in its agenda's slot, with participants signed up
# (written straight to the tables, the place counter in step), leaving room on the upcoming ones.
SCALE_VISIT_CAPACITY = 40
SCALE_SIGNUPS = 25
# Who receives the group at each stop, and the contact on the day: people's names, which read the same
# on the English and the French page (a phrase such as "The team" would show in English on both).
SCALE_HOSTS = ("Leila Mansour", "Marco Ferri", "Nadia Benali")
SCALE_CONTACT = "Samir Khalil"


def seed_scale_visits(context) -> int:
    from app.agenda.models import AgendaItem, ItemKind
    from app.field_visit.models import SignupStatus, VisitPlaces, VisitSignup
    from app.registration.models import Registration, RegistrationStatus

    added = 0
    for event in context.events:
        if _has_visit(event):
            continue
        zone, city = event.timezone, event.host_city
        day = event.end_date
        slot = db.session.scalar(select(AgendaItem.id).where(AgendaItem.event_id == event.id,
                                                             AgendaItem.kind == ItemKind.FIELD_VISIT).limit(1))
        at = _at(day, "08:45", zone)
        visit = FieldVisit(
            event_id=event.id, agenda_item_id=slot,
            title_en=f"{event.theme_en}: seen on the ground in {city.name_en}",
            title_fr=f"{event.theme_fr}\u00a0: sur le terrain à {city.name_fr}",
            description_en=f"The host city shows a local solution on {event.theme_en.lower()} with the people who run "
                           "it.",
            description_fr="La ville hôte présente une solution locale, avec les personnes qui la font vivre.",
            host_organisations=f"City of {city.name_en}", contact_name=SCALE_CONTACT,
            meeting_point=event.venue, meeting_address=event.venue, meets_at=at, returns_at=_at(day, "12:30", zone),
            return_place=event.venue, transport="On foot and by tram", guide_languages="en,fr",
            accessibility_en="About 2 km on foot, on flat streets.",
            accessibility_fr="Environ 2\u00a0km à pied, sur des rues plates.",
            capacity=SCALE_VISIT_CAPACITY, reserved=0, signup_open=True, created_at=at, updated_at=at)
        visit.stops = [FieldVisitStop(position=n, place=f"Stop {n + 1}", address=f"{city.name_en}",
                                      shown_en="A local service and its team.",
                                      shown_fr="Un service local et son équipe.",
                                      received_by=host, at=_at(day, f"{9 + n:02d}:30", zone))
                       for n, host in enumerate(SCALE_HOSTS)]
        db.session.add(visit)
        db.session.flush()
        participants = list(db.session.scalars(
            select(Registration.id).where(Registration.event_id == event.id,
                                          Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(Registration.id).limit(SCALE_SIGNUPS)))
        db.session.add_all(VisitSignup(visit_id=visit.id, registration_id=registration_id,
                                       status=SignupStatus.CONFIRMED, created_at=at, updated_at=at)
                           for registration_id in participants)
        db.session.add(VisitPlaces(visit_id=visit.id, taken=len(participants)))
        added += 1
    db.session.flush()
    return added
