"""The participant's private link `/r/<token>`: signed, expiring, revocable.

The token carries the registration's id, its random `token_version` and the moment the link
expires, signed with the app's SECRET_KEY (itsdangerous). Raising the version (a new random
value) revokes every link sent before. Nothing secret is stored beyond that version.
"""

import enum
from datetime import datetime, timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.db_types import utcnow
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
    expires = int(link_expires_at(registration).timestamp())
    return _serializer().dumps({"r": registration.id, "v": registration.token_version, "x": expires})


def participant_url(registration: Registration, external: bool = True) -> str:
    return url_for("registration.participant", token=make_token(registration), _external=external)


def read_token(token: str, now: datetime | None = None) -> Registration:
    """The registration a token opens, or BadLink saying why not."""
    now = now or utcnow()
    serializer = _serializer()
    try:
        payload = serializer.loads(token, max_age=current_app.config["REGISTRATION_LINK_MAX_AGE"])
    except SignatureExpired:
        raise BadLink(LinkProblem.EXPIRED) from None
    except BadSignature:
        raise BadLink(LinkProblem.INVALID) from None
    if not isinstance(payload, dict) or not {"r", "v", "x"} <= payload.keys():
        raise BadLink(LinkProblem.INVALID)
    registration = db.session.get(Registration, payload["r"]) if isinstance(payload["r"], int) else None
    if registration is None:
        raise BadLink(LinkProblem.INVALID)
    if registration.token_version != payload["v"] or registration.is_erased:
        raise BadLink(LinkProblem.REVOKED)
    if not isinstance(payload["x"], int) or now.timestamp() >= payload["x"]:
        raise BadLink(LinkProblem.EXPIRED)
    return registration
