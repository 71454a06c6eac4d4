"""The background stage's email: each publication that changes the document tells the confirmed
participants (one message per version, so that a double click sends nothing twice). Its kind,
background_published, takes `document_url` and optionally `first_publication` (False: "has been
updated")."""

import hashlib

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.mail.kinds import Kind, register_kind

PUBLISHED = Kind("background_published", _l("Background document published: %(event)s"),
                 _l("Background document published"), "background/mail/background_published", ("document_url",))


def _document_version(document) -> str:
    content = "\0".join([document.published_markdown_en, document.published_markdown_fr,
                         document.published_pdf_stored_name or ""])
    return hashlib.sha256(content.encode()).hexdigest()[:16]


def _on_background_published(event, document=None, first_publication: bool = True, **_extra) -> None:
    from app.links import link_to
    from app.mail.recipients import Audience, participants_of
    from app.mail.services import queue_message

    context = {"document_url": link_to("background.show", slug=event.slug), "first_publication": first_publication}
    version = _document_version(document)
    for recipient in participants_of(event, Audience.ATTENDING):
        queue_message("background_published", recipient, event=event, context=context,
                      dedupe_key=f"background:{document.id}:{version}:{recipient.email.lower()}")


def init_app(app: Flask) -> None:
    from app.background.signals import background_published

    register_kind(app, PUBLISHED)
    background_published.connect(_on_background_published)
