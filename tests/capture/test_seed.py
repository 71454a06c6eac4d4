"""`flask seed-demo` gives the finished Lyon event of December 2017 its full capture, and the upcoming
Turin event a few live entries."""

from sqlalchemy import func, select

from app.capture.models import Dot, Endorsement, Entry, EntryKind, FollowUp, TranslationStatus
from app.events.models import City, Event
from app.events.seed import DEMO_SLUG
from app.extensions import db
from app.field_visit.models import FieldVisit


def test_seed_demo_captures_lyon_2017_and_a_few_turin_entries(runner, client):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Lyon 2017 capture entries: 22 new; Lyon 2017 follow-ups: 2 new; Lyon 2017 votes: 227 new" in first.output
    lyon = db.session.scalar(select(Event).join(City, City.id == Event.host_city_id)
                             .where(City.name_en == "Lyon", Event.theme_en.like("Inter-institutional%")))
    entries = list(db.session.scalars(select(Entry).where(Entry.event_id == lyon.id)))
    kinds = {kind: [e for e in entries if e.kind is kind] for kind in EntryKind}
    recommendations = kinds[EntryKind.RECOMMENDATION]
    assert len(recommendations) == 8
    assert all(e.text_en and e.text_fr and e.sdgs and e.translation_status is TranslationStatus.DONE
               for e in recommendations)
    assert {e.presenting_city for e in kinds[EntryKind.CASE]} == {"Lyon", "Vienna", "Lisbon", "Amman"}
    observations = kinds[EntryKind.OBSERVATION]
    assert len(observations) == 3
    visit = db.session.scalars(select(FieldVisit).where(FieldVisit.event_id == lyon.id)).one()
    assert "Maisons de la Métropole des Solidarités" in visit.title_en
    assert {e.field_visit_id for e in observations} == {visit.id}
    assert all("Maisons de la Métropole des Solidarités" in e.visit_label for e in observations)
    assert len(kinds[EntryKind.CHALLENGE]) == 4 and len(kinds[EntryKind.OPPORTUNITY]) == 3
    assert db.session.scalar(select(func.count(Dot.id))) > 50
    assert db.session.scalar(select(func.count(Endorsement.id))) > 20
    assert db.session.scalar(select(func.count(FollowUp.id))) == 2
    turin = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    live = list(db.session.scalars(select(Entry).where(Entry.event_id == turin.id)))
    assert len(live) == 4 and any(e.translation_status is TranslationStatus.MISSING for e in live)

    again = runner.invoke(args=["seed-demo"])
    assert "Lyon 2017 capture entries: 0 new; Lyon 2017 follow-ups: 0 new; Lyon 2017 votes: 0 new; " \
           "Turin capture entries: 0 new." in again.output

    page = client.get(f"/events/{lyon.slug}/recommendations?lang=fr").text
    assert "Créer une instance permanente de coordination" in page and "Lisbonne" in page
    assert client.get(f"/events/{lyon.slug}/recommendations/screen").status_code == 200
    hub = client.get(f"/events/{lyon.slug}/?lang=en").text
    assert f'href="/events/{lyon.slug}/recommendations"' in hub


def test_the_field_visit_seed_runs_before_captures_and_the_learning_note_after(app):
    """Capture's Lyon 2017 observations name the field visit stage's visit: the order is the ranks',
    not the order the stages happen to be registered in."""
    from app.stages import specs

    rank = {spec.key: spec.seed_rank for spec in specs(app)}
    assert rank["field_visit"] < rank["capture"] < rank["learning_note"]
