"""The library's pages run as many SQL statements on a small network as on one ten times larger."""

from datetime import UTC, date, datetime

import pytest

from app.capture.models import CaptureSettings, Entry, EntryKind, EntrySdg, FollowUp, FollowUpStatus
from app.events.models import EventState, PolicyArea
from app.extensions import db
from app.library import index

PAGES = ["/library?lang=en", "/library?q=refugees+shops&lang=fr", "/library?area=welcome&sdg=16&status=none",
         "/library?page=2", "/library/figures", "/library/sdgs", "/library/sdgs/16", "/library/sdgs/10.7",
         "/cities", "/cities/lyon", "/library/recommendations.csv", "/library/notes.atom"]


def _grow(make, events: int, per_event: int) -> None:
    """`events` finished events, each with `per_event` final recommendations tagged and followed up,
    and registrations, written in bulk."""
    area = db.session.scalar(db.select(PolicyArea).where(PolicyArea.code == "welcome")) or PolicyArea(
        code="welcome", name_en="Welcome", name_fr="Accueil", source="test")
    cities = [make.city(name, "Europe/Paris", country) for name, country in
              (("Lyon", "FR"), ("Tunis", "TN"), ("Amman", "JO"), ("Turin", "IT"))]
    final_at = datetime(2019, 1, 1, tzinfo=UTC)
    for number in range(events):
        host = cities[number % len(cities)]
        event = make.event(host, EventState.FINISHED, start_date=date(2016 + number % 6, 1 + number % 12, 1),
                           theme_en=f"Theme {number % 7}", theme_fr=f"Thème {number % 7}")
        db.session.add(CaptureSettings(event_id=event.id, revision=1, updated_at=final_at))
        for n in range(per_event):
            entry = Entry(event_id=event.id, kind=EntryKind.RECOMMENDATION, client_key=f"k{number}-{n}",
                          text_en=f"Open one-stop shops for refugees, number {n}.",
                          text_fr=f"Ouvrir des guichets uniques pour les réfugiés, numéro {n}.",
                          final_at=final_at, created_at=final_at, updated_at=final_at, policy_areas=[area])
            entry.sdgs = [EntrySdg(code="16.6", goal=16, position=0), EntrySdg(code="10.7", goal=10, position=1)]
            db.session.add(entry)
            db.session.flush()
            if n % 2:
                db.session.add(FollowUp(recommendation_id=entry.id, city_id=cities[n % len(cities)].id,
                                        status=FollowUpStatus.IN_PROGRESS, noted_on=date(2020, 1, 1),
                                        note="Under way.", updated_at=final_at))
        for n in range(3):
            make.registration(event, email=f"p{number}-{n}@example.org", city=cities[n % 4].name_en)
    db.session.commit()


def _counts(client, count_queries) -> dict[str, int]:
    for path in PAGES:  # the index brought in step, and every lazy reference loaded once
        assert client.get(path).status_code == 200, path
    counts = {}
    for path in PAGES:
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        counts[path] = len(statements)
    return counts


@pytest.fixture
def uncached(app):
    app.config["PAGE_CACHE"] = False
    yield
    app.config["PAGE_CACHE"] = True


def test_queries_do_not_grow_with_the_network(client, make, count_queries, uncached):
    _grow(make, events=3, per_event=8)
    small = _counts(client, count_queries)
    _grow(make, events=27, per_event=12)
    large = _counts(client, count_queries)
    assert large == small
    assert max(small.values()) <= 25, small


def test_refreshing_the_index_reads_a_fixed_number_of_times_per_batch_of_events(app, make, count_queries):
    _grow(make, events=3, per_event=2)
    with count_queries() as few:
        index.refresh()
    _grow(make, events=40, per_event=5)
    index.rebuild_all()
    db.session.commit()
    _grow(make, events=1, per_event=1)  # a change: every event's stamp is compared, one is read again
    with count_queries() as after_change:
        index.refresh()
    assert len(after_change) <= len(few)
