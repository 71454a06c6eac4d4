"""Links to set a password: the invitation of a new account and "forgot your password".

A link carries the account's id and a fingerprint of its current password hash, signed with the
app's SECRET_KEY (itsdangerous, which adds the signing time), under a salt per purpose. Nothing is
stored: setting a password changes the hash, so the link that did it, and every other link sent
before, stops working (single use, and dead once the password changes by any way); it also
expires (INVITATION_LINK_HOURS, PASSWORD_RESET_LINK_MINUTES).
"""

import enum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.auth.models import User
from app.db_types import is_row_id
from app.extensions import db
from app.links import link_to


class Purpose(enum.StrEnum):
    INVITATION = "invitation"
    RESET = "reset"


class BadPasswordLink(Exception):
    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"auth.password-link.{purpose.value}")


def max_age(purpose: Purpose) -> int:
    config = current_app.config
    if purpose is Purpose.INVITATION:
        return config["INVITATION_LINK_HOURS"] * 3600
    return config["PASSWORD_RESET_LINK_MINUTES"] * 60


def make_token(user: User, purpose: Purpose) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": user.password_fingerprint})


def link_for(user: User, purpose: Purpose) -> str:
    """The absolute link (from PUBLIC_URL) that an email carries."""
    return link_to("auth.set_password", purpose=purpose.value, token=make_token(user, purpose))


def read_token(token: str, purpose: Purpose) -> User:
    """The account a link lets its holder set the password of, or BadPasswordLink."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age(purpose))
    except SignatureExpired:
        raise BadPasswordLink(expired=True) from None
    except BadSignature:
        raise BadPasswordLink() from None
    if not isinstance(payload, dict) or not is_row_id(payload.get("u")):
        raise BadPasswordLink()
    user = db.session.get(User, payload["u"])
    if user is None or not user.active or payload.get("f") != user.password_fingerprint:
        raise BadPasswordLink()
    return user
