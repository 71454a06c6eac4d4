import enum
import hashlib
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.db_types import utcnow, value_enum
from app.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    FACILITATOR = "facilitator"


class User(UserMixin, db.Model):
    """A member of staff. Participants never have an account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(value_enum(Role))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"))
    active: Mapped[bool] = mapped_column(default=True)
    preferred_language: Mapped[str] = mapped_column(String(2), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person last chose their password (None: invited, not yet set).
    password_set_at: Mapped[datetime | None] = mapped_column()

    city = relationship("City", back_populates="organisers")
    facilitated_events = relationship(
        "Event", secondary="facilitator_assignments", back_populates="facilitators", viewonly=True
    )

    @property
    def is_active(self) -> bool:
        return self.active

    # The server-side session (StaffSession.token) this request is signed in with; set by
    # app.auth.sessions when it signs in or loads the user, never stored on the user.
    session_token = None

    def get_id(self) -> str | None:
        """What Flask-Login keeps in the session cookie and the remember-me cookie: the token of
        the server-side session, which sign-out, a password change or deactivation ends."""
        return self.session_token

    def set_password(self, password: str) -> None:
        """Sets the hash only: app.auth.services ends the account's sessions where it should."""
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.password_set_at = utcnow()

    @property
    def password_fingerprint(self) -> str:
        """Changes whenever the password does: links to set a password carry it, and die with it."""
        return hashlib.sha256(f"{self.id}:{self.password_hash}".encode()).hexdigest()[:24]

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class StaffSession(db.Model):
    """One signed-in browser of a member of staff. Its `token` is in the session cookie and the
    remember-me cookie (signed by Flask); a session ended here (sign-out, a password change, the
    account disabled, "sign out" from another device) lets neither cookie in again."""

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_user_id_ended_at", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "Firefox on Windows": enough to recognise one's devices, nothing more.
    user_agent: Mapped[str] = mapped_column(String(120), default="")
    ended_at: Mapped[datetime | None] = mapped_column()

    user = relationship("User")
