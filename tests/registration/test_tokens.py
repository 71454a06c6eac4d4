"""Participant links: signed, expiring, revocable."""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import url_for
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.auth.models import Role
from app.db_types import utcnow
from app.extensions import db
from app.registration import privacy, staff, tokens
from app.registration.models import Registration, RegistrationStatus
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
    staff.new_link(make.user(Role.ADMIN), registration)
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
    privacy.erase(make.user(Role.ADMIN), registration, utcnow())
    db.session.commit()
    with pytest.raises(BadLink):
        tokens.read_token(token)


def test_erasure_gives_the_registration_a_new_link_version(open_event, register, make):
    """One of erasure's two guards on its own: the version the old links carry no longer matches."""
    registration = register(open_event())
    version = registration.token_version
    privacy.erase(make.user(Role.ADMIN), registration, utcnow())
    db.session.commit()
    assert registration.token_version != version


def test_an_erased_registration_opens_to_no_link_even_at_an_unchanged_version(open_event, register):
    """The other guard on its own: erased means refused, whatever version a link carries."""
    registration = register(open_event())
    token = tokens.make_token(registration)
    registration.erased_at = utcnow()
    db.session.commit()
    with pytest.raises(BadLink) as raised:
        tokens.read_token(token)
    assert raised.value.problem is LinkProblem.REVOKED


@pytest.mark.parametrize("row_id", [2**31, 2**63, 10**30, -1, 0, True, 1.5, "1", None])
def test_a_validly_signed_link_with_an_impossible_id_is_not_found(app, client, open_event, register, row_id):
    register(open_event())
    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=tokens.SALT).dumps({"r": row_id, "v": "x"})
    with pytest.raises(BadLink) as raised:
        tokens.read_token(token)
    assert raised.value.problem is LinkProblem.INVALID
    assert client.get(f"/r/{token}").status_code == 404


def _token_rules(app):
    return [rule for rule in app.url_map.iter_rules() if any("token" in name for name in rule.arguments)
            and "GET" in rule.methods]


def test_every_page_a_token_opens_sends_no_referrer_and_is_never_cached(app, client, open_event, register):
    """The token is the key: a link followed from the page (or an image it loads) must not carry it in
    a Referer, and no cache may keep the page. Every route with a token in its URL, from every stage."""
    registration = register(open_event())
    token = tokens.make_token(registration)
    rules = _token_rules(app)
    assert {"registration.participant", "registration.edit", "registration.cancel"} <= {r.endpoint for r in rules}
    for rule in rules:
        known = {"slug": registration.event.slug, "purpose": "reset"}
        values = {name: token if "token" in name else known[name] for name in rule.arguments}
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        for path in (url, url.replace(token, token[:-3] + "xyz")):  # a good token and a bad one
            response = client.get(path)
            assert response.headers["Referrer-Policy"] == "no-referrer", (rule.endpoint, response.status_code)
            assert "no-store" in response.headers["Cache-Control"], (rule.endpoint, response.status_code)


def test_registering_for_an_event_in_beirut_ending_before_a_midnight_clock_change(app, client, open_event, make):
    """Beirut's clocks jump from 00:00 to 01:00 on 28 March 2027: the link of an event ending on the
    27th expires from 01:00 (+03) on the 28th, plus the configured days; registering works."""
    beirut = make.city("Beirut", "Asia/Beirut", "LB")
    event = open_event(capacity=5, host=beirut, start_date=date(2027, 3, 26), end_date=date(2027, 3, 27))
    response = client.post(f"/events/{event.slug}/register?lang=en",
                           data={"name": "Rana Haddad", "email": "rana@example.org", "preferred_language": "en",
                                 "consent_processing": "y", "website": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/sent")
    registration = db.session.scalar(select(Registration).where(Registration.email == "rana@example.org"))
    assert registration.status is RegistrationStatus.CONFIRMED
    days = app.config["REGISTRATION_LINK_DAYS_AFTER_EVENT"]
    expires = tokens.link_expires_at(registration)
    assert expires == datetime(2027, 3, 27, 22, 0, tzinfo=UTC) + timedelta(days=days)
    token = tokens.make_token(registration)
    assert tokens.read_token(token, datetime(2027, 3, 20, tzinfo=UTC)) == registration
    with pytest.raises(BadLink) as raised:
        tokens.read_token(token, expires)
    assert raised.value.problem is LinkProblem.EXPIRED


def test_a_link_follows_the_events_current_dates(app, open_event, register):
    """The expiry is not written into the link: it is computed, when the link is read, from the
    event's dates as they are then."""
    event = open_event()
    registration = register(event)
    token = tokens.make_token(registration)
    first_expiry = tokens.link_expires_at(registration)
    # The event is postponed by 60 days: the link made before still opens after its first expiry.
    event.start_date += timedelta(days=60)
    event.end_date += timedelta(days=60)
    db.session.commit()
    assert tokens.link_expires_at(registration) == first_expiry + timedelta(days=60)
    assert tokens.read_token(token, first_expiry + timedelta(days=30)) == registration
    # Moved earlier, into the past (beyond the days a link stays valid after the event): expired now.
    days_after = app.config["REGISTRATION_LINK_DAYS_AFTER_EVENT"]
    event.start_date = utcnow().date() - timedelta(days=days_after + 10)
    event.end_date = event.start_date + timedelta(days=1)
    db.session.commit()
    with pytest.raises(BadLink) as raised:
        tokens.read_token(token)
    assert raised.value.problem is LinkProblem.EXPIRED


def test_a_link_never_outlives_its_maximum_age(app, open_event, register):
    registration = register(open_event())
    token = tokens.make_token(registration)
    made = utcnow()
    max_age = timedelta(seconds=app.config["REGISTRATION_LINK_MAX_AGE"])
    registration.event.start_date = (made + max_age + timedelta(days=30)).date()  # an event far ahead
    registration.event.end_date = registration.event.start_date
    db.session.commit()
    assert tokens.read_token(token, made + max_age - timedelta(days=1)) == registration
    with pytest.raises(BadLink) as raised:
        tokens.read_token(token, made + max_age + timedelta(seconds=2))
    assert raised.value.problem is LinkProblem.EXPIRED


def test_the_link_holds_only_the_id_the_version_and_the_signing_time(app, open_event, register):
    registration = register(open_event())
    payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=tokens.SALT).loads(
        tokens.make_token(registration))
    assert payload == {"r": registration.id, "v": registration.token_version}


def test_links_sent_before_this_change_keep_working_and_follow_the_event(app, open_event, register):
    """Links already in participants' mailboxes carry an expiry ("x"): it is ignored now."""
    registration = register(open_event())
    old_style = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=tokens.SALT).dumps(
        {"r": registration.id, "v": registration.token_version, "x": int(utcnow().timestamp()) - 60})
    assert tokens.read_token(old_style) == registration
