"""Never overbooked: simultaneous requests against a real server on 127.0.0.1, on the test database
(SQLite file or PostgreSQL, whichever the suite runs on)."""

import http.client
import threading
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.ratelimit import RateLimitHit
from app.registration import tokens
from app.registration.models import Registration, RegistrationStatus
from app.registration.rate_limit import RATE_LIMIT_SCOPE
from tests.registration.conftest import assert_seats_consistent, statuses


@pytest.fixture
def live_server(app, served_port):
    limits = {name: app.config[name] for name in ("REGISTRATION_RATE_LIMIT", "REGISTRATION_EMAIL_RATE_LIMIT")}
    app.config.update(REGISTRATION_RATE_LIMIT=1000, REGISTRATION_EMAIL_RATE_LIMIT=1000)
    try:
        yield served_port
    finally:
        app.config.update(limits)


def _fire(port: int, requests: list[tuple[str, dict]]) -> list[int | BaseException]:
    """POST every (path, body) at once (released together by a barrier); the status of each answer."""
    barrier = threading.Barrier(len(requests))
    results: list[int | BaseException] = [0] * len(requests)

    def post(index: int, path: str, body: dict) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            encoded = urlencode(body)
            barrier.wait(timeout=30)
            connection.request("POST", path, body=encoded,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            results[index] = connection.getresponse().status
        except BaseException as error:  # reported by the assertion below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, path, body)) for i, (path, body) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results


def _body(number: int, email: str | None = None) -> dict:
    return {"name": f"Racer {number}", "email": email or f"racer{number}@example.org", "preferred_language": "en",
            "consent_processing": "y", "website": ""}


def test_twenty_simultaneous_registrations_for_five_seats_confirm_exactly_five(live_server, open_event):
    event = open_event(capacity=5)
    path = f"/events/{event.slug}/register"
    results = _fire(live_server, [(path, _body(n)) for n in range(20)])
    assert results == [302] * 20, results
    db.session.expire_all()
    assert statuses(event) == {"confirmed": 5, "waitlisted": 15}
    waiting = db.session.scalars(select(Registration).where(Registration.status == RegistrationStatus.WAITLISTED)
                                 .order_by(Registration.queued_at, Registration.id)).all()
    assert len(waiting) == 15
    assert_seats_consistent(event)


def test_simultaneous_double_submits_create_one_registration(live_server, open_event):
    event = open_event(capacity=5)
    path = f"/events/{event.slug}/register"
    results = _fire(live_server, [(path, _body(1, "same@example.org"))] * 8)
    assert results == [302] * 8, results
    db.session.expire_all()
    assert statuses(event) == {"confirmed": 1}
    assert_seats_consistent(event)
    # One confirmation, and the private link sent again once at most, however many clicks.
    from app.mail.models import OutboxMessage

    kinds = sorted(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient_email
                                                                       == "same@example.org")))
    assert kinds in (["registration_confirmed"], ["private_link_resent", "registration_confirmed"]), kinds


def test_simultaneous_cancellations_promote_each_waiting_person_once(live_server, open_event, register):
    event = open_event(capacity=4)
    holders = [register(event) for _ in range(4)]
    waiting = [register(event) for _ in range(6)]
    results = _fire(live_server, [(f"/r/{tokens.make_token(h)}/cancel", {"confirmed": "y"}) for h in holders])
    assert results == [302] * 4, results
    db.session.expire_all()
    assert statuses(event) == {"cancelled": 4, "confirmed": 4, "waitlisted": 2}
    assert [db.session.get(Registration, w.id).status for w in waiting[:4]] == [RegistrationStatus.CONFIRMED] * 4
    assert_seats_consistent(event)


def test_simultaneous_submissions_never_exceed_the_rate_limit(app, live_server, open_event):
    """Each attempt is committed before it is counted, own row included: of twelve simultaneous
    submissions from one address with a limit of four, four at most get through (fewer when an
    early attempt counts after later ones were committed: the limit errs on the safe side)."""
    event = open_event(capacity=50)
    app.config["REGISTRATION_RATE_LIMIT"] = 4  # the fixture restores its own value afterwards
    path = f"/events/{event.slug}/register"
    results = _fire(live_server, [(path, _body(n)) for n in range(12)])
    assert set(results) <= {302, 429}, results
    assert results.count(302) <= 4, results
    db.session.expire_all()
    assert statuses(event).get("confirmed", 0) == results.count(302)
    assert db.session.scalar(select(func.count(RateLimitHit.id)).where(RateLimitHit.scope == RATE_LIMIT_SCOPE)) == 12, \
        "every attempt is kept"
