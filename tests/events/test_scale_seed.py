"""`flask seed-demo --scale`: the network the benchmarks measure, made by each stage's scale seed."""

from sqlalchemy import func, select

from app.capture.models import Dot, Endorsement, Entry, EntryKind, FollowUp
from app.events.models import Event, EventState
from app.extensions import db
from app.field_visit.models import FieldVisit, VisitPlaces, VisitSignup
from app.learning_note.models import NoteVersion
from app.registration.models import Registration, RegistrationStatus, SeatPool
from tests.conftest import _empty_tables

SMALL = "0.05"


def _seed(runner, scale: str = SMALL) -> str:
    result = runner.invoke(args=["seed-demo", "--scale", scale])
    assert result.exit_code == 0, result.output
    return result.output


def _scale_events() -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.summary_en.like("Two days in % on one question%"))
                                   .order_by(Event.slug)))


def _content() -> dict:
    """What the seed wrote, without the ids and clocks that differ from one database to another."""
    events = _scale_events()
    ids = [event.id for event in events]
    slug = {event.id: event.slug for event in events}
    entries = db.session.execute(
        select(Entry.event_id, Entry.kind, Entry.text_en, Entry.text_fr, Entry.final_at.is_not(None),
               select(func.count(Dot.id)).where(Dot.recommendation_id == Entry.id).scalar_subquery())
        .where(Entry.event_id.in_(ids)).order_by(Entry.event_id, Entry.created_at, Entry.id)).all()
    return {
        "events": [(e.slug, e.theme_en, e.theme_fr, e.state.value, e.start_date.isoformat()) for e in events],
        "registrations": sorted((slug[r.event_id], r.email, r.name, r.city, r.preferred_language, r.token_version)
                                for r in db.session.scalars(select(Registration)
                                                            .where(Registration.event_id.in_(ids)))),
        "entries": [(slug[event_id], kind.value, en, fr, final, dots)
                    for event_id, kind, en, fr, final, dots in entries],
        "follow_ups": db.session.scalar(select(func.count(FollowUp.id))),
        "notes": db.session.scalar(select(func.count(NoteVersion.id)).where(NoteVersion.event_id.in_(ids))),
    }


def test_scale_seed_builds_every_stages_part_at_the_asked_size(runner, client):
    output = _seed(runner)
    events = _scale_events()
    finished = [e for e in events if e.state is EventState.FINISHED]
    upcoming = [e for e in events if e.state is EventState.OPEN]
    assert len(finished) == 1 and len(upcoming) == 1  # 20 and 4 at scale 1, at least one of each
    ids = [e.id for e in events]
    registrations = db.session.scalar(select(func.count(Registration.id)).where(Registration.event_id.in_(ids)))
    assert registrations == 150  # 3,000 × 0.05
    entries = db.session.scalar(select(func.count(Entry.id)).where(Entry.event_id.in_(ids)))
    assert entries >= 100  # 2,000 × 0.05, and the live meeting's recommendations
    assert db.session.scalar(select(func.count(Dot.id)).join(Entry).where(Entry.event_id == finished[0].id)) > 0
    assert db.session.scalar(select(func.count(Endorsement.id)).join(Entry)
                             .where(Entry.event_id == finished[0].id)) > 0
    assert db.session.scalar(select(func.count(NoteVersion.id)).where(NoteVersion.event_id == finished[0].id)) == 1
    assert db.session.scalar(select(func.count(Entry.id)).where(
        Entry.event_id == finished[0].id, Entry.kind == EntryKind.RECOMMENDATION, Entry.final_at.is_not(None))) == 8
    assert "registrations: 150 new" in output and "published learning notes: 1 new" in output
    # The counters that guard capacity agree with the places the seed wrote.
    for event in events:
        held = db.session.scalar(select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED))
        assert db.session.scalar(select(SeatPool.taken).where(SeatPool.event_id == event.id)) == held
        visit = db.session.scalar(select(FieldVisit).where(FieldVisit.event_id == event.id))
        signups = db.session.scalar(select(func.count(VisitSignup.id)).where(VisitSignup.visit_id == visit.id))
        assert signups > 0
        assert db.session.scalar(select(VisitPlaces.taken).where(VisitPlaces.visit_id == visit.id)) == signups
    # An upcoming event keeps places free (the benchmarks register on it) and its pages serve.
    assert upcoming[0].capacity > db.session.scalar(select(SeatPool.taken).where(SeatPool.event_id == upcoming[0].id))
    for path in ("/", f"/events/{finished[0].slug}/learning-note", f"/events/{upcoming[0].slug}/recommendations",
                 f"/events/{upcoming[0].slug}/field-visit", "/library?q=city"):
        assert client.get(path).status_code == 200, path
    # Who receives the group reads in French too: a person's name, not English words.
    page = client.get(f"/events/{upcoming[0].slug}/field-visit?lang=fr").text
    received = page.count("Accueil par ")
    assert received == 3 and "The team" not in page
    assert all(f"Accueil par {stop.received_by}" in page
               for stop in db.session.scalar(select(FieldVisit).where(FieldVisit.event_id == upcoming[0].id)).stops)


def test_scale_seed_is_deterministic_and_adds_nothing_twice(app, runner):
    _seed(runner)
    first = _content()
    again = _seed(runner)
    assert "scale events: 0 new" in again and "registrations: 0 new" in again
    assert _content() == first
    db.session.remove()
    _empty_tables()
    app.extensions["page_cache"].clear()
    _seed(runner)
    assert _content() == first
