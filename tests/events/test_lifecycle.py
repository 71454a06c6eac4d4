"""The lifecycle rules, through the domain functions, without HTTP."""

from datetime import UTC, datetime, timedelta

import pytest

from app.auth.models import Role
from app.domain import PermissionDenied
from app.events.lifecycle import ALLOWED_TRANSITIONS, TransitionRefused, change_state, close_due_registrations
from app.events.models import EventFormat, EventState
from app.events.signals import event_state_changed

S = EventState


@pytest.fixture
def organiser(make):
    return make.user(Role.ORGANISER, make.city())


def test_full_lifecycle_is_recorded_with_who_and_when(app, make, organiser):
    event = make.event(organiser.city, S.DRAFT, days_ahead=0)
    for target in (S.OPEN, S.CLOSED, S.FINISHED):
        change_state(event, target, organiser)
    assert event.state is S.FINISHED
    history = [(c.from_state, c.to_state, c.actor) for c in event.state_changes]
    assert history == [(S.DRAFT, S.OPEN, organiser), (S.OPEN, S.CLOSED, organiser),
                       (S.CLOSED, S.FINISHED, organiser)]


@pytest.mark.parametrize(("start", "target"), [
    (S.DRAFT, S.CLOSED), (S.DRAFT, S.FINISHED), (S.OPEN, S.FINISHED),
    (S.FINISHED, S.OPEN), (S.FINISHED, S.CANCELLED), (S.CANCELLED, S.OPEN), (S.CANCELLED, S.DRAFT),
])
def test_transitions_outside_the_lifecycle_are_refused_with_a_message(app, make, organiser, start, target):
    event = make.event(organiser.city, start)
    with pytest.raises(TransitionRefused) as refused:
        change_state(event, target, organiser)
    assert "cannot become" in str(refused.value.message)
    assert event.state is start and event.state_changes == []


@pytest.mark.parametrize("start", [S.DRAFT, S.OPEN, S.CLOSED])
def test_cancel_is_possible_before_finished(app, make, organiser, start):
    event = make.event(organiser.city, start)
    change_state(event, S.CANCELLED, organiser, reason="Host city flooded")
    assert event.state is S.CANCELLED
    assert event.state_changes[-1].reason == "Host city flooded"


def test_undo_steps_reopen_and_back_to_draft(app, make, organiser):
    event = make.event(organiser.city, S.CLOSED)
    change_state(event, S.OPEN, organiser)
    change_state(event, S.DRAFT, organiser)
    assert event.state is S.DRAFT
    assert S.OPEN in ALLOWED_TRANSITIONS[S.CLOSED] and S.DRAFT in ALLOWED_TRANSITIONS[S.OPEN]


def test_opening_with_a_missing_translation_needs_confirmation(app, make, organiser):
    event = make.event(organiser.city, S.DRAFT, summary_fr="")
    with pytest.raises(TransitionRefused):
        change_state(event, S.OPEN, organiser)
    assert event.state is S.DRAFT
    change_state(event, S.OPEN, organiser, confirmed=True)
    assert event.state is S.OPEN


@pytest.mark.parametrize(("fields", "message"), [
    ({"venue": ""}, "venue"),
    ({"format": EventFormat.DIGITAL, "online_url": ""}, "online meeting link"),
    ({"format": EventFormat.HYBRID, "online_url": ""}, "online meeting link"),
    ({"theme_en": "", "theme_fr": ""}, "theme"),
])
def test_an_incomplete_event_cannot_be_opened_even_when_confirmed(app, make, organiser, fields, message):
    event = make.event(organiser.city, S.DRAFT, **fields)
    with pytest.raises(TransitionRefused) as refused:
        change_state(event, S.OPEN, organiser, confirmed=True)
    assert message in str(refused.value.message)


def test_a_past_event_cannot_be_opened(app, make, organiser):
    event = make.event(organiser.city, S.DRAFT, days_ahead=-10)
    with pytest.raises(TransitionRefused, match="already ended"):
        change_state(event, S.OPEN, organiser)


def test_an_event_cannot_finish_before_it_starts(app, make, organiser):
    event = make.event(organiser.city, S.CLOSED, days_ahead=5)
    with pytest.raises(TransitionRefused, match="not started"):
        change_state(event, S.FINISHED, organiser)


def test_finishing_uses_the_host_citys_date_not_utc(app, make):
    amman = make.city("Amman", "Asia/Amman", "JO")
    organiser = make.user(Role.ORGANISER, amman)
    today_utc = datetime(2027, 3, 9, 22, 30, tzinfo=UTC)  # already 10 March 01:30 in Amman (+03)
    event = make.event(amman, S.CLOSED, start_date=today_utc.date() + timedelta(days=1))
    change_state(event, S.FINISHED, organiser, now=today_utc)
    assert event.state is S.FINISHED


@pytest.mark.parametrize("who", ["facilitator", "other_organiser", "anonymous"])
def test_only_the_host_citys_organisers_and_admins_change_state(app, make, organiser, who):
    from flask_login import AnonymousUserMixin

    event = make.event(organiser.city, S.DRAFT)
    actor = {
        "facilitator": lambda: make.user(Role.FACILITATOR),
        "other_organiser": lambda: make.user(Role.ORGANISER, make.city("Tunis", "Africa/Tunis", "TN")),
        "anonymous": AnonymousUserMixin,
    }[who]()
    if who == "facilitator":
        make.assign(event, actor)
    with pytest.raises(PermissionDenied):
        change_state(event, S.OPEN, actor)
    assert event.state is S.DRAFT


def test_admin_changes_state_of_any_city(app, make):
    event = make.event(make.city("Tunis", "Africa/Tunis", "TN"), S.OPEN)
    change_state(event, S.CLOSED, make.user(Role.ADMIN))
    assert event.state is S.CLOSED


def test_every_change_is_announced_for_the_emails(app, make, organiser):
    event = make.event(organiser.city, S.OPEN)
    received = []

    def listener(sender, change):
        received.append((sender, change.from_state, change.to_state))

    with event_state_changed.connected_to(listener):
        change_state(event, S.CANCELLED, organiser)
    assert received == [(event, S.OPEN, S.CANCELLED)]


def test_registrations_close_by_date(app, make):
    now = datetime(2030, 1, 10, 12, tzinfo=UTC)
    due = make.event(state=S.OPEN, registration_closes_at=now - timedelta(minutes=1))
    later = make.event(state=S.OPEN, registration_closes_at=now + timedelta(days=1))
    closed = close_due_registrations(now)
    assert closed == [due]
    assert due.state is S.CLOSED and later.state is S.OPEN
    assert due.state_changes[-1].actor is None
    assert close_due_registrations(now) == []


def test_an_event_whose_registration_window_has_passed_cannot_be_reopened(app, make, organiser):
    now = datetime(2030, 1, 10, 12, tzinfo=UTC)
    event = make.event(organiser.city, S.CLOSED, start_date=datetime(2030, 2, 1).date(),
                       registration_closes_at=now - timedelta(hours=1))
    with pytest.raises(TransitionRefused, match="Registration closed on"):
        change_state(event, S.OPEN, organiser, now=now)
    event.registration_closes_at = now + timedelta(days=7)
    change_state(event, S.OPEN, organiser, now=now)
    assert event.state is S.OPEN


def test_going_back_to_draft_or_cancelling_says_who_is_affected_first(client, make):
    from datetime import timedelta

    from app.auth.models import Role
    from app.db_types import utcnow
    from app.extensions import db
    from app.registration import signup
    from tests.registration.conftest import person

    lyon = make.city("Lyon", "Europe/Paris", "FR")
    organiser = make.user(Role.ORGANISER, lyon)
    event = make.event(lyon, EventState.OPEN, capacity=5, registration_opens_at=utcnow() - timedelta(days=1),
                       registration_closes_at=utcnow() + timedelta(days=9))
    signup.register(event, person("amal@example.net", name="Amal Benali"))
    db.session.commit()
    make.login(client, organiser)
    page = client.post(f"/manage/events/{event.slug}/state?lang=en", data={"target": "draft"})
    assert page.status_code == 200
    assert "1 person registered (Amal Benali): the event's page disappears for them" in page.text
    db.session.refresh(event)
    assert event.state is EventState.OPEN, "nothing changes before the organiser confirms"
    page = client.post(f"/manage/events/{event.slug}/state?lang=fr", data={"target": "cancelled"})
    assert "Amal Benali" in page.text and "annulation" in page.text
