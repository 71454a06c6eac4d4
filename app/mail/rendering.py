"""Bilingual messages: each kind's templates rendered once per language, assembled into one message
with the recipient's language first (subject, text part and HTML part)."""

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from app.i18n import format_date_range, format_local_datetime, french_elision, localized, title_in_sentence
from app.links import public_url
from app.mail.kinds import kind_named
from app.mail.recipients import Recipient

TEXT_SEPARATOR = "\n\n" + "-" * 60 + "\n\n"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str
    languages: list[str]


@dataclass(frozen=True)
class _Part:
    lang: str
    subject: str
    text: str
    html: Markup
    notice: str


def event_title(event, lang: str) -> str:
    return localized(event, "theme", lang).text if event is not None else ""


def _event_title_in_sentence(event, lang: str) -> str:
    if event is None:
        return ""
    city = event.host_city
    return title_in_sentence(event_title(event, lang), lang, (city.name_en or "", city.name_fr or ""))


def _tidy_text(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _context(kind: str, recipient: Recipient, event, context: dict, invitation, lang: str) -> dict:
    zone = event.timezone if event is not None else "UTC"
    values = dict(context)
    values.update(
        kind=kind, event=event, recipient=recipient, lang=lang, invitation=invitation,
        private_link=context.get("private_link") or recipient.private_link,
        # "%(title)s" stands inside sentences ("the agenda of %(title)s"); event_name stands alone.
        title=_event_title_in_sentence(event, lang),
        event_name=event_title(event, lang),
        when=lambda instant: format_local_datetime(instant, zone),
        change_title=lambda change: (getattr(change, f"title_{lang}", "") or change.title_en or change.title_fr),
        format_date_range=format_date_range,
    )
    if event is not None:
        values.update(
            event_url=public_url(f"/events/{event.slug}/"),
            city=getattr(event.host_city, f"name_{lang}") or event.host_city.name_en,
            start_date=format_date_range(event.start_date, None),
            place=(invitation.location if invitation is not None and invitation.location else event.place),
        )
        # An online-only event's calendar location is its meeting link, already given on its own line.
        if values["place"] and values["place"] == recipient.meeting_link:
            values["place"] = ""
    return values


def render_message(kind: str, recipient: Recipient, *, event=None, context: dict | None = None,
                   invitation=None) -> RenderedMessage:
    spec = kind_named(kind)
    languages = recipient.languages
    env = current_app.jinja_env
    text_template = env.get_template(f"{spec.template}.txt")
    html_template = env.get_template(f"{spec.template}.html")
    parts = []
    for lang in languages:
        with force_locale(lang):
            values = _context(kind, recipient, event, context or {}, invitation, lang)
            subject = str(spec.subject) % {"event": values["event_name"]}
            if lang == "fr":
                subject = french_elision(subject)
            parts.append(_Part(
                lang=lang,
                subject=subject,
                text=_tidy_text(text_template.render(values)),
                html=Markup(html_template.render(values)),  # noqa: S704 (autoescaped template output)
                # The pointer to the version in this language, shown at the top of the other one:
                # "English version below", in French "Version française ci-dessous".
                notice=_("English version below"),
            ))
    subject = " / ".join(dict.fromkeys(part.subject for part in parts))
    text_blocks = [f"[{parts[1].notice}]", *(part.text for part in parts)] if len(parts) > 1 else [parts[0].text]
    text = text_blocks[0] + "\n\n" + TEXT_SEPARATOR.join(text_blocks[1:]) + "\n"
    html = env.get_template("mail/_bilingual.html").render(parts=parts, subject=subject)
    return RenderedMessage(subject=subject, text=text, html=html, languages=languages)
