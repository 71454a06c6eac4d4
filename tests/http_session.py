"""A plain HTTP client for tests that drive a real server the way a browser would: cookies, the
forms' own fields (CSRF token included) read from the page, then sent back with changes."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Reply:
    status: int
    text: str
    location: str = ""


class _FormReader(HTMLParser):
    """The fields of every form on a page, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action", ""), "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button"):
                return
            self._form["fields"].append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form["fields"].append((self._textarea, ""))
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self._form["fields"].append((self._select, attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)


class Session:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def _open(self, request) -> Reply:
        try:
            with self.opener.open(request, timeout=60) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(errors="replace"), error.headers.get("Location", ""))

    def get(self, path: str) -> Reply:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, fields) -> Reply:
        body = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body, method="POST"))

    def form(self, path: str, action_contains: str = "", names=()) -> tuple[str, list[tuple[str, str]]]:
        """The form of the page whose action contains the text and that has the most of `names`
        among its fields: its action and its fields."""
        reader = _FormReader()
        reader.feed(self.get(path).text)
        forms = [form for form in reader.forms if action_contains in form["action"]]
        if not forms:
            raise AssertionError(f"no form with {action_contains!r} on {path}")
        form = max(forms, key=lambda form: len(set(names) & {name for name, _value in form["fields"]}))
        return form["action"] or path, form["fields"]

    def submit(self, path: str, changes: dict, action_contains: str = "") -> Reply:
        """Open the page, change some fields of its form, send it; a redirect means it was accepted."""
        action, fields = self.form(path, action_contains, names=changes)
        fields = [(name, value) for name, value in fields if name not in changes] + list(changes.items())
        return self.post(action, fields)
