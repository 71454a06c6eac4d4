"""Server-side staff sessions: one row per signed-in browser (`StaffSession`), whose random token
the session cookie and the remember-me cookie carry. The user loader reads the account through
its session in one indexed query, so any worker on any host sees a sign-out at once; nothing is
kept in memory.

Sign-out ends its own session; a password change ends the account's others (and every one when an
administrator changes it); disabling an account ends all of them; a staff member can end their
other sessions from their account page. A session unused for STAFF_SESSION_IDLE_DAYS ends too.
Flush, never commit (but `touch`, which records "last seen" in a short transaction of its own).
"""

import re
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import delete, select, update

from app.auth.models import StaffSession, User
from app.db_types import utcnow
from app.extensions import db

# "Last seen" is written at most this often per session, not on every request.
TOUCH_EVERY = timedelta(minutes=5)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


def _idle_limit(now: datetime) -> datetime:
    return now - timedelta(days=current_app.config["STAFF_SESSION_IDLE_DAYS"])


def describe_user_agent(user_agent: str) -> str:
    """A short, recognisable name for a browser: "Firefox on Windows", "Safari on iPhone"."""
    ua = user_agent or ""
    browsers = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                ("Chromium/", "Chromium"), ("Safari/", "Safari"))
    systems = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
               ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))
    browser = next((name for marker, name in browsers if marker in ua), "")
    system = next((name for marker, name in systems if marker in ua), "")
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or ua[:60]


def start_session(user: User, now: datetime | None = None) -> StaffSession:
    """A new session for `user` in this browser; its token becomes the user's id for Flask-Login.
    Sessions of the account that ended long ago are forgotten on the way."""
    now = now or utcnow()
    db.session.execute(delete(StaffSession).where(
        StaffSession.user_id == user.id,
        (StaffSession.ended_at < now - timedelta(days=90)) | (StaffSession.last_seen_at < now - timedelta(days=400)),
    ))
    agent = request.headers.get("User-Agent", "") if has_request_context() else ""
    session = StaffSession(token=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now,
                           user_agent=describe_user_agent(agent)[:120])
    db.session.add(session)
    db.session.flush()
    user.session_token = session.token
    return session


def current_session(user: User) -> StaffSession | None:
    if not user.session_token:
        return None
    return db.session.scalar(select(StaffSession).where(StaffSession.token == user.session_token))


def end_session(user: User, now: datetime | None = None) -> None:
    """Sign-out: this browser's session ends, its cookies (copied or not) with it."""
    if user.session_token:
        db.session.execute(update(StaffSession).where(StaffSession.token == user.session_token,
                                                      StaffSession.ended_at.is_(None))
                           .values(ended_at=now or utcnow()))


def end_sessions(user: User, *, keep_current: bool = False, only_id: int | None = None,
                 now: datetime | None = None) -> int:
    """End the account's sessions: all, all but the one this request uses, or one (`only_id`)."""
    query = update(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
    if keep_current and user.session_token:
        query = query.where(StaffSession.token != user.session_token)
    if only_id is not None:
        query = query.where(StaffSession.id == only_id)
    return db.session.execute(query.values(ended_at=now or utcnow())).rowcount


def open_sessions(user: User, now: datetime | None = None) -> list[StaffSession]:
    now = now or utcnow()
    return list(db.session.scalars(
        select(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None),
                                   StaffSession.last_seen_at >= _idle_limit(now))
        .order_by(StaffSession.last_seen_at.desc())
    ))


def load_user(token: str, now: datetime | None = None) -> User | None:
    """Flask-Login's user loader: the active account whose open, recently used session has this
    token (from the session cookie or the remember-me cookie), in one indexed query."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None  # "id:version" ids from before server-side sessions: signed out
    now = now or utcnow()
    row = db.session.execute(
        select(User, StaffSession.id, StaffSession.last_seen_at).join(StaffSession, StaffSession.user_id == User.id)
        .where(StaffSession.token == token, StaffSession.ended_at.is_(None),
               StaffSession.last_seen_at >= _idle_limit(now), User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, session_id, last_seen = row
    user.session_token = token
    if now - last_seen >= TOUCH_EVERY:
        touch(session_id, now)
    return user


def touch(session_id: int, now: datetime) -> None:
    """Record "last seen" in a short transaction of its own: a GET commits nothing else."""
    with db.engine.begin() as connection:
        connection.execute(update(StaffSession.__table__).where(StaffSession.__table__.c.id == session_id)
                           .values(last_seen_at=now))
