"""Published learning notes as the network library's documents (app/stages.py, LibrarySource).

One document per event: its latest published version, keyed by the event, so that a correction
replaces the note in the library (and in its Atom feed) rather than adding a second one. Its words
are the parts people wrote (executive summary first, for the excerpt); the recommendations are in
the library already, each on its own, through capture's source.

Publishing touches the event (`touch`), which the library watches anyway; the stamps and the
fingerprint below say it for the versions themselves, should a version be added another way.
"""

import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.events.models import Event, EventState
from app.extensions import db
from app.learning_note.content import pick
from app.learning_note.models import LANGUAGES, NoteVersion
from app.learning_note.notifications import plain_text
from app.markdown import render_markdown
from app.stages import LibraryDocument, LibrarySource

KIND = "learning_note"
# In the order the note shows them after the summary: the summary opens the result's excerpt.
SEARCHED_PARTS = ("executive_summary", "key_messages", "next_steps", "foreword")


def _latest_versions(event_ids: list[int]):
    latest = (select(NoteVersion.event_id, func.max(NoteVersion.number).label("number"))
              .where(NoteVersion.event_id.in_(event_ids)).group_by(NoteVersion.event_id).subquery())
    return (select(NoteVersion, Event.slug)
            .join(latest, (latest.c.event_id == NoteVersion.event_id) & (latest.c.number == NoteVersion.number))
            .join(Event, Event.id == NoteVersion.event_id)
            .where(Event.state != EventState.DRAFT).order_by(NoteVersion.event_id))


def _plain(markdown: str) -> str:
    return plain_text(render_markdown(markdown)) if markdown else ""


def _text(narrative: dict, lang: str) -> str:
    """The written parts in one language only (no stand-in from the other: the library marks a
    result shown in the other language itself)."""
    return "\n\n".join(text for text in (_plain((narrative.get(part) or {}).get(lang, "")) for part in SEARCHED_PARTS)
                       if text)


def documents(event_ids: list[int]) -> list[LibraryDocument]:
    """One query for any number of events."""
    found = []
    for version, slug in db.session.execute(_latest_versions(event_ids)):
        frozen = json.loads(version.content)
        narrative = frozen.get("narrative", {})
        recommendations = frozen.get("captured", {}).get("recommendations", [])
        theme = frozen.get("event", {}).get("theme", {})
        titles = {lang: pick(theme, lang).text for lang in LANGUAGES}
        found.append(LibraryDocument(
            kind=KIND, key=str(version.event_id), event_id=version.event_id,
            title_en=titles["en"], title_fr=titles["fr"],
            text_en=_text(narrative, "en"), text_fr=_text(narrative, "fr"),
            published_at=version.published_at, endpoint="learning_note.show", params={"slug": slug},
            facets={"area": sorted({code for rec in recommendations for code in rec.get("areas", [])}),
                    "sdg": sorted({code for rec in recommendations for code in rec.get("sdgs", [])})},
            details={"number": version.number},
        ))
    return found


def stamps() -> dict[int, str]:
    return {event_id: f"{number}/{published_at.isoformat()}" for event_id, number, published_at in db.session.execute(
        select(NoteVersion.event_id, func.max(NoteVersion.number), func.max(NoteVersion.published_at))
        .group_by(NoteVersion.event_id))}


def fingerprint() -> list:
    return [select(func.count(NoteVersion.id)).scalar_subquery(),
            select(func.max(NoteVersion.id)).scalar_subquery()]


SOURCE = LibrarySource(kind=KIND, label=_l("Learning notes"), item_label=_l("Learning note"),
                       documents=documents, stamps=stamps, fingerprint=fingerprint,
                       result_template="learning_note/_library_result.html", in_feed=True)
