"""The field visit in calendars: one VEVENT per visit, with the UID, SEQUENCE, times and LOCATION
(the meeting point) that the event's feed, a participant's personal feed and the invitations share.
SEQUENCE is the one the invitations were last sent with (app.mail.services.tracked_sequences)."""

from collections.abc import Sequence
from datetime import UTC

from icalendar import Event as VEvent

from app.calendar import FeedEntry, bilingual_text, full_lang_order, ical_time, ics_text, ics_uri, item_uid
from app.i18n import localized
from app.links import link_to

LABELS = {
    "meeting": {"en": "Meeting point", "fr": "Point de rendez-vous"},
    "return": {"en": "Return", "fr": "Retour"},
    "bring": {"en": "What to bring", "fr": "À prévoir"},
    "stops": {"en": "Stops", "fr": "Étapes"},
}


def _labelled(key: str, lang: str, value: str) -> str:
    """"Meeting point: …", "Point de rendez-vous : …": French puts a no-break space before the colon."""
    colon = "\u00a0:" if lang == "fr" else ":"
    return f"{LABELS[key][lang]}{colon} {value}"


def visit_uid(visit) -> str:
    return item_uid("field-visit", visit.id)


def meeting_location(visit) -> str:
    """Where the group meets, as LOCATION says it: the place and its address (an online visit: its link)."""
    place = ", ".join(part for part in (visit.meeting_point, visit.meeting_address) if part)
    return place or visit.online_url


def visit_url(visit) -> str:
    return f"{link_to('field_visit.show', slug=visit.event.slug)}#visit-{visit.id}"


def _description(visit, lang_order: Sequence[str]) -> str:
    parts = []
    for lang in lang_order:
        lines = []
        text = (getattr(visit, f"description_{lang}") or "").strip()
        if text:
            lines.append(text)
        if visit.stops:
            separator = "\u00a0; " if lang == "fr" else "; "
            lines.append(_labelled("stops", lang, separator.join(stop.place for stop in visit.stops)))
        where = meeting_location(visit)
        if where:
            lines.append(_labelled("meeting", lang, where))
        if visit.return_place:
            lines.append(_labelled("return", lang, visit.return_place))
        bring = (getattr(visit, f"what_to_bring_{lang}") or "").strip()
        if bring:
            lines.append(_labelled("bring", lang, bring))
        block = "\n".join(lines)
        if block and block not in parts:
            parts.append(block)
    return "\n\n".join(parts)


def visit_vevent(visit, lang_order: Sequence[str], sequence: int, url: str | None = None) -> VEvent:
    from app.events.models import EventState

    event = visit.event
    lang_order = full_lang_order(lang_order)
    vevent = VEvent()
    vevent.add("uid", visit_uid(visit))
    vevent.add("dtstamp", visit.updated_at.astimezone(UTC))
    vevent.add("created", visit.created_at.astimezone(UTC))
    vevent.add("last-modified", visit.updated_at.astimezone(UTC))
    vevent.add("sequence", sequence)
    vevent.add("dtstart", ical_time(visit.meets_at, event.timezone))
    vevent.add("dtend", ical_time(visit.returns_at, event.timezone))
    vevent.add("summary", ics_text(bilingual_text(visit, "title", lang_order), multiline=True))
    description = ics_text("\n\n".join(p for p in (_description(visit, lang_order), url) if p), multiline=True)
    if description:
        vevent.add("description", description)
    location = ics_text(meeting_location(visit))
    if location:
        vevent.add("location", location)
    if ics_uri(visit.online_url or url):
        vevent.add("url", ics_uri(visit.online_url or url))
    vevent.add("status", "CANCELLED" if event.state is EventState.CANCELLED else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    return vevent


def feed_entries(visits, lang_order: Sequence[str]) -> list[FeedEntry]:
    from app.mail.services import tracked_sequences

    sequences = tracked_sequences(visit_uid(v) for v in visits)
    return [FeedEntry(visit_vevent(v, lang_order, sequences.get(visit_uid(v), 0), visit_url(v)), v.event.timezone,
                      (v.meets_at, v.returns_at)) for v in visits]


def visit_invitation(visit, *, cancelled: bool = False):
    """The invitation to one visit: its own UID, the meeting point as LOCATION, from the meeting to
    the return. SEQUENCE rises whenever the time or the meeting point changes (or it is cancelled)."""
    from app.mail.services import Invitation

    return Invitation(
        uid=visit_uid(visit),
        summary_by_lang={lang: localized(visit, "title", lang).text for lang in ("en", "fr")},
        description_by_lang={lang: _description(visit, [lang]) for lang in ("en", "fr")},
        start=visit.meets_at, end=visit.returns_at, zone_name=visit.event.timezone,
        location=meeting_location(visit), url=visit_url(visit), method="CANCEL" if cancelled else "REQUEST",
    )
