"""What the meeting produces, recorded live: typed entries with their history, the room's votes on
recommendations, the organisers' merges and the cities' follow-up after the event.

One table holds every typed entry (`kind`): common challenges, opportunities, local solutions (the
cases presented), field-visit observations and recommendations; the columns of one kind are empty
for the others. Every content change raises `version` and writes a revision (the full snapshot),
so that the history shows who changed what and any earlier version can be restored.

Votes: an endorsement per (recommendation, participant), and priority dots, each spent by one
conditional UPDATE of the participant's budget row (`spent < allowance`), so that double clicks and
simultaneous requests never spend more than the organiser's allowance.
"""

import enum
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import utcnow, value_enum
from app.extensions import db


class EntryKind(enum.StrEnum):
    CHALLENGE = "challenge"
    OPPORTUNITY = "opportunity"
    CASE = "case"  # a local solution presented by a city
    OBSERVATION = "observation"  # seen on the field visit
    RECOMMENDATION = "recommendation"


class TranslationStatus(enum.StrEnum):
    MISSING = "missing"  # one language only
    TO_REVIEW = "to_review"  # both languages, not checked yet
    DONE = "done"  # both languages, checked by a facilitator


class ActorLevel(enum.StrEnum):
    LOCAL = "local"
    NATIONAL = "national"
    REGIONAL = "regional"
    INTERNATIONAL = "international"


class FollowUpStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class CaptureSettings(db.Model):
    """One event's capture: the room's dots, whether voting is open and results shown, whether
    capture is closed; `revision`, raised by every change the live list shows, and
    `board_revision`, raised only by what the big screen shows (recommendations, votes, these
    settings): their fingerprints, an unchanged one answers 304 without rendering."""

    __tablename__ = "capture_settings"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    dots_allowance: Mapped[int] = mapped_column(default=5)
    voting_open: Mapped[bool] = mapped_column(default=False)
    results_revealed: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None] = mapped_column()
    revision: Mapped[int] = mapped_column(default=0)
    board_revision: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


entry_policy_areas = Table(
    "capture_entry_policy_areas",
    db.metadata,
    Column("entry_id", Integer, ForeignKey("capture_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_area_id", Integer, ForeignKey("policy_areas.id", ondelete="CASCADE"), primary_key=True),
)

# Which challenges and cases a recommendation answers.
entry_answers = Table(
    "capture_entry_answers",
    db.metadata,
    Column("recommendation_id", Integer, ForeignKey("capture_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("answered_id", Integer, ForeignKey("capture_entries.id", ondelete="CASCADE"), primary_key=True),
)


class Entry(db.Model):
    __tablename__ = "capture_entries"
    __table_args__ = (
        # The console's idempotency key: an entry sent again (a retry after the Wi-Fi dropped, a
        # double click) finds the first one instead of making a second.
        UniqueConstraint("event_id", "client_key", name="uq_capture_entries_event_id_client_key"),
        Index("ix_capture_entries_event_kind", "event_id", "kind"),
    )

    BILINGUAL_FIELDS = ("title", "text")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[EntryKind] = mapped_column(value_enum(EntryKind))
    client_key: Mapped[str] = mapped_column(String(64))
    # The language it was first written in; the other is its translation.
    language: Mapped[str] = mapped_column(String(2), default="en")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    title_fr: Mapped[str] = mapped_column(String(300), default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    translation_status: Mapped[TranslationStatus] = mapped_column(value_enum(TranslationStatus),
                                                                  default=TranslationStatus.MISSING)

    # A case: who presented it, where to see it, when.
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"))
    city_other: Mapped[str] = mapped_column(String(120), default="")  # a city outside the network
    organisation: Mapped[str] = mapped_column(String(200), default="")
    slides_url: Mapped[str] = mapped_column(String(500), default="")
    pdf_stored_name: Mapped[str | None] = mapped_column(String(80))
    pdf_filename: Mapped[str] = mapped_column(String(255), default="")
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))

    # The visit an observation was made on (a label instead when it is not one of the event's visits).
    field_visit_id: Mapped[int | None] = mapped_column(ForeignKey("field_visits.id", ondelete="SET NULL"))
    visit_label: Mapped[str] = mapped_column(String(200), default="")

    # A recommendation: who should act, and where it belongs.
    actor_level: Mapped[ActorLevel | None] = mapped_column(value_enum(ActorLevel))
    actor: Mapped[str] = mapped_column(String(200), default="")
    working_group: Mapped[str] = mapped_column(String(120), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("capture_entries.id", ondelete="SET NULL"),
                                                       index=True)
    final_at: Mapped[datetime | None] = mapped_column()
    removed_at: Mapped[datetime | None] = mapped_column()

    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship("Event")
    city = relationship("City")
    agenda_item = relationship("AgendaItem")
    created_by = relationship("User", foreign_keys=[created_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    policy_areas = relationship("PolicyArea", secondary=entry_policy_areas, order_by="PolicyArea.id")
    sdgs = relationship("EntrySdg", order_by="EntrySdg.position", cascade="all, delete-orphan")
    answers = relationship("Entry", secondary=entry_answers, primaryjoin=id == entry_answers.c.recommendation_id,
                           secondaryjoin=id == entry_answers.c.answered_id, order_by="Entry.id")
    merged_into = relationship("Entry", remote_side=[id], foreign_keys=[merged_into_id])

    @property
    def is_final(self) -> bool:
        return self.final_at is not None

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def sdg_codes(self) -> list[str]:
        return [sdg.code for sdg in self.sdgs]

    @property
    def presenting_city(self) -> str:
        """The presenting city as typed or chosen (in English: the network's own names)."""
        return self.city.name_en if self.city is not None else self.city_other

    def __repr__(self) -> str:
        return f"<Entry {self.id} {self.kind} v{self.version}>"


class EntrySdg(db.Model):
    """A UN Sustainable Development Goal (`10`) or target (`10.7`) a recommendation serves."""

    __tablename__ = "capture_entry_sdgs"

    entry_id: Mapped[int] = mapped_column(ForeignKey("capture_entries.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    goal: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)


class EntryRevision(db.Model):
    """One version of an entry as it was saved: the whole snapshot (JSON), who saved it and when.
    What changed is the difference with the version before."""

    __tablename__ = "capture_revisions"
    __table_args__ = (UniqueConstraint("entry_id", "version", name="uq_capture_revisions_entry_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("capture_entries.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(20))  # created, edited, translated, restored, removed…
    restored_from: Mapped[int | None] = mapped_column()
    snapshot: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User")


class Merge(db.Model):
    """A duplicate recommendation merged into another by an organiser: its votes count for the
    other (each voter once), the original stays, shown as merged; undoing it is logged too."""

    __tablename__ = "capture_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("capture_entries.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("capture_entries.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column()
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    source = relationship("Entry", foreign_keys=[source_id])
    target = relationship("Entry", foreign_keys=[target_id])
    actor = relationship("User", foreign_keys=[actor_id])
    undone_by = relationship("User", foreign_keys=[undone_by_id])


class Endorsement(db.Model):
    """A participant supports a recommendation (once: the pair is unique)."""

    __tablename__ = "capture_endorsements"
    __table_args__ = (UniqueConstraint("recommendation_id", "registration_id",
                                       name="uq_capture_endorsements_recommendation_id_registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("capture_entries.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DotBudget(db.Model):
    """How many of the event's priority dots a participant has spent. Only ever changed by
    `UPDATE … SET spent = spent + 1 WHERE spent < <the allowance>` (and `- 1 WHERE spent > 0`)."""

    __tablename__ = "capture_dot_budgets"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    spent: Mapped[int] = mapped_column(default=0)


class Dot(db.Model):
    """One priority dot on a recommendation. `client_key` is the button's own key: a double click
    sends it twice, the second finds the first and spends nothing more."""

    __tablename__ = "capture_dots"
    __table_args__ = (
        UniqueConstraint("registration_id", "client_key", name="uq_capture_dots_registration_id_client_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("capture_entries.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    client_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUp(db.Model):
    """After the event: what a city made of a final recommendation."""

    __tablename__ = "capture_follow_ups"
    __table_args__ = (UniqueConstraint("recommendation_id", "city_id",
                                       name="uq_capture_follow_ups_recommendation_id_city_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("capture_entries.id", ondelete="CASCADE"))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    status: Mapped[FollowUpStatus] = mapped_column(value_enum(FollowUpStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    noted_on: Mapped[date] = mapped_column(Date)
    action_url: Mapped[str] = mapped_column(String(500), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    city = relationship("City")
    recommendation = relationship("Entry")
    updated_by = relationship("User")
