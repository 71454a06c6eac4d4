"""Every kind of page through ../shared/validators/check-html: the Nu HTML Checker and axe-core
accessibility rules in a real Chromium, in both languages, public and staff pages."""

import http.cookiejar
import re
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from app.auth.models import Role
from app.events.models import Event, EventState

# The slowest browser checks (10-30 s each with --durations): `make test-fast` leaves them out.
pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHECK_HTML = Path(__file__).resolve().parents[3] / "shared" / "validators" / "check-html"


def _signed_in_cookie(base_url: str, email: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = opener.open(f"{base_url}/manage/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    opener.open(f"{base_url}/manage/login", data=body)
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def _check_html(urls: list[str], cookie: str | None = None) -> subprocess.CompletedProcess:
    if not CHECK_HTML.exists():
        pytest.skip("../shared/validators/check-html is not beside the project")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("check-html needs Debian's chromium")
    args = [str(CHECK_HTML), "--strict", *urls]
    if cookie:
        args[1:1] = ["--header", f"Cookie: {cookie}"]
    return subprocess.run(args, capture_output=True, text=True, timeout=900)


@pytest.fixture
def demo(make):
    turin = make.city("Turin", "Europe/Rome", "IT")
    event = make.event(turin, EventState.OPEN, theme_en="Inclusive housing", theme_fr="", capacity=40)
    make.event(turin, EventState.FINISHED, days_ahead=-300, month_only=True)
    organiser = make.user(Role.ORGANISER, turin, email="giulia@example.org")
    admin = make.user(Role.ADMIN, email="amina@example.org")
    return event, organiser, admin


def test_public_pages_are_valid_and_accessible(live_server, demo):
    from app.auth.password_links import Purpose, make_token

    event, organiser, _ = demo
    choose_password = f"/manage/password/reset/{make_token(organiser, Purpose.RESET)}"
    urls = [f"{live_server}{path}?lang={lang}" for lang in ("en", "fr")
            for path in ("/", f"/events/{event.slug}/", "/manage/login", "/events/missing/",
                         "/manage/forgot-password", choose_password)]
    # The network page filtered, one filter value unknown (said, left out).
    urls += [f"{live_server}/?lang={lang}&city={event.host_city.slug}&year=1999" for lang in ("en", "fr")]
    result = _check_html(urls)
    verdicts = [line for line in result.stdout.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert len(verdicts) == len(urls), result.stdout[-4000:]
    for verdict in verdicts:
        if "/events/missing/" in verdict:
            # The 404 page is checked too: its only fault may be its (intended) status code.
            assert "vnu 1 error(s)" in verdict and "axe 0 serious/critical" in verdict, verdict
            assert verdict.endswith("HTTP 404 NOT FOUND"), verdict
        else:
            assert verdict.startswith("PASS"), result.stdout[-4000:]


def test_staff_pages_are_valid_and_accessible(live_server, demo, make):
    event, organiser, admin = demo
    organiser_cookie = _signed_in_cookie(live_server, organiser.email, make.PASSWORD)
    organiser_pages = [f"{live_server}{path}" for path in (
        "/manage/?lang=fr", "/manage/events/new?lang=en", f"/manage/events/{event.slug}/?lang=fr",
        f"/manage/events/{event.slug}/edit?lang=en", f"/manage/events/{event.slug}/facilitators?lang=fr",
        "/manage/account?lang=en",
    )]
    result = _check_html(organiser_pages, organiser_cookie)
    assert result.returncode == 0, result.stdout[-4000:]
    admin_cookie = _signed_in_cookie(live_server, admin.email, make.PASSWORD)
    admin_pages = [f"{live_server}/manage/users?lang=fr", f"{live_server}/manage/users/new?lang=en",
                   f"{live_server}/manage/users/{organiser.id}/edit?lang=fr"]
    result = _check_html(admin_pages, admin_cookie)
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.fixture
def full_demo(app):
    """The demo data of `flask seed-demo`: an open event with its background document, agenda,
    participants and staff accounts."""
    from app.agenda.models import AgendaPresenter
    from app.events.seed import DEMO_PASSWORDS, DEMO_SLUG, seed_all
    from app.extensions import db
    from app.mail.models import OutboxMessage
    from app.mail.recipients import Recipient
    from app.mail.services import queue_message
    from app.registration.models import Registration
    from app.registration.tokens import make_token

    seed_all(with_demo_accounts=True)
    event = db.session.scalar(db.select(Event).where(Event.slug == DEMO_SLUG))
    queue_message("private_link_resent", Recipient("zoe@example.net", "Zoé Lefèvre-Ben Saïd", "fr"), event=event)
    db.session.commit()
    # A participant who presents too: their page lists the items they present.
    registration = db.session.scalar(db.select(Registration).join(
        AgendaPresenter, AgendaPresenter.registration_id == Registration.id).where(Registration.event_id == event.id))
    message = db.session.scalar(db.select(OutboxMessage))
    # An item one of whose presenters is that participant: the edit form shows the choice made.
    item_id = db.session.scalar(db.select(AgendaPresenter.item_id).where(
        AgendaPresenter.registration_id == registration.id))
    return event, make_token(registration), registration.id, message.id, item_id, DEMO_PASSWORDS


def test_every_stage_page_is_valid_and_accessible(live_server, full_demo):
    from app.extensions import db
    from app.field_visit.models import FieldVisit

    event, token, registration_id, message_id, item_id, passwords = full_demo
    slug = event.slug
    visit_id = db.session.scalar(db.select(FieldVisit.id).where(FieldVisit.event_id == event.id))
    public = [f"{live_server}{path}?lang={lang}" for lang in ("en", "fr") for path in (
        f"/events/{slug}/background", f"/events/{slug}/agenda", f"/events/{slug}/register",
        f"/events/{slug}/participants", f"/r/{token}", f"/r/{token}/edit", f"/r/{token}/cancel",
        f"/events/{slug}/field-visit", f"/events/{slug}/field-visit/{visit_id}/handout",
    )]
    result = _check_html(public)
    assert result.returncode == 0, result.stdout[-4000:]
    cookie = _signed_in_cookie(live_server, "organiser.turin@example.org", passwords["organiser.turin@example.org"])
    staff = [f"{live_server}/manage/events/{slug}{path}" for path in (
        "/background?lang=fr", "/agenda?lang=en", "/agenda/items/new?lang=fr", f"/agenda/items/{item_id}?lang=en",
        "/participants/?lang=fr", "/participants/settings?lang=en", f"/participants/{registration_id}?lang=fr",
        "/participants/check-in?lang=en", f"/participants/{registration_id}/check-in?lang=fr",
        "/outbox?lang=en", f"/outbox/{message_id}?lang=fr",
        f"/participants/{registration_id}/reject?lang=fr", f"/agenda/items/{item_id}/remove?lang=en",
        "/field-visit?lang=fr", "/field-visit/new?lang=en", f"/field-visit/{visit_id}?lang=fr",
        f"/field-visit/{visit_id}/people?lang=en", f"/field-visit/{visit_id}/check-in?lang=fr",
        f"/field-visit/{visit_id}/remove?lang=fr",
    )]
    result = _check_html(staff, cookie)
    assert result.returncode == 0, result.stdout[-4000:]
