"""The note's content from a fully captured event, in both languages."""

import json

from app.events.lifecycle import change_state
from app.events.models import EventState
from app.extensions import db
from app.learning_note import content, services
from app.learning_note.content import NoteView
from app.learning_note.queries import note_of


def _generated(world):
    services.generate(world.facilitator, world.event)
    db.session.commit()
    note = note_of(world.event)
    return note, content.draft_content(note, world.event)


def test_captured_parts_come_from_the_meeting(captured):
    note, draft = _generated(captured)
    data = draft["captured"]
    assert note.generation == 1 and note.generated_by_id == captured.facilitator.id
    # Only final recommendations, ranked by the room: a merged duplicate's dot counts for its target.
    recs = data["recommendations"]
    assert [(r["text"]["en"], r["rank"], r["dots"]) for r in recs] == [
        ("Open one-stop shops for every resident.", 1, 3),
        ("Give cities a voice in national migration policy.", 2, 2),
        ("Create a permanent coordination body at metropolitan level.", 3, 1)]
    assert recs[2]["endorsers"] == 1 and recs[2]["sdgs"] == ["16.6", "16.7"] and recs[2]["actor_level"] == "local"
    assert all("nobody kept" not in r["text"]["en"] and "duplicate" not in r["text"]["en"] for r in recs)
    assert [c["city"]["en"] for c in data["cases"]] == ["Lyon", "Sfax"]
    assert data["observations"][0]["visit"] == "The one-stop shop"
    assert data["context_source"] == "background" and "Why this meeting" in data["context"]["en"]
    assert data["follow_ups"] == [{"rank": 3, "city": {"en": "Lyon", "fr": "Lyon"}, "status": "in_progress",
                                   "noted_on": "2025-09-01", "note": "The body met twice.", "url": ""}]
    # Figures only; the cancelled registration counts for nothing; "lyon " is Lyon.
    assert data["participation"] == {"participants": 5, "organisations": 4, "cities": 4, "countries": 3,
                                     "in_person": 3, "online": 2}
    # Names: only those who consented (and hold a confirmed place).
    assert [p["name"] for p in data["listed"]] == ["Amina Listed", "Bruno Listed"]
    assert "Secret Person" not in json.dumps(data) and "Hidden Delegate" not in json.dumps(data)


def test_the_view_in_each_language_marks_what_is_missing(captured):
    _note, draft = _generated(captured)
    english, french = NoteView(draft, "en"), NoteView(draft, "fr")
    assert english.theme.text == "Inter-institutional coordination"
    assert french.theme.text == "Coordination inter-institutionnelle"
    assert english.dates == "12–13 March 2025" and french.dates == "12 et 13 mars 2025"
    groups = french.recommendation_groups
    assert [g.heading.text for g in groups] == ["Accès aux services de base",
                                                "Coordination entre niveaux de gouvernement"]
    assert [[r.rank for r in g.items] for g in groups] == [[1], [2, 3]]
    voice = groups[1].items[0]
    assert voice.text.text.startswith("Give cities a voice") and voice.text.is_fallback and voice.text.lang == "en"
    assert not groups[0].items[0].text.is_fallback
    assert french.challenges[1].text.is_fallback and not english.challenges[1].text.is_fallback
    assert [city for city, _cases in french.cases_by_city] == ["Lyon", "Sfax"]
    assert french.sdg_index[0][0] == "10.7" and "Faciliter la migration" in french.sdg_index[0][1]
    # The written parts are empty: their sections are left out, the captured ones are there.
    ids = [s.id for s in english.sections]
    assert ids == ["context", "challenges", "solutions", "field_visit", "recommendations", "next_steps",
                   "participation"]
    assert content.untranslated_recommendations(draft) == [2]
    missing = {(m.section, m.lang, m.count) for m in content.missing_translations(draft)}
    assert ("recommendations", "fr", 1) in missing and ("challenges", "fr", 1) in missing
    assert not any(m.lang == "en" for m in content.missing_translations(draft))


def test_a_draft_is_generated_when_the_event_finishes(captured, make):
    event = captured.event
    event.state = EventState.CLOSED
    db.session.commit()
    assert note_of(event) is None
    change_state(event, EventState.FINISHED, captured.organiser)
    db.session.commit()
    note = note_of(event)
    assert note.generation == 1 and note.generated_by_id is None
    assert len(json.loads(note.captured)["recommendations"]) == 3


def test_the_public_page_names_only_those_who_consented(captured, client):
    _generated(captured)
    note = note_of(captured.event)
    services.publish(captured.organiser, captured.event, services.PublishInput(
        note.edit_version, note.generation, confirm_untranslated=True))
    db.session.commit()
    page = client.get(f"/events/{captured.event.slug}/learning-note?lang=en").text
    assert "Amina Listed" in page and "Bruno Listed" in page
    for hidden in ("Secret Person", "Hidden Delegate", "Quiet Expert", "Cancelled Person"):
        assert hidden not in page
    # A participant who withdraws consent disappears from the published version too.
    captured.participants[1].consent_public_list = False
    db.session.commit()
    client.application.extensions["page_cache"].clear()
    page = client.get(f"/events/{captured.event.slug}/learning-note?lang=fr").text
    assert "Amina Listed" in page and "Bruno Listed" not in page
    assert "Participants ayant accepté d'être nommés" in page
