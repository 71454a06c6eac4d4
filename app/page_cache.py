"""Public pages rendered once and served again while what they show is unchanged.

Each process keeps the HTML it rendered, keyed by the page, the viewer's language and a
*fingerprint*: a cheap query that changes whenever the data behind the page does (an event's
`updated_at`, which every change to an event's public content touches). A hit costs that one
query; nothing is shared between processes, so several workers and hosts stay correct: each
renders a changed page once. Signed-in staff and visitors with a pending message always get a
fresh page, since theirs differs.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from functools import wraps

from flask import Response, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.db_types import utcnow
from app.i18n import current_language

# What a view sets that every copy of its page must carry (the rest comes from after_request).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control")
# Time-dependent parts of a page (a registration window that closes, upcoming becoming past) are
# at most this stale; actions themselves always check the real time.
TIME_BUCKET_SECONDS = 60


class PageCache:
    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[bytes, dict, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, body: bytes, headers: dict) -> str:
        etag = hashlib.blake2b(body, digest_size=12).hexdigest()
        with self._lock:
            self._entries[key] = (body, headers, etag)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return etag

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def time_bucket(now: datetime | None = None) -> int:
    return int((now or utcnow()).timestamp()) // TIME_BUCKET_SECONDS


def _viewer_sees_the_shared_page() -> bool:
    return request.method == "GET" and not current_user.is_authenticated and "_flashes" not in session


def event_page_fingerprint(slug: str, **_view_args):
    """For the public pages of one event: changed whenever the event is touched, and every
    TIME_BUCKET_SECONDS for what depends on the clock or on other rows (a presenter's name)."""
    from app.events.queries import event_fingerprint

    updated = event_fingerprint(slug)
    return None if updated is None else (updated, time_bucket())


def cached_page(fingerprint: Callable[..., Hashable | None]):
    """Serve the view's 200 responses from the cache while `fingerprint(**view_args)` is unchanged.
    A fingerprint of None (say, no such event) lets the view answer as it would."""

    def decorator(view):
        @wraps(view)
        def wrapped(**view_args):
            if not current_app.config.get("PAGE_CACHE", True) or not _viewer_sees_the_shared_page():
                return view(**view_args)
            stamp = fingerprint(**view_args)
            if stamp is None:
                return view(**view_args)
            cache: PageCache = current_app.extensions["page_cache"]
            key = (request.endpoint, request.full_path, current_language(), stamp)
            entry = cache.get(key)
            if entry is None:
                response = current_app.make_response(view(**view_args))
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
                etag = cache.put(key, response.get_data(), kept)
                response.set_etag(etag)
                return response
            body, headers, etag = entry
            response = Response(body, headers=headers)
            response.set_etag(etag)
            return response.make_conditional(request)

        return wrapped

    return decorator


_CSRF_PLACEHOLDER = "\x00csrf-token\x00"


def form_page_with_fresh_token(stamp: Hashable, render: Callable[[], str]) -> str:
    """A public form page rendered once while `stamp` is unchanged, with this visitor's own CSRF
    token put in: the only part of the blank form that differs from one visitor to the next.
    Falls back to rendering when the viewer does not see the shared page."""
    if not current_app.config.get("PAGE_CACHE", True) or not _viewer_sees_the_shared_page() or stamp is None:
        return render()
    token = generate_csrf()
    cache: PageCache = current_app.extensions["page_cache"]
    key = (request.endpoint, request.full_path, current_language(), stamp)
    entry = cache.get(key)
    if entry is None:
        html = render()
        cache.put(key, html.replace(token, _CSRF_PLACEHOLDER).encode(), {})
        return html
    return entry[0].decode().replace(_CSRF_PLACEHOLDER, token)
