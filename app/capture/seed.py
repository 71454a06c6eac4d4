"""Demo capture for `flask seed-demo`.

- The finished Lyon event of December 2017, "Inter-institutional coordination in migration
  governance" (30+ experts from Amman, Lisbon, Lyon, Madrid, Tangier, Turin, Vienna and guests,
  with a study visit to the future one-stop shop of social services): challenges and
  opportunities, cases from four cities, observations of the visit (the field visit stage's demo
  visit of that event, which its seed adds first; the label alone without it), eight recommendations in both
  languages with their SDG targets, the room's votes (with demo people) and two cities' follow-up.
- The upcoming Turin demo event: a few entries typed live, one still waiting for its translation.

Written straight to the tables (with a first version in each entry's history), only for an event
that has no entry yet: running it again adds nothing.
"""

import re
import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from app.agenda.models import AgendaItem, ItemKind
from app.auth.models import User
from app.capture.entries import _apply, _record, _translation_status, new_client_key
from app.capture.models import (
    ActorLevel,
    CaptureSettings,
    Dot,
    DotBudget,
    Endorsement,
    Entry,
    EntryKind,
    FollowUp,
    FollowUpStatus,
)
from app.events.models import City, Event, PolicyArea
from app.extensions import db
from app.registration.models import Registration, RegistrationStatus

K = EntryKind
LYON_VISIT = "Study visit to the future Maisons de la Métropole des Solidarités"

LYON_ENTRIES = [
    (K.CHALLENGE, "en", "", "",
     "Responsibilities for reception are split between the State, the region, the metropolis and the city: "
     "nobody sees a newcomer's whole path.",
     "Les responsabilités de l'accueil sont réparties entre l'État, la région, la métropole et la ville\u00a0: "
     "personne ne voit le parcours complet d'un nouvel arrivant."),
    (K.CHALLENGE, "fr", "", "",
     "Newcomers are sent from one counter to another and tell their story again each time; information is lost "
     "between services.",
     "Les nouveaux arrivants sont renvoyés d'un guichet à l'autre et racontent leur histoire à chaque fois\u00a0; "
     "l'information se perd entre les services."),
    (K.CHALLENGE, "en", "", "",
     "Data on migrants' needs are not shared between institutions, for legal as much as technical reasons.",
     "Les données sur les besoins des personnes migrantes ne circulent pas entre institutions, pour des raisons "
     "juridiques autant que techniques."),
    (K.CHALLENGE, "en", "", "",
     "Cities bear much of the cost of integration without a say in national decisions or the matching funding.",
     "Les villes supportent une grande partie du coût de l'intégration sans voix dans les décisions nationales "
     "ni financements à la hauteur."),
    (K.OPPORTUNITY, "en", "", "",
     "Local partnerships with associations are strong, and migrants trust them.",
     "Les partenariats locaux avec les associations sont solides et les personnes migrantes leur font confiance."),
    (K.OPPORTUNITY, "fr", "", "",
     "Shared digital case files become possible, if data protection is designed in from the start.",
     "Les dossiers numériques partagés deviennent possibles, si la protection des données est pensée dès le départ."),
    (K.OPPORTUNITY, "en", "", "",
     "Reforms of social services under way are a chance to include migrants' needs from the outset.",
     "Les réformes des services sociaux en cours sont l'occasion d'intégrer d'emblée les besoins des personnes "
     "migrantes."),
]

# title en, title fr, summary en, summary fr, city, organisation
LYON_CASES = [
    ("One-stop shops for social services", "Des guichets uniques pour les services sociaux",
     "The metropolis brings its social services and partner associations together in Maisons de la Métropole des "
     "Solidarités, with one reception desk for every resident.",
     "La métropole réunit ses services sociaux et des associations partenaires dans les Maisons de la Métropole des "
     "Solidarités, avec un accueil unique pour tous les habitants.",
     "Lyon", "Métropole de Lyon"),
    ("Start Wien: coaching from the first day", "Start Wien\u00a0: un accompagnement dès le premier jour",
     "Newcomers get a first counselling session in their language, a personal education booklet and vouchers for "
     "German courses, coordinated by the city with state and federal services.",
     "Les nouveaux arrivants bénéficient d'un premier entretien dans leur langue, d'un livret de formation personnel "
     "et de chèques pour des cours d'allemand, coordonnés par la ville avec les services régionaux et fédéraux.",
     "Vienna", "City of Vienna, Integration and Diversity department"),
    ("Local support centres for the integration of migrants", "Centres locaux d'appui à l'intégration des migrants",
     "The city's integration plan relies on local centres run with associations, where national and municipal "
     "services meet migrants in the neighbourhoods.",
     "Le plan municipal d'intégration s'appuie sur des centres locaux gérés avec des associations, où services "
     "nationaux et municipaux rencontrent les personnes migrantes dans les quartiers.",
     "Lisbon", "Lisbon City Council"),
    ("Coordinating municipal services with humanitarian actors",
     "Coordonner services municipaux et acteurs humanitaires",
     "A coordination table links the municipality's services with UN agencies and NGOs working with refugees, so "
     "that neighbourhoods hosting many refugees get infrastructure and services in time.",
     "Une table de coordination relie les services de la municipalité aux agences des Nations unies et aux ONG qui "
     "travaillent avec les réfugiés, pour que les quartiers qui en accueillent beaucoup aient à temps "
     "infrastructures et services.",
     "Amman", "Greater Amman Municipality"),
]

LYON_OBSERVATIONS = [
    ("The future one-stop shop brings social workers of the metropolis and partner associations under one roof, "
     "with a single reception desk.",
     "Le futur guichet unique réunit sous un même toit les travailleurs sociaux de la métropole et des associations "
     "partenaires, avec un seul accueil."),
    ("Staff follow a newcomer with one file instead of several; the team is testing a shared appointment calendar.",
     "Les agents suivent un nouvel arrivant avec un seul dossier au lieu de plusieurs\u00a0; l'équipe teste un "
     "agenda de "
     "rendez-vous partagé."),
    ("Interpreting is booked by phone when needed; staff asked for more languages at the desk itself.",
     "L'interprétariat est réservé par téléphone au besoin\u00a0; les agents demandent davantage de langues à "
     "l'accueil même."),
]

# en, fr, level, actor, policy areas, SDGs, working group, answers (indexes of challenges/cases)
LYON_RECOMMENDATIONS = [
    ("Create a permanent coordination body at metropolitan level that brings together the city, the metropolis, "
     "State services and civil society on the reception of migrants, with a shared calendar and clear roles.",
     "Créer une instance permanente de coordination à l'échelle métropolitaine réunissant la ville, la métropole, "
     "les services de l'État et la société civile sur l'accueil des personnes migrantes, avec un calendrier commun "
     "et des rôles clairs.",
     ActorLevel.LOCAL, "Metropolitan authority with State services", ["coordination", "multilevel"],
     ["16.6", "16.7", "17.17"], "Governance", [0]),
    ("Sign data-sharing agreements between municipal and national services, so that newcomers do not have to tell "
     "their story again at every counter, with consent and data protection built in.",
     "Signer des conventions de partage de données entre services municipaux et nationaux, pour que les nouveaux "
     "arrivants n'aient pas à raconter leur histoire à chaque guichet, avec consentement et protection des données "
     "intégrés.",
     ActorLevel.NATIONAL, "Ministries of the interior and of social affairs, with the cities",
     ["coordination", "basic_services"], ["16.6", "16.10", "10.7"], "Governance", [1, 2]),
    ("Open one-stop shops where social services, health, housing and language courses can be reached in one place "
     "by every resident, migrants included.",
     "Ouvrir des guichets uniques où services sociaux, santé, logement et cours de langue sont accessibles en un même "
     "lieu à tous les habitants, personnes migrantes comprises.",
     ActorLevel.LOCAL, "City and metropolitan social services", ["basic_services", "welcome"],
     ["11.1", "10.2", "1.3"], "Services", [1]),
    ("Train the front-line staff of all institutions together (intercultural mediation, migrants' rights, who does "
     "what), so that they refer people to the right service.",
     "Former ensemble les agents d'accueil de toutes les institutions (médiation interculturelle, droits des "
     "personnes migrantes, qui fait quoi), afin qu'ils orientent vers le bon service.",
     ActorLevel.LOCAL, "Human resources and training departments, with associations", ["welcome", "intercultural"],
     ["16.6", "10.2"], "Services", [1]),
    ("Give cities a voice in national migration and integration policy through a formal consultation mechanism, "
     "and a share of the funding that matches their responsibilities.",
     "Donner aux villes une voix dans les politiques nationales de migration et d'intégration par un mécanisme "
     "formel de consultation, et une part des financements à la mesure de leurs responsabilités.",
     ActorLevel.NATIONAL, "National governments and associations of cities", ["multilevel"],
     ["16.7", "10.7", "11.3"], "Governance", [3]),
    ("Involve migrants' associations in designing and evaluating reception services, with a seat in the "
     "coordination body.",
     "Associer les associations de personnes migrantes à la conception et à l'évaluation des services d'accueil, "
     "avec un siège dans l'instance de coordination.",
     ActorLevel.LOCAL, "Cities and migrants' associations", ["participation"], ["16.7", "10.2"], "Governance", []),
    ("Map who does what for migrants in each city (services, associations, volunteers) and keep the map public and "
     "up to date in the main languages of newcomers.",
     "Cartographier qui fait quoi pour les personnes migrantes dans chaque ville (services, associations, bénévoles) "
     "et tenir cette carte publique et à jour dans les principales langues des nouveaux arrivants.",
     ActorLevel.LOCAL, "The city's integration office", ["coordination", "welcome"], ["16.10", "16.6"], "Services",
     [0, 1]),
    ("Use the MC2CM network for short staff exchanges between cities and to share coordination tools around the "
     "Mediterranean.",
     "S'appuyer sur le réseau MC2CM pour des échanges courts de personnel entre villes et le partage d'outils de "
     "coordination autour de la Méditerranée.",
     ActorLevel.INTERNATIONAL, "MC2CM partners and member cities", ["multilevel"], ["17.9", "17.17"], "Governance",
     []),
]
FINAL = (0, 1, 2, 3, 4, 6)  # what went to the learning note

# The room: name, city, organisation; dots given to recommendations by index; endorsed.
LYON_PARTICIPANTS = [
    ("Nadia Khoury", "Amman", "Greater Amman Municipality", [0, 0, 4, 7, 7], [0, 4, 7]),
    ("Omar Saleh", "Amman", "Greater Amman Municipality", [0, 4, 4, 7, 2], [0, 4]),
    ("Inês Carvalho", "Lisbon", "Lisbon City Council", [5, 5, 2, 0, 3], [2, 5]),
    ("Rui Almeida", "Lisbon", "Lisbon City Council", [2, 5, 6, 6, 0], [5, 6]),
    ("Claire Martin", "Lyon", "Métropole de Lyon", [2, 2, 2, 0, 1], [0, 1, 2]),
    ("Julien Morel", "Lyon", "Ville de Lyon", [2, 2, 3, 3, 0], [2, 3]),
    ("Sophie Bernard", "Lyon", "Préfecture du Rhône", [1, 1, 0, 0, 2], [1, 2]),
    ("Karim Haddou", "Lyon", "Forum Réfugiés", [5, 5, 2, 2, 3], [2, 5]),
    ("Élodie Rey", "Lyon", "Métropole de Lyon", [2, 2, 2, 6, 6], [2, 6]),
    ("Lucía Gómez", "Madrid", "Ayuntamiento de Madrid", [4, 4, 0, 1, 3], [4]),
    ("Youssef El Amrani", "Tangier", "Commune de Tanger", [4, 4, 7, 0, 0], [0, 4, 7]),
    ("Salma Bennani", "Tangier", "Commune de Tanger", [7, 7, 4, 3, 3], [3, 7]),
    ("Marco Ferrero", "Turin", "Città di Torino", [0, 3, 3, 6, 4], [0, 3]),
    ("Anna Huber", "Vienna", "Stadt Wien", [1, 1, 6, 3, 0], [1, 3, 6]),
]

# More of the room (30+ experts): further delegates and guests, whose dots and endorsements follow a
# fixed pattern so that seeding always gives the same results.
MORE_PARTICIPANTS = [
    ("Hala Mansour", "Amman", "Greater Amman Municipality"), ("Tiago Sousa", "Lisbon", "Lisbon City Council"),
    ("Marie Lambert", "Lyon", "Métropole de Lyon"), ("Nicolas Faure", "Lyon", "Ville de Villeurbanne"),
    ("Pablo Ortega", "Madrid", "Ayuntamiento de Madrid"), ("Carmen Ruiz", "Madrid", "Comunidad de Madrid"),
    ("Khalid Amrani", "Tangier", "Wilaya de Tanger-Tétouan-Al Hoceïma"), ("Chiara Bianco", "Turin", "Città di Torino"),
    ("Luca Moretti", "Turin", "Regione Piemonte"), ("Eva Gruber", "Vienna", "Stadt Wien"),
    ("Stefan Novak", "Vienna", "Fonds Soziales Wien"), ("Amira Haddad", "Beirut", "Beirut Municipality"),
    ("Hélène Costa", "Marseille", "Ville de Marseille"), ("Jonas Weber", "Brussels", "European Commission"),
    ("Sara Rinaldi", "Vienna", "ICMPD"), ("Ahmed Nasser", "Tunis", "Municipalité de Tunis"),
    ("Olivia Grant", "Barcelona", "UN-Habitat"), ("Mehdi Alaoui", "Rabat", "Commune de Rabat"),
]
for number, (name, city, organisation) in enumerate(MORE_PARTICIPANTS):
    dots = [(number * 3 + k) % 8 for k in range(5)]
    LYON_PARTICIPANTS.append((name, city, organisation, dots, sorted({dots[0], dots[2]})))

FOLLOW_UPS = [
    # recommendation index, city, status, date, note
    (2, "Lyon", FollowUpStatus.IN_PROGRESS, date(2019, 3, 15),
     "The metropolis opens its one-stop shops district by district, and partner associations take part in reception."),
    (0, "Amman", FollowUpStatus.PLANNED, date(2018, 10, 2),
     "A coordination committee with humanitarian actors is planned within the city's resilience strategy."),
]

TURIN_ENTRIES = [
    (K.CHALLENGE, "en", "", "",
     "Landlords ask newcomers for guarantees they cannot give: a permanent contract, a guarantor, months of deposit.",
     "Les propriétaires demandent aux nouveaux arrivants des garanties qu'ils ne peuvent pas fournir\u00a0: contrat "
     "stable, garant, plusieurs mois de caution."),
    (K.CHALLENGE, "fr", "", "",
     "",
     "Les premiers mois après l'arrivée, l'hébergement d'urgence devient la seule solution faute d'adresse."),
    (K.RECOMMENDATION, "en", "", "",
     "Create municipal rental guarantee funds that cover landlords for the first year of a lease signed with a "
     "newcomer.",
     ""),
]


def _lyon_event() -> Event | None:
    return db.session.scalar(select(Event).join(City, City.id == Event.host_city_id)
                             .where(City.name_en == "Lyon", Event.start_date == date(2017, 12, 12)))


def _has_entries(event: Event) -> bool:
    return bool(db.session.scalar(select(func.count(Entry.id)).where(Entry.event_id == event.id)))


def _facilitator() -> User | None:
    return db.session.scalar(select(User).where(User.email == "facilitator@example.org"))


def _french(text: str) -> str:
    """French as it is written: a no-break space before «\u00a0:\u00a0;\u00a0?\u00a0! » and inside « »."""
    return re.sub(r" ([:;?!»])", "\u00a0\\1", text).replace("« ", "«\u00a0")


def _entry(event: Event, kind: EntryKind, language: str, at: datetime, author, **values) -> Entry:
    for name in ("title_fr", "text_fr"):
        if name in values:
            values[name] = _french(values[name])
    full = dict(title_en="", title_fr="", text_en="", text_fr="", language=language, city_id=None, city_other="",
                organisation="", slides_url="", agenda_item_id=None, field_visit_id=None, visit_label="",
                actor_level=None, actor="", working_group="", policy_area_ids=[], sdg_codes=[], answer_ids=[])
    full.update(values)
    full["translation_status"] = _translation_status(full, checked=True)
    entry = Entry(event_id=event.id, kind=kind, client_key=new_client_key(), version=1,
                  created_by_id=getattr(author, "id", None), updated_by_id=getattr(author, "id", None),
                  created_at=at, updated_at=at)
    _apply(entry, full)
    db.session.add(entry)
    db.session.flush()
    _record(entry, author, "created", at)
    return entry


def _lyon_visit_id(event: Event) -> int | None:
    """The event's study visit, when the field visit stage's demo seed has added it."""
    from app.field_visit.queries import visits_of

    visits = visits_of(event)
    return visits[0].id if visits else None


def _link_lyon_observations(event: Event) -> None:
    """A demo database seeded before the visit existed: its observations point at it now."""
    if (visit_id := _lyon_visit_id(event)) is None:
        return
    for entry in db.session.scalars(select(Entry).where(Entry.event_id == event.id, Entry.kind == K.OBSERVATION,
                                                        Entry.field_visit_id.is_(None),
                                                        Entry.visit_label == LYON_VISIT)):
        entry.field_visit_id = visit_id
    db.session.flush()


def seed_lyon(with_demo_people: bool) -> dict[str, int]:
    counts = {"Lyon 2017 capture entries": 0, "Lyon 2017 follow-ups": 0}
    if with_demo_people:
        counts["Lyon 2017 votes"] = 0
    event = _lyon_event()
    if event is None:
        return counts
    if _has_entries(event):
        _link_lyon_observations(event)
        return counts
    cities = {c.name_en: c for c in db.session.scalars(select(City))}
    areas = {a.code: a.id for a in db.session.scalars(select(PolicyArea))}
    clock = datetime(2017, 12, 12, 9, 30, tzinfo=UTC)

    def tick() -> datetime:
        nonlocal clock
        clock += timedelta(minutes=7)
        return clock

    answerable = []
    for kind, language, _t_en, _t_fr, text_en, text_fr in LYON_ENTRIES:
        entry = _entry(event, kind, language, tick(), None, text_en=text_en, text_fr=text_fr)
        if kind is K.CHALLENGE:
            answerable.append(entry)
    for title_en, title_fr, text_en, text_fr, city, organisation in LYON_CASES:
        _entry(event, K.CASE, "en" if city != "Lyon" else "fr", tick(), None, title_en=title_en, title_fr=title_fr,
               text_en=text_en, text_fr=text_fr, city_id=cities[city].id if city in cities else None,
               city_other="" if city in cities else city, organisation=organisation)
    clock = datetime(2017, 12, 13, 8, 0, tzinfo=UTC)
    visit_id = _lyon_visit_id(event)
    for text_en, text_fr in LYON_OBSERVATIONS:
        _entry(event, K.OBSERVATION, "fr", tick(), None, text_en=text_en, text_fr=text_fr, visit_label=LYON_VISIT,
               field_visit_id=visit_id)
    recommendations = []
    for number, (text_en, text_fr, level, actor, codes, sdg_codes, group, answers) in enumerate(LYON_RECOMMENDATIONS):
        recommendations.append(_entry(
            event, K.RECOMMENDATION, "en" if number % 3 else "fr", tick(), None, text_en=text_en, text_fr=text_fr,
            actor_level=level, actor=actor, working_group=group,
            policy_area_ids=[areas[code] for code in codes if code in areas], sdg_codes=sdg_codes,
            answer_ids=[answerable[i].id for i in answers]))
    closed = datetime(2017, 12, 13, 16, 30, tzinfo=UTC)
    for number in FINAL:
        recommendations[number].final_at = closed
    db.session.add(CaptureSettings(event_id=event.id, dots_allowance=5, voting_open=False, results_revealed=True,
                                   closed_at=closed, revision=1, board_revision=1, updated_at=closed))
    counts["Lyon 2017 capture entries"] = (len(LYON_ENTRIES) + len(LYON_CASES) + len(LYON_OBSERVATIONS)
                                           + len(LYON_RECOMMENDATIONS))
    for index, city, status, noted_on, note in FOLLOW_UPS:
        db.session.add(FollowUp(recommendation_id=recommendations[index].id, city_id=cities[city].id, status=status,
                                noted_on=noted_on, note=note, updated_at=datetime.combine(noted_on, datetime.min.time(),
                                                                                          tzinfo=UTC)))
    counts["Lyon 2017 follow-ups"] = len(FOLLOW_UPS)
    if with_demo_people:
        counts["Lyon 2017 votes"] = _lyon_votes(event, recommendations)
    db.session.flush()
    return counts


def _lyon_votes(event: Event, recommendations: list[Entry]) -> int:
    votes = 0
    at = datetime(2017, 12, 13, 15, 0, tzinfo=UTC)
    for number, (name, city, organisation, dots, endorsed) in enumerate(LYON_PARTICIPANTS, 1):
        registration = Registration(
            event_id=event.id, email=f"lyon2017.participant{number}@example.org", name=name, organisation=organisation,
            city=city, preferred_language="fr" if city in ("Lyon", "Tangier") else "en", consent_processing_at=at,
            status=RegistrationStatus.CONFIRMED, token_version=secrets.token_hex(16), created_at=at, updated_at=at)
        db.session.add(registration)
        db.session.flush()
        for index in dots:
            db.session.add(Dot(recommendation_id=recommendations[index].id, registration_id=registration.id,
                               client_key=new_client_key(), created_at=at))
        db.session.add(DotBudget(event_id=event.id, registration_id=registration.id, spent=len(dots)))
        for index in endorsed:
            db.session.add(Endorsement(recommendation_id=recommendations[index].id, registration_id=registration.id,
                                       created_at=at))
        votes += len(dots) + len(endorsed)
    return votes


def seed_turin(event: Event) -> int:
    if _has_entries(event):
        return 0
    author = _facilitator()
    cities = {c.name_en: c for c in db.session.scalars(select(City))}
    at = datetime.now(UTC) - timedelta(minutes=30)
    added = 0
    for kind, language, _t_en, _t_fr, text_en, text_fr in TURIN_ENTRIES:
        at += timedelta(minutes=4)
        _entry(event, kind, language, at, author, text_en=text_en, text_fr=text_fr)
        added += 1
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.event_id == event.id,
                                                      AgendaItem.kind == ItemKind.LOCAL_SOLUTIONS))
    _entry(event, K.CASE, "en", at + timedelta(minutes=4), author,
           title_en="A social rental agency that guarantees the rent", title_fr="",
           text_en="The city's agency guarantees the rent to private landlords and follows tenants during the first "
                   "year; vacant flats are let to newcomers at moderate rents.",
           city_id=cities["Amman"].id if "Amman" in cities else None, organisation="Greater Amman Municipality",
           agenda_item_id=item.id if item is not None else None)
    return added + 1


def seed_capture(demo_event: Event, with_demo_people: bool) -> dict[str, int]:
    counts = seed_lyon(with_demo_people)
    counts["Turin capture entries"] = seed_turin(demo_event)
    db.session.flush()
    return counts


# `flask seed-demo --scale`: what the finished events' rooms produced (entries of every kind, the
# final recommendations with their SDG targets, every participant's dots and endorsements, cities'
# follow-up) and, on the first upcoming event, a meeting under way with voting open.
ENTRIES_AT_SCALE_1 = 2000
FINAL_PER_EVENT = 8
LIVE_RECOMMENDATIONS = 12
# Of every 20 entries: kind by position.
KIND_CYCLE = [K.CHALLENGE] * 4 + [K.OPPORTUNITY] * 2 + [K.CASE] * 3 + [K.OBSERVATION] * 3 + [K.RECOMMENDATION] * 8
SDG_TARGETS = ["1.3", "4.4", "5.5", "8.8", "10.2", "10.7", "11.1", "11.3", "16.6", "16.7", "16.10", "17.17"]
ACTORS = [(ActorLevel.LOCAL, "City administration"), (ActorLevel.NATIONAL, "National government"),
          (ActorLevel.INTERNATIONAL, "MC2CM partners"), (ActorLevel.LOCAL, "Civil society with the city")]
# Sentence parts, English and French side by side, drawn in turn: texts differ from entry to entry.
SUBJECTS = [("Cities", "Les villes"), ("Front-line staff", "Les agents d'accueil"),
            ("Migrants' associations", "Les associations de personnes migrantes"),
            ("National services", "Les services nationaux"), ("Local partners", "Les partenaires locaux")]
VERBS = [("should share", "devraient partager"), ("can open", "peuvent ouvrir"), ("need", "ont besoin de"),
         ("must plan", "doivent prévoir"), ("could fund", "pourraient financer")]
OBJECTS = [("one reception desk for every resident", "un accueil unique pour tous les habitants"),
           ("data on newcomers' needs, with consent", "des données sur les besoins des nouveaux arrivants, avec "
                                                       "leur consentement"),
           ("language courses linked to work", "des cours de langue liés à l'emploi"),
           ("a map of who does what", "une carte de qui fait quoi"),
           ("rental guarantees for newcomers", "des garanties locatives pour les nouveaux arrivants"),
           ("training in intercultural mediation", "des formations à la médiation interculturelle")]


def _sentence(rng, topic_en: str, topic_fr: str) -> tuple[str, str]:
    subject, verb, thing = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
    return (f"{subject[0]} {verb[0]} {thing[0]} ({topic_en.lower()}).",
            f"{subject[1]} {verb[1]} {thing[1]} ({topic_fr[0].lower()}{topic_fr[1:]}).")


def _scale_entries(event: Event, count: int, rng, cities: list, areas: list, start: datetime) -> list[Entry]:
    recommendations = []
    for number in range(count):
        kind = KIND_CYCLE[number % len(KIND_CYCLE)]
        text_en, text_fr = _sentence(rng, event.theme_en, event.theme_fr)
        values = dict(text_en=text_en, text_fr=text_fr)
        if kind is K.CASE:
            city = rng.choice(cities)
            values.update(title_en=f"A local solution from {city.name_en}",
                          title_fr=f"Une solution locale de {city.name_fr}", city_id=city.id,
                          organisation=f"City of {city.name_en}")
        elif kind is K.RECOMMENDATION:
            level, actor = rng.choice(ACTORS)
            values.update(actor_level=level, actor=actor, working_group=rng.choice(("Governance", "Services")),
                          policy_area_ids=sorted(rng.sample(areas, 2)), sdg_codes=sorted(rng.sample(SDG_TARGETS, 2)))
        entry = _entry(event, kind, rng.choice(("en", "fr")), start + timedelta(minutes=3 * number), None, **values)
        if kind is K.RECOMMENDATION:
            recommendations.append(entry)
    return recommendations


def _scale_votes(event: Event, recommendations: list[Entry], rng, at: datetime) -> int:
    registrations = list(db.session.scalars(select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)))
    votes = 0
    for registration_id in registrations:
        dots = [rng.choice(recommendations) for _ in range(5)]
        db.session.add_all(Dot(recommendation_id=entry.id, registration_id=registration_id,
                               client_key=f"{rng.getrandbits(128):032x}", created_at=at) for entry in dots)
        db.session.add(DotBudget(event_id=event.id, registration_id=registration_id, spent=len(dots)))
        endorsed = rng.sample(recommendations, min(2, len(recommendations)))
        db.session.add_all(Endorsement(recommendation_id=entry.id, registration_id=registration_id, created_at=at)
                           for entry in endorsed)
        votes += len(dots) + len(endorsed)
    return votes


def seed_scale_capture(context) -> dict[str, int]:
    counts = {"capture entries": 0, "votes": 0, "follow-ups": 0}
    rng = context.random("capture")
    cities = list(db.session.scalars(select(City).order_by(City.name_en)))
    areas = list(db.session.scalars(select(PolicyArea.id).order_by(PolicyArea.id)))
    per_event = max(len(KIND_CYCLE), context.share(ENTRIES_AT_SCALE_1) // max(1, len(context.finished)))
    for event in context.finished:
        if _has_entries(event):
            continue
        start = datetime.combine(event.start_date, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
        recommendations = _scale_entries(event, per_event, rng, cities, areas, start)
        closed = datetime.combine(event.end_date, datetime.min.time(), tzinfo=UTC) + timedelta(hours=16)
        for entry in recommendations[:FINAL_PER_EVENT]:
            entry.final_at = closed
            for city in rng.sample(cities, 2):
                if rng.random() < 0.5:
                    db.session.add(FollowUp(recommendation_id=entry.id, city_id=city.id,
                                            status=rng.choice(list(FollowUpStatus)), noted_on=closed.date()
                                            + timedelta(days=rng.randrange(30, 400)), note="Under way in our city.",
                                            updated_at=closed))
                    counts["follow-ups"] += 1
        db.session.add(CaptureSettings(event_id=event.id, dots_allowance=5, voting_open=False, results_revealed=True,
                                       closed_at=closed, revision=1, board_revision=1, updated_at=closed))
        counts["capture entries"] += per_event
        counts["votes"] += _scale_votes(event, recommendations, rng, closed)
    if context.upcoming and not _has_entries(live := context.upcoming[0]):
        now = datetime.now(UTC).replace(microsecond=0)
        for number in range(LIVE_RECOMMENDATIONS):
            text_en, text_fr = _sentence(rng, live.theme_en, live.theme_fr)
            level, actor = rng.choice(ACTORS)
            _entry(live, K.RECOMMENDATION, "en", now - timedelta(minutes=LIVE_RECOMMENDATIONS - number), None,
                   text_en=text_en, text_fr=text_fr, actor_level=level, actor=actor)
        db.session.add(CaptureSettings(event_id=live.id, dots_allowance=5, voting_open=True, results_revealed=True,
                                       revision=1, board_revision=1, updated_at=now))
        counts["capture entries"] += LIVE_RECOMMENDATIONS
    db.session.flush()
    return counts
