"""The pages of the guiding staff event page through ../shared/validators/check-html (Nu and axe in
Chromium), in both languages, on a desktop and on a phone: the organiser's checklist, the
facilitator's guide, and the agenda with the "Undo" message that follows a removal."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from app.agenda.models import ItemKind
from app.auth.models import Role
from app.events.models import EventState
from tests.e2e.test_html_validity import _check_html

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _Session:
    """A signed-in browser-less session: its cookie changes as the app flashes messages."""

    def __init__(self, base_url: str, email: str, password: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.post("/manage/login", {"email": email, "password": password}, form_page="/manage/login")

    def get(self, path: str) -> str:
        return self.opener.open(f"{self.base_url}{path}").read().decode()

    def post(self, path: str, data: dict, form_page: str) -> None:
        """Posted without following the redirect: a message flashed stays in the cookie for the next page."""
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', self.get(form_page)).group(1)
        staying = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        try:
            staying.open(f"{self.base_url}{path}", data=urllib.parse.urlencode({"csrf_token": token, **data})
                         .encode())
        except urllib.error.HTTPError as answer:
            assert answer.code == 302, answer.code

    @property
    def cookie(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


@pytest.fixture
def guided(make):
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    organiser = make.user(Role.ORGANISER, lyon)
    facilitator = make.user(Role.FACILITATOR)
    event = make.event(lyon, EventState.OPEN, capacity=40, theme_en="Urban citizenship",
                       theme_fr="Citoyenneté urbaine")
    make.assign(event, facilitator)
    make.agenda_item(event, kind=ItemKind.LOCAL_SOLUTIONS, title_en="Local solutions", title_fr="Solutions locales")
    item = make.agenda_item(event, "14:00", "15:00", title_en="Opening", title_fr="Ouverture")
    return event, organiser, facilitator, item


def _passes(urls, cookie, *options):
    result = _check_html([*options, *urls], cookie)
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_checklist_the_guide_and_the_undo_message_are_valid_and_accessible(live_server, make, guided):
    event, organiser, facilitator, item = guided
    workspace = f"{live_server}/manage/events/{event.slug}/"
    organiser_session = _Session(live_server, organiser.email, make.PASSWORD)
    facilitator_session = _Session(live_server, facilitator.email, make.PASSWORD)
    pages = [f"{workspace}?lang={lang}" for lang in ("en", "fr")]
    _passes(pages, organiser_session.cookie)
    _passes(pages, facilitator_session.cookie)
    _passes(pages, organiser_session.cookie, "--width", "360", "--height", "740")
    remove = f"/manage/events/{event.slug}/agenda/items/{item.id}/remove?lang=fr"
    organiser_session.post(remove, {"confirmed": "y"}, form_page=remove)
    # The message with "Undo" waits in the session's cookie until a page shows it.
    agenda = f"{live_server}/manage/events/{event.slug}/agenda?lang=fr"
    _passes([agenda], organiser_session.cookie, "--width", "360", "--height", "740")
    assert re.search(r"Séquence retirée du programme\.</p>\s*<form[^>]+/restore", organiser_session.get(
        agenda.removeprefix(live_server)))
