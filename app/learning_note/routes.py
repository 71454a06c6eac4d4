"""The note's public pages (blueprint `learning_note`): the latest version at
`/events/<slug>/learning-note`, each version at `…/learning-note/v<number>`, and beside each its
PDF and Word document (`.pdf`, `.docx`) in the reader's language (`?lang=en|fr`)."""

import hashlib

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from app.events.access import public_event
from app.events.models import Event
from app.extensions import db
from app.i18n import current_language
from app.learning_note import queries, render
from app.learning_note.models import NoteVersion
from app.page_cache import cached_page, event_page_fingerprint
from app.pdf import RenderFailed

bp = Blueprint("learning_note", __name__)


def _page(event: Event, version: NoteVersion, latest_number: int):
    view = render.version_view(event, version, current_language())
    return render_template("learning_note/show.html", event=event, note=view, version=version,
                           latest_number=latest_number, versions=queries.versions_of(event),
                           **render.template_context())


@bp.get("/events/<slug>/learning-note")
@cached_page(event_page_fingerprint)
def show(slug: str):
    event = public_event(slug)
    version = queries.latest_version(event)
    if version is None:
        return render_template("learning_note/show.html", event=event, note=None), 404
    return _page(event, version, version.number)


@bp.get("/events/<slug>/learning-note/v<int:number>")
@cached_page(event_page_fingerprint)
def version(slug: str, number: int):
    event = public_event(slug)
    found = queries.version_of(event, number)
    if found is None:
        abort(404)
    return _page(event, found, queries.latest_number(event))


def _file_response(event: Event, version: NoteVersion, fmt: str):
    lang = current_language()
    try:
        data = render.version_file(event, version, lang, fmt)
    except RenderFailed as error:
        db.session.rollback()
        current_app.logger.error("learning note %s v%s (%s) not rendered: %s", event.slug, version.number, lang, error)
        abort(503, _("The PDF could not be made just now. Try again in a moment."))
    db.session.commit()  # the file just rendered is kept for the next reader
    response = Response(data, mimetype=render.FORMATS[fmt])
    disposition = "inline" if fmt == "pdf" else "attachment"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{render.file_name(event, version.number, lang, fmt)}"')
    response.headers["Content-Language"] = lang
    response.set_etag(hashlib.blake2b(data, digest_size=12).hexdigest())
    response.cache_control.max_age = 300 if event.is_public else 0
    if event.is_public:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response.make_conditional(request)


@bp.get("/events/<slug>/learning-note.<any(pdf, docx):fmt>")
def download(slug: str, fmt: str):
    event = public_event(slug)
    version = queries.latest_version(event, with_content=False)
    if version is None:
        abort(404)
    return _file_response(event, version, fmt)


@bp.get("/events/<slug>/learning-note/v<int:number>.<any(pdf, docx):fmt>")
def version_download(slug: str, number: int, fmt: str):
    event = public_event(slug)
    version = queries.version_of(event, number, with_content=False)
    if version is None:
        abort(404)
    return _file_response(event, version, fmt)
