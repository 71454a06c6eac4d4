import pytest

from app.auth.models import Role, User
from app.extensions import db


def test_sign_in_and_out(client, make):
    user = make.user(Role.ADMIN)
    response = make.login(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/manage/"
    assert client.get("/manage/").status_code == 200
    assert client.get("/manage/logout").status_code == 405, "sign-out must be a POST (CSRF-protected)"
    client.post("/manage/logout")
    assert client.get("/manage/").status_code == 302


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Wrong email address or password"),
    ("fr", "Adresse électronique ou mot de passe incorrect"),
])
def test_wrong_password_is_refused_in_the_users_language_keeping_the_email(client, make, lang, message):
    user = make.user(Role.ORGANISER, make.city())
    response = client.post(f"/manage/login?lang={lang}", data={"email": user.email, "password": "not it"})
    assert response.status_code == 401
    assert message in response.text
    assert f'value="{user.email}"' in response.text


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, make):
    user = make.user(Role.ADMIN)
    wrong_password = client.post("/manage/login?lang=en", data={"email": user.email, "password": "nope"})
    unknown = client.post("/manage/login?lang=en", data={"email": "nobody@example.org", "password": "nope"})
    assert wrong_password.status_code == unknown.status_code == 401
    assert "Wrong email address or password" in unknown.text


def test_disabled_account_cannot_sign_in(client, make):
    user = make.user(Role.ADMIN, active=False)
    assert make.login(client, user).status_code == 401


def test_email_is_matched_without_case(client, make):
    user = make.user(Role.ADMIN, email="amina@example.org")
    response = client.post("/manage/login", data={"email": "  Amina@Example.ORG ", "password": make.PASSWORD})
    assert response.status_code == 302, user


def test_passwords_are_stored_hashed(app, make):
    user = make.user(Role.ADMIN, password="a very long secret")
    stored = db.session.get(User, user.id).password_hash
    assert "a very long secret" not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_next_redirect_goes_back_to_the_asked_page(client, make):
    make.user(Role.ADMIN, email="a@example.org")
    response = client.get("/manage/users")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert "next=%2Fmanage%2Fusers" in login_url
    response = client.post(login_url, data={"email": "a@example.org", "password": make.PASSWORD})
    assert response.headers["Location"] == "/manage/users"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "http:/evil.example",
    "/manage/\x00", "/manage/\x1b[2J",
])
def test_next_redirect_never_leaves_the_site(client, make, target):
    make.user(Role.ADMIN, email="a@example.org")
    response = client.post("/manage/login", query_string={"next": target},
                           data={"email": "a@example.org", "password": make.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"


def test_changing_the_password_signs_out_other_devices(app, make):
    user = make.user(Role.ORGANISER, make.city())
    laptop, phone = app.test_client(), app.test_client()
    make.login(laptop, user)
    make.login(phone, user)
    response = laptop.post("/manage/account", data={"current_password": make.PASSWORD,
                                                     "new_password": "a brand new password"})
    assert response.status_code == 302
    assert laptop.get("/manage/").status_code == 200
    assert phone.get("/manage/").status_code == 302


def test_password_change_refuses_a_wrong_current_password_in_french(client, make):
    make.login(client, make.user(Role.ADMIN))
    response = client.post("/manage/account?lang=fr", data={"current_password": "wrong",
                                                              "new_password": "a brand new password"})
    assert response.status_code == 200
    assert "mot de passe actuel" in response.text


def test_login_form_has_csrf_protection_when_enabled(database_url):
    from app import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": True})
    response = app.test_client().post("/manage/login?lang=en", data={"email": "x@example.org", "password": "y"})
    assert response.status_code == 400
    assert "This form has expired" in response.text


def _fail(client, email, address="192.0.2.66", lang="en"):
    return client.post(f"/manage/login?lang={lang}", data={"email": email, "password": "a guess"},
                       environ_base={"REMOTE_ADDR": address})


def test_wrong_passwords_slow_down_the_guesser_not_the_owner(app, client, make):
    user = make.user(Role.ORGANISER, make.city())
    for _ in range(app.config["LOGIN_FAILURE_LIMIT"]):
        assert _fail(client, user.email).status_code == 401
    # From the guesser's address, even the right password is not checked now.
    response = client.post("/manage/login?lang=fr", data={"email": user.email, "password": make.PASSWORD},
                           environ_base={"REMOTE_ADDR": "192.0.2.66"})
    assert response.status_code == 429
    assert "Trop de mauvais mots de passe" in response.text and "secondes" in response.text
    assert client.get("/manage/").status_code == 302
    # The owner, anywhere else, signs in as usual; other accounts from the guesser's address too.
    owner = app.test_client()
    assert owner.post("/manage/login", data={"email": user.email, "password": make.PASSWORD},
                      environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 302
    other = make.user(Role.ADMIN)
    assert client.post("/manage/login", data={"email": other.email, "password": make.PASSWORD},
                       environ_base={"REMOTE_ADDR": "192.0.2.66"}).status_code == 302


def _failures(email, client, count, now):
    from app.auth.services import record_sign_in_failure
    from app.domain import DomainError

    for _ in range(count):
        with pytest.raises(DomainError):
            record_sign_in_failure(email, client, now)


def test_the_delay_grows_with_every_further_failure_and_ends_with_the_window(app, make):
    from datetime import timedelta

    from app.auth.services import TooManySignInFailures, check_sign_in_allowed
    from app.db_types import utcnow

    config = app.config
    delay = config["LOGIN_DELAY_SECONDS"]
    start = utcnow()
    _failures("Someone@Example.org", "10.1.2.3", config["LOGIN_FAILURE_LIMIT"] - 1, start)
    check_sign_in_allowed("someone@example.org", "10.1.2.3", start)  # below the limit: no wait
    _failures("Someone@Example.org", "10.1.2.3", 1, start)
    with pytest.raises(TooManySignInFailures):
        check_sign_in_allowed("someone@example.org", "10.1.2.3", start + timedelta(seconds=delay - 1))
    check_sign_in_allowed("someone@example.org", "10.1.2.3", start + timedelta(seconds=delay))
    check_sign_in_allowed("someone@example.org", "192.0.2.1", start), "another client is not slowed"
    later = start + timedelta(seconds=delay)
    _failures("someone@example.org", "10.1.2.3", 1, later)
    with pytest.raises(TooManySignInFailures):
        check_sign_in_allowed("someone@example.org", "10.1.2.3", later + timedelta(seconds=2 * delay - 1))
    check_sign_in_allowed("someone@example.org", "10.1.2.3", later + timedelta(seconds=2 * delay))
    _failures("someone@example.org", "10.1.2.3", 4, later)
    with pytest.raises(TooManySignInFailures):
        check_sign_in_allowed("someone@example.org", "10.1.2.3", later + timedelta(seconds=32 * delay - 1))
    check_sign_in_allowed("someone@example.org", "10.1.2.3",
                          later + timedelta(seconds=config["LOGIN_FAILURE_WINDOW"] + 1))


def test_one_client_failing_on_many_accounts_is_slowed_down_for_all(app, make):
    from app.auth.services import TooManySignInFailures, check_sign_in_allowed
    from app.db_types import utcnow

    now = utcnow()
    for number in range(app.config["LOGIN_CLIENT_FAILURE_LIMIT"]):
        _failures(f"person{number}@example.org", "10.9.9.9", 1, now)
    with pytest.raises(TooManySignInFailures):
        check_sign_in_allowed("anyone@example.org", "10.9.9.9", now)


def test_the_owner_is_told_by_email_once_when_someone_is_slowed_down(app, client, make):
    from sqlalchemy import select

    from app.mail.models import OutboxMessage

    user = make.user(Role.ORGANISER, make.city(), email="giulia@example.org")
    limit = app.config["LOGIN_FAILURE_LIMIT"]
    for address in ("192.0.2.66", "192.0.2.67"):
        for _ in range(limit + 1):
            _fail(client, user.email, address)
    _fail(client, "nobody@example.org")
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sign_in_paused")).all()
    assert [m.recipient_email for m in messages] == ["giulia@example.org"]
    assert f"{limit}" in messages[0].text_body and "/manage/forgot-password" in messages[0].text_body
