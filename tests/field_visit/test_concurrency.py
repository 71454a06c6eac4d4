"""The last places of a visit under simultaneous sign-ups, against a real server on 127.0.0.1 and the
test database (SQLite file or PostgreSQL): never more than the places, the rest on the waiting list
in order. Without the conditional UPDATE in app/field_visit/places.py (`taken < places`) it fails."""


import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.field_visit.models import SignupStatus, VisitPlaces, VisitSignup
from app.registration.tokens import make_token
from tests.registration.test_concurrency import _fire


@pytest.fixture
def live_server(served_port):
    return served_port


def _statuses(visit) -> dict[str, int]:
    rows = db.session.execute(select(VisitSignup.status, func.count()).where(VisitSignup.visit_id == visit.id)
                              .group_by(VisitSignup.status))
    return {status.value: count for status, count in rows}


def test_twenty_simultaneous_sign_ups_for_the_last_five_places_give_exactly_five(
        live_server, event, new_visit, participant):
    visit = new_visit(event, capacity=8, reserved=1)
    early = [participant(event) for _ in range(2)]
    from app.field_visit import signups

    for person in early:
        signups.sign_up(person, visit)
    db.session.commit()
    racers = [participant(event) for _ in range(20)]
    results = _fire(live_server, [(f"/r/{make_token(r)}/field-visit/{visit.id}/sign-up", {}) for r in racers])
    assert results == [302] * 20, results
    db.session.expire_all()
    assert _statuses(visit) == {"confirmed": 7, "waitlisted": 15}
    taken = db.session.scalar(select(VisitPlaces.taken).where(VisitPlaces.visit_id == visit.id))
    assert taken == 7
    waiting = db.session.scalars(select(VisitSignup).where(VisitSignup.visit_id == visit.id,
                                                           VisitSignup.status == SignupStatus.WAITLISTED)
                                 .order_by(VisitSignup.queued_at, VisitSignup.id)).all()
    assert len({w.registration_id for w in waiting}) == 15


def test_simultaneous_sign_ups_of_one_person_for_two_clashing_visits_keep_one(
        live_server, event, new_visit, participant):
    first = new_visit(event, start="09:00", end="12:00")
    second = new_visit(event, start="10:00", end="13:00")
    person = participant(event)
    token = make_token(person)
    paths = [f"/r/{token}/field-visit/{v.id}/sign-up" for v in (first, second)] * 4
    results = _fire(live_server, [(path, {}) for path in paths])
    assert set(results) == {302}, results
    db.session.expire_all()
    active = db.session.scalar(select(func.count()).select_from(VisitSignup).where(
        VisitSignup.registration_id == person.id, VisitSignup.status == SignupStatus.CONFIRMED))
    assert active == 1
