"""Input that once broke the database, sent to every form of the app: never a 500.

Every route that takes a POST is found in the URL map (a new stage's forms join by themselves; one
this file cannot build a URL for fails `test_every_form_is_fuzzed` until FILL/VALUES say how). For
each, the form is read from its page (or, for a button, the fields it posts), filled with valid
values, and sent again and again with one field replaced by: a NUL, a lone surrogate (raw UTF-8
bytes of one), 10,000 characters, and for dates, times and numbers the extremes (9999-12-31,
0001-01-01, 20-digit numbers). The answer must never be a 500, and no control character may reach
the database (SQLite would store a NUL that PostgreSQL refuses: the check holds on both).

The staff searches take the same values as query parameters; every URL with an id answers 404, not
a database error, to an id too large for any column.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from flask import url_for
from sqlalchemy import event, select

from app import create_app
from app.auth.models import Role
from app.db_types import utcnow
from app.events.models import EventFormat, EventState
from app.extensions import db
from app.mail.recipients import Recipient
from app.mail.services import queue_message
from app.registration import signup, tokens
from app.registration.models import AttendanceMode, Registration
from app.registration.signup import RegistrationInput

LONG = "é" * 10_000
NUL = "Amal\x00Benali"
# Sent as raw bytes: an encoded lone surrogate (U+D800), which no UTF-8 encoder produces.
SURROGATE = b"%ED%A0%80"
TEXT_VALUES = [NUL, SURROGATE, LONG, "\x1b[31m\x07"]
DATE_VALUES = ["9999-12-31", "0001-01-01", "9999-12-31T23:59", "0001-01-01T00:00", "2030-02-30"]
NUMBER_VALUES = ["99999999999999999999", "-99999999999999999999", "2147483648"]

# Valid values for forms whose page starts empty, so that the field under test is the only wrong one.
FILL = {
    "manage.new_event": {"theme_en": "Urban citizenship", "theme_fr": "Citoyenneté urbaine", "format": "in_person",
                         "start_date": "2031-05-06", "end_date": "2031-05-07", "venue": "Hôtel de Ville"},
    "auth.new_user": {"email": "new.person@example.org", "name": "New Person", "role": "facilitator",
                      "city_id": "0", "preferred_language": "fr", "password": "a long enough password"},
    "auth.account": {"current_password": "correct horse battery", "new_password": "another long password"},
    "auth.login": {"email": "admin@example.org", "password": "correct horse battery"},
    "agenda.new_item": {"title_en": "Opening", "title_fr": "Ouverture", "starts_at": "{day}T09:00",
                        "ends_at": "{day}T10:00", "kind": "session"},
    "registration.register": {"name": "Amal Benali", "email": "amal@example.org", "consent_processing": "y",
                              "preferred_language": "fr", "attendance": "online", "country_code": "TN"},
    "registration.cancel": {"confirmed": "y"},
    "background.edit": {"markdown_en": "# Hello", "markdown_fr": "# Bonjour"},
    "manage.change_state": {"target": "closed", "confirmed": "y", "reason": "Because."},
    "agenda.move_item": {"direction": "later"},
    "registration_manage.erase": {"confirmed": "y", "back": "detail"},
    "manage.facilitators": {"user_id": "{facilitator_id}"},
    "auth.forgot_password": {"email": "admin@example.org"},
    "field_visit_manage.new_visit": {"title_en": "Visit", "meeting_point": "Place Bellecour",
                                     "meets_at": "{day}T14:00", "returns_at": "{day}T17:00", "capacity": "10"},
    "auth.set_password": {"new_password": "a long new password", "confirmation": "a long new password"},
    "manage.duplicate_event": {"start_date": "2031-05-06"},
}
# Fields that buttons without a page post (besides their CSRF token).
BUTTON_FIELDS = {"back": "check-in", "q": "Ana"}
ANONYMOUS = {"auth.login", "auth.forgot_password", "auth.set_password"}


class FormReader(HTMLParser):
    """The forms of a page: action, and each field's name, value and kind (input type, select…)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                          "fields": {}, "kinds": {}}
            self.forms.append(self._form)
            return
        if self._form is not None and tag == "option" and self._select:
            if "selected" in attrs or self._select not in self._form["fields"]:
                self._form["fields"][self._select] = attrs.get("value", "")
            return
        if self._form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            self._form["kinds"][name] = kind
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs or name not in self._form["fields"]:
                    self._form["fields"][name] = attrs.get("value", "y")
                return
            self._form["fields"][name] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self._form["kinds"][name] = "textarea"
            self._form["fields"][name] = ""
        elif tag == "select":
            self._select = name
            self._form["kinds"][name] = "select"

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data


def _post_rules():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods})


POST_ENDPOINTS = _post_rules()


@pytest.fixture
def world(app, make):
    """An open hybrid event with a bit of everything, its organiser's city, and an admin."""
    limits = ("REGISTRATION_RATE_LIMIT", "REGISTRATION_EMAIL_RATE_LIMIT", "LOGIN_FAILURE_LIMIT",
              "LOGIN_CLIENT_FAILURE_LIMIT", "PASSWORD_RESET_CLIENT_LIMIT")
    saved = {name: app.config[name] for name in limits}
    app.config.update(dict.fromkeys(limits, 100_000))
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    event = make.event(lyon, EventState.OPEN, format=EventFormat.HYBRID, capacity=30,
                       online_url="https://meet.example.org/x", registration_opens_at=utcnow() - timedelta(days=1),
                       registration_closes_at=utcnow() + timedelta(days=20))
    admin = make.user(Role.ADMIN, email="admin@example.org")
    facilitator = make.user(Role.FACILITATOR)
    make.assign(event, facilitator)
    other_facilitator = make.user(Role.FACILITATOR)
    outcome = signup.register(event, RegistrationInput(name="Ana", email="ana@example.org", consent_processing=True,
                                                       attendance=AttendanceMode.IN_PERSON), check_window=False)
    db.session.commit()
    item = make.agenda_item(event)
    from tests.auth.test_permissions import _capture, _field_visit

    visit_id, signup_id = _field_visit(event)
    capture = _capture(event, admin)
    message = queue_message("private_link_resent", Recipient("zoe@example.net", "Zoé", "fr"), event=event)
    db.session.commit()
    yield {"event": event, "admin": admin, "registration": outcome.registration, "item": item,
           "message": message, "facilitator": facilitator, "other_facilitator": other_facilitator,
           "token": tokens.make_token(outcome.registration), "visit_id": visit_id, "signup_id": signup_id,
           "capture": capture}
    app.config.update(saved)


def _url(app, endpoint: str, world: dict, **overrides) -> str:
    from app.auth.password_links import Purpose, make_token

    if endpoint == "auth.set_password":
        overrides = {"purpose": "reset", "token": make_token(world["admin"], Purpose.RESET), **overrides}
    values = {"slug": world["event"].slug, "registration_id": world["registration"].id,
              "item_id": world["item"].id, "message_id": world["message"].id,
              "user_id": world["facilitator"].id, "token": world["token"], "session_id": 1,
              "visit_id": world["visit_id"], "signup_id": world["signup_id"], "number": 1, "fmt": "pdf",
              "city_slug": world["event"].host_city.slug, "removed_id": 1, **world["capture"], **overrides}
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    missing = set(rule.arguments) - set(values)
    assert not missing, f"{endpoint}: say in tests/test_fuzz.py how to build its {missing}"
    with app.test_request_context():
        return url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})


def _encode(fields: dict) -> bytes:
    parts = []
    for name, value in fields.items():
        encoded = value if isinstance(value, bytes) else quote(str(value), safe="").encode()
        parts.append(quote(name, safe="").encode() + b"=" + encoded)
    return b"&".join(parts)


def _post(client, url: str, fields: dict):
    return client.post(url, data=_encode(fields), content_type="application/x-www-form-urlencoded")


def _form_of(client, url: str) -> tuple[dict, dict]:
    response = client.get(url)
    assert response.status_code < 500
    reader = FormReader()
    reader.feed(response.text)
    path = url.split("?")[0]
    forms = [f for f in reader.forms if f["method"] == "post" and (f["action"] in ("", path, url))]
    if not forms:
        return {}, {}
    form = max(forms, key=lambda f: len(f["fields"]))
    return form["fields"], form["kinds"]


def _values_for(kind: str) -> list:
    if kind in ("date", "datetime-local", "time"):
        return TEXT_VALUES + DATE_VALUES
    if kind in ("number", "select", "radio", "hidden"):
        return TEXT_VALUES + NUMBER_VALUES
    return TEXT_VALUES


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


@pytest.fixture
def sent_to_database(app):
    """Every control character or surrogate the app hands to the database in a statement's
    parameters (PostgreSQL refuses a NUL; SQLite would store it)."""
    found: list[str] = []

    def values(parameters):
        if isinstance(parameters, dict):
            yield from parameters.values()
        elif isinstance(parameters, list | tuple):
            for item in parameters:
                yield from values(item) if isinstance(item, dict | list | tuple) else [item]

    def record(conn, cursor, statement, parameters, context, executemany):
        for value in values(parameters):
            if isinstance(value, str) and CONTROL.search(value):
                found.append(f"{statement.split()[0]} … {value[:40]!r}")

    event.listen(db.engine, "before_cursor_execute", record)
    yield found
    event.remove(db.engine, "before_cursor_execute", record)


def test_every_form_is_fuzzed():
    """Every POST route is fuzzed below; one that needs values this file lacks fails there."""
    assert {"registration.register", "manage.new_event", "agenda.new_item", "auth.login"} <= set(POST_ENDPOINTS)


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_no_form_answers_500_to_input_that_breaks_databases(app, client, make, world, sent_to_database, endpoint):
    url = _url(app, endpoint, world)
    if url.startswith("/manage") and endpoint not in ANONYMOUS:
        assert make.login(client, world["admin"]).status_code == 302
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    fields, kinds = _form_of(client, url) if "GET" in rule.methods else ({}, {})
    if not fields:
        fields = dict(BUTTON_FIELDS)
    day = world["event"].start_date.isoformat()
    for name, value in FILL.get(endpoint, {}).items():
        fields[name] = value.format(day=day, facilitator_id=world["other_facilitator"].id)
    fields.pop("csrf_token", None)
    fields.pop("website", None)  # the honeypot: filled, the form answers as for a bot, checking nothing
    tried = 0
    for name in sorted(fields):
        for bad in _values_for(kinds.get(name, "text")):
            response = _post(client, url, {**fields, name: bad})
            tried += 1
            assert response.status_code < 500, (endpoint, name, bad if isinstance(bad, bytes) else bad[:30])
            if endpoint == "auth.logout":
                make.login(client, world["admin"])
    assert tried
    assert sent_to_database == [], endpoint


@pytest.mark.parametrize(("endpoint", "names"), [
    ("registration_manage.participants", ["q", "status", "city", "organisation", "attendance"]),
    ("registration_manage.check_in_list", ["q"]),
])
def test_staff_searches_refuse_what_they_cannot_search_for_next_to_the_field(app, client, make, world, endpoint,
                                                                             names, sent_to_database):
    make.login(client, world["admin"])
    url = _url(app, endpoint, world)
    for name in names:
        for bad in (NUL, LONG, "\x1b", SURROGATE):
            query = bad.decode() if isinstance(bad, bytes) else quote(bad, safe="")
            response = client.get(f"{url}?lang=en&{name}={query}")
            assert response.status_code == 200, (endpoint, name, bad[:20])
            if bad in (NUL, "\x1b"):
                assert 'id="q-error"' in response.text and "cannot be searched for" in response.text
    assert sent_to_database == []


def test_every_search_of_every_staff_page_takes_what_breaks_databases(app, client, make, world, sent_to_database):
    """The GET forms of every staff page (searches, filters; a new stage's too), each field sent NUL,
    10,000 characters, an escape character and a lone surrogate: never a 500, nothing of it sent to
    the database."""
    make.login(client, world["admin"])
    searched = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if not rule.rule.startswith("/manage") or "GET" not in rule.methods or rule.endpoint in ANONYMOUS:
            continue
        url = _url(app, rule.endpoint, world)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        reader = FormReader()
        reader.feed(response.text)
        for form in (f for f in reader.forms if f["method"] == "get"):
            action = form["action"] or url
            for name in form["fields"]:
                for bad in (NUL, LONG, "\x1b", SURROGATE):
                    query = bad.decode() if isinstance(bad, bytes) else quote(bad, safe="")
                    answer = client.get(f"{action.split('?')[0]}?{quote(name)}={query}")
                    assert answer.status_code < 500, (rule.endpoint, name, bad[:20])
                    searched += 1
    assert searched >= 20
    assert sent_to_database == []


def test_a_slug_or_token_with_a_nul_is_not_found(app, client, make, world, sent_to_database):
    make.login(client, world["admin"])
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not ({"slug", "token"} & set(rule.arguments)):
            continue
        url = _url(app, rule.endpoint, world, slug="lyon%00x", token="abc%00def").replace("%2500", "%00")
        assert client.get(url).status_code == 404, rule.endpoint
    assert sent_to_database == []


def test_an_id_too_large_for_the_database_is_not_found(app, client, make, world):
    make.login(client, world["admin"])
    sentinel = 7654321
    for rule in app.url_map.iter_rules():
        ids = [name for name in rule.arguments if name.endswith("_id")]
        if not ids or "GET" not in rule.methods:
            continue
        path = _url(app, rule.endpoint, world, **dict.fromkeys(ids, sentinel))
        for huge in (2**31, 10**30):
            assert client.get(path.replace(str(sentinel), str(huge))).status_code == 404, rule.endpoint


def test_the_form_itself_says_which_field_it_cannot_take(app, client, world):
    event = world["event"]
    response = _post(client, f"/events/{event.slug}/register?lang=fr",
                     {**FILL["registration.register"], "organisation": "Ville\x00de Lyon"})
    assert response.status_code == 422
    error = response.text.split('id="organisation-error"')[1].split("</ul>")[0]
    assert "caractère" in error
    assert db.session.scalar(select(Registration).where(Registration.email == "amal@example.org")) is None


def test_every_form_of_the_app_takes_the_apps_input_checks():
    """Forms derive from app.forms.FlaskForm, whose checks this file relies on: no module may build
    one on Flask-WTF's own (a new stage's forms included)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "app"
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if path.name != "forms.py" or path.parent != root
                 if re.search(r"^from flask_wtf import .*\bFlaskForm\b", path.read_text(), re.MULTILINE)]
    assert offenders == []
