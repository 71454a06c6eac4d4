import enum
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
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
    # Raised on every password change or deactivation, which signs out every open session.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    city = relationship("City", back_populates="organisers")
    facilitated_events = relationship(
        "Event", secondary="facilitator_assignments", back_populates="facilitators", viewonly=True
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
