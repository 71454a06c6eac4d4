"""The index follows what the stages publish by itself: one query while nothing changed, and only
the events whose stamp changed read again."""

from datetime import date

from sqlalchemy import func, select

from app.capture import curation, entries
from app.capture.entries import EntryInput
from app.capture.models import EntryKind, FollowUpStatus
from app.events.models import EventState
from app.extensions import db
from app.library import index
from app.library.models import IndexedDocument, IndexState
from app.library.search import Filters, search
from app.library.text import parse_query


def _keys(**filters) -> set[str]:
    return {hit.document.key for hit in search(parse_query(filters.pop("q", "")), Filters(**filters)).hits}


def test_nothing_changed_costs_one_query(indexed, count_queries):
    with count_queries() as statements:
        assert index.refresh() is False
    assert len(statements) == 1


def _ids(event) -> list[int]:
    return sorted(db.session.scalars(select(IndexedDocument.id).where(IndexedDocument.event_id == event.id)))


def test_changes_in_capture_reach_the_index(indexed):
    network = indexed
    untouched = _ids(network.events["tunis"])
    shops = network.recommendations["shops"]
    lyon = network.events["lyon"]
    # A new final recommendation.
    welcome = EntryInput(EntryKind.RECOMMENDATION, text_en="Publish a welcome guide in ten languages.")
    added = entries.add_entry(network.admin, lyon, welcome).entry
    curation.set_final(network.admin, lyon, added, True)
    db.session.commit()
    assert "welcome guide" not in {hit.document.text_en for hit in search(parse_query("guide"), Filters()).hits}
    assert index.refresh() is True
    assert str(added.id) in _keys(q="guide")
    # Only Lyon's event was read again: the other events' documents are the same rows.
    assert _ids(network.events["tunis"]) == untouched
    # Edited, then no longer final.
    entries.edit_entry(network.admin, lyon, shops, EntryInput(EntryKind.RECOMMENDATION,
                                                               text_en="Open one-stop shops for newcomers."),
                       expected_version=shops.version)
    db.session.commit()
    index.refresh()
    assert str(shops.id) in _keys(q="newcomers") and str(shops.id) not in _keys(q="district")
    curation.set_final(network.admin, lyon, shops, False)
    db.session.commit()
    index.refresh()
    assert str(shops.id) not in _keys()
    # A city's follow-up changes what the recommendation is filtered by.
    training = network.recommendations["training"]
    assert str(training.id) in _keys(status="none")
    curation.record_follow_up(network.admin, lyon, training, curation.FollowUpInput(
        city_id=network.cities["Amman"].id, status=FollowUpStatus.DONE, noted_on=date(2020, 1, 2)))
    db.session.commit()
    index.refresh()
    assert str(training.id) in _keys(status="done") and str(training.id) not in _keys(status="none")


def test_an_event_back_to_draft_leaves_the_library(indexed):
    tunis = indexed.events["tunis"]
    tunis.state = EventState.DRAFT  # as an administrator's correction would leave it
    db.session.commit()
    index.refresh()
    assert _keys(city="tunis") == set()
    tunis.state = EventState.FINISHED
    db.session.commit()
    index.refresh()
    assert len(_keys(city="tunis")) == 2


def test_a_deleted_event_takes_its_documents_and_stamps_with_it(indexed):
    amman = indexed.events["amman"]
    db.session.delete(amman)
    db.session.commit()
    index.refresh()
    assert _keys(city="amman") == set()
    assert db.session.scalar(select(func.count(IndexState.scope)).where(IndexState.scope.like(f"%:{amman.id}"))) == 0


def test_a_stage_plugs_its_documents_in_through_its_source(indexed, note_source):
    note_source.publish("lyon", title_en="Learning note: coordination", title_fr="Note d'apprentissage",
                        text_en="What Lyon learned about refugees.", text_fr="Ce que Lyon a appris.", sdgs=["16.6"])
    index.refresh()
    assert _keys(kind="note") == {"note-lyon"}
    assert _keys(q="refugees", kind="note") == {"note-lyon"}
    assert _keys(sdg="16") >= {"note-lyon"}
    # Its stamps change: read again.
    note_source.publish("lyon", title_en="Learning note, corrected", text_en="Corrected.")
    index.refresh()
    assert _keys(q="corrected") == {"note-lyon"} and _keys(q="refugees", kind="note") == set()


def test_a_source_that_goes_away_takes_its_documents(app, indexed, note_source):
    note_source.publish("tunis", title_en="Tunis note", text_en="About communication.")
    index.refresh()
    sources = app.extensions["library_sources"]
    notes = sources.pop()
    try:
        index.refresh()
        assert db.session.scalar(select(func.count(IndexedDocument.id)).where(IndexedDocument.kind == "note")) == 0
        assert _keys(q="réfugié")  # the others stay
    finally:
        sources.append(notes)


def test_reindex_reads_everything_again(indexed, runner):
    result = runner.invoke(args=["library", "reindex"])
    assert result.exit_code == 0, result.output
    assert "5 documents indexed." in result.output
    assert len(_keys(q="réfugié")) == 2


def test_an_event_edit_is_followed(indexed):
    event = indexed.events["amman"]
    event.theme_en = "Housing and urban planning"
    db.session.commit()
    index.refresh()
    assert _keys(theme="housing-and-urban-planning") == {str(indexed.recommendations["rents"].id)}
