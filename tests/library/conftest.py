"""A small network written through capture's real services: finished events in three cities and
three years, final recommendations in English, French or both, tagged with policy areas, SDGs and
who should act, and cities' follow-up. The same corpus on SQLite and PostgreSQL."""

from dataclasses import dataclass, field
from datetime import date

import pytest

from app.auth.models import Role
from app.capture import curation, entries
from app.capture.entries import EntryInput
from app.capture.models import ActorLevel, EntryKind, FollowUpStatus
from app.events.models import EventState, PolicyArea
from app.extensions import db
from app.library import index

AREAS = [("welcome", "Implementation of welcome instruments", "Mise en place d'instruments d'accueil"),
         ("intercultural", "Intercultural dialogue and social cohesion", "Dialogue interculturel et cohésion sociale"),
         ("multilevel", "Multi-level governance and cooperation", "Gouvernance et coopération multiniveaux"),
         ("basic_services", "Access to basic services", "Accès aux services de base"),
         ("urban_planning", "Urban planning", "Planification urbaine")]

# name: (event, English, French, areas, SDGs, who should act, follow-ups [(city, status)])
RECOMMENDATIONS = {
    "shops": ("lyon", "Open one-stop shops for refugees in every district.",
              "Ouvrir des guichets uniques pour les réfugiés dans chaque quartier.",
              ["welcome"], "10.7", ActorLevel.LOCAL,
              [("Lyon", FollowUpStatus.DONE), ("Tunis", FollowUpStatus.PLANNED)]),
    "training": ("lyon", "Train front-line staff in intercultural mediation.",
                 "Former les agents d'accueil à la médiation interculturelle.",
                 ["intercultural"], "16.6", ActorLevel.NATIONAL, []),
    "voice": ("tunis", "Give cities a voice in national migration policies.",
              "Donner aux villes une voix dans les politiques nationales de migration.",
              ["multilevel"], "16.7, 10", ActorLevel.NATIONAL, [("Amman", FollowUpStatus.IN_PROGRESS)]),
    "rights": ("tunis", "",
               "Créer des centres locaux d'accès aux droits pour chaque personne réfugiée.",
               ["welcome", "basic_services"], "1.3", ActorLevel.LOCAL, [("Tunis", FollowUpStatus.DROPPED)]),
    "rents": ("amman", "Guarantee rents for newcomers through a municipal fund; housing policy must include them.",
              "", ["urban_planning"], "11.1", ActorLevel.REGIONAL, []),
}


@dataclass
class Network:
    cities: dict
    events: dict
    recommendations: dict  # name -> Entry (final)
    admin: object
    organisers: dict  # city name -> organiser
    others: dict = field(default_factory=dict)  # entries that are not in the library


@pytest.fixture
def network(app, make) -> Network:
    for code, name_en, name_fr in AREAS:
        db.session.add(PolicyArea(code=code, name_en=name_en, name_fr=name_fr, source="test"))
    db.session.commit()
    areas = {area.code: area.id for area in db.session.scalars(db.select(PolicyArea))}
    cities = {"Lyon": make.city("Lyon", "Europe/Paris", "FR"), "Tunis": make.city("Tunis", "Africa/Tunis", "TN"),
              "Amman": make.city("Amman", "Asia/Amman", "JO")}
    events = {
        "lyon": make.event(cities["Lyon"], EventState.FINISHED, start_date=date(2017, 12, 12),
                           theme_en="Inter-institutional coordination", theme_fr="Coordination inter-institutionnelle"),
        "tunis": make.event(cities["Tunis"], EventState.FINISHED, start_date=date(2018, 9, 20),
                            theme_en="Communication on migration", theme_fr="Communication sur les migrations"),
        "amman": make.event(cities["Amman"], EventState.FINISHED, start_date=date(2019, 3, 5),
                            theme_en="Urban planning and housing", theme_fr="Planification urbaine et logement"),
        "draft": make.event(cities["Lyon"], EventState.DRAFT, theme_en="Not public yet"),
    }
    admin = make.user(Role.ADMIN)
    organisers = {name: make.user(Role.ORGANISER, city) for name, city in cities.items()}

    def recommend(event, text_en, text_fr, area_codes=(), sdg_text="", level=None, final=True):
        added = entries.add_entry(admin, event, EntryInput(
            EntryKind.RECOMMENDATION, language="en" if text_en else "fr", text_en=text_en, text_fr=text_fr,
            policy_area_ids=[areas[code] for code in area_codes], sdg_text=sdg_text, actor_level=level,
            actor="Department heads" if level else "")).entry
        if final:
            curation.set_final(admin, event, added, True)
        return added

    recommendations = {}
    for name, (event_key, text_en, text_fr, area_codes, sdg_text, level, follow_ups) in RECOMMENDATIONS.items():
        entry = recommend(events[event_key], text_en, text_fr, area_codes, sdg_text, level)
        recommendations[name] = entry
        for city_name, status in follow_ups:
            curation.record_follow_up(admin, events[event_key], entry, curation.FollowUpInput(
                city_id=cities[city_name].id, status=status, note=f"Noted by {city_name}.",
                noted_on=date(2019, 5, 1)))
    others = {
        "not_final": recommend(events["amman"], "Refugees deserve a rental guarantee too.", "", final=False),
        "draft": recommend(events["draft"], "Refugees in a draft event.", "Réfugiés d'un brouillon."),
    }
    db.session.commit()
    return Network(cities, events, recommendations, admin, organisers, others)


@pytest.fixture
def indexed(network) -> Network:
    index.refresh()
    return network


class FakeNotes:
    """A learning-note stage as the library sees it: published notes, one per event, handed over
    through a LibrarySource (app/stages.py) with its stamps and no fingerprint of its own."""

    def __init__(self, network: Network):
        self.network = network
        self.notes: dict[int, dict] = {}

    def publish(self, event_key: str, title_en="", title_fr="", text_en="", text_fr="", at=None, sdgs=()):
        from app.db_types import utcnow

        event = self.network.events[event_key]
        self.notes[event.id] = dict(event_key=event_key, title_en=title_en, title_fr=title_fr, text_en=text_en,
                                    text_fr=text_fr, at=at or utcnow(), sdgs=list(sdgs))

    def documents(self, event_ids):
        from app.stages import LibraryDocument

        found = []
        for event_id in event_ids:
            note = self.notes.get(event_id)
            if note is None:
                continue
            event = db.session.get(type(self.network.events["lyon"]), event_id)
            found.append(LibraryDocument(
                kind="note", key=f"note-{note['event_key']}", event_id=event_id, title_en=note["title_en"],
                title_fr=note["title_fr"], text_en=note["text_en"], text_fr=note["text_fr"], published_at=note["at"],
                endpoint="events.hub", params={"slug": event.slug}, facets={"sdg": note["sdgs"]}))
        return found

    def stamps(self):
        return {event_id: repr(sorted(note.items())) for event_id, note in self.notes.items()}


@pytest.fixture
def note_source(app, network):
    from flask_babel import lazy_gettext as _l

    from app.stages import LibrarySource

    fake = FakeNotes(network)
    source = LibrarySource(kind="note", label=_l("Learning notes"), item_label=_l("Learning note"),
                           documents=fake.documents, stamps=fake.stamps, in_feed=True)
    sources = app.extensions.setdefault("library_sources", [])
    sources.append(source)
    try:
        yield fake
    finally:
        sources.remove(source)
