"""Published learning notes reach the network's library through the stage's spec: found by their
words in both languages, listed in the Atom feed, a correction replacing the note, drafts kept out."""

import json
import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from sqlalchemy import select

from app.extensions import db
from app.learning_note import library, services
from app.learning_note.models import NARRATIVE_FIELDS
from app.learning_note.queries import note_of
from app.library import index
from app.library.models import IndexedDocument
from app.library.search import Filters, search
from app.library.text import parse_query

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def _write(captured, **parts):
    event = captured.event
    note = note_of(event)
    values = {name: getattr(note, name) for name in NARRATIVE_FIELDS}
    values.update(parts)
    services.save_narrative(captured.organiser, event, services.NarrativeInput(values, note.edit_version))
    db.session.commit()


def _publish(captured, at, **change):
    note = note_of(captured.event)
    services.publish(captured.organiser, captured.event, services.PublishInput(
        note.edit_version, note.generation, confirm_untranslated=True, **change), now=at)
    db.session.commit()


def _found(word: str) -> list[str]:
    index.refresh()
    return [hit.document.key for hit in search(parse_query(word), Filters(kind=library.KIND)).hits]


def _feed_entries(client, lang="en"):
    feed = ET.fromstring(client.get(f"/library/notes.atom?lang={lang}").data)  # noqa: S314 (our own feed)
    return feed.findall("a:entry", ATOM)


def test_a_published_note_is_found_in_both_languages_and_a_draft_is_not(captured, client):
    event = captured.event
    services.generate(captured.organiser, event)
    db.session.commit()
    _write(captured, executive_summary_en="Cities learned to **coordinate** their welcome desks.",
           executive_summary_fr="Les villes ont appris à coordonner leurs guichets d'accueil.")
    assert _found("welcome") == [] and _found("guichets") == []
    assert _feed_entries(client) == []

    _publish(captured, datetime(2025, 4, 1, 9, tzinfo=UTC))
    assert _found("welcome") == [str(event.id)]
    assert _found("guichet") == [str(event.id)]  # a French plural found by its singular
    page = client.get("/library?q=guichets&lang=fr").text
    assert f'href="/events/{event.slug}/learning-note"' in page and "Note d'apprentissage</span>" in page
    city = client.get(f"/cities/{event.host_city.slug}?lang=fr").text  # what the host city hosted, with its note
    assert re.search(rf'<a href="/events/{event.slug}/learning-note">Note d\'apprentissage</a>', city)
    [entry] = _feed_entries(client, "fr")
    assert entry.find("a:summary", ATOM).text.startswith("Les villes ont appris à coordonner")
    assert entry.find("a:link", ATOM).get("href").endswith(f"/events/{event.slug}/learning-note")


def test_a_correction_replaces_the_note_in_the_library(captured, client):
    event = captured.event
    services.generate(captured.organiser, event)
    db.session.commit()
    _write(captured, executive_summary_en="The first summary spoke of ferries.",
           executive_summary_fr="Le premier résumé parlait de ferries.")
    _publish(captured, datetime(2025, 4, 1, 9, tzinfo=UTC))
    assert _found("ferries") == [str(event.id)]

    _write(captured, executive_summary_en="The corrected summary speaks of libraries.",
           executive_summary_fr="Le résumé corrigé parle de bibliothèques.")
    _publish(captured, datetime(2025, 4, 20, 15, tzinfo=UTC), change_en="The summary.", change_fr="Le résumé.")
    assert _found("ferries") == []
    assert _found("libraries") == [str(event.id)] and _found("bibliothèque") == [str(event.id)]
    kept = list(db.session.scalars(select(IndexedDocument).where(IndexedDocument.kind == library.KIND)))
    assert len(kept) == 1 and json.loads(kept[0].details)["number"] == 2
    [entry] = _feed_entries(client)
    assert entry.find("a:updated", ATOM).text == "2025-04-20T15:00:00Z"
    assert "corrected since it was first published" in client.get("/library?q=libraries&lang=en").text


def test_the_notes_of_many_events_are_read_in_one_query(captured, count_queries):
    services.generate(captured.organiser, captured.event)
    db.session.commit()
    _publish(captured, datetime(2025, 4, 1, 9, tzinfo=UTC))
    event_id = captured.event.id
    with count_queries() as statements:
        found = library.documents([event_id, event_id + 1000])
    assert [document.key for document in found] == [str(event_id)]
    assert len(statements) == 1
