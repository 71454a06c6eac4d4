"""The live pages (the ranked list, the big screen and its board) answered by their fingerprint.

The ETag is computed from the fingerprint, before anything is rendered: the page, its query string,
the viewer's language, who is signed in (staff see a different header) and the capture revision.
So a conditional request for an unchanged page is answered 304 after one query, in any worker on
any host (they all compute the same ETag), and a changed one is rendered once per process and then
served from the page cache to everyone without an account.
"""

import hashlib
from functools import cache, wraps
from pathlib import Path

from flask import Response, current_app, request, session
from flask_login import current_user

from app.capture.queries import live_fingerprint
from app.i18n import current_language
from app.page_cache import KEPT_HEADERS, PageCache

CACHE_CONTROL = "no-cache"  # keep it, but ask us each time: we answer 304 while it is current


@cache
def _code_version() -> str:
    """The templates and catalogs the pages are made of: a deployment that changes them changes
    every ETag, so that nobody keeps a page of the old code."""
    app_dir = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted([*(app_dir / "templates" / "capture").rglob("*.html"),
                        *(app_dir / "translations").rglob("*.mo")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def live_etag(stamp: tuple, viewer: str) -> str:
    key = repr((request.endpoint, request.full_path, current_language(), viewer, stamp, _code_version()))
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def conditional_live_page(view=None, *, board: bool = False):
    """For views taking `slug`: 304 for a current copy without rendering, else the page with its
    ETag (from the page cache for visitors without an account). `board=True` for the big screen,
    whose fingerprint ignores what it does not show."""
    if view is None:
        return lambda actual: conditional_live_page(actual, board=board)

    @wraps(view)
    def wrapped(slug: str, **view_args):
        if request.method != "GET" or "_flashes" in session:
            return view(slug=slug, **view_args)
        stamp = live_fingerprint(slug, board=board)
        if stamp is None:
            return view(slug=slug, **view_args)
        anonymous = not current_user.is_authenticated
        etag = live_etag(stamp, "" if anonymous else current_user.get_id())
        if request.if_none_match.contains(etag):
            response = Response(status=304)
            response.set_etag(etag)
            response.headers["Cache-Control"] = CACHE_CONTROL
            return response
        use_cache = anonymous and current_app.config.get("PAGE_CACHE", True)
        cache_: PageCache = current_app.extensions["page_cache"]
        entry = cache_.get(("capture", etag)) if use_cache else None
        if entry is not None:
            response = Response(entry[0], headers=entry[1])
        else:
            response = current_app.make_response(view(slug=slug, **view_args))
            if response.status_code != 200:
                return response
            if use_cache:
                kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
                cache_.put(("capture", etag), response.get_data(), kept)
        response.set_etag(etag)
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response

    return wrapped
