"""The room prioritises: endorsements and priority dots from the participant's own page, within the
organiser's allowance and only while voting is open; merges keep the votes; results per person and
per city."""

import re

import pytest
from sqlalchemy import func, select

from app.capture import curation, queries, voting
from app.capture.models import Dot, DotBudget, Endorsement, Entry, EntryKind
from app.domain import DomainError
from app.extensions import db
from app.registration.models import RegistrationStatus
from tests.capture.conftest import token


def _dot(client, registration, entry, key=None):
    return client.post(f"/r/{token(registration)}/recommendations/{entry.id}/dot", data={"key": key or ""},
                       follow_redirects=True)


def test_a_participant_spends_their_dots_and_the_page_says_how_many_are_left(client, world, add, open_voting):
    first, second = add(text="First."), add(text="Second.")
    open_voting(allowance=5)
    delegate = world.participants[0]
    page = client.get(f"/r/{token(delegate)}/recommendations?lang=en").text
    assert "5 of 5 dots left" in page
    _dot(client, delegate, first)
    page = _dot(client, delegate, first).text
    assert "Dot added." in page and "3 of 5 dots left" in page
    for _ in range(3):
        page = _dot(client, delegate, second).text
    assert "0 of 5 dots left" in page
    refused = _dot(client, delegate, second)
    assert "You have no dots left" in refused.text, "a refused vote is said so, never dropped silently"
    assert db.session.scalar(select(func.count(Dot.id))) == 5
    assert db.session.scalar(select(DotBudget.spent)) == 5
    # The participant's own page says it too.
    panel = client.get(f"/r/{token(delegate)}?lang=fr").text
    assert "il vous reste 0 gommette sur 5." in panel


def test_a_double_click_counts_once_and_says_so(client, world, add, open_voting):
    entry = add()
    open_voting()
    delegate = world.participants[0]
    assert "Dot added." in _dot(client, delegate, entry, key="button-key-1").text
    assert "This dot was already counted." in _dot(client, delegate, entry, key="button-key-1").text
    assert db.session.scalar(select(func.count(Dot.id))) == 1
    dot_id = db.session.scalar(select(Dot.id))
    url = f"/r/{token(delegate)}/recommendations/{entry.id}/undot"
    assert "Dot taken back." in client.post(url, data={"dot_id": dot_id}, follow_redirects=True).text
    assert "already taken back" in client.post(url, data={"dot_id": dot_id}, follow_redirects=True).text
    assert db.session.scalar(select(DotBudget.spent)) == 0


def test_endorsing_twice_counts_once_and_can_be_withdrawn(client, world, add, open_voting):
    entry = add()
    open_voting()
    delegate = world.participants[0]
    url = f"/r/{token(delegate)}/recommendations/{entry.id}"
    assert "You support this recommendation." in client.post(f"{url}/endorse", follow_redirects=True).text
    assert "You already support" in client.post(f"{url}/endorse", follow_redirects=True).text
    assert db.session.scalar(select(func.count(Endorsement.id))) == 1
    assert "no longer support" in client.post(f"{url}/withdraw", follow_redirects=True).text
    assert db.session.scalar(select(func.count(Endorsement.id))) == 0


def test_votes_only_while_voting_is_open_and_only_by_confirmed_participants(client, world, add, make, open_voting):
    entry = add()
    delegate = world.participants[0]
    refused = _dot(client, delegate, entry)
    assert "Voting is not open" in refused.text
    open_voting()
    waiting = make.registration(world.event, status=RegistrationStatus.WAITLISTED)
    assert "Only confirmed participants vote." in _dot(client, waiting, entry).text
    elsewhere = make.registration(make.event(make.city("Lyon"), world.event.state))
    assert "does not exist" in _dot(client, elsewhere, entry).text
    voting.set_voting(world.organiser, world.event, False)
    db.session.commit()
    assert "Voting is not open" in _dot(client, delegate, entry).text
    assert db.session.scalar(select(func.count(Dot.id))) == 0
    # Only the event's organisers open it.
    with pytest.raises(DomainError):
        voting.set_voting(world.facilitator, world.event, True)


def test_the_allowance_cannot_go_below_what_someone_spent(world, add, open_voting):
    entry = add()
    open_voting(allowance=3)
    for n in range(3):
        voting.spend_dot(world.participants[0], entry.id, f"k{n}")
    db.session.commit()
    with pytest.raises(DomainError, match="already spent 3 dots"):
        voting.set_allowance(world.organiser, world.event, 2)
    voting.set_allowance(world.organiser, world.event, 4)
    voting.spend_dot(world.participants[0], entry.id, "k4")
    with pytest.raises(DomainError, match="no dots left"):
        voting.spend_dot(world.participants[0], entry.id, "k5")


def test_a_merge_keeps_the_votes_counts_each_voter_once_and_can_be_undone(client, world, add, open_voting):
    kept, duplicate = add(text="Create a coordination body."), add(text="Set up a coordination committee.")
    open_voting()
    a, b, c = world.participants[:3]
    for registration in (a, b):
        voting.endorse(registration, kept.id)
        voting.endorse(registration, duplicate.id)
    voting.endorse(c, duplicate.id)
    voting.spend_dot(a, kept.id, "a1")
    voting.spend_dot(a, duplicate.id, "a2")
    voting.spend_dot(c, duplicate.id, "c1")
    db.session.commit()
    record = curation.merge(world.organiser, world.event, duplicate, kept.id)
    db.session.commit()
    tally = queries.tallies(world.event)[kept.id]
    assert (tally.endorsers, tally.voters, tally.dots) == (3, 2, 3)
    assert duplicate.id not in queries.tallies(world.event)
    page = client.get(f"/events/{world.event.slug}/recommendations?lang=en").text
    assert "Merged from 1 duplicate" in page and "Set up a coordination committee." in page
    assert len(re.findall(r'class="recommendation[ "]', page)) == 1
    # Voting for the original now points to the one it was merged into; its votes count there.
    assert "was merged into" in _dot(client, c, duplicate).text
    voting.endorse(a, kept.id)  # already counted through the original
    assert voting.endorse(a, kept.id).changed is False
    curation.undo_merge(world.organiser, world.event, record)
    db.session.commit()
    counts = queries.tallies(world.event)
    assert (counts[kept.id].endorsers, counts[kept.id].dots) == (2, 1)
    assert (counts[duplicate.id].endorsers, counts[duplicate.id].dots) == (3, 2)


def test_results_per_city_do_not_let_nine_delegates_drown_two(world, add, open_voting):
    lyon_choice, tunis_choice = add(text="Lyon's favourite."), add(text="Tunis's favourite.")
    open_voting(allowance=2)
    for registration in world.participants:
        choice = lyon_choice if registration.city == "Lyon" else tunis_choice
        voting.spend_dot(registration, choice.id, f"{registration.id}-1")
        voting.spend_dot(registration, choice.id, f"{registration.id}-2")
    db.session.commit()
    counts = queries.tallies(world.event)
    assert (counts[lyon_choice.id].dots, counts[tunis_choice.id].dots) == (18, 4)
    assert counts[lyon_choice.id].city_points == counts[tunis_choice.id].city_points == 100
    screen = queries.screen(world.event)
    assert [row.entry.id for row in screen.rows] == [lyon_choice.id, tunis_choice.id]
    assert {row.entry.id for row in screen.by_city} == {lyon_choice.id, tunis_choice.id}


def test_an_organiser_marks_final_and_closing_ends_voting(world, add, open_voting):
    entry = add()
    open_voting()
    curation.set_final(world.organiser, world.event, entry, True)
    voting.set_capture_closed(world.organiser, world.event, True)
    db.session.commit()
    assert entry.is_final
    settings = queries.settings_of(world.event)
    assert settings.is_closed and not settings.voting_open
    with pytest.raises(DomainError, match="Capture is closed"):
        voting.spend_dot(world.participants[0], entry.id, "late")
    with pytest.raises(DomainError):
        curation.set_final(world.facilitator, world.event, entry, False)


def test_a_participant_sees_the_recommendations_on_their_page_and_votes_from_there(client, world, add, open_voting):
    add(EntryKind.CHALLENGE, "Not a recommendation.")
    add(text="Vote for me.")
    delegate = world.participants[0]
    page = client.get(f"/r/{token(delegate)}?lang=en").text
    assert "See the recommendations and your votes" in page
    open_voting(allowance=5)
    page = client.get(f"/r/{token(delegate)}?lang=en").text
    assert "Voting is open: 5 of 5 dots left." in page
    voting.spend_dot(delegate, db.session.scalar(select(Entry.id).where(Entry.text_en == "Vote for me.")), "k")
    db.session.commit()
    assert "Voting is open: 4 of 5 dots left." in client.get(f"/r/{token(delegate)}?lang=en").text
    ballot = client.get(f"/r/{token(delegate)}/recommendations?lang=en")
    assert ballot.headers["Cache-Control"] == "no-store, private"
    assert "Vote for me." in ballot.text and "Not a recommendation." not in ballot.text
