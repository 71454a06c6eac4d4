from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import utcnow
from app.extensions import db


class BackgroundDocument(db.Model):
    """One event's background document: the draft organisers edit, and the version participants see.

    Publishing copies the draft (Markdown, its sanitised HTML and the attached PDF) to the published
    side, so that editing after publication changes nothing public until the next publication.
    """

    __tablename__ = "background_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)

    draft_markdown_en: Mapped[str] = mapped_column(Text, default="")
    draft_markdown_fr: Mapped[str] = mapped_column(Text, default="")
    # A PDF is stored under UPLOAD_DIR by a random name; the name it was sent with is kept to serve it.
    draft_pdf_stored_name: Mapped[str | None] = mapped_column(String(80))
    draft_pdf_filename: Mapped[str] = mapped_column(String(255), default="")
    draft_pdf_size: Mapped[int | None] = mapped_column(Integer)
    draft_updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    published_markdown_en: Mapped[str] = mapped_column(Text, default="")
    published_markdown_fr: Mapped[str] = mapped_column(Text, default="")
    # Rendered and sanitised when published; sanitised again when shown.
    published_html_en: Mapped[str] = mapped_column(Text, default="")
    published_html_fr: Mapped[str] = mapped_column(Text, default="")
    published_pdf_stored_name: Mapped[str | None] = mapped_column(String(80))
    published_pdf_filename: Mapped[str] = mapped_column(String(255), default="")
    published_pdf_size: Mapped[int | None] = mapped_column(Integer)
    first_published_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()

    event = relationship("Event")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def has_unpublished_changes(self) -> bool:
        return (
            self.draft_markdown_en != self.published_markdown_en
            or self.draft_markdown_fr != self.published_markdown_fr
            or self.draft_pdf_stored_name != self.published_pdf_stored_name
        )

    def __repr__(self) -> str:
        return f"<BackgroundDocument event={self.event_id} published={self.is_published}>"
