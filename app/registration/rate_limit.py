"""The rate limit of the public registration form, counted with the shared app/ratelimit.py.

Two counts. A delegation registers from behind one city hall's network (one address for twenty or
forty colleagues), so the count per client address is only a high ceiling against floods; what
stops one person or script from hammering the form is the count per email address, low."""

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.auth.services import normalise_email
from app.domain import DomainError
from app.ratelimit import count_hit

RATE_LIMIT_SCOPE = "registration"
EMAIL_RATE_LIMIT_SCOPE = "registration-email"


class RateLimited(DomainError):
    pass


def _minutes() -> int:
    return max(1, current_app.config["REGISTRATION_RATE_WINDOW"] // 60)


def record_attempt(address: str, now: datetime | None = None, email: str = "") -> None:
    """Count one submission of the public form from this client address (and for this email
    address, when one was typed), or raise RateLimited. Counted in the database before anything
    else (see app.ratelimit.count_hit), so that refused and rolled-back submissions count too. Call
    it before the request's session uses the database."""
    config = current_app.config
    window = config["REGISTRATION_RATE_WINDOW"]
    from_address = count_hit(RATE_LIMIT_SCOPE, address, window, now)
    email = normalise_email(email or "")[:320]
    if email and count_hit(EMAIL_RATE_LIMIT_SCOPE, email, window, now) > config["REGISTRATION_EMAIL_RATE_LIMIT"]:
        raise RateLimited(_l("This email address has been sent too many times in the last few minutes. "
                             "Please wait %(minutes)d minutes and send the form again; what you entered is kept.",
                             minutes=_minutes()))
    if from_address > config["REGISTRATION_RATE_LIMIT"]:
        raise RateLimited(_l("Too many registrations have come from your network in the last few minutes. "
                             "Please wait %(minutes)d minutes and send the form again; what you entered is kept.",
                             minutes=_minutes()))
