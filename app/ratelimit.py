"""Counting attempts per client or account in the database, so that every worker on every host
sees the same counts (the app keeps no state in memory)."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import Index, String, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import utcnow
from app.extensions import db


class RateLimitHit(db.Model):
    """One counted attempt: a scope ("registration", "login-email"…) and a keyed hash of what is
    counted, never the address or email itself."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_scope_key_at", "scope", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


def key_hash(value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, (value or "unknown").encode(), hashlib.sha256).hexdigest()


def _this_key(scope: str, value: str):
    hits = RateLimitHit.__table__
    return hits, (hits.c.scope == scope) & (hits.c.key_hash == key_hash(value))


def recent_hits(scope: str, value: str, window_seconds: int, now: datetime | None = None) -> int:
    hits, ours = _this_key(scope, value)
    since = (now or utcnow()) - timedelta(seconds=window_seconds)
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(hits).where(ours, hits.c.at > since))


def recent_hits_and_last(scope: str, value: str, window_seconds: int,
                         now: datetime | None = None) -> tuple[int, datetime | None]:
    """How many attempts in the window, and when the last one was (None: none), in one query."""
    hits, ours = _this_key(scope, value)
    since = (now or utcnow()) - timedelta(seconds=window_seconds)
    with db.engine.connect() as connection:
        count, last = connection.execute(
            select(func.count(), func.max(hits.c.at)).select_from(hits).where(ours, hits.c.at > since)).one()
    if isinstance(last, datetime) and last.tzinfo is None:  # SQLite keeps no offset: stored in UTC
        last = last.replace(tzinfo=UTC)
    return count, last


def count_hit(scope: str, value: str, window_seconds: int, now: datetime | None = None) -> int:
    """Record one attempt and return how many there are in the window, this one included.

    The attempt is committed first, in its own short transaction, so that it counts whatever
    becomes of the request (refused, rolled back); then the window is counted. Of simultaneous
    attempts, the k-th to commit counts at least k, so a limit checked on the result is never
    exceeded, on SQLite (writes serialised) and PostgreSQL alike. Call it before the request's
    session holds a pooled connection, or simultaneous requests wait for one more."""
    now = now or utcnow()
    hits, ours = _this_key(scope, value)
    window_start = now - timedelta(seconds=window_seconds)
    with db.engine.begin() as connection:
        connection.execute(delete(hits).where(ours, hits.c.at <= window_start))
        connection.execute(insert(hits).values(scope=scope, key_hash=key_hash(value), at=now))
    return recent_hits(scope, value, window_seconds, now)


def forget_expired(scope: str, window_seconds: int, now: datetime | None = None) -> None:
    """Drop the scope's attempts older than its window (the purge command calls it)."""
    cutoff = (now or utcnow()) - timedelta(seconds=window_seconds)
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.scope == scope, RateLimitHit.at < cutoff))
