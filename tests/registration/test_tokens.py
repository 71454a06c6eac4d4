"""Participant links: signed, expiring, revocable."""

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from app.auth.models import Role
from app.db_types import utcnow
from app.extensions import db
from app.registration import services, tokens
from app.registration.tokens import BadLink, LinkProblem
from app.timezones import utc_to_local


def test_a_link_opens_its_registration(open_event, register):
    registration = register(open_event())
    assert tokens.read_token(tokens.make_token(registration)) == registration


def test_a_link_expires_after_the_event_plus_the_configured_days(app, open_event, register):
    event = open_event()
    registration = register(event)
    expires = tokens.link_expires_at(registration)
    days_after = app.config["REGISTRATION_LINK_DAYS_AFTER_EVENT"]
    assert utc_to_local(expires, event.timezone).date() == event.end_date + timedelta(days=1 + days_after)
    token = tokens.make_token(registration)
    assert tokens.read_token(token, expires - timedelta(seconds=1)) == registration
    with pytest.raises(BadLink) as raised:
        tokens.read_token(token, expires)
    assert raised.value.problem is LinkProblem.EXPIRED


@pytest.mark.parametrize("forge", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: "not-a-token",
    lambda token: URLSafeTimedSerializer("another-key", salt=tokens.SALT).dumps({"r": 1, "v": "x", "x": 2**40}),
    lambda token: "",
])
def test_forged_links_are_refused(open_event, register, forge):
    token = tokens.make_token(register(open_event()))
    with pytest.raises(BadLink) as raised:
        tokens.read_token(forge(token))
    assert raised.value.problem is LinkProblem.INVALID


def test_a_new_link_revokes_the_old_ones(open_event, register, make, changes):
    event = open_event()
    registration = register(event)
    old = tokens.make_token(registration)
    services.new_link(make.user(Role.ADMIN), registration)
    db.session.commit()
    with pytest.raises(BadLink) as raised:
        tokens.read_token(old)
    assert raised.value.problem is LinkProblem.REVOKED
    assert tokens.read_token(tokens.make_token(registration)) == registration
    assert changes[-1] == (registration.email, "link_resent")


def test_erasure_revokes_the_link(open_event, register, make):
    event = open_event()
    registration = register(event)
    token = tokens.make_token(registration)
    services.erase(make.user(Role.ADMIN), registration, utcnow())
    db.session.commit()
    with pytest.raises(BadLink):
        tokens.read_token(token)
