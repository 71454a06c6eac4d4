"""From the content model to what readers get: the page's context, the PDF and the Word document.

A published version's files are rendered once per language and kept (`NoteFile`), under a
fingerprint of what may still change in a frozen version: the participants who may be named.
"""

import hashlib
import json
import threading

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from app.capture.labels import ACTOR_LEVEL_LABELS, FOLLOW_UP_LABELS
from app.events.models import Event
from app.extensions import db
from app.i18n import FALLBACK_NOTES
from app.learning_note import sources
from app.learning_note.content import NoteView, draft_content
from app.learning_note.labels import PARTICIPATION_LABELS, SECTION_TITLES
from app.learning_note.models import LANGUAGES, Note, NoteFile, NoteVersion
from app.links import link_to

# Raise when the templates of the PDF or the Word document change: files kept from before are
# rendered again.
OUTPUT_REVISION = 1
FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

UNTRANSLATED_NOTES = {
    "en": _l("This part has not been translated yet: it is shown in English."),
    "fr": _l("This part has not been translated yet: it is shown in French."),
}


def local_date(instant, zone_name: str):
    from app.timezones import utc_to_local

    return utc_to_local(instant, zone_name).date()


def template_context() -> dict:
    from app.pdf import static_url

    return dict(fallback_notes=FALLBACK_NOTES, untranslated_notes=UNTRANSLATED_NOTES,
                actor_levels=ACTOR_LEVEL_LABELS, follow_up_labels=FOLLOW_UP_LABELS,
                participation_labels=PARTICIPATION_LABELS, section_titles=SECTION_TITLES, static_url=static_url,
                local_date=local_date)


def version_view(event: Event, version: NoteVersion, lang: str) -> NoteView:
    content = json.loads(version.content)
    listed = sources.still_listed(event, [person["id"] for person in content["captured"].get("listed", [])])
    return NoteView(content, lang, listed)


def draft_view(event: Event, note: Note, lang: str) -> NoteView:
    content = draft_content(note, event)
    listed = sources.still_listed(event, [person["id"] for person in content["captured"].get("listed", [])])
    return NoteView(content, lang, listed)


def note_url(event: Event, number: int | None = None) -> str:
    if number is None:
        return link_to("learning_note.show", slug=event.slug)
    return link_to("learning_note.version", slug=event.slug, number=number)


def print_html(view: NoteView, url: str | None) -> str:
    """The print document, rendered by the template environment itself (as messages are), so that
    it renders alike in a request and in the background thread."""
    template = current_app.jinja_env.get_template("learning_note/print.html")
    with force_locale(view.lang):
        return template.render(note=view, note_url=url, **template_context())


def render_file(view: NoteView, fmt: str, url: str | None) -> bytes:
    if fmt == "pdf":
        from app.pdf import render_pdf_bounded

        return render_pdf_bounded(print_html(view, url))
    from app.learning_note.word import build_docx

    return build_docx(view, url)


def _fingerprint(consenting: list[int]) -> str:
    return hashlib.sha256(f"{OUTPUT_REVISION}:{consenting}".encode()).hexdigest()


def version_file(event: Event, version: NoteVersion, lang: str, fmt: str) -> bytes:
    """The PDF or Word document of a published version: kept from an earlier request, or rendered
    now and kept (in the caller's transaction; the route commits). A kept file serves while the
    event's consenting participants are those it was made with (two queries, the version's content
    not even read); otherwise it is made again, naming only those who still consent."""
    consenting = sources.consenting_ids(event)
    fingerprint = _fingerprint(consenting)
    kept = db.session.get(NoteFile, (version.id, lang, fmt))
    if kept is not None and kept.fingerprint == fingerprint:
        return kept.data
    content = json.loads(version.content)
    data = render_file(NoteView(content, lang, set(consenting)), fmt, note_url(event, version.number))
    try:
        with db.session.begin_nested():
            db.session.execute(delete(NoteFile).where(NoteFile.version_id == version.id, NoteFile.lang == lang,
                                                      NoteFile.format == fmt))
            db.session.add(NoteFile(version_id=version.id, lang=lang, format=fmt, fingerprint=fingerprint, data=data))
    except IntegrityError:  # kept meanwhile by a simultaneous request: theirs is as good
        pass
    return data


def file_name(event: Event, number: int | None, lang: str, fmt: str) -> str:
    version = f"-v{number}" if number else "-draft"
    return f"learning-note-{event.slug}{version}-{lang}.{fmt}"[:150]


def pdf_limits() -> dict:
    config = current_app.config
    return {"timeout": config.get("LEARNING_NOTE_PDF_TIMEOUT"), "max_bytes": config.get("LEARNING_NOTE_PDF_MAX_BYTES")}


def warm_files_later(app, event_id: int, version_id: int) -> None:
    """After a publication (its commit done): render the new version's PDF and Word document in
    both languages in a background thread, so that no reader waits for them. The PDF itself
    renders in its bounded child process; a failure leaves the file to the first request.
    `LEARNING_NOTE_WARM_FILES` (default: on, off under tests) turns it off."""
    if not app.config.get("LEARNING_NOTE_WARM_FILES", not app.testing):
        return
    threading.Thread(target=_warm, args=(app, event_id, version_id), name="learning-note-files", daemon=True).start()


def _warm(app, event_id: int, version_id: int) -> None:
    with app.app_context():
        try:
            event = db.session.get(Event, event_id)
            version = db.session.get(NoteVersion, version_id)
            if event is None or version is None:
                return
            for lang in LANGUAGES:
                for fmt in FORMATS:
                    version_file(event, version, lang, fmt)
                    db.session.commit()
        except Exception:  # a background nicety: the first request renders what is missing
            db.session.rollback()
            app.logger.exception("learning note %s v%s: files not rendered in advance", event_id, version_id)
        finally:
            db.session.remove()
