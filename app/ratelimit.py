"""Counting attempts per client or account in the database, so that every worker on every host
sees the same counts (the app keeps no state in memory)."""

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import utcnow
from app.extensions import db


class RateLimitHit(db.Model):
    """One counted attempt: a scope ("login-email", "login-client"…) and a keyed hash of what is
    counted (never the address or email itself)."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_scope_key_at", "scope", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


def key_hash(value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, (value or "unknown").encode(), hashlib.sha256).hexdigest()


def recent_hits(scope: str, value: str, window_seconds: int, now: datetime | None = None) -> int:
    since = (now or utcnow()) - timedelta(seconds=window_seconds)
    return db.session.scalar(select(func.count(RateLimitHit.id)).where(
        RateLimitHit.scope == scope, RateLimitHit.key_hash == key_hash(value), RateLimitHit.at > since))


def record_hit(scope: str, value: str, window_seconds: int, now: datetime | None = None) -> None:
    """Count one attempt, forgetting this key's attempts older than the window. Flushes only."""
    now = now or utcnow()
    digest = key_hash(value)
    db.session.execute(delete(RateLimitHit).where(
        RateLimitHit.scope == scope, RateLimitHit.key_hash == digest,
        RateLimitHit.at <= now - timedelta(seconds=window_seconds)))
    db.session.add(RateLimitHit(scope=scope, key_hash=digest, at=now))
    db.session.flush()


def forget(scope: str, value: str) -> None:
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.scope == scope,
                                                  RateLimitHit.key_hash == key_hash(value)))
