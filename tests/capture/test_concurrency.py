"""Simultaneous requests against a real server on 127.0.0.1, on the test database (the SQLite file,
or PostgreSQL when TEST_DATABASE_URL names it): the dots allowance holds, a double click counts
once, a resend makes one entry, and of two simultaneous saves of one entry exactly one wins.

Each refused vote is answered, never dropped: every response's own session carries its message."""

import http.client
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from app.capture import voting
from app.capture.models import Dot, DotBudget, Endorsement, Entry, EntryKind, EntryRevision
from app.extensions import db
from tests.capture.conftest import token


@pytest.fixture
def server(served_port):
    return served_port


def _fire(port: int, requests: list[tuple[str, dict, dict]]) -> list:
    """POST every (path, body, headers) at once, released together by a barrier: for each, the
    status, the session cookie it set and its body."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def post(index: int, path: str, body: dict, headers: dict) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            encoded = urlencode(body)
            barrier.wait(timeout=30)
            connection.request("POST", path, body=encoded,
                               headers={"Content-Type": "application/x-www-form-urlencoded", **headers})
            response = connection.getresponse()
            cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
            results[index] = (response.status, cookie, response.read().decode())
        except BaseException as error:  # reported by the assertions
            results[index] = (error, "", "")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results


def _get(port: int, path: str, cookie: str = "") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _said(port: int, results: list, path: str) -> list[str]:
    """What each response's own page said, in order (its flashed message travels in its cookie)."""
    pages = [_get(port, path + "?lang=en", cookie)[1] for _status, cookie, _body in results]
    return [next((m for m in ("Dot added.", "You have no dots left", "This dot was already counted.",
                              "You support this recommendation.", "You already support this recommendation.")
                  if m in page), "NOTHING SAID") for page in pages]


def test_simultaneous_dots_never_exceed_the_allowance_and_each_refusal_is_said(server, world, add, open_voting):
    first, second = add(text="First."), add(text="Second.")
    open_voting(allowance=4)
    delegate = world.participants[0]
    voting.spend_dot(delegate, first.id, "before")  # their budget row exists: the race is on the guard alone
    db.session.commit()
    base = f"/r/{token(delegate)}/recommendations"
    requests = [(f"{base}/{(first if n % 2 else second).id}/dot", {"key": f"button-{n}"}, {}) for n in range(12)]
    results = _fire(server, requests)
    assert [r[0] for r in results] == [302] * 12, results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Dot.id)).where(Dot.registration_id == delegate.id)) == 4
    assert db.session.scalar(select(DotBudget.spent).where(DotBudget.registration_id == delegate.id)) == 4
    said = _said(server, results, base)
    assert sorted(said) == ["Dot added."] * 3 + ["You have no dots left"] * 9, said
    page = _get(server, f"{base}?lang=en")[1]
    assert "0 of 4 dots left" in page


def test_simultaneous_first_dots_make_one_budget(server, world, add, open_voting):
    entry = add()
    open_voting(allowance=2)
    delegate = world.participants[0]
    results = _fire(server, [(f"/r/{token(delegate)}/recommendations/{entry.id}/dot", {"key": f"b{n}"}, {})
                             for n in range(6)])
    assert [r[0] for r in results] == [302] * 6, results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Dot.id))) == 2
    assert db.session.scalar(select(DotBudget.spent)) == 2


def test_many_participants_voting_at_once_each_keep_their_allowance(server, world, add, open_voting):
    entry = add()
    open_voting(allowance=2)
    requests = [(f"/r/{token(r)}/recommendations/{entry.id}/dot", {"key": f"{r.id}-{n}"}, {})
                for r in world.participants[:5] for n in range(4)]
    results = _fire(server, requests)
    assert [r[0] for r in results] == [302] * 20, results
    db.session.expire_all()
    counts = dict(db.session.execute(
        select(Dot.registration_id, func.count(Dot.id)).group_by(Dot.registration_id)).all())
    assert counts == {r.id: 2 for r in world.participants[:5]}
    budgets = dict(db.session.execute(select(DotBudget.registration_id, DotBudget.spent)).all())
    assert budgets == counts


def test_a_double_click_arriving_at_once_counts_one_dot(server, world, add, open_voting):
    entry = add()
    open_voting(allowance=5)
    delegate = world.participants[0]
    base = f"/r/{token(delegate)}/recommendations"
    results = _fire(server, [(f"{base}/{entry.id}/dot", {"key": "the-same-button"}, {})] * 8)
    assert [r[0] for r in results] == [302] * 8, results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Dot.id))) == 1
    assert db.session.scalar(select(DotBudget.spent)) == 1
    said = _said(server, results, base)
    assert sorted(said) == ["Dot added."] + ["This dot was already counted."] * 7, said


def test_simultaneous_endorsements_count_once(server, world, add, open_voting):
    entry = add()
    open_voting()
    delegate = world.participants[0]
    base = f"/r/{token(delegate)}/recommendations"
    results = _fire(server, [(f"{base}/{entry.id}/endorse", {}, {})] * 6)
    assert [r[0] for r in results] == [302] * 6, results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Endorsement.id))) == 1
    said = _said(server, results, base)
    assert sorted(said) == ["You already support this recommendation."] * 5 + ["You support this recommendation."]


def _signed_in(port: int, user, make) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/manage/login", body=urlencode({"email": user.email, "password": make.PASSWORD}),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        assert response.status == 302 and "/manage" in urlsplit(response.getheader("Location")).path
        return response.getheader("Set-Cookie").split(";", 1)[0]
    finally:
        connection.close()


def test_a_resend_racing_the_first_try_makes_one_entry(server, world, make):
    cookie = _signed_in(server, world.facilitator, make)
    body = {"kind": "challenge", "language": "en", "text": "Sent while the Wi-Fi dropped.", "client_key": "k" * 16}
    results = _fire(server, [(f"/manage/events/{world.event.slug}/capture/entries", body,
                              {"Cookie": cookie, "Accept": "application/json"})] * 6)
    assert [r[0] for r in results] == [200] * 6, results
    assert sorted('"created":true' in r[2] for r in results) == [False] * 5 + [True]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Entry.id))) == 1


def test_of_simultaneous_saves_of_one_entry_exactly_one_wins(server, world, add, make):
    entry = add(EntryKind.CHALLENGE, "Before.")
    people = [world.facilitator, world.organiser, world.admin]
    cookies = [_signed_in(server, person, make) for person in people]
    path = f"/manage/events/{world.event.slug}/capture/entries/{entry.id}"
    results = _fire(server, [(path, {"version": "1", "text_en": f"Saved by {n}.", "text_fr": ""}, {"Cookie": cookie})
                             for n, cookie in enumerate(cookies * 2)])
    statuses = sorted(r[0] for r in results)
    assert statuses == [302] + [409] * 5, results
    db.session.expire_all()
    saved = db.session.get(Entry, entry.id)
    assert saved.version == 2
    assert db.session.scalar(select(func.count(EntryRevision.id)).where(EntryRevision.entry_id == entry.id)) == 2
    winner = next(n for n, r in enumerate(results) if r[0] == 302)
    assert saved.text_en == f"Saved by {winner}."
