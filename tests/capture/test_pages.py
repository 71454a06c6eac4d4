"""The live pages: the ranked list and its filters, the big screen and its board answered 304 without
rendering while nothing changed, their SQL queries constant from 10 to 2,000 entries, and what the
hub and the staff workspace say."""

from datetime import timedelta

import pytest
from sqlalchemy import insert

from app.capture import curation, entries, voting
from app.capture.models import (
    Dot,
    DotBudget,
    Endorsement,
    Entry,
    EntryKind,
    EntrySdg,
    TranslationStatus,
    entry_answers,
    entry_policy_areas,
)
from app.db_types import utcnow
from app.events.models import EventState, PolicyArea
from app.extensions import db
from tests.capture.conftest import token


@pytest.fixture
def areas(app):
    rows = [PolicyArea(code="coordination", name_en="Institutional coordination", name_fr="Coordination",
                       source="city priority"),
            PolicyArea(code="welcome", name_en="Welcome instruments", name_fr="Accueil",
                       source="policy recommendation")]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_the_list_is_ranked_and_filtered_by_policy_area_and_sdg(client, world, add, areas, open_voting):
    first = add(text="Coordinate.", policy_area_ids=[areas[0].id], sdg_text="16.6, 17.17")
    second = add(text="Welcome.", policy_area_ids=[areas[1].id], sdg_text="10.7")
    third = add(text="Both.", policy_area_ids=[areas[0].id, areas[1].id], sdg_text="16")
    open_voting(allowance=3)
    for n, registration in enumerate(world.participants[:3]):
        voting.spend_dot(registration, second.id, f"a{n}")
    voting.spend_dot(world.participants[3], third.id, "b")
    db.session.commit()
    slug = world.event.slug
    page = client.get(f"/events/{slug}/recommendations?lang=en").text
    assert page.index("Welcome.") < page.index("Both.") < page.index("Coordinate.")
    assert "3 dots" in page and "SDG 16.6" in page and "Institutional coordination" in page
    assert "Welcome." not in client.get(f"/events/{slug}/recommendations?area=coordination&lang=en").text
    by_goal = client.get(f"/events/{slug}/recommendations?sdg=16&lang=en").text
    assert "Coordinate." in by_goal and "Both." in by_goal and "Welcome." not in by_goal
    by_target = client.get(f"/events/{slug}/recommendations?sdg=16.6&lang=en").text
    assert "Coordinate." in by_target and "Both." not in by_target
    assert "1 recommendation matches." in by_target
    assert "No recommendation matches" in client.get(f"/events/{slug}/recommendations?sdg=1&lang=en").text
    # Hidden results: capture order, no figures.
    voting.set_results_revealed(world.organiser, world.event, False)
    db.session.commit()
    hidden = client.get(f"/events/{slug}/recommendations?lang=en").text
    assert hidden.index("Coordinate.") < hidden.index("Welcome.") and "3 dots" not in hidden
    assert first.id


def test_an_unchanged_screen_answers_304_after_one_query_without_rendering(client, world, add, count_queries,
                                                                          monkeypatch, open_voting):
    add(text="Open one-stop shops.")
    open_voting(reveal=False)
    slug = world.event.slug
    for path in (f"/events/{slug}/recommendations/screen", f"/events/{slug}/recommendations/screen/board",
                 f"/events/{slug}/recommendations?lang=fr"):
        first = client.get(path)
        assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
        etag = first.headers["ETag"]

        def no_rendering(*args, **kwargs):
            raise AssertionError("rendered")

        with monkeypatch.context() as patch:
            patch.setattr("app.capture.routes.render_template", no_rendering)
            patch.setattr("flask.templating._render", no_rendering)
            with count_queries() as queries:
                again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["ETag"] == etag and not again.data
        assert len(queries) == 1, queries
    board = f"/events/{slug}/recommendations/screen/board"
    etag = client.get(board).headers["ETag"]
    add(text="A new one.")
    changed = client.get(board, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "A new one." in changed.text and changed.headers["ETag"] != etag
    # A vote changes it too.
    etag = changed.headers["ETag"]
    voting.endorse(world.participants[0], db.session.scalar(db.select(Entry.id).limit(1)))
    db.session.commit()
    assert client.get(board, headers={"If-None-Match": etag}).status_code == 200


def test_the_screen_stays_304_while_facilitators_type_what_it_does_not_show(client, world, add, open_voting):
    recommendation = add(text="Shown on the screen.")
    open_voting()
    slug = world.event.slug
    board, listing = f"/events/{slug}/recommendations/screen/board", f"/events/{slug}/recommendations"
    board_etag, list_etag = client.get(board).headers["ETag"], client.get(listing).headers["ETag"]
    add(EntryKind.CHALLENGE, "A challenge: the list shows it, the screen does not.")
    add(EntryKind.CASE, "A case.", title_en="A case")
    curation.set_final(world.organiser, world.event, recommendation, True)
    db.session.commit()
    assert client.get(board, headers={"If-None-Match": board_etag}).status_code == 304
    assert client.get(listing, headers={"If-None-Match": list_etag}).status_code == 200
    voting.spend_dot(world.participants[0], recommendation.id, "k")
    db.session.commit()
    assert client.get(board, headers={"If-None-Match": board_etag}).status_code == 200


def test_the_screen_shows_the_latest_then_the_results_side_by_side_with_a_qr_code(client, world, add, open_voting):
    for n in range(12):
        add(text=f"Recommendation number {n}.")
    slug = world.event.slug
    screen = client.get(f"/events/{slug}/recommendations/screen?lang=en").text
    assert "Latest recommendations" in screen and "Recommendation number 11." in screen
    assert "Recommendation number 1." not in screen  # the ten latest
    assert 'src="data:image/svg+xml' in screen and f"/events/{slug}/recommendations/vote" in screen
    assert "js/capture-screen.js" in screen and 'http-equiv="refresh"' in screen  # inside <noscript>
    assert "<script>" not in screen
    open_voting(reveal=True)
    board = client.get(f"/events/{slug}/recommendations/screen/board?lang=en").text
    assert "Per person" in board and "Per city" in board
    assert "Results are hidden" not in board


def _many(world, areas, count: int) -> None:
    """`count` entries straight into the tables (most of them recommendations with their tags and
    votes), as a long meeting would leave them."""
    now = utcnow()
    event = world.event
    kinds = [EntryKind.RECOMMENDATION, EntryKind.RECOMMENDATION, EntryKind.CHALLENGE, EntryKind.CASE,
             EntryKind.OBSERVATION]
    start = db.session.scalar(db.select(db.func.count(Entry.id))) or 0
    rows = [dict(event_id=event.id, kind=kinds[n % 5], client_key=f"bulk-{start + n:08d}", language="en",
                 title_en=f"Case {n}" if kinds[n % 5] is EntryKind.CASE else "", title_fr="", text_en=f"Entry {n}.",
                 text_fr="", translation_status=TranslationStatus.MISSING, city_other="Marseille", organisation="",
                 slides_url="", pdf_filename="", visit_label="Visit", actor="The city", working_group="",
                 version=1, created_at=now + timedelta(seconds=n), updated_at=now)
            for n in range(count)]
    db.session.execute(insert(Entry), rows)
    ids = db.session.execute(db.select(Entry.id, Entry.kind).where(Entry.client_key.like("bulk-%"))
                             .order_by(Entry.id).offset(start)).all()
    recommendations = [entry_id for entry_id, kind in ids if kind is EntryKind.RECOMMENDATION]
    others = [entry_id for entry_id, kind in ids if kind is EntryKind.CHALLENGE]
    db.session.execute(insert(EntrySdg), [dict(entry_id=i, code="10.7", goal=10, position=0) for i in recommendations])
    db.session.execute(insert(entry_policy_areas), [dict(entry_id=i, policy_area_id=areas[0].id)
                                                    for i in recommendations])
    if others:
        db.session.execute(insert(entry_answers), [dict(recommendation_id=i, answered_id=others[0])
                                                   for i in recommendations])
    votes, endorsements = [], []
    for n, entry_id in enumerate(recommendations):
        registration = world.participants[n % len(world.participants)]
        votes.append(dict(recommendation_id=entry_id, registration_id=registration.id, client_key=f"d{entry_id}",
                          created_at=now))
        endorsements.append(dict(recommendation_id=entry_id, registration_id=registration.id, created_at=now))
    db.session.execute(insert(Dot), votes)
    db.session.execute(insert(Endorsement), endorsements)
    db.session.commit()


def _queries_of(app, client, count_queries, path) -> int:
    app.extensions["page_cache"].clear()
    with count_queries() as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_the_live_pages_queries_are_the_same_for_10_and_2000_entries(app, client, world, areas, count_queries,
                                                                     open_voting, make):
    open_voting(allowance=5)
    for registration in world.participants:
        db.session.add(DotBudget(event_id=world.event.id, registration_id=registration.id, spent=0))
    db.session.commit()
    slug = world.event.slug
    staff = app.test_client()
    make.login(staff, world.organiser)
    pages = [(client, f"/events/{slug}/recommendations?lang=en"), (client, f"/events/{slug}/recommendations?sdg=10"),
             (client, f"/events/{slug}/recommendations/screen"),
             (client, f"/events/{slug}/recommendations/screen/board"),
             (client, f"/r/{token(world.participants[0])}/recommendations"),
             (staff, f"/manage/events/{slug}/capture")]
    _many(world, areas, 10)
    first = db.session.scalar(db.select(Entry).where(Entry.kind == EntryKind.RECOMMENDATION).order_by(Entry.id))
    second = db.session.scalar(db.select(Entry).where(Entry.kind == EntryKind.RECOMMENDATION, Entry.id > first.id)
                               .order_by(Entry.id))
    curation.merge(world.organiser, world.event, second, first.id)
    curation.set_final(world.organiser, world.event, first, True)
    db.session.commit()
    small = {path: _queries_of(app, c, count_queries, path) for c, path in pages}
    _many(world, areas, 1990)
    assert db.session.scalar(db.select(db.func.count(Entry.id))) == 2000
    large = {path: _queries_of(app, c, count_queries, path) for c, path in pages}
    assert large == small, (small, large)
    print("queries per page at 10 and 2,000 entries:", small)


def test_the_hub_links_the_live_list_and_the_workspace_says_what_is_left(client, world, add, make):
    slug = world.event.slug
    hub = client.get(f"/events/{slug}/?lang=en").text
    assert f'href="/events/{slug}/recommendations"' not in hub
    add(text="First recommendation.")
    world.event.updated_at = utcnow()  # the hub's cache follows the event (and a minute's time)
    db.session.commit()
    hub = client.get(f"/events/{slug}/?lang=en").text
    assert f'href="/events/{slug}/recommendations"' in hub
    make.login(client, world.organiser)
    workspace = client.get(f"/manage/events/{slug}/?lang=en").text
    assert "Open voting during the recommendations session" in workspace
    assert f'href="/manage/events/{slug}/capture"' in workspace


def test_a_facilitators_workspace_lists_only_what_a_facilitator_can_do(client, world, add, make):
    """The organisers' tasks (open voting, generate and publish the note) are theirs alone: a
    facilitator's page gives their own steps and the stages' states, never those tasks."""
    add(text="First recommendation.")
    db.session.commit()
    make.login(client, world.facilitator)
    workspace = client.get(f"/manage/events/{world.event.slug}/?lang=en").text
    assert "Record in the capture console" in workspace
    assert "Open voting during the recommendations session" not in workspace
    assert "generate the learning note from what was captured, edit it and publish it" not in workspace


def test_a_draft_event_keeps_its_capture_from_the_public(app, client, make, world):
    draft = make.event(make.city("Lyon"), EventState.DRAFT)
    make.assign(draft, world.facilitator)
    entries.add_entry(world.facilitator, draft, entries.EntryInput(EntryKind.CHALLENGE, text_en="Early."))
    db.session.commit()
    for path in ("recommendations", "recommendations/screen", "recommendations/screen/board"):
        assert client.get(f"/events/{draft.slug}/{path}").status_code == 404
    make.login(client, world.facilitator)
    assert "Early." in client.get(f"/events/{draft.slug}/recommendations").text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_state_sentences_of_the_list_and_the_board_keep_their_space(client, world, add, lang):
    import re

    add(text="Open one-stop shops.")
    slug = world.event.slug
    for path in (f"/events/{slug}/recommendations", f"/events/{slug}/recommendations/screen/board"):
        text = re.sub(r"<[^>]+>", "", client.get(f"{path}?lang={lang}").text)
        assert not re.search(r"[a-zà-ÿ]{2}\.[A-ZÀ-Þ][a-zà-ÿ]", text), path


def test_who_should_act_and_the_working_group_are_marked_when_not_in_the_readers_language(client, world, add):
    add(text="Open one-stop shops.", actor="City social services", working_group="Housing group")
    slug = world.event.slug
    french = client.get(f"/events/{slug}/recommendations?lang=fr").text
    assert '<span lang="en">City social services</span> <small class="fallback">(en anglais uniquement)</small>' \
        in french
    assert '<span lang="en">Housing group</span> <small class="fallback">(en anglais uniquement)</small>' in french
    english = client.get(f"/events/{slug}/recommendations?lang=en").text
    assert "<span>City social services</span>" in english and "anglais" not in english
