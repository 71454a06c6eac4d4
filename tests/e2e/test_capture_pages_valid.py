"""Capture's pages through ../shared/validators/check-html (Nu HTML Checker and axe), in both
languages, with voting open so that every button is there."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.capture import voting
from app.capture.models import Entry, EntryKind
from app.extensions import db
from tests.e2e.test_html_validity import _check_html, _signed_in_cookie, full_demo  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_capture_pages_are_valid_and_accessible(live_server, full_demo):  # noqa: F811
    event, token, _registration_id, _message_id, _item_id, passwords = full_demo
    organiser = db.session.scalar(select(User).where(User.email == "organiser.turin@example.org"))
    voting.set_voting(organiser, event, True)
    voting.set_results_revealed(organiser, event, True)
    db.session.commit()
    slug = event.slug
    public = [f"{live_server}{path}?lang={lang}" for lang in ("en", "fr") for path in (
        f"/events/{slug}/recommendations", f"/events/{slug}/recommendations/screen",
        f"/events/{slug}/recommendations/vote", f"/r/{token}/recommendations")]
    result = _check_html(public)
    assert result.returncode == 0, result.stdout[-4000:]
    case = db.session.scalar(select(Entry.id).where(Entry.event_id == event.id, Entry.kind == EntryKind.CASE))
    recommendation = db.session.scalar(select(Entry.id).where(Entry.event_id == event.id,
                                                              Entry.kind == EntryKind.RECOMMENDATION))
    cookie = _signed_in_cookie(live_server, organiser.email, passwords[organiser.email])
    staff = [f"{live_server}/manage/events/{slug}/capture{path}" for path in (
        "?lang=fr", "?lang=en", f"/entries/{case}?lang=fr", f"/entries/{recommendation}?lang=en",
        f"/entries/{recommendation}/history?lang=fr", f"/entries/{recommendation}/merge?lang=en",
        "/voting?lang=fr", "/follow-up?lang=en")]
    result = _check_html(staff, cookie)
    assert result.returncode == 0, result.stdout[-4000:]
