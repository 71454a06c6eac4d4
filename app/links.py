"""Absolute links to our pages, for what leaves the request: emails, invitations, calendar feeds,
QR codes. They start with PUBLIC_URL, never with the Host a request claims (a forged Host would
otherwise reach every subscriber through a cached feed)."""

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
