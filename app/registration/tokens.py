"""The participant's private link `/r/<token>`: signed, expiring, revocable.

The token carries only the registration's id and its random `token_version`, signed with the
app's SECRET_KEY (itsdangerous, which adds the signing time). When a link is read, it expires at
the end of the event's last day in its host city as the event's dates are NOW, plus
REGISTRATION_LINK_DAYS_AFTER_EVENT, and in any case REGISTRATION_LINK_MAX_AGE after it was made:
an event moved later keeps its links working. Raising the version (a new random value) revokes
every link sent before. Nothing secret is stored beyond that version.
"""

import enum
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.db_types import is_row_id, utcnow
from app.extensions import db
from app.registration.models import Registration
from app.timezones import start_of_day

SALT = "registration.participant-link"


class LinkProblem(enum.StrEnum):
    INVALID = "invalid"  # forged, damaged or unknown
    EXPIRED = "expired"
    REVOKED = "revoked"


class BadLink(Exception):
    def __init__(self, problem: LinkProblem):
        super().__init__(problem.value)
        self.problem = problem


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def link_expires_at(registration: Registration) -> datetime:
    """The end of the event's last day in its host city, plus REGISTRATION_LINK_DAYS_AFTER_EVENT."""
    event = registration.event
    days = current_app.config["REGISTRATION_LINK_DAYS_AFTER_EVENT"]
    return start_of_day(event.end_date + timedelta(days=1), event.timezone) + timedelta(days=days)


def make_token(registration: Registration) -> str:
    return _serializer().dumps({"r": registration.id, "v": registration.token_version})


def participant_url(registration: Registration) -> str:
    """The participant's own page `/r/<token>`, absolute under PUBLIC_URL (for messages, and the
    development hint after registering)."""
    from app.links import link_to

    return link_to("registration.participant", token=make_token(registration))


def read_token(token: str, now: datetime | None = None) -> Registration:
    """The registration a token opens, or BadLink saying why not."""
    now = now or utcnow()
    try:
        payload, signed_at = _serializer().loads(token, return_timestamp=True)
    except BadSignature:
        raise BadLink(LinkProblem.INVALID) from None
    if not isinstance(payload, dict) or not {"r", "v"} <= payload.keys():
        raise BadLink(LinkProblem.INVALID)
    if now >= signed_at + timedelta(seconds=current_app.config["REGISTRATION_LINK_MAX_AGE"]):
        raise BadLink(LinkProblem.EXPIRED)
    registration = db.session.get(Registration, payload["r"]) if is_row_id(payload["r"]) else None
    if registration is None:
        raise BadLink(LinkProblem.INVALID)
    if registration.token_version != payload["v"] or registration.is_erased:
        raise BadLink(LinkProblem.REVOKED)
    if now >= link_expires_at(registration):  # the event's dates as they are now
        raise BadLink(LinkProblem.EXPIRED)
    return registration


def private_page(response):
    """A page a participant's link opens is theirs alone: no shared cache keeps it, no search
    engine lists it."""
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
