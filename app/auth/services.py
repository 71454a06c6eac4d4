"""Staff accounts: sign-in checks and the admin's account management."""

import secrets
from datetime import datetime
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import notifications, sessions
from app.auth.models import Role, User
from app.db_types import utcnow
from app.domain import Checks, DomainError, PermissionDenied
from app.extensions import db
from app.ratelimit import count_hit, recent_hits_and_last

MIN_PASSWORD_LENGTH = 10


@cache
def _hash_for_unknown_accounts(method: str) -> str:
    """Checked when no account matches, so that a wrong email costs as long as a wrong password."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


class TooManySignInFailures(DomainError):
    pass


WRONG_PASSWORD = _l("Wrong email address or password, or the account is disabled.")

# Scopes of app.ratelimit: failures per account and client together, and per client for any account.
PAIR, CLIENT = "login-pair", "login-client"


def _pair(email: str, client: str) -> str:
    return f"{normalise_email(email)}|{client}"


def failure_delay(failures: int, limit: int) -> int:
    """Seconds to wait after the last failure: none below the limit, then LOGIN_DELAY_SECONDS,
    doubled with every further failure, at most the window."""
    config = current_app.config
    if failures < limit:
        return 0
    return min(config["LOGIN_FAILURE_WINDOW"], config["LOGIN_DELAY_SECONDS"] * 2 ** min(failures - limit, 20))


def check_sign_in_allowed(email: str, client: str, now: datetime | None = None) -> None:
    """Slow the guesser, not the owner: after LOGIN_FAILURE_LIMIT wrong passwords for one account
    from one client address (or LOGIN_CLIENT_FAILURE_LIMIT from one client for any accounts), that
    client waits before its next try, longer after each further failure. The same account signs in
    from any other place as usual: nobody can lock an organiser out by failing on purpose."""
    config = current_app.config
    now = now or utcnow()
    window = config["LOGIN_FAILURE_WINDOW"]
    wait = 0
    for scope, value, limit in ((PAIR, _pair(email, client), config["LOGIN_FAILURE_LIMIT"]),
                                (CLIENT, client, config["LOGIN_CLIENT_FAILURE_LIMIT"])):
        failures, last = recent_hits_and_last(scope, value, window, now)
        if last is not None:
            wait = max(wait, failure_delay(failures, limit) - int((now - last).total_seconds()))
    if wait > 0:
        message = (_l("Too many wrong passwords from here. Wait %(seconds)d seconds and try again.", seconds=wait)
                   if wait < 120 else
                   _l("Too many wrong passwords from here. Wait %(minutes)d minutes and try again.",
                      minutes=-(-wait // 60)))
        raise TooManySignInFailures(message, field="password")


def record_sign_in_failure(email: str, client: str, now: datetime | None = None) -> None:
    """Count a wrong password, tell the account's owner once per window when this client starts
    being slowed down, and refuse (the route commits what was recorded)."""
    config = current_app.config
    now = now or utcnow()
    window = config["LOGIN_FAILURE_WINDOW"]
    failures = count_hit(PAIR, _pair(email, client), window, now)
    count_hit(CLIENT, client, window, now)
    if failures == config["LOGIN_FAILURE_LIMIT"]:
        user = find_user_by_email(email)
        if user is not None and user.active:
            bucket = int(now.timestamp()) // window
            notifications.queue_sign_in_paused(user, failures, dedupe_key=f"sign-in-paused:{user.id}:{bucket}")
    raise DomainError(WRONG_PASSWORD, field="password")


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_hash_for_unknown_accounts(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), field="password"
        )


def _check_new_password(password: str) -> None:
    try:
        check_password_strength(password)
    except DomainError as error:
        error.field = "new_password"
        raise


def _check_role_and_city(role: Role, city_id: int | None) -> None:
    if role is Role.ORGANISER and city_id is None:
        raise DomainError(_l("An organiser needs a host city."), field="city_id")


def create_user(actor, *, email: str, name: str, role: Role, password: str | None = None,
                city_id: int | None = None, preferred_language: str = "en") -> User:
    """An administrator creates an account: the person gets an invitation by email, with a
    single-use link to choose their password (nobody else ever knows it). `password` only for
    `flask create-admin`, where the first administrator types their own."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(_l("Only administrators can create accounts."))
    email = normalise_email(email)
    checks = Checks()
    if find_user_by_email(email) is not None:
        checks.refuse(_l("An account with this email address already exists."), field="email")
    checks.run(lambda: _check_role_and_city(role, city_id))
    if password is not None:
        checks.run(lambda: check_password_strength(password))
    checks.raise_any()
    user = User(
        email=email, name=name.strip(), role=role, preferred_language=preferred_language,
        city_id=city_id if role is Role.ORGANISER else None,
    )
    if password is None:
        _set_unusable_password(user)
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if password is None:
        notifications.queue_invitation(user)
    return user


def _set_unusable_password(user: User) -> None:
    """A hash no password matches (a random secret nobody sees): the account waits for its invitation."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    user.password_hash = generate_password_hash(secrets.token_hex(32), method=method)
    user.password_set_at = None


def send_password_link(actor, user: User) -> User:
    """An administrator sends the account a link to choose its password: the invitation again while
    the person has not chosen one yet, else a password reset. Nothing changes until it is used."""
    if not actor.is_admin:
        raise PermissionDenied(_l("Only administrators can change accounts."))
    if not user.active:
        raise DomainError(_l("This account is disabled: enable it first."))
    if user.password_set_at is None:
        notifications.queue_invitation(user)
    else:
        notifications.queue_password_reset(user)
    return user


class TooManyResetRequests(DomainError):
    pass


def request_password_reset(email: str, client: str, now: datetime | None = None) -> None:
    """"Forgot your password?": the same answer whether or not an account has this address; an
    active account gets a link, at most PASSWORD_RESET_LIMIT per window. Each client may ask
    PASSWORD_RESET_CLIENT_LIMIT times per window (then TooManyResetRequests, whatever the address)."""
    config = current_app.config
    window = config["PASSWORD_RESET_WINDOW"]
    if count_hit("password-reset-client", client, window, now) > config["PASSWORD_RESET_CLIENT_LIMIT"]:
        raise TooManyResetRequests(
            _l("Too many requests from here. Wait %(minutes)d minutes and try again.", minutes=max(1, window // 60)),
            field="email")
    if count_hit("password-reset-email", normalise_email(email), window, now) > config["PASSWORD_RESET_LIMIT"]:
        return  # links already went to this address: its owner has them
    user = find_user_by_email(email)
    if user is not None and user.active:
        if user.password_set_at is None:
            notifications.queue_invitation(user)
        else:
            notifications.queue_password_reset(user)


def set_password_from_link(user: User, new_password: str, confirmation: str) -> User:
    """The holder of an invitation or reset link chooses the password. The hash changes, so this link
    and every one sent before stop working; every session of the account ends."""
    checks = Checks()
    checks.run(lambda: _check_new_password(new_password))
    if new_password != confirmation:
        checks.refuse(_l("The two passwords are not the same."), field="confirmation")
    checks.raise_any()
    user.set_password(new_password)
    sessions.end_sessions(user)
    db.session.flush()
    return user


def update_user(actor, user: User, *, name: str, role: Role, city_id: int | None, active: bool,
                preferred_language: str) -> User:
    """Nobody types another person's password: a new one goes by `send_password_link`."""
    if not actor.is_admin:
        raise PermissionDenied(_l("Only administrators can change accounts."))
    if user.id == actor.id and (role is not Role.ADMIN or not active):
        raise DomainError(
            _l("You cannot remove your own administrator rights; ask another administrator."), field="role"
        )
    _check_role_and_city(role, city_id)
    if user.active and not active:
        sessions.end_sessions(user)  # every browser of the account, remembered ones included
    user.name = name.strip()
    user.role = role
    user.city_id = city_id if role is Role.ORGANISER else None
    user.active = active
    user.preferred_language = preferred_language
    db.session.flush()
    return user


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    checks = Checks()
    if not user.check_password(current_password):
        checks.refuse(_l("This is not your current password."), field="current_password")
    checks.run(lambda: _check_new_password(new_password))
    checks.raise_any()
    user.set_password(new_password)
    sessions.end_sessions(user, keep_current=True)
    db.session.flush()


def sign_in(user: User) -> User:
    """A new server-side session for this browser (the route then hands the user to Flask-Login)."""
    sessions.start_session(user)
    return user


def sign_out(user) -> None:
    if getattr(user, "is_authenticated", False):
        sessions.end_session(user)


def end_other_sessions(user: User, session_id: int | None = None) -> int:
    """From the account page: end one other session of one's own (`session_id`), or all others."""
    ended = sessions.end_sessions(user, keep_current=True, only_id=session_id)
    if session_id is not None and not ended:
        raise DomainError(_l("This session has already ended."))
    return ended


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).options(joinedload(User.city)).order_by(User.role, User.name)))
