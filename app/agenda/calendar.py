"""The agenda in calendars: each item as a VEVENT with the UID, SEQUENCE and times that the
event's feed, a participant's personal feed, the item's own download and the invitations share."""

from collections.abc import Sequence
from datetime import UTC

from flask_babel import force_locale, ngettext
from icalendar import Event

from app.agenda.models import ItemKind
from app.calendar import LANGUAGES, FeedEntry, bilingual_text, full_lang_order, ical_time, ics_text, ics_uri, item_uid
from app.i18n import semicolon


def agenda_item_uid(item, uid_domain: str | None = None) -> str:
    return item_uid("agenda-item", item.id, uid_domain)


def _item_location(item, event) -> str:
    places = [item.room.strip()]
    if item.kind is not ItemKind.FIELD_VISIT:
        places.append(event.place)
    location = ", ".join(p for p in places if p)
    return location or item.online_url.strip()


def _item_description(item, lang_order: Sequence[str], url: str | None) -> str:
    parts = []
    for lang in lang_order:
        lines = []
        text = (getattr(item, f"description_{lang}") or "").strip()
        if text:
            lines.append(text)
        if shown := item.shown_presenters:
            with force_locale(lang):
                people = str(semicolon()).join(", ".join(v for v in (p.name, p.organisation, p.city) if v)
                                               for p in shown)
                lines.append(ngettext("Presenter: %(people)s", "Presenters: %(people)s", len(shown), people=people))
        if lines and "\n".join(lines) not in parts:
            parts.append("\n".join(lines))
    if item.online_url:
        parts.append(item.online_url)
    if url:
        parts.append(url)
    return "\n\n".join(parts)


def agenda_item_vevent(item, lang_order: Sequence[str] = LANGUAGES, *, uid_domain: str | None = None,
                       url: str | None = None, event=None) -> Event:
    """One agenda item as a VEVENT: stable UID, SEQUENCE from the item, times via ical_time().

    Reusable for feeds and for METHOD:REQUEST invitations (which add ORGANIZER and ATTENDEE).
    `url` is the agenda page; the item's online link, when it has one, is the event's URL.
    """
    from app.events.models import EventState

    event = event or item.event
    lang_order = full_lang_order(lang_order)
    vevent = Event()
    vevent.add("uid", agenda_item_uid(item, uid_domain))
    vevent.add("dtstamp", item.updated_at.astimezone(UTC))
    vevent.add("created", item.created_at.astimezone(UTC))
    vevent.add("last-modified", item.updated_at.astimezone(UTC))
    vevent.add("sequence", item.sequence)
    vevent.add("dtstart", ical_time(item.starts_at, event.timezone))
    vevent.add("dtend", ical_time(item.ends_at, event.timezone))
    vevent.add("summary", ics_text(bilingual_text(item, "title", lang_order), multiline=True))
    description = ics_text(_item_description(item, lang_order, url), multiline=True)
    if description:
        vevent.add("description", description)
    location = ics_text(_item_location(item, event), multiline=True)
    if location:
        vevent.add("location", location)
    if ics_uri(item.online_url or url):
        vevent.add("url", ics_uri(item.online_url or url))
    vevent.add("status", "CANCELLED" if event.state is EventState.CANCELLED else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    return vevent


def feed_entries(items, event, lang_order: Sequence[str], url: str | None) -> list[FeedEntry]:
    return [FeedEntry(agenda_item_vevent(item, lang_order, url=url, event=event), event.timezone,
                      (item.starts_at, item.ends_at)) for item in items]
