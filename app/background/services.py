"""Writing and publishing the background document. Flush, never commit."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from app import uploads
from app.auth.permissions import can_manage_event
from app.background.models import BackgroundDocument
from app.background.queries import document_of
from app.background.signals import background_published
from app.db_types import utcnow
from app.domain import Checks, DomainError, PermissionDenied
from app.events.models import Event
from app.events.services import touch
from app.extensions import db
from app.markdown import render_markdown

UPLOAD_FOLDER = "background"
MARKDOWN_MAX_LENGTH = 100_000


@dataclass
class PdfUpload:
    """A file as it arrived: its bytes (read up to one byte past the limit) and the name it was sent with."""

    data: bytes
    filename: str


@dataclass
class BackgroundInput:
    markdown_en: str
    markdown_fr: str
    pdf: PdfUpload | None = None
    remove_pdf: bool = False


def pdf_limit() -> int:
    return current_app.config["BACKGROUND_PDF_MAX_BYTES"]


def check_pdf(upload: PdfUpload) -> None:
    """A real PDF by its content (header and end-of-file marker), not by its name, within the size limit."""
    limit = pdf_limit()
    if len(upload.data) > limit:
        raise DomainError(
            _l("This file is larger than %(size)s MB, the largest PDF accepted. Make it smaller "
               "(for example by exporting it again with compressed images) and choose it again.",
               size=f"{limit / (1024 * 1024):g}"),
            field="pdf",
        )
    if not upload.data:
        raise DomainError(_l("This file is empty. Choose the PDF again."), field="pdf")
    if not upload.data.startswith(b"%PDF-") or b"%%EOF" not in upload.data[-2048:]:
        raise DomainError(
            _l("This file is not a PDF, whatever its name says. Export the document as PDF and choose it again."),
            field="pdf",
        )


def _check_permission(actor, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_l("Only the organisers of this event's host city can change its background document."))


def save_background(actor, event: Event, data: BackgroundInput, *, publish: bool = False,
                    now: datetime | None = None) -> BackgroundDocument:
    """Save the draft; with `publish`, also make it the version participants see."""
    _check_permission(actor, event)
    checks = Checks()
    for lang in ("en", "fr"):
        if len(getattr(data, f"markdown_{lang}")) > MARKDOWN_MAX_LENGTH:
            checks.refuse(_l("The text is too long (at most %(count)d characters).", count=MARKDOWN_MAX_LENGTH),
                          field=f"markdown_{lang}")
    if data.pdf is not None:
        checks.run(lambda: check_pdf(data.pdf))
    checks.raise_any()
    now = now or utcnow()
    document = document_of(event)
    if document is None:
        document = BackgroundDocument(event_id=event.id, draft_markdown_en="", draft_markdown_fr="")
        db.session.add(document)
    document.draft_markdown_en = data.markdown_en.strip()
    document.draft_markdown_fr = data.markdown_fr.strip()
    if data.pdf is not None or data.remove_pdf:
        _replace_draft_pdf(document, data.pdf)
    document.draft_updated_at = now
    db.session.flush()
    if publish:
        publish_background(actor, event, now=now)
    return document


def _replace_draft_pdf(document: BackgroundDocument, upload: PdfUpload | None) -> None:
    old = document.draft_pdf_stored_name
    if upload is None:
        document.draft_pdf_stored_name, document.draft_pdf_filename, document.draft_pdf_size = None, "", None
    else:
        document.draft_pdf_stored_name = uploads.store(db.session(), UPLOAD_FOLDER, upload.data, "pdf")
        document.draft_pdf_filename = (upload.filename or "")[:255]
        document.draft_pdf_size = len(upload.data)
    if old and old != document.published_pdf_stored_name:
        uploads.discard_after_commit(db.session(), UPLOAD_FOLDER, old)


def publish_background(actor, event: Event, now: datetime | None = None) -> BackgroundDocument:
    """Make the draft the published version and announce it (the mail work emails participants)."""
    _check_permission(actor, event)
    document = document_of(event)
    if document is None or not (document.draft_markdown_en or document.draft_markdown_fr):
        raise DomainError(_l("Write the background document in at least one language before publishing it."),
                          field="markdown_en")
    now = now or utcnow()
    touch(event)
    old_pdf = document.published_pdf_stored_name
    first = document.first_published_at is None
    document.published_markdown_en = document.draft_markdown_en
    document.published_markdown_fr = document.draft_markdown_fr
    document.published_html_en = render_markdown(document.draft_markdown_en)
    document.published_html_fr = render_markdown(document.draft_markdown_fr)
    document.published_pdf_stored_name = document.draft_pdf_stored_name
    document.published_pdf_filename = document.draft_pdf_filename
    document.published_pdf_size = document.draft_pdf_size
    document.published_at = now
    if first:
        document.first_published_at = now
    if old_pdf and old_pdf != document.published_pdf_stored_name:
        uploads.discard_after_commit(db.session(), UPLOAD_FOLDER, old_pdf)
    db.session.flush()
    background_published.send(event, document=document, first_publication=first)
    return document


def copy_background(duplication) -> BackgroundDocument | None:
    """The background document of a duplicated event (app.stages.Duplication), as a draft: its
    latest text and PDF, to be reviewed and published for the new event."""
    source = document_of(duplication.source)
    if source is None:
        return None
    document = BackgroundDocument(event_id=duplication.target.id, draft_markdown_en=source.draft_markdown_en,
                                  draft_markdown_fr=source.draft_markdown_fr)
    if source.draft_pdf_stored_name:
        path = uploads.path_of(UPLOAD_FOLDER, source.draft_pdf_stored_name)
        if path.is_file():  # a copy of its own: either event may replace or drop it later
            document.draft_pdf_stored_name = uploads.store(db.session(), UPLOAD_FOLDER, path.read_bytes(), "pdf")
            document.draft_pdf_filename = source.draft_pdf_filename
            document.draft_pdf_size = source.draft_pdf_size
    db.session.add(document)
    db.session.flush()
    return document
