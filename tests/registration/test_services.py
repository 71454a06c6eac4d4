"""The rules of registration, without HTTP: seats, waiting list, offers, moderation, erasure."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.db_types import utcnow
from app.domain import DomainError, PermissionDenied
from app.events.models import EventFormat, EventState
from app.extensions import db
from app.ratelimit import RateLimitHit
from app.registration import privacy, queries, rate_limit, signup, staff, tokens, waitlist
from app.registration.models import (
    AttendanceMode,
    PromotionPolicy,
    Registration,
    RegistrationStatus,
)
from config import Config
from tests.registration.conftest import assert_seats_consistent, person, statuses

S = RegistrationStatus


def test_confirmed_up_to_capacity_then_waitlisted_in_order(open_event, register, changes):
    event = open_event(capacity=2)
    people = [register(event) for _ in range(4)]
    assert [p.status for p in people] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    assert [queries.waiting_list_position(p) for p in people] == [None, None, 1, 2]
    assert [c for _e, c in changes] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert_seats_consistent(event)


def test_no_capacity_means_no_limit(open_event, register):
    event = open_event(capacity=None)
    assert all(register(event).status is S.CONFIRMED for _ in range(5))
    assert_seats_consistent(event)


def test_cancelling_a_confirmed_place_promotes_the_first_on_the_list(open_event, register, changes):
    event = open_event(capacity=1)
    first, second, third = register(event), register(event), register(event)
    signup.cancel(first)
    db.session.commit()
    assert (first.status, second.status, third.status) == (S.CANCELLED, S.CONFIRMED, S.WAITLISTED)
    assert queries.waiting_list_position(third) == 1
    assert changes[-2:] == [(first.email, "cancelled"), (second.email, "promoted")]
    assert_seats_consistent(event)


def test_cancelling_twice_is_refused(open_event, register):
    event = open_event(capacity=1)
    registration = register(event)
    signup.cancel(registration)
    with pytest.raises(DomainError):
        signup.cancel(registration)


def test_offer_policy_offers_the_seat_and_passes_it_on_when_it_expires(open_event, register, changes):
    event = open_event(capacity=1, settings=dict(promotion=PromotionPolicy.OFFER, offer_hours=24))
    holder, second, third = register(event), register(event), register(event)
    now = utcnow()
    signup.cancel(holder, now=now)
    db.session.commit()
    assert second.status is S.OFFERED and second.offer_expires_at == now + timedelta(hours=24)
    assert changes[-1] == (second.email, "offered")
    assert_seats_consistent(event)
    # Nobody answers: the offer passes to the next.
    expired = waitlist.expire_offers(now + timedelta(hours=25))
    db.session.commit()
    assert expired == [second]
    assert (second.status, third.status) == (S.EXPIRED, S.OFFERED)
    assert changes[-2:] == [(second.email, "expired"), (third.email, "offered")]
    waitlist.accept_offer(third, now + timedelta(hours=26))
    db.session.commit()
    assert third.status is S.CONFIRMED and changes[-1] == (third.email, "confirmed")
    assert_seats_consistent(event)


def test_an_expired_offer_cannot_be_accepted(open_event, register):
    event = open_event(capacity=1, settings=dict(promotion=PromotionPolicy.OFFER, offer_hours=1))
    holder, second, third = register(event), register(event), register(event)
    now = utcnow()
    signup.cancel(holder, now=now)
    with pytest.raises(DomainError, match="expired"):
        waitlist.accept_offer(second, now + timedelta(hours=2))
    assert (second.status, third.status) == (S.EXPIRED, S.OFFERED)
    assert_seats_consistent(event)


def test_moderated_registrations_wait_for_approval(open_event, register, changes, make):
    event = open_event(capacity=1, settings=dict(moderated=True))
    organiser = make.user(Role.ORGANISER, event.host_city)
    first, second, third = register(event), register(event), register(event)
    assert {r.status for r in (first, second, third)} == {S.PENDING}
    assert [c for _e, c in changes] == ["received"] * 3
    staff.approve(organiser, first)
    staff.approve(organiser, second)
    staff.reject(organiser, third)
    db.session.commit()
    assert (first.status, second.status, third.status) == (S.CONFIRMED, S.WAITLISTED, S.REJECTED)
    assert [c for _e, c in changes[3:]] == ["approved", "waitlisted", "rejected"]
    with pytest.raises(DomainError):
        staff.approve(organiser, first)
    assert_seats_consistent(event)


def test_organisers_of_another_city_are_refused(open_event, register, make):
    event = open_event(capacity=1)
    registration = register(event)
    stranger = make.user(Role.ORGANISER, make.city("Tunis", "Africa/Tunis", "TN"))
    facilitator = make.user(Role.FACILITATOR)
    for actor in (stranger, facilitator):
        for action in (staff.approve, staff.reject, staff.promote, staff.check_in, privacy.erase,
                       staff.new_link):
            with pytest.raises(PermissionDenied):
                action(actor, registration)
    assert registration.status is S.CONFIRMED and registration.name


def test_organiser_moves_someone_from_the_waiting_list_when_a_seat_is_free(open_event, register, make, changes):
    event = open_event(capacity=1)
    organiser = make.user(Role.ORGANISER, event.host_city)
    register(event)
    waiting = register(event)
    with pytest.raises(DomainError, match="No place is free"):
        staff.promote(organiser, waiting)
    event.capacity = 2
    db.session.commit()
    staff.promote(organiser, waiting)
    db.session.commit()
    assert waiting.status is S.CONFIRMED and changes[-1] == (waiting.email, "promoted")
    assert_seats_consistent(event)


def test_hybrid_events_have_a_capacity_per_attendance_mode(open_event, register):
    event = open_event(capacity=1, format=EventFormat.HYBRID, settings=dict(online_capacity=2))
    in_person = [register(event, attendance=AttendanceMode.IN_PERSON) for _ in range(2)]
    online = [register(event, attendance=AttendanceMode.ONLINE) for _ in range(3)]
    assert [r.status for r in in_person] == [S.CONFIRMED, S.WAITLISTED]
    assert [r.status for r in online] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED]
    assert queries.waiting_list_position(online[2]) == 1
    # Cancelling online promotes the online waiting list only.
    signup.cancel(online[0])
    db.session.commit()
    assert (online[2].status, in_person[1].status) == (S.CONFIRMED, S.WAITLISTED)
    assert_seats_consistent(event)


def test_hybrid_registration_needs_an_attendance_mode(open_event):
    event = open_event(format=EventFormat.HYBRID)
    with pytest.raises(DomainError) as raised:
        signup.register(event, person(attendance=None))
    assert raised.value.field == "attendance"


def test_switching_to_a_full_mode_keeps_the_current_seat(open_event, register):
    event = open_event(capacity=5, format=EventFormat.HYBRID, settings=dict(online_capacity=1))
    register(event, attendance=AttendanceMode.ONLINE)
    mover = register(event, attendance=AttendanceMode.IN_PERSON)
    with pytest.raises(DomainError, match="no free place"):
        signup.update_details(mover, person(mover.email, attendance=AttendanceMode.ONLINE))
    db.session.rollback()
    db.session.refresh(mover)
    assert mover.attendance is AttendanceMode.IN_PERSON and mover.status is S.CONFIRMED
    event.capacity = 1
    db.session.commit()
    signup.cancel(db.session.scalar(select(Registration).where(Registration.attendance == AttendanceMode.ONLINE)))
    signup.update_details(mover, person(mover.email, name="New Name", attendance=AttendanceMode.ONLINE))
    db.session.commit()
    assert (mover.attendance, mover.status, mover.name) == (AttendanceMode.ONLINE, S.CONFIRMED, "New Name")
    assert_seats_consistent(event)


def test_the_same_email_twice_gives_one_registration_and_resends_the_link(open_event, changes):
    event = open_event(capacity=3)
    first = signup.register(event, person("Ana@Example.org"))
    again = signup.register(event, person(" ana@example.ORG ", name="Someone else"))
    db.session.commit()
    assert first.created and not again.created and again.registration.id == first.registration.id
    assert again.registration.name != "Someone else"
    assert [c for _e, c in changes] == ["confirmed", "link_resent"]
    assert statuses(event) == {"confirmed": 1}


def test_a_waitlisted_newcomer_never_jumps_the_queue(open_event, register):
    event = open_event(capacity=1)
    register(event)
    waiting = register(event)
    event.capacity = 2  # a place appears; the next registration must not take it before `waiting`
    db.session.commit()
    newcomer = register(event)
    assert (waiting.status, newcomer.status) == (S.CONFIRMED, S.WAITLISTED)
    assert_seats_consistent(event)


@pytest.mark.parametrize(("change", "availability"), [
    (dict(state=EventState.CLOSED), queries.Availability.CLOSED),
    (dict(state=EventState.CANCELLED), queries.Availability.CANCELLED),
    (dict(state=EventState.DRAFT), queries.Availability.DRAFT),
    (dict(registration_opens_at=utcnow() + timedelta(days=2)), queries.Availability.NOT_YET),
    (dict(registration_closes_at=utcnow() - timedelta(minutes=1)), queries.Availability.ENDED),
])
def test_registration_only_while_open_and_inside_the_window(open_event, change, availability):
    event = open_event(capacity=5)
    for name, value in change.items():
        setattr(event, name, value)
    db.session.commit()
    assert queries.availability(event) is availability
    with pytest.raises(DomainError):
        signup.register(event, person())
    assert statuses(event) == {}


def test_missing_consent_is_refused(open_event):
    event = open_event()
    with pytest.raises(DomainError) as raised:
        signup.register(event, person(consent_processing=False))
    assert raised.value.field == "consent_processing"


def test_erasure_anonymises_frees_the_seat_and_keeps_the_counts(open_event, register, make):
    event = open_event(capacity=1)
    organiser = make.user(Role.ORGANISER, event.host_city)
    leaving, waiting = register(event, dietary_needs="vegan"), register(event)
    privacy.erase(organiser, leaving)
    db.session.commit()
    assert leaving.is_erased and leaving.email is None and leaving.name == "" and leaving.dietary_needs == ""
    assert leaving.status is S.CANCELLED and waiting.status is S.CONFIRMED
    assert statuses(event) == {"cancelled": 1, "confirmed": 1}
    assert_seats_consistent(event)


def test_erasure_after_the_event_keeps_the_attendance_figures(open_event, register, make):
    event = open_event(capacity=3)
    organiser = make.user(Role.ORGANISER, event.host_city)
    attended = register(event)
    staff.check_in(organiser, attended)
    event.state = EventState.FINISHED
    db.session.commit()
    privacy.erase(organiser, attended)
    db.session.commit()
    assert attended.status is S.CONFIRMED and attended.checked_in_at and attended.is_erased


def test_purge_anonymises_only_events_past_their_retention(app, open_event, register):
    old = open_event(start_date=utcnow().date() - timedelta(days=400))
    recent = open_event(start_date=utcnow().date() - timedelta(days=30))
    upcoming = open_event()
    people = [register(old), register(recent), register(upcoming)]
    for event in (old, recent):
        event.state = EventState.FINISHED
    db.session.commit()
    assert privacy.purge_personal_data(retention_days=365) == 1
    db.session.commit()
    assert [p.is_erased for p in people] == [True, False, False]
    assert privacy.purge_personal_data(retention_days=365) == 0, "running it again changes nothing"
    assert privacy.purge_personal_data(retention_days=10) == 1


def test_rate_limit_counts_attempts_per_client_in_the_database(app):
    app.config["REGISTRATION_RATE_LIMIT"] = 3
    try:
        now = utcnow()
        for _ in range(3):
            rate_limit.record_attempt("203.0.113.5", now)
        with pytest.raises(rate_limit.RateLimited):
            rate_limit.record_attempt("203.0.113.5", now)
        rate_limit.record_attempt("198.51.100.7", now)  # another client is not affected
        rate_limit.record_attempt("203.0.113.5", now + timedelta(seconds=app.config["REGISTRATION_RATE_WINDOW"] + 1))
    finally:
        app.config["REGISTRATION_RATE_LIMIT"] = Config.REGISTRATION_RATE_LIMIT


def test_an_attempt_is_kept_when_the_request_is_rolled_back(app, open_event):
    event = open_event(capacity=5)
    app.config["REGISTRATION_RATE_LIMIT"] = 2
    try:
        now = utcnow()
        for _ in range(2):
            rate_limit.record_attempt("203.0.113.9", now)
            with pytest.raises(DomainError):
                signup.register(event, person(name="   "), now)  # refused: the request rolls back
            db.session.rollback()
        assert db.session.scalar(select(func.count(RateLimitHit.id))) == 2
        with pytest.raises(rate_limit.RateLimited):
            rate_limit.record_attempt("203.0.113.9", now)
    finally:
        app.config["REGISTRATION_RATE_LIMIT"] = Config.REGISTRATION_RATE_LIMIT


def test_purge_command_is_safe_to_repeat(runner, open_event, register):
    event = open_event(start_date=utcnow().date() - timedelta(days=40))
    registration = register(event)
    event.state = EventState.FINISHED
    db.session.commit()
    result = runner.invoke(args=["registrations", "purge", "--days", "30"])
    assert result.exit_code == 0 and "Anonymised 1 registration(s)" in result.output
    assert runner.invoke(args=["registrations", "purge", "--days", "30"]).output.startswith("Anonymised 0")
    db.session.refresh(registration)
    assert registration.is_erased and registration.status is S.CONFIRMED
    assert "Anonymised 0" in runner.invoke(args=["registrations", "purge"]).output, "default: 365 days"


def test_expire_offers_command(runner, open_event, register):
    event = open_event(capacity=1, settings=dict(promotion=PromotionPolicy.OFFER, offer_hours=1))
    holder, offered = register(event), register(event)
    signup.cancel(holder, now=utcnow() - timedelta(hours=2))
    db.session.commit()
    result = runner.invoke(args=["registrations", "expire-offers"])
    assert result.exit_code == 0 and "1 offer(s) expired" in result.output
    db.session.refresh(offered)
    assert offered.status is S.EXPIRED
    assert_seats_consistent(event)


# --- Nothing moves once the event is cancelled or over ------------------------------------------


def _set_state(event, state):
    event.state = state
    db.session.commit()


@pytest.mark.parametrize(("state", "message"), [
    (EventState.CANCELLED, "This event has been cancelled: registrations can no longer be changed."),
    (EventState.FINISHED, "This event is over: registrations can no longer be changed."),
    (EventState.DRAFT, "This event is not open at the moment: registrations cannot be changed."),
])
def test_participants_cannot_edit_or_cancel_unless_the_event_is_open_or_closed(
        open_event, register, changes, state, message):
    event = open_event(capacity=1)
    holder, waiting = register(event), register(event)
    _set_state(event, state)
    before = list(changes)
    with pytest.raises(DomainError) as raised:
        signup.cancel(holder)
    assert str(raised.value.message) == message
    db.session.rollback()
    with pytest.raises(DomainError) as raised:
        signup.update_details(holder, person(holder.email, name="New Name"))
    assert str(raised.value.message) == message
    db.session.rollback()
    db.session.refresh(holder)
    db.session.refresh(waiting)
    assert (holder.status, holder.name, waiting.status) == (S.CONFIRMED, holder.name, S.WAITLISTED)
    assert holder.name != "New Name"
    assert changes == before, "nobody is told anything, nobody is promoted"
    assert_seats_consistent(event)


@pytest.mark.parametrize("state", [EventState.OPEN, EventState.CLOSED])
def test_participants_can_still_cancel_while_the_event_is_open_or_closed(open_event, register, state):
    event = open_event(capacity=1)
    holder, waiting = register(event), register(event)
    _set_state(event, state)
    signup.cancel(holder)
    db.session.commit()
    assert (holder.status, waiting.status) == (S.CANCELLED, S.CONFIRMED)


@pytest.mark.parametrize("state", [EventState.CANCELLED, EventState.FINISHED])
def test_an_offer_cannot_be_accepted_on_a_cancelled_or_finished_event(open_event, register, changes, state):
    event = open_event(capacity=1, settings=dict(promotion=PromotionPolicy.OFFER, offer_hours=24))
    holder, offered, third = register(event), register(event), register(event)
    signup.cancel(holder)
    db.session.commit()
    _set_state(event, state)
    before = list(changes)
    with pytest.raises(DomainError):
        waitlist.accept_offer(offered)
    db.session.rollback()
    # Even once the offer's time is up, it does not pass to the next person.
    with pytest.raises(DomainError):
        waitlist.accept_offer(offered, utcnow() + timedelta(hours=25))
    db.session.commit()
    db.session.refresh(offered)
    db.session.refresh(third)
    assert (offered.status, third.status) == (S.OFFERED, S.WAITLISTED)
    assert changes == before
    assert_seats_consistent(event)


@pytest.mark.parametrize("state", [EventState.CANCELLED, EventState.FINISHED])
def test_expiring_offers_never_fills_a_cancelled_or_finished_event(open_event, register, changes, state):
    running = open_event(capacity=1, settings=dict(promotion=PromotionPolicy.OFFER, offer_hours=1))
    over = open_event(capacity=1, settings=dict(promotion=PromotionPolicy.OFFER, offer_hours=1))
    people = {}
    for event in (running, over):
        holder, offered, third = register(event), register(event), register(event)
        signup.cancel(holder)
        db.session.commit()
        people[event.id] = (offered, third)
    _set_state(over, state)
    expired = waitlist.expire_offers(utcnow() + timedelta(hours=2))
    db.session.commit()
    assert expired == [people[running.id][0]], "only the running event's offer passes on"
    assert [p.status for p in people[running.id]] == [S.EXPIRED, S.OFFERED]
    assert [p.status for p in people[over.id]] == [S.OFFERED, S.WAITLISTED]
    for event in (running, over):
        assert_seats_consistent(event)


def test_no_one_is_promoted_on_a_cancelled_event_even_when_an_organiser_frees_a_seat(open_event, register, make):
    event = open_event(capacity=1)
    organiser = make.user(Role.ORGANISER, event.host_city)
    holder, waiting = register(event), register(event)
    _set_state(event, EventState.CANCELLED)
    staff.reject(organiser, holder)
    assert staff.fill_free_places(organiser, event) == []
    db.session.commit()
    assert (holder.status, waiting.status) == (S.REJECTED, S.WAITLISTED)
    assert_seats_consistent(event)


# --- Registering again after the registration ended -----------------------------------------------


def test_someone_who_cancelled_can_register_again_with_new_details(open_event, register, changes):
    event = open_event(capacity=5)
    registration = register(event, "back@example.org", dietary_needs="vegan", consent_public_list=True)
    old_link = tokens.make_token(registration)
    old_version = registration.token_version
    signup.cancel(registration)
    db.session.commit()
    outcome = signup.register(event, person("Back@Example.org", name="New Name", dietary_needs="",
                                              organisation="Ville de Sfax", consent_public_list=False))
    db.session.commit()
    assert outcome.created and outcome.registration.id == registration.id
    db.session.refresh(registration)
    assert (registration.status, registration.name, registration.organisation, registration.dietary_needs,
            registration.consent_public_list) == (S.CONFIRMED, "New Name", "Ville de Sfax", "", False)
    assert registration.token_version != old_version
    with pytest.raises(tokens.BadLink) as raised:
        tokens.read_token(old_link)
    assert raised.value.problem is tokens.LinkProblem.REVOKED
    assert tokens.read_token(tokens.make_token(registration)) == registration
    assert changes == [("back@example.org", "confirmed"), ("back@example.org", "cancelled"),
                       ("back@example.org", "confirmed")]
    assert statuses(event) == {"confirmed": 1}
    assert_seats_consistent(event)


def test_registering_again_on_a_full_event_joins_the_end_of_the_waiting_list(open_event, register, changes):
    event = open_event(capacity=1, settings=dict(promotion=PromotionPolicy.OFFER, offer_hours=1))
    holder, offered, waiting = register(event), register(event), register(event)
    now = utcnow()
    signup.cancel(holder, now=now)  # `offered` is offered the seat, and lets the offer go by
    waitlist.expire_offers(now + timedelta(hours=2))
    db.session.commit()
    assert (offered.status, waiting.status) == (S.EXPIRED, S.OFFERED)
    later = register(event)
    again = signup.register(event, person(offered.email), now=now + timedelta(hours=3)).registration
    db.session.commit()
    assert again.id == offered.id and again.status is S.WAITLISTED
    assert [queries.waiting_list_position(p) for p in (later, again)] == [1, 2]
    assert changes[-1] == (offered.email, "waitlisted")
    assert_seats_consistent(event)


def test_someone_rejected_goes_back_to_the_organisers_approval(open_event, make, changes):
    event = open_event(capacity=5, settings=dict(moderated=True))
    organiser = make.user(Role.ORGANISER, event.host_city)
    registration = signup.register(event, person("turned@example.org")).registration
    staff.reject(organiser, registration)
    db.session.commit()
    outcome = signup.register(event, person("turned@example.org", name="Second Try"))
    db.session.commit()
    assert outcome.registration.id == registration.id
    assert (registration.status, registration.name) == (S.PENDING, "Second Try")
    assert [c for _e, c in changes] == ["received", "rejected", "received"]


def test_an_active_registration_is_not_reopened_only_its_link_resent(open_event, register, changes):
    event = open_event(capacity=1)
    register(event)
    waiting = register(event, "wait@example.org")
    version = waiting.token_version
    outcome = signup.register(event, person("wait@example.org", name="Changed"))
    db.session.commit()
    assert not outcome.created and outcome.registration.id == waiting.id
    assert (waiting.status, waiting.token_version, waiting.name) == (S.WAITLISTED, version, waiting.name)
    assert waiting.name != "Changed" and changes[-1] == ("wait@example.org", "link_resent")


def test_an_erased_registration_is_never_matched_nor_reopened(open_event, register, make, changes):
    event = open_event(capacity=5)
    erased = register(event, "gone@example.org")
    signup.cancel(erased)
    privacy.erase(make.user(Role.ADMIN), erased)
    db.session.commit()
    fresh = signup.register(event, person("gone@example.org")).registration
    db.session.commit()
    assert fresh.id != erased.id and fresh.status is S.CONFIRMED
    db.session.refresh(erased)
    assert erased.is_erased and erased.email is None and erased.status is S.CANCELLED
    assert statuses(event) == {"cancelled": 1, "confirmed": 1}
