"""The rate limit of the public registration form, counted with the shared app/ratelimit.py."""

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.domain import DomainError
from app.ratelimit import count_hit

RATE_LIMIT_SCOPE = "registration"


class RateLimited(DomainError):
    pass


def record_attempt(address: str, now: datetime | None = None) -> None:
    """Count one submission of the public form from this client address, or raise RateLimited.
    Counted in the database before anything else (see app.ratelimit.count_hit), so that refused
    and rolled-back submissions count too. Call it before the request's session uses the database."""
    recent = count_hit(RATE_LIMIT_SCOPE, address, current_app.config["REGISTRATION_RATE_WINDOW"], now)
    if recent > current_app.config["REGISTRATION_RATE_LIMIT"]:
        raise RateLimited(_l("Too many registrations have come from your network in the last few minutes. "
                             "Please wait %(minutes)d minutes and send the form again; what you entered is kept.",
                             minutes=max(1, current_app.config["REGISTRATION_RATE_WINDOW"] // 60)))
