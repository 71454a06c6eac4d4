"""The learning note's signals and email.

- When an event becomes finished, its draft note is generated (in the same transaction as the
  state change: the organiser finds it ready to write).
- Each published version (the first, and every correction) is emailed, in both languages, with
  its link, to every confirmed participant of the event and to the network's organisers (active
  organiser and administrator accounts): one message per person per version, whatever happens
  twice.
"""

import html
import json
import re

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.mail.kinds import Kind, register_kind

# Context: number (the version), change ({lang: what a correction changes}), note_urls and pdf_urls
# ({lang: absolute URL}), summary_html and summary_text ({lang: the executive summary, sanitised}):
# message_context() builds it from a published version.
PUBLISHED = Kind("learning_note_published", _l("Learning note published: %(event)s"), _l("Learning note published"),
                 "learning_note/mail/learning_note_published",
                 ("number", "change", "note_urls", "pdf_urls", "summary_html", "summary_text"))


def organisers() -> list:
    """The network's organisers: every active organiser and administrator account."""
    from sqlalchemy import select

    from app.auth.models import Role, User
    from app.extensions import db
    from app.mail.recipients import Recipient

    users = db.session.scalars(select(User).where(User.role.in_([Role.ORGANISER, Role.ADMIN]),
                                                  User.active.is_(True)).order_by(User.id))
    return [Recipient(user.email, user.name, user.preferred_language) for user in users]


def plain_text(safe_html: str) -> str:
    """Sanitised HTML as readable plain text, for the text part of a message."""
    text = re.sub(r"</(p|h\d|blockquote|pre|tr|ul|ol)>", "\n\n", safe_html)
    text = re.sub(r"<li[^>]*>", "- ", text)
    text = re.sub(r"</li>|<br\s*/?>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def message_context(event, version) -> dict:
    from app.learning_note.content import narrative_html, pick
    from app.links import link_to

    frozen = json.loads(version.content)
    summary = {lang: pick(frozen["narrative"]["executive_summary"], lang) for lang in ("en", "fr")}
    summary_html = {lang: narrative_html(value.text) for lang, value in summary.items()}
    return {
        "note_urls": {lang: link_to("learning_note.show", slug=event.slug, lang=lang) for lang in ("en", "fr")},
        "pdf_urls": {lang: link_to("learning_note.version_download", slug=event.slug, number=version.number,
                                   fmt="pdf", lang=lang) for lang in ("en", "fr")},
        "number": version.number,
        "change": {"en": version.change_en or version.change_fr, "fr": version.change_fr or version.change_en},
        "summary_html": summary_html,
        "summary_text": {lang: plain_text(value) for lang, value in summary_html.items()},
    }


def _on_note_published(event, version=None, **_extra) -> None:
    from app.mail.recipients import Audience, participants_of
    from app.mail.services import queue_message

    context = message_context(event, version)
    recipients: dict = {}
    for recipient in [*participants_of(event, Audience.ATTENDING), *organisers()]:
        recipients.setdefault(recipient.email.strip().lower(), recipient)
    for address, recipient in recipients.items():
        queue_message("learning_note_published", recipient, event=event, context=context,
                      dedupe_key=f"learning-note:{version.id}:{address}")


def _on_event_state_changed(event, change=None, **_extra) -> None:
    from app.events.models import EventState
    from app.learning_note.services import generate

    if change is not None and change.to_state is EventState.FINISHED:
        generate(None, event)


def init_app(app: Flask) -> None:
    from app.events.signals import event_state_changed
    from app.learning_note.signals import note_published

    register_kind(app, PUBLISHED)
    note_published.connect(_on_note_published)
    event_state_changed.connect(_on_event_state_changed)
