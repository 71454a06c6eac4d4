"""Demo learning note for `flask seed-demo`: the Lyon event of December 2017 ("Inter-institutional
coordination in migration governance"), fully captured by the capture stage's demo data, gets its
note: generated, written in both languages, published in February 2018 and corrected in March 2018
(a second version with its dated line). No email is queued for these past publications.

Only for an event whose capture holds final recommendations and whose note has no version yet:
running it again adds nothing.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from app.capture.models import Entry, EntryKind
from app.events.models import City, Event, EventState
from app.extensions import db
from app.learning_note import services
from app.learning_note.models import NARRATIVE_FIELDS, NoteVersion
from app.learning_note.queries import note_of

NBSP = "\u00a0"

FOREWORD_EN = """Lyon was proud to welcome the cities of the MC2CM network in December 2017. Reception is never
the work of one institution: in our metropolis, the State, the Métropole, the City and dozens of
associations each hold part of a newcomer's path. These two days showed that every city around the
Mediterranean faces the same question, and that the answers we build together are better than those
we build alone.

We thank our colleagues from Amman, Lisbon, Madrid, Tangier, Turin and Vienna for their openness,
and the teams of the future Maisons de la Métropole des Solidarités for opening their doors.

*The City of Lyon and the Métropole de Lyon*"""

FOREWORD_FR = f"""Lyon a été fière d'accueillir les villes du réseau MC2CM en décembre 2017. L'accueil n'est jamais
l'affaire d'une seule institution{NBSP}: dans notre métropole, l'État, la Métropole, la Ville et des
dizaines d'associations détiennent chacun une part du parcours d'un nouvel arrivant. Ces deux
journées ont montré que toutes les villes de la Méditerranée se posent la même question, et que les
réponses construites ensemble valent mieux que celles que l'on bâtit seul.

Nous remercions nos collègues d'Amman, de Lisbonne, de Madrid, de Tanger, de Turin et de Vienne pour
leur ouverture, ainsi que les équipes des futures Maisons de la Métropole des Solidarités, qui nous
ont ouvert leurs portes.

*La Ville de Lyon et la Métropole de Lyon*"""

SUMMARY_EN = """Over two days in Lyon, some thirty experts from city administrations, national bodies and civil
society compared how their institutions coordinate the reception and integration of migrants.
They agreed on a diagnosis: responsibilities are split between levels of government, newcomers
are sent from counter to counter, and data rarely follows them.

Four cities presented their answers: one-stop shops in Lyon, early coaching in Vienna, local
support centres in Lisbon and a coordination table with humanitarian actors in Amman. The study
visit to the future one-stop shop of the Métropole showed what a single reception desk changes for
staff and residents alike.

The participants adopted **six recommendations**, the first of them a permanent coordination body at
metropolitan level, and asked the network to help cities share their tools."""

SUMMARY_FR = f"""Pendant deux jours à Lyon, une trentaine d'experts d'administrations municipales, d'institutions
nationales et de la société civile ont comparé la manière dont leurs institutions coordonnent
l'accueil et l'intégration des personnes migrantes. Ils se sont accordés sur un diagnostic{NBSP}: les
responsabilités sont réparties entre niveaux de gouvernement, les nouveaux arrivants sont renvoyés
de guichet en guichet, et les données les suivent rarement.

Quatre villes ont présenté leurs réponses{NBSP}: des guichets uniques à Lyon, un accompagnement dès
l'arrivée à Vienne, des centres locaux d'appui à Lisbonne et une table de coordination avec les
acteurs humanitaires à Amman. La visite du futur guichet unique de la Métropole a montré ce qu'un
accueil unique change, pour les agents comme pour les habitants.

Les participants ont adopté **six recommandations**, à commencer par une instance permanente de
coordination à l'échelle métropolitaine, et ont demandé au réseau d'aider les villes à partager
leurs outils."""

MESSAGES_EN = """- Coordination is a service to residents, not an administrative exercise: start from the
  newcomer's path.
- Cities carry much of the cost of integration; they need a voice in national policy and the
  funding that matches their responsibilities.
- Sharing data between institutions is possible when consent and data protection are designed in
  from the start.
- One-stop shops work when front-line staff of every institution are trained together.
- Migrants' associations belong in the design and the evaluation of reception services."""

MESSAGES_FR = f"""- La coordination est un service rendu aux habitants, pas un exercice administratif{NBSP}: partir
  du parcours du nouvel arrivant.
- Les villes supportent une grande part du coût de l'intégration{NBSP}; elles ont besoin d'une voix
  dans les politiques nationales et de financements à la mesure de leurs responsabilités.
- Le partage de données entre institutions est possible si le consentement et la protection des
  données sont pensés dès le départ.
- Les guichets uniques fonctionnent lorsque les agents d'accueil de toutes les institutions sont
  formés ensemble.
- Les associations de personnes migrantes ont leur place dans la conception et l'évaluation des
  services d'accueil."""

NEXT_STEPS_EN = """1. Lyon and Amman report on their follow-up at the network's steering committee in spring 2018.
2. The network's project team gathers the coordination tools presented (charters, shared files,
   maps of services) in its online library.
3. Interested cities propose short staff exchanges for 2018–2019; Tangier volunteered to host the
   first one."""

NEXT_STEPS_FR = f"""1. Lyon et Amman rendent compte de leur suivi au comité de pilotage du réseau au printemps 2018.
2. L'équipe projet du réseau rassemble les outils de coordination présentés (chartes, dossiers
   partagés, cartes des services) dans sa bibliothèque en ligne.
3. Les villes intéressées proposent de courts échanges de personnel pour 2018-2019{NBSP}; Tanger s'est
   portée volontaire pour accueillir le premier."""

# The correction of March 2018: the steering committee met in Tangier in April, not "in spring".
CORRECTED_NEXT_STEPS = {
    "en": NEXT_STEPS_EN.replace("at the network's steering committee in spring 2018",
                                "at the network's steering committee in Tangier on 24 April 2018"),
    "fr": NEXT_STEPS_FR.replace("au comité de pilotage du réseau au printemps 2018",
                                "au comité de pilotage du réseau, à Tanger, le 24\u00a0avril 2018"),
}
CORRECTION = {
    "en": "Next steps: the date and place of the steering committee where Lyon and Amman report are given.",
    "fr": f"Prochaines étapes{NBSP}: la date et le lieu du comité de pilotage où Lyon et Amman rendent compte "
          "sont précisés.",
}

GENERATED_AT = datetime(2018, 1, 22, 9, 0, tzinfo=UTC)
FIRST_PUBLISHED = datetime(2018, 2, 15, 10, 0, tzinfo=UTC)
CORRECTED = datetime(2018, 3, 20, 14, 30, tzinfo=UTC)


def _lyon_event() -> Event | None:
    return db.session.scalar(select(Event).join(City, City.id == Event.host_city_id)
                             .where(City.name_en == "Lyon", Event.start_date == date(2017, 12, 12)))


def _has_final_recommendations(event: Event) -> bool:
    return bool(db.session.scalar(select(func.count(Entry.id)).where(
        Entry.event_id == event.id, Entry.kind == EntryKind.RECOMMENDATION, Entry.final_at.is_not(None))))


def _write(event: Event, values: dict, at: datetime) -> None:
    note = note_of(event)
    services.save_narrative(None, event, services.NarrativeInput(values=values, base_version=note.edit_version), now=at)


def _publish(event: Event, at: datetime, change: dict | None = None) -> NoteVersion:
    note = note_of(event)
    change = change or {}
    return services.publish(None, event, services.PublishInput(
        seen_edit_version=note.edit_version, seen_generation=note.generation, change_en=change.get("en", ""),
        change_fr=change.get("fr", ""), confirm_untranslated=True), now=at, announce=False)


def seed_lyon_note() -> int:
    """The Lyon 2017 note and its correction: the number of versions published (0 or 2)."""
    event = _lyon_event()
    if event is None or event.state is not EventState.FINISHED or not _has_final_recommendations(event):
        return 0
    if db.session.scalar(select(func.count(NoteVersion.id)).where(NoteVersion.event_id == event.id)):
        return 0
    services.generate(None, event, now=GENERATED_AT)
    values = dict.fromkeys(NARRATIVE_FIELDS, "")
    values.update(foreword_en=FOREWORD_EN, foreword_fr=FOREWORD_FR, executive_summary_en=SUMMARY_EN,
                  executive_summary_fr=SUMMARY_FR, key_messages_en=MESSAGES_EN, key_messages_fr=MESSAGES_FR,
                  next_steps_en=NEXT_STEPS_EN, next_steps_fr=NEXT_STEPS_FR)
    _write(event, values, GENERATED_AT)
    _publish(event, FIRST_PUBLISHED)
    values.update(next_steps_en=CORRECTED_NEXT_STEPS["en"], next_steps_fr=CORRECTED_NEXT_STEPS["fr"])
    _write(event, values, CORRECTED)
    _publish(event, CORRECTED, CORRECTION)
    db.session.flush()
    return 2


def seed_learning_notes() -> dict[str, int]:
    return {"learning note versions": seed_lyon_note()}


def seed_scale_notes(context) -> int:
    """`flask seed-demo --scale`: every finished event's note, generated from its capture, with a
    short narrative in both languages, published (no email) a month after the meeting."""
    published = 0
    for event in context.finished:
        if not _has_final_recommendations(event):
            continue
        if db.session.scalar(select(func.count(NoteVersion.id)).where(NoteVersion.event_id == event.id)):
            continue
        at = datetime.combine(event.end_date, datetime.min.time(), tzinfo=UTC)
        services.generate(None, event, now=at)
        values = dict.fromkeys(NARRATIVE_FIELDS, "")
        values.update(
            executive_summary_en=f"Over two days in {event.host_city.name_en}, experts of the network's cities "
                                 f"compared their answers to one question: {event.theme_en.lower()}. "
                                 + SUMMARY_EN.split("\n\n")[1],
            executive_summary_fr=f"Pendant deux jours à {event.host_city.name_fr}, des experts des villes du réseau "
                                 f"ont comparé leurs réponses à une question{NBSP}: {event.theme_fr[0].lower()}"
                                 f"{event.theme_fr[1:]}. " + SUMMARY_FR.split("\n\n")[1],
            key_messages_en=MESSAGES_EN, key_messages_fr=MESSAGES_FR)
        _write(event, values, at)
        _publish(event, at + timedelta(days=30))
        published += 1
    db.session.flush()
    return published
