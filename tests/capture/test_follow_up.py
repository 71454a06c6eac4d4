"""After the event, the organisers of each city record what their city made of the final
recommendations; the public list shows it, and the library reads it across events."""

import pytest

from app.capture import curation, queries
from app.capture.curation import FollowUpInput
from app.capture.models import FollowUpStatus
from app.domain import DomainError, PermissionDenied
from app.events.models import EventState
from app.extensions import db


@pytest.fixture
def finished(world, add):
    entry = add(text="Open one-stop shops.")
    curation.set_final(world.organiser, world.event, entry, True)
    world.event.state = EventState.FINISHED
    db.session.commit()
    return entry


def test_a_city_records_its_own_follow_up_and_the_public_list_shows_it(client, world, finished, make):
    tunis = make.city("Tunis")
    slug = world.event.slug
    make.login(client, world.other_organiser)  # an organiser of Tunis, for an event hosted by Lyon
    page = client.get(f"/manage/events/{slug}/capture/follow-up?lang=en")
    assert page.status_code == 200 and "Open one-stop shops." in page.text
    prefix = f"rec{finished.id}-"
    response = client.post(f"/manage/events/{slug}/capture/follow-up/{finished.id}", data={
        f"{prefix}city_id": tunis.id, f"{prefix}status": "in_progress", f"{prefix}noted_on": "2030-03-15",
        f"{prefix}note": "<b>First desk opened</b>", f"{prefix}action_url": "https://example.org/action"})
    assert response.status_code == 302
    public = client.get(f"/events/{slug}/recommendations?lang=en").text
    assert "Taken up by" in public and "In progress" in public and "&lt;b&gt;First desk opened&lt;/b&gt;" in public
    assert [f.status for f in queries.follow_ups_of_city(tunis.id)] == [FollowUpStatus.IN_PROGRESS]
    # Not for another city.
    lyon = make.city("Lyon")
    refused = client.post(f"/manage/events/{slug}/capture/follow-up/{finished.id}", data={
        f"{prefix}city_id": lyon.id, f"{prefix}status": "done"})
    assert refused.status_code == 422


def test_follow_up_waits_for_the_end_of_the_event_and_a_final_recommendation(world, add, make):
    entry = add(text="Not final.")
    lyon = make.city("Lyon")
    data = FollowUpInput(city_id=lyon.id, status=FollowUpStatus.PLANNED)
    with pytest.raises(DomainError, match="once the event is finished"):
        curation.record_follow_up(world.organiser, world.event, entry, data)
    world.event.state = EventState.FINISHED
    db.session.commit()
    with pytest.raises(DomainError, match="final recommendations only"):
        curation.record_follow_up(world.organiser, world.event, entry, data)
    with pytest.raises(PermissionDenied):
        curation.record_follow_up(world.facilitator, world.event, entry, data)


def test_library_figures_count_recommendations_and_follow_ups(world, finished, make):
    curation.record_follow_up(world.organiser, world.event, finished,
                              FollowUpInput(city_id=make.city("Lyon").id, status=FollowUpStatus.DONE))
    db.session.commit()
    from app.capture.stage import library_figures

    assert sorted(library_figures().values()) == [1, 1, 1]
