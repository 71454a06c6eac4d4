"""Nobody hands a password over: a new account gets an invitation with a single-use link to choose
it, and "forgot your password?" sends one (the same answer whether or not the address has an
account; links that expire and die once the password changes; rate-limited)."""

import re
import time

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.auth.services import authenticate
from app.extensions import db
from app.mail.models import OutboxMessage

NEW_PASSWORD = "my very own password"


def _links(email: str, kind: str) -> list[str]:
    db.session.expire_all()
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_email == email,
                                                              OutboxMessage.kind == kind)
                                  .order_by(OutboxMessage.id)).all()
    return [re.search(r"https?://[^/\s]+(/manage/password/\S+)", m.text_body).group(1) for m in messages]


def _choose(client, link: str, password: str = NEW_PASSWORD, confirmation: str | None = None):
    return client.post(link + "?lang=en", data={"new_password": password,
                                                "confirmation": password if confirmation is None else confirmation})


@pytest.fixture
def admin_client(app, make):
    client = app.test_client()
    make.login(client, make.user(Role.ADMIN))
    return client


def test_an_invitation_lets_the_new_person_choose_their_password_once(app, client, admin_client, make):
    response = admin_client.post("/manage/users/new?lang=en", data={
        "email": "sami@example.org", "name": "Sami Ben Ali", "role": "facilitator", "city_id": "0",
        "preferred_language": "fr"})
    assert response.status_code == 302
    assert 'type="password"' not in admin_client.get("/manage/users/new").text, \
        "administrators no longer type a password for someone else"
    (link,) = _links("sami@example.org", "account_invitation")
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "account_invitation"))
    assert message.subject.startswith("Votre compte"), "in the account's language first"
    assert authenticate("sami@example.org", "") is None
    page = client.get(link + "?lang=en")
    assert page.status_code == 200 and "Welcome, Sami Ben Ali" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer" and "no-store" in page.headers["Cache-Control"]
    assert _choose(client, link).status_code == 302
    user = authenticate("sami@example.org", NEW_PASSWORD)
    assert user is not None and user.password_set_at is not None
    assert client.get(link).status_code == 404, "single use"
    assert _choose(client, link, "another password here").status_code == 404
    assert authenticate("sami@example.org", NEW_PASSWORD) is not None


def test_the_chosen_password_is_checked(client, make):
    from app.auth.password_links import Purpose, link_for

    user = make.user(Role.ORGANISER, make.city())
    link = link_for(user, Purpose.RESET).replace("http://127.0.0.1:5000", "")
    short = _choose(client, link, "short")
    assert short.status_code == 422 and "at least 10 characters" in short.text
    different = _choose(client, link, NEW_PASSWORD, "something else entirely")
    assert different.status_code == 422 and "not the same" in different.text
    assert authenticate(user.email, make.PASSWORD) is not None


@pytest.mark.parametrize("known", [True, False])
def test_forgot_password_answers_the_same_whether_or_not_the_address_has_an_account(client, make, known):
    user = make.user(Role.ORGANISER, make.city(), email="amina@example.org")
    address = user.email if known else "nobody@example.org"
    response = client.post("/manage/forgot-password?lang=en", data={"email": address})
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/login")
    flashed = client.get("/manage/login?lang=en").text
    assert "If an account has this address" in flashed
    assert len(_links(address, "password_reset")) == (1 if known else 0)


def test_a_reset_link_works_once_and_signs_out_every_session(app, client, make):
    user = make.user(Role.ORGANISER, make.city())
    other_browser = app.test_client()
    make.login(other_browser, user)
    client.post("/manage/forgot-password", data={"email": user.email})
    (link,) = _links(user.email, "password_reset")
    assert _choose(client, link).status_code == 302
    assert authenticate(user.email, NEW_PASSWORD) is not None and authenticate(user.email, make.PASSWORD) is None
    assert other_browser.get("/manage/").status_code == 302
    assert client.get(link).status_code == 404


def test_a_reset_link_dies_when_the_password_changes_another_way(app, client, make):
    user = make.user(Role.ORGANISER, make.city())
    client.post("/manage/forgot-password", data={"email": user.email})
    (link,) = _links(user.email, "password_reset")
    browser = app.test_client()
    make.login(browser, user)
    browser.post("/manage/account", data={"current_password": make.PASSWORD, "new_password": "changed on the page"})
    assert client.get(link).status_code == 404


def test_every_link_sent_before_dies_with_the_first_used(client, make):
    user = make.user(Role.ORGANISER, make.city())
    for _ in range(2):
        client.post("/manage/forgot-password", data={"email": user.email})
    first, second = _links(user.email, "password_reset")
    assert _choose(client, second).status_code == 302
    assert client.get(first).status_code == 404


def test_a_reset_link_expires(app, client, make, monkeypatch):
    user = make.user(Role.ORGANISER, make.city())
    client.post("/manage/forgot-password", data={"email": user.email})
    (link,) = _links(user.email, "password_reset")
    later = int(time.time()) + 60 * app.config["PASSWORD_RESET_LINK_MINUTES"] + 5
    monkeypatch.setattr("itsdangerous.timed.TimestampSigner.get_timestamp", lambda self: later)
    response = client.get(link + "?lang=en")
    assert response.status_code == 410 and "expired" in response.text


def test_a_disabled_accounts_link_does_nothing(client, make):
    from app.auth.password_links import Purpose, link_for

    user = make.user(Role.ORGANISER, make.city())
    link = link_for(user, Purpose.RESET).replace("http://127.0.0.1:5000", "")
    user.active = False
    db.session.commit()
    assert _choose(client, link).status_code == 404
    client.post("/manage/forgot-password", data={"email": user.email})
    assert _links(user.email, "password_reset") == []


def test_a_link_of_one_kind_is_no_link_of_the_other(client, make):
    from app.auth.password_links import Purpose, link_for

    user = make.user(Role.ORGANISER, make.city())
    link = link_for(user, Purpose.RESET).replace("http://127.0.0.1:5000", "")
    assert client.get(link.replace("/reset/", "/invitation/")).status_code == 404


def test_forgot_password_is_rate_limited_per_address_and_per_client(app, client, make):
    user = make.user(Role.ORGANISER, make.city())
    limit = app.config["PASSWORD_RESET_LIMIT"]
    for _ in range(limit + 2):
        assert client.post("/manage/forgot-password", data={"email": user.email}).status_code == 302
    assert len(_links(user.email, "password_reset")) == limit, "no more links than the limit to one address"
    client_limit = app.config["PASSWORD_RESET_CLIENT_LIMIT"]
    for number in range(client_limit - limit - 2):
        client.post("/manage/forgot-password", data={"email": f"x{number}@example.org"})
    refused = client.post("/manage/forgot-password?lang=en", data={"email": "late@example.org"})
    assert refused.status_code == 429 and "Too many requests" in refused.text


def test_an_administrator_sends_the_invitation_again_or_a_reset_link(admin_client, make):
    invited = db.session.scalar(select(User).where(User.email == "x@example.org"))
    assert invited is None
    from app.auth import services

    invited = services.create_user(None, email="inv@example.org", name="Invited", role=Role.FACILITATOR)
    db.session.commit()
    active = make.user(Role.FACILITATOR)
    for user in (invited, active):
        assert admin_client.post(f"/manage/users/{user.id}/send-password-link").status_code == 302
    assert len(_links("inv@example.org", "account_invitation")) == 2
    assert len(_links(active.email, "password_reset")) == 1
    assert authenticate(active.email, make.PASSWORD) is not None, "nothing changes until the link is used"


@pytest.mark.parametrize("account_id", [2**31, 2**63, 10**30, -1, 0, True, 1.5, "1", None])
def test_a_validly_signed_link_with_an_impossible_account_id_is_not_found(client, account_id):
    """Signed with the app's own key, so that only the id is wrong: a 404 for the page and the form,
    never the database's error about an id too large for its column."""
    from app.auth.password_links import Purpose, _serializer

    for purpose in Purpose:
        token = _serializer(purpose).dumps({"u": account_id, "f": "x"})
        path = f"/manage/password/{purpose.value}/{token}"
        assert client.get(path).status_code == 404, path
        assert _choose(client, path).status_code == 404, path
