"""Absolute links to our pages, for what leaves the request: emails, invitations, calendar feeds,
QR codes. They start with PUBLIC_URL, never with the Host a request claims (a forged Host would
otherwise reach every subscriber through a cached feed)."""

from functools import lru_cache
from urllib.parse import urlencode

from flask import current_app


def public_url(path: str) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def link_to(endpoint: str, **values) -> str:
    """The absolute URL of one of our pages: its path, built from the URL map (which works in a
    request, in a `flask` command or in cron alike), under PUBLIC_URL."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return public_url(path)


def map_link(address: str) -> str:
    """A plain link to the address on OpenStreetMap: nothing external is loaded on our pages."""
    return "https://www.openstreetmap.org/search?" + urlencode({"query": address})


def webcal_url(url: str) -> str:
    """The same feed as a subscription: calendars that see webcal:// subscribe instead of importing."""
    scheme, _sep, rest = url.partition("://")
    return f"webcal://{rest}" if scheme in ("http", "https") else url


@lru_cache(maxsize=4096)
def qr_code(url: str, scale: int = 4) -> str:
    """A QR code of `url` as an SVG data URI, drawn once per address and size per process (drawing
    one costs some 15 ms: the participant's page and the big screen show the same ones again)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=scale, border=2)
