"""French as a French person writes it, on every page a visitor or a staff member can reach and in
every message: a no-break space before « : ; ? ! », no ISO dates in sentences, no "item(s)"
plurals, « ko »/« Mo » rather than kB/MB. The pages are found by following links from the network
page and the staff area, so a new stage's pages are checked without being listed here."""

import html
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from app.events.seed import DEMO_PASSWORDS, seed_all
from app.extensions import db
from app.mail.kinds import kinds

PATTERNS = {
    "ordinary space before « : ; ? ! »": re.compile(r"\w [:;?!](?=\s|$)"),
    "no space before « ; ? ! »": re.compile(r"[a-zà-ÿ»)][;?!](?=\s|$)"),
    "no space between two sentences": re.compile(r"[a-zà-ÿ]{2}[.?!][A-ZÀ-Þ][a-zà-ÿ]"),
    "punctuation doubled by a label's colon": re.compile(r"[?!:]\s?:(?=\s|$)"),
    "no space before « : »": re.compile(r"[a-zà-ÿ»):](?<=[a-zà-ÿ»)]:)\s"),
    "ISO date in a sentence": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "English plural in brackets": re.compile(r"\w\(s\)"),
    "English size unit": re.compile(r"\b\d+(?:[.,]\d+)?\s?[kKM]B\b"),
}
SKIPPED_PATHS = (".ics", ".csv", ".xlsx", ".pdf", ".docx", "/static/", "/logout", "/export")
MAX_PAGES = 250


HIDDEN = ("script", "style", "code", "pre", "textarea", "title")
VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr")


class _Text(HTMLParser):
    """The page's French text (no script, style, attributes, nor what an element marks as written in
    another language, such as an English fallback or an English version beside the French one) and
    the page's links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self._stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag not in VOID:
            lang = attrs.get("lang")
            self._stack.append((tag, tag in HIDDEN or (lang is not None and not lang.startswith("fr"))))

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, _skip = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def _problems(text: str) -> list[str]:
    text = re.sub(r"[ \t\r\n]+", " ", text)  # no-break spaces are kept: they are what is checked
    found = []
    for name, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            found.append(f"{name}: …{text[max(0, match.start() - 40):match.end() + 20]}…")
    return found


def _crawl(client, starts) -> dict[str, list[str]]:
    seen, queue, problems = set(), list(starts), {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, headers={"Accept-Language": "fr"})
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        page = _Text()
        page.feed(response.text)
        found = _problems(" ".join(page.parts))
        title = re.search(r"<title>(.*?)</title>", response.text, re.S)
        if title is None or "<" in title.group(1) or len(title.group(1)) > 200:
            found.append(f"a page title that is not a title: {(title.group(1) if title else '')[:80]}")
        if found:
            problems[path] = found
        for href in page.links:
            target = urlsplit(urljoin(path, html.unescape(href)))
            if target.netloc or target.scheme or any(part in target.path for part in SKIPPED_PATHS):
                continue
            link = target.path + (f"?{target.query}" if target.query and "lang=" not in target.query else "")
            if link not in seen:
                queue.append(link)
    return problems


@pytest.fixture
def demo(app, make):
    seed_all(with_demo_accounts=True)
    db.session.commit()


def test_every_public_page_reads_as_french_is_written(client, demo):
    client.get("/?lang=fr")
    assert _crawl(client, ["/", "/?city=lyon&year=1999"]) == {}  # the network page filtered, one value refused


def test_every_staff_page_reads_as_french_is_written(client, demo):
    client.get("/?lang=fr")
    response = client.post("/manage/login", data={"email": "admin@example.org",
                                                   "password": DEMO_PASSWORDS["admin@example.org"]})
    assert response.status_code == 302
    assert _crawl(client, ["/manage/"]) == {}


def test_every_message_reads_as_french_is_written_in_its_french_part(app, demo, make):

    from app.events.models import Event
    from app.mail.recipients import Recipient
    from app.mail.rendering import TEXT_SEPARATOR, render_message
    from tests.mail.test_templates import _context

    event = db.session.scalar(db.select(Event).where(Event.state.in_(["open"])))
    problems = {}
    for name in kinds():
        message = render_message(name, Recipient("a@example.net", "Amélie", "fr",
                                                 private_link="http://127.0.0.1:5000/r/x"), event=event,
                                 context=_context(name))
        french = message.text.split(TEXT_SEPARATOR)[0]
        if found := _problems(french) + _problems(message.subject.split(" / ")[0]):
            problems[name] = found
    assert problems == {}
