"""A finished, fully captured event (written straight to capture's tables, as the meeting would have
left them), its staff and its participants, some of whom agreed to be named."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from app.auth.models import Role
from app.background.models import BackgroundDocument
from app.capture.models import ActorLevel, CaptureSettings, Dot, Endorsement, Entry, EntryKind, EntrySdg, FollowUp
from app.capture.models import FollowUpStatus as FUS
from app.events.models import EventState, PolicyArea
from app.extensions import db
from app.markdown import render_markdown
from app.registration.models import AttendanceMode, RegistrationStatus

AT = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)


@dataclass
class Captured:
    event: object
    admin: object
    organiser: object
    facilitator: object
    other_organiser: object
    other_facilitator: object
    participants: list
    recommendations: dict = field(default_factory=dict)  # name → Entry


def _entry(event, kind, number=[0], **values):  # noqa: B006 (a counter shared on purpose)
    number[0] += 1
    entry = Entry(event_id=event.id, kind=kind, client_key=f"test-{number[0]}", language=values.pop("language", "en"),
                  created_at=AT, updated_at=AT, **values)
    db.session.add(entry)
    db.session.flush()
    return entry


def _recommendation(event, text_en, text_fr, *, areas=(), sdgs=(), final=True, **values):
    entry = _entry(event, EntryKind.RECOMMENDATION, text_en=text_en, text_fr=text_fr,
                   final_at=AT if final else None, **values)
    entry.policy_areas = list(areas)
    for position, code in enumerate(sdgs):
        db.session.add(EntrySdg(entry_id=entry.id, code=code, goal=int(code.split(".")[0]), position=position))
    db.session.flush()
    return entry


def build_capture(event, participants) -> dict:
    coordination = PolicyArea(code="coordination", name_en="Coordination between levels of government",
                              name_fr="Coordination entre niveaux de gouvernement", source="test")
    services = PolicyArea(code="basic_services", name_en="Access to basic services",
                          name_fr="Accès aux services de base", source="test")
    db.session.add_all([coordination, services])
    db.session.flush()
    _entry(event, EntryKind.CHALLENGE, text_en="Nobody sees a newcomer's whole path.",
           text_fr="Personne ne voit le parcours complet d'un nouvel arrivant.")
    _entry(event, EntryKind.CHALLENGE, text_en="Data are not shared between institutions.", text_fr="")
    _entry(event, EntryKind.OPPORTUNITY, text_en="Associations are trusted by migrants.",
           text_fr="Les associations ont la confiance des personnes migrantes.")
    _entry(event, EntryKind.CASE, title_en="One-stop shops", title_fr="Des guichets uniques",
           text_en="One reception desk for every resident.", text_fr="Un accueil unique pour tous les habitants.",
           city_id=event.host_city_id, organisation="Métropole de Lyon")
    _entry(event, EntryKind.CASE, title_en="A coordination table", title_fr="Une table de coordination",
           text_en="Humanitarian actors and the city meet every month.",
           text_fr="Les acteurs humanitaires et la ville se réunissent chaque mois.", city_other="Sfax",
           organisation="Commune de Sfax")
    _entry(event, EntryKind.OBSERVATION, text_en="Staff follow a newcomer with one file.",
           text_fr="Les agents suivent un nouvel arrivant avec un seul dossier.", visit_label="The one-stop shop")
    recs = {
        "body": _recommendation(
            event, "Create a permanent coordination body at metropolitan level.",
            "Créer une instance permanente de coordination à l'échelle métropolitaine.",
            areas=[coordination, services], sdgs=["16.6", "16.7"], actor_level=ActorLevel.LOCAL,
            actor="Metropolitan authority"),
        "shops": _recommendation(
            event, "Open one-stop shops for every resident.", "Ouvrir des guichets uniques pour tous les habitants.",
            areas=[services], sdgs=["11.1"], actor_level=ActorLevel.LOCAL, actor="City services"),
        "voice": _recommendation(
            event, "Give cities a voice in national migration policy.", "",
            areas=[coordination], sdgs=["10.7"], actor_level=ActorLevel.NATIONAL, actor="National governments"),
        "draft": _recommendation(event, "A recommendation nobody kept.", "Une recommandation écartée.",
                                 final=False),
    }
    duplicate = _recommendation(event, "Open one-stop shops (duplicate).", "", final=False)
    duplicate.merged_into_id = recs["shops"].id
    # The room: "shops" 3 dots (one of them on its merged duplicate), "voice" 2, "body" 1.
    for registration, rec in [(participants[0], recs["shops"]), (participants[1], recs["shops"]),
                              (participants[2], duplicate), (participants[0], recs["voice"]),
                              (participants[3], recs["voice"]), (participants[4], recs["body"])]:
        db.session.add(Dot(recommendation_id=rec.id, registration_id=registration.id, created_at=AT))
    db.session.add(Endorsement(recommendation_id=recs["body"].id, registration_id=participants[0].id, created_at=AT))
    db.session.add(CaptureSettings(event_id=event.id, dots_allowance=5, results_revealed=True, closed_at=AT,
                                   revision=1, updated_at=AT))
    db.session.add(FollowUp(recommendation_id=recs["body"].id, city_id=event.host_city_id, status=FUS.IN_PROGRESS,
                            noted_on=date(2025, 9, 1), note="The body met twice.", updated_at=AT))
    markdown_en = "## Why this meeting\n\nCities coordinate **many** institutions."
    markdown_fr = "## Pourquoi cette rencontre\n\nLes villes coordonnent **de nombreuses** institutions."
    db.session.add(BackgroundDocument(
        event_id=event.id, draft_markdown_en=markdown_en, draft_markdown_fr=markdown_fr,
        published_markdown_en=markdown_en, published_markdown_fr=markdown_fr,
        published_html_en=render_markdown(markdown_en), published_html_fr=render_markdown(markdown_fr),
        published_at=AT, first_published_at=AT))
    db.session.commit()
    return recs


@pytest.fixture
def captured(app, make) -> Captured:
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    tunis = make.city("Tunis", "Africa/Tunis", "TN")
    event = make.event(lyon, EventState.FINISHED, start_date=date(2025, 3, 12), end_date=date(2025, 3, 13),
                       theme_en="Inter-institutional coordination", theme_fr="Coordination inter-institutionnelle")
    facilitator = make.user(Role.FACILITATOR, name="Zoé Facilitatrice")
    other_facilitator = make.user(Role.FACILITATOR)
    make.assign(event, facilitator)
    people = [
        make.registration(event, name="Amina Listed", organisation="Ville de Tunis", city="Tunis", country_code="TN",
                          consent_public_list=True, preferred_language="fr"),
        make.registration(event, name="Bruno Listed", organisation="Métropole de Lyon", city="Lyon",
                          country_code="FR", consent_public_list=True),
        make.registration(event, name="Secret Person", organisation="Métropole de Lyon", city="lyon ",
                          country_code="FR", attendance=AttendanceMode.ONLINE),
        make.registration(event, name="Hidden Delegate", organisation="Commune de Sfax", city="Sfax",
                          country_code="TN", attendance=AttendanceMode.ONLINE),
        make.registration(event, name="Quiet Expert", organisation="Stadt Wien", city="Vienna", country_code="AT"),
        make.registration(event, name="Cancelled Person", status=RegistrationStatus.CANCELLED,
                          organisation="Nowhere", city="Nowhere", country_code="ES", consent_public_list=True),
    ]
    world = Captured(event, make.user(Role.ADMIN, name="Ada Admin"), make.user(Role.ORGANISER, lyon, name="Olga Org"),
                     facilitator, make.user(Role.ORGANISER, tunis), other_facilitator, people)
    world.recommendations = build_capture(event, people)
    return world
