"""The library's index: what the stages publish (LibrarySource, app/stages.py), copied per event so
that the network's library searches and filters it in a fixed number of queries.

The full-text part is no model: an FTS5 virtual table on SQLite, a tsvector table on PostgreSQL,
both named `library_fts` and made by migration 0090 (app/library/search.py writes and reads them).
Deleting a document deletes its full-text row (a trigger on SQLite, a cascading key on PostgreSQL).
"""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import utcnow
from app.extensions import db


class IndexedDocument(db.Model):
    """One published document as the library shows it (see app.stages.LibraryDocument)."""

    __tablename__ = "library_documents"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_library_documents_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title_en: Mapped[str] = mapped_column(String(500), default="")
    title_fr: Mapped[str] = mapped_column(String(500), default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(index=True)
    endpoint: Mapped[str] = mapped_column(String(80))
    params: Mapped[str] = mapped_column(Text, default="{}")
    anchor: Mapped[str] = mapped_column(String(80), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")

    event = relationship("Event")

    @property
    def detail(self) -> dict:
        return json.loads(self.details or "{}")

    @property
    def link_params(self) -> dict:
        return json.loads(self.params or "{}")


class IndexedFacet(db.Model):
    """A value a document can be filtered by: ("area", "coordination"), ("goal", "16"),
    ("sdg", "16.6"), ("year", "2017"), ("city", "lyon"), ("theme", …), ("actor", "local"),
    ("status", "in_progress")."""

    __tablename__ = "library_facets"
    __table_args__ = (Index("ix_library_facets_facet_value", "facet", "value"),)

    document_id: Mapped[int] = mapped_column(ForeignKey("library_documents.id", ondelete="CASCADE"),
                                             primary_key=True)
    facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)


class IndexState(db.Model):
    """What the index was built from: one stamp per (source kind, event), and the network's
    fingerprint under the scope "fingerprint". A stamp that changed means: read that event again."""

    __tablename__ = "library_index_state"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    stamp: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
