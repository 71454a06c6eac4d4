"""Server-side staff sessions: sign-out, a password change and disabling an account end sessions
on the server, so that a copied session or remember-me cookie stops working at once; a staff member
sees their open sessions and ends the others."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Role, StaffSession
from app.auth.sessions import load_user
from app.db_types import utcnow
from app.extensions import db

SESSION, REMEMBER = "session", "remember_token"


def _copy(source, target, *names) -> None:
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        target.set_cookie(name, cookie.value)


def _signed_in(client) -> bool:
    return client.get("/manage/").status_code == 200


@pytest.fixture
def organiser(make):
    return make.user(Role.ORGANISER, make.city())


def _sign_in(make, client, user, remember=False):
    data = {"email": user.email, "password": make.PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/manage/login", data=data).status_code == 302


@pytest.mark.parametrize("cookie", [SESSION, REMEMBER])
def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, make, organiser, cookie):
    owner, thief = app.test_client(), app.test_client()
    _sign_in(make, owner, organiser, remember=True)
    _copy(owner, thief, cookie)
    assert _signed_in(thief), "the copy works while the session is open"
    owner.post("/manage/logout")
    assert not _signed_in(owner)
    assert not _signed_in(thief), f"a copied {cookie} cookie outlives sign-out"


def test_signing_out_ends_only_this_browsers_session(app, make, organiser):
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(make, laptop, organiser)
    _sign_in(make, phone, organiser)
    laptop.post("/manage/logout")
    assert not _signed_in(laptop) and _signed_in(phone)


def test_changing_ones_password_ends_every_other_session_remembered_ones_too(app, make, organiser):
    laptop, phone, copy = app.test_client(), app.test_client(), app.test_client()
    _sign_in(make, laptop, organiser)
    _sign_in(make, phone, organiser, remember=True)
    _copy(phone, copy, REMEMBER)
    response = laptop.post("/manage/account", data={"current_password": make.PASSWORD,
                                                     "new_password": "a brand new password"})
    assert response.status_code == 302
    assert _signed_in(laptop), "the browser that changed it stays signed in"
    assert not _signed_in(phone) and not _signed_in(copy)


@pytest.mark.parametrize("change", ["disable", "password_from_a_link"])
def test_disabling_an_account_or_setting_its_password_from_a_link_ends_all_its_sessions(
        app, make, organiser, change):
    from app.auth import services

    browser, copy = app.test_client(), app.test_client()
    _sign_in(make, browser, organiser, remember=True)
    _copy(browser, copy, REMEMBER)
    if change == "disable":
        services.update_user(make.user(Role.ADMIN), organiser, name=organiser.name, role=organiser.role,
                             city_id=organiser.city_id, active=False, preferred_language="en")
    else:
        services.set_password_from_link(organiser, "chosen from the link", "chosen from the link")
    db.session.commit()
    assert None not in db.session.scalars(select(StaffSession.ended_at)).all()
    if change == "disable":
        organiser.active = True  # even enabled again, the sessions stay ended
        db.session.commit()
    assert not _signed_in(browser) and not _signed_in(copy)


def test_the_account_page_lists_open_sessions_and_ends_another(app, make, organiser):
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(make, laptop, organiser)
    phone.post("/manage/login", data={"email": organiser.email, "password": make.PASSWORD},
               headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 "
                                      "Mobile/15E148 Safari/604.1"})
    page = laptop.get("/manage/account?lang=en").text
    assert "Open sessions" in page and "This browser" in page and "Safari · iPhone" in page
    phone_session = db.session.scalar(select(StaffSession).where(StaffSession.user_agent == "Safari · iPhone"))
    response = laptop.post(f"/manage/account/sessions/{phone_session.id}/end")
    assert response.status_code == 302
    assert not _signed_in(phone) and _signed_in(laptop)
    assert "Safari · iPhone" not in laptop.get("/manage/account?lang=en").text


def test_signing_out_every_other_session(app, make, organiser):
    browsers = [app.test_client() for _ in range(3)]
    for browser in browsers:
        _sign_in(make, browser, organiser)
    assert browsers[0].post("/manage/account/sessions/end-others").status_code == 302
    assert [_signed_in(b) for b in browsers] == [True, False, False]


def test_nobody_ends_someone_elses_session(app, make, organiser):
    theirs, mine = app.test_client(), app.test_client()
    _sign_in(make, theirs, organiser)
    _sign_in(make, mine, make.user(Role.ADMIN))
    their_session = db.session.scalar(select(StaffSession).where(StaffSession.user_id == organiser.id))
    mine.post(f"/manage/account/sessions/{their_session.id}/end")
    assert _signed_in(theirs)


def test_a_session_unused_for_too_long_ends(app, make, organiser):
    browser = app.test_client()
    _sign_in(make, browser, organiser, remember=True)
    session = db.session.scalar(select(StaffSession))
    session.last_seen_at = utcnow() - timedelta(days=app.config["STAFF_SESSION_IDLE_DAYS"], minutes=1)
    db.session.commit()
    assert not _signed_in(browser)


def test_the_user_loader_reads_the_account_in_one_query_and_notes_when_it_was_last_seen(app, make, organiser,
                                                                                       count_queries):
    browser = app.test_client()
    _sign_in(make, browser, organiser)
    session = db.session.scalar(select(StaffSession))
    with count_queries() as queries:
        assert load_user(session.token) == organiser
    assert len(queries) == 1
    later = utcnow() + timedelta(hours=1)
    assert load_user(session.token, now=later) == organiser
    db.session.expire_all()
    assert db.session.get(StaffSession, session.id).last_seen_at == later


@pytest.mark.parametrize("value", ["1:1", "", "x" * 43 + "\x00", "a" * 200])
def test_ids_from_before_server_side_sessions_or_forged_sign_nobody_in(app, value):
    assert load_user(value) is None


def test_an_inactive_account_is_signed_in_by_no_session(app, make, organiser):
    """Even one whose sessions were not ended (disabled some other way than the accounts page)."""
    browser = app.test_client()
    _sign_in(make, browser, organiser, remember=True)
    organiser.active = False
    db.session.commit()
    assert not _signed_in(browser)
    # The user loader itself refuses it, not only Flask-Login's is_active check after it.
    token = db.session.scalar(select(StaffSession.token).where(StaffSession.user_id == organiser.id))
    assert load_user(token) is None
