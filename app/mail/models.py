"""The outbox: every message the app sends, written in the transaction of the action that causes it."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import utcnow, value_enum
from app.extensions import db


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One bilingual message to one recipient, rendered when it was queued."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    recipient_email: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    # The languages in the order the message shows them, the recipient's first: "fr,en".
    languages: Mapped[str] = mapped_column(String(20))
    reply_to_email: Mapped[str] = mapped_column(String(254), default="")
    reply_to_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    ics: Mapped[bytes | None] = mapped_column(LargeBinary)
    ics_method: Mapped[str | None] = mapped_column(String(10))
    # Fixed when queued, so that a message sent again after a crash keeps its identity.
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    # Set for messages that must never go out twice ("reminder-7d:<event>:<email>").
    dedupe_key: Mapped[str | None] = mapped_column(String(250), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(value_enum(OutboxStatus), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()

    event = relationship("Event")

    @property
    def language_order(self) -> list[str]:
        return self.languages.split(",")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.recipient_email} {self.status}>"


class CalendarItem(db.Model):
    """The SEQUENCE of each calendar item we have sent invitations for, and what it was about:
    SEQUENCE goes up whenever the time, the place or the status of the item changes."""

    __tablename__ = "calendar_items"

    uid: Mapped[str] = mapped_column(String(250), primary_key=True)
    sequence: Mapped[int] = mapped_column(default=0)
    fingerprint: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
