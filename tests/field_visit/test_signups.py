"""Signing up for a visit, without HTTP: who may, the places, the waiting list, clashes, and what a
change of the registration does to a visit place."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.domain import DomainError
from app.events.models import EventFormat
from app.extensions import db
from app.field_visit import places, signups
from app.field_visit.models import EndReason, SignupStatus, VisitPlaces, VisitSignup
from app.mail.models import OutboxMessage
from app.registration import privacy, signup
from app.registration.models import AttendanceMode, RegistrationStatus
from tests.field_visit.conftest import move_event_online, offer_policy

S = SignupStatus


def _status(signup_row) -> SignupStatus:
    db.session.refresh(signup_row)
    return signup_row.status


def _taken(visit) -> int:
    return db.session.scalar(select(VisitPlaces.taken).where(VisitPlaces.visit_id == visit.id)) or 0


def _holding(visit) -> int:
    return db.session.scalar(select(func.count()).select_from(VisitSignup).where(
        VisitSignup.visit_id == visit.id, VisitSignup.status.in_((S.CONFIRMED, S.OFFERED))))


def _kinds(email: str) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient_email == email)
                                   .order_by(OutboxMessage.id)))


def test_within_capacity_then_waiting_list_promoted_in_order(event, new_visit, participant):
    visit = new_visit(event, capacity=2)
    people = [participant(event) for _ in range(4)]
    rows = [signups.sign_up(p, visit) for p in people]
    db.session.commit()
    assert [r.status for r in rows] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    assert _taken(visit) == 2
    signups.leave(people[0], visit)  # changing one's mind frees the place at once
    db.session.commit()
    assert [_status(r) for r in rows] == [S.LEFT, S.CONFIRMED, S.CONFIRMED, S.WAITLISTED]
    assert _taken(visit) == _holding(visit) == 2
    assert _kinds(people[2].email)[-2:] == ["field_visit_signup", "field_visit_signup"]  # waitlisted, promoted


def test_places_held_back_for_the_host_city_are_never_offered(event, new_visit, participant):
    visit = new_visit(event, capacity=3, reserved=2)
    first, second = participant(event), participant(event)
    assert signups.sign_up(first, visit).status is S.CONFIRMED
    assert signups.sign_up(second, visit).status is S.WAITLISTED


def test_offer_policy_offers_the_freed_place_and_passes_it_on_when_it_expires(event, new_visit, participant):
    offer_policy(event, hours=24)
    visit = new_visit(event, capacity=1)
    holder, waiting, after = participant(event), participant(event), participant(event)
    signups.sign_up(holder, visit)
    offered = signups.sign_up(waiting, visit)
    last = signups.sign_up(after, visit)
    signups.leave(holder, visit)
    db.session.commit()
    assert _status(offered) is S.OFFERED and offered.offer_expires_at is not None
    places.expire_offers(now=offered.offer_expires_at + timedelta(minutes=1))
    db.session.commit()
    assert _status(offered) is S.LEFT and offered.ended_reason is EndReason.OFFER_EXPIRED
    assert _status(last) is S.OFFERED
    signups.accept_offer(after, visit)
    db.session.commit()
    assert _status(last) is S.CONFIRMED
    assert _taken(visit) == _holding(visit) == 1


def test_never_two_visits_at_the_same_time(event, new_visit, participant):
    morning = new_visit(event, start="09:00", end="12:00", title_en="Morning")
    overlapping = new_visit(event, start="11:00", end="13:00", title_en="Parallel option")
    afternoon = new_visit(event, start="14:00", end="17:00", title_en="Afternoon")
    person = participant(event)
    signups.sign_up(person, morning)
    db.session.commit()
    with pytest.raises(DomainError, match="another visit at the same time"):
        signups.sign_up(person, overlapping)
    db.session.rollback()
    assert signups.sign_up(person, afternoon).status is S.CONFIRMED
    signups.leave(person, morning)
    assert signups.sign_up(person, overlapping).status is S.CONFIRMED


def test_signing_up_twice_is_refused(event, new_visit, participant):
    visit = new_visit(event)
    person = participant(event)
    signups.sign_up(person, visit)
    with pytest.raises(DomainError, match="already signed up"):
        signups.sign_up(person, visit)


@pytest.mark.parametrize("who", ["other_event", "waitlisted", "online", "cancelled", "erased"])
def test_only_confirmed_in_person_participants_of_the_event_sign_up(make, event, new_visit, participant, who):
    visit = new_visit(event)
    if who == "other_event":
        other = make.event(event.host_city, event.state, registration_opens_at=event.registration_opens_at)
        person = participant(other)
    elif who == "waitlisted":
        person = make.registration(event, status=RegistrationStatus.WAITLISTED)
    elif who == "online":
        event.format = EventFormat.HYBRID
        db.session.commit()
        person = participant(event, attendance=AttendanceMode.ONLINE)
    elif who == "cancelled":
        person = participant(event)
        signup.cancel(person)
        db.session.commit()
    else:
        from tests.factories import user

        person = participant(event)
        privacy.erase(user(), person)
        db.session.commit()
    with pytest.raises(DomainError):
        signups.sign_up(person, visit)
    db.session.rollback()
    assert _taken(visit) == 0


def test_closed_sign_up_and_virtual_visits_are_refused(event, new_visit, participant, organiser):
    from app.field_visit import services

    visit = new_visit(event)
    services.set_signup_open(organiser, event, visit, False)
    with pytest.raises(DomainError, match="closed"):
        signups.sign_up(participant(event), visit)
    db.session.rollback()
    online = new_visit(event, day=0, online_url="https://tour.example.org/guillotiere", meeting_point="")
    with pytest.raises(DomainError, match="online"):
        signups.sign_up(participant(event), online)


def test_no_sign_up_nor_waiting_list_once_the_visit_has_begun(event, new_visit, participant):
    visit = new_visit(event, capacity=1)
    signups.sign_up(participant(event), visit, now=visit.meets_at - timedelta(minutes=1))
    db.session.commit()
    for now in (visit.meets_at, visit.meets_at + timedelta(minutes=20)):  # the waiting list, as the place is taken
        with pytest.raises(DomainError, match="too late to sign up") as refused:
            signups.sign_up(participant(event), visit, now=now)
        db.session.rollback()
        assert "(Europe/Paris)" in str(refused.value.message) and "14:00" in str(refused.value.message)
    assert db.session.scalar(select(func.count()).select_from(VisitSignup)
                             .where(VisitSignup.status == S.WAITLISTED)) == 0
    free = new_visit(event, day=0, capacity=None)
    with pytest.raises(DomainError, match="too late to sign up"):
        signups.sign_up(participant(event), free, now=free.meets_at + timedelta(hours=1))


def test_once_the_visit_has_begun_a_freed_place_passes_to_nobody(event, new_visit, participant):
    visit = new_visit(event, capacity=1)
    before = visit.meets_at - timedelta(minutes=5)
    holder, waiting = participant(event), participant(event)
    signups.sign_up(holder, visit, now=before)
    waits = signups.sign_up(waiting, visit, now=before)
    db.session.commit()
    signups.leave(holder, visit, now=visit.meets_at + timedelta(minutes=10))
    db.session.commit()
    assert _status(waits) is S.WAITLISTED, "the group has left: a place given now could not be used"
    assert _taken(visit) == _holding(visit) == 0
    assert _kinds(waiting.email) == ["registration_confirmed", "field_visit_signup"]  # waitlisted, nothing since


def test_once_the_visit_has_begun_an_offered_place_cannot_be_accepted(event, new_visit, participant):
    offer_policy(event, hours=24)
    visit = new_visit(event, capacity=1)
    before = visit.meets_at - timedelta(hours=2)
    holder, offered_to, after = participant(event), participant(event), participant(event)
    signups.sign_up(holder, visit, now=before)
    offered = signups.sign_up(offered_to, visit, now=before)
    last = signups.sign_up(after, visit, now=before)
    signups.leave(holder, visit, now=before)
    db.session.commit()
    assert _status(offered) is S.OFFERED and offered.offer_expires_at > visit.meets_at
    with pytest.raises(DomainError, match="too late to sign up"):
        signups.accept_offer(offered_to, visit, now=visit.meets_at + timedelta(minutes=1))
    db.session.rollback()
    assert _status(offered) is S.OFFERED
    places.expire_offers(now=offered.offer_expires_at + timedelta(minutes=1))
    db.session.commit()
    assert _status(offered) is S.LEFT and _status(last) is S.WAITLISTED, "not offered to the next once begun"
    assert _taken(visit) == _holding(visit) == 0


def test_cancelling_the_registration_frees_the_place_and_says_so(event, new_visit, participant):
    visit = new_visit(event, capacity=1)
    holder, waiting = participant(event), participant(event)
    held = signups.sign_up(holder, visit)
    queued = signups.sign_up(waiting, visit)
    db.session.commit()
    signup.cancel(holder)
    db.session.commit()
    assert _status(held) is S.LEFT and held.ended_reason is EndReason.REGISTRATION_CANCELLED
    assert _status(queued) is S.CONFIRMED
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_email == holder.email,
                                                             OutboxMessage.kind == "field_visit_left")).one()
    assert message.ics_method == "CANCEL"
    assert "Your registration is cancelled, so your place on the field visit" in message.text_body


def test_switching_to_online_frees_the_place(event, new_visit, participant):
    event.format = EventFormat.HYBRID
    db.session.commit()
    visit = new_visit(event, capacity=1)
    person = participant(event)
    held = signups.sign_up(person, visit)
    db.session.commit()
    data = signup.RegistrationInput(name=person.name, email=person.email, attendance=AttendanceMode.ONLINE,
                                    consent_processing=True)
    signup.update_details(person, data)
    db.session.commit()
    assert _status(held) is S.LEFT and held.ended_reason is EndReason.ONLINE
    assert _taken(visit) == 0
    text = db.session.scalars(select(OutboxMessage.text_body).where(OutboxMessage.kind == "field_visit_left")).one()
    assert "You now take part online" in text and "online only" not in text


def test_moved_to_the_waiting_list_frees_the_place(event, new_visit, participant):
    """Whatever moves a registration away from a confirmed place (here: back on the waiting list,
    as announced by `registration_changed`) frees its visit place."""
    from app.db_types import utcnow
    from app.registration.waitlist import announce, transition

    visit = new_visit(event, capacity=1)
    person = participant(event)
    held = signups.sign_up(person, visit)
    transition(person, (RegistrationStatus.CONFIRMED,), RegistrationStatus.WAITLISTED, utcnow(), queued_at=utcnow())
    announce(person, "waitlisted")
    db.session.commit()
    assert _status(held) is S.LEFT and held.ended_reason is EndReason.WAITLISTED
    assert _taken(visit) == 0
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_email == person.email,
                                                             OutboxMessage.kind == "field_visit_left")).one()
    assert message.ics_method == "CANCEL"
    assert "Your registration is back on the waiting list, so your place on the field visit" in message.text_body


def test_erasing_the_participant_frees_the_place_and_writes_nothing(event, new_visit, participant, make):
    visit = new_visit(event, capacity=1)
    person = participant(event)
    held = signups.sign_up(person, visit)
    db.session.commit()
    email = person.email
    privacy.erase(make.user(), person)
    db.session.commit()
    assert _status(held) is S.LEFT and held.ended_reason is EndReason.ERASED
    assert _taken(visit) == 0
    assert "field_visit_left" not in _kinds(email)


def test_an_event_moved_online_frees_the_places_of_those_who_now_attend_online(event, new_visit, participant,
                                                                                organiser):

    event.format = EventFormat.HYBRID
    db.session.commit()
    visit = new_visit(event, capacity=2)
    person = participant(event)
    held = signups.sign_up(person, visit)
    db.session.commit()
    move_event_online(event, organiser)
    assert person.attendance is AttendanceMode.ONLINE
    assert _status(held) is S.LEFT and held.ended_reason is EndReason.ONLINE
    assert _taken(visit) == 0
    (message,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "field_visit_left")).all()
    assert message.recipient_email == person.email and message.ics_method == "CANCEL"
    # They chose nothing: the event's new format is the reason, in both languages.
    assert "The event now takes place online only, so your place on the field visit" in message.text_body
    assert ("L'événement se tient désormais uniquement en ligne\u00a0: votre place pour la visite de terrain"
            in message.text_body)
    assert "You now take part online" not in message.text_body
    assert "Your registration" not in message.text_body


@pytest.mark.parametrize(("lang", "converted", "lost", "waiting"), [
    ("en", "2 people registered in person will now take part online.",
     "1 person loses their place on the field visit.", "1 person leaves the field visit's waiting list."),
    ("fr", "2 personnes inscrites en présentiel participeront désormais en ligne.",
     "1 personne perd sa place à la visite de terrain.",
     "1 personne quitte la liste d'attente de la visite de terrain."),
])
def test_the_organiser_reads_how_many_visit_places_a_move_online_frees_before_saving(
        event, new_visit, participant, organiser, lang, converted, lost, waiting):
    """The registration stage says who now takes part online, the field visit who loses a place or
    a waiting-list place on it, in the question asked before the change is emailed."""
    from flask_babel import force_locale

    from app.events.services import EventInput, update_event

    event.format = EventFormat.HYBRID
    db.session.commit()
    visit = new_visit(event, capacity=1)
    holder, waiting_person = participant(event), participant(event)
    signups.sign_up(holder, visit)
    signups.sign_up(waiting_person, visit)
    db.session.commit()
    data = dict(theme_en=event.theme_en, theme_fr=event.theme_fr, host_city_id=event.host_city_id,
                start_date=event.start_date, end_date=event.end_date, online_url="https://meet.example.org/x",
                capacity=event.capacity, slug=event.slug, venue=event.venue)
    with pytest.raises(DomainError) as refused:
        update_event(organiser, event, EventInput(format=EventFormat.DIGITAL, **data))
    with force_locale(lang):
        message = str(refused.value.message)
    assert refused.value.field == "tell_participants"
    assert converted in message and lost in message and waiting in message
    db.session.rollback()
    # Back in person only, nobody loses a visit place: only the conversion is said.
    event.format = EventFormat.HYBRID
    with pytest.raises(DomainError) as refused:
        update_event(organiser, event, EventInput(format=EventFormat.IN_PERSON, **data))
    with force_locale(lang):
        message = str(refused.value.message)
    assert "visit" not in message and "visite" not in message
