"""iCalendar building: pure functions from our data to calendars that every client reads alike.

The shared core lives here: a calendar with our PRODID, and VTIMEZONE components written the way
all three parsers we test with (python icalendar, vobject, Mozilla's ical.js) read them the same:
one observance per clock change, each with a single DTSTART, no RRULE and no RDATE lists.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, current_app, has_app_context
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText

PRODID = "-//MC2CM network//Peer-learning events//EN"
# Clock changes written around the instants a calendar uses, so that recurring views and clients
# that look a little before or after still find the right offset.
TIMEZONE_MARGIN = timedelta(days=366)


# Morocco moves its clocks around Ramadan, on dates set by the lunar calendar and announced late.
# Widely deployed zone databases get them wrong (pytz, which vobject uses whatever the VTIMEZONE
# says, has Casablanca an hour off from late 2026 on), so its times are written as UTC instants,
# which every client reads right and shows in its user's own zone.
UTC_WRITTEN_ZONES = frozenset({"Africa/Casablanca", "Africa/El_Aaiun"})


def ical_time(instant: datetime, zone_name: str) -> datetime:
    """The value to give DTSTART/DTEND: wall-clock time with its TZID, or UTC where clients
    cannot be trusted with the zone's rules."""
    if zone_name in UTC_WRITTEN_ZONES or zone_name == "UTC":
        return instant.astimezone(UTC)
    return instant.astimezone(ZoneInfo(zone_name))


# What a person typed must not break a content line or confuse a parser: every C0 control (CR and
# LF among them), DEL, NEL and the Unicode line and paragraph separators. In invitations, one-line
# values (SUMMARY, LOCATION) get a space for each run of them; a DESCRIPTION keeps its line breaks
# as "\n" (written escaped, as RFC 5545 wants). Feeds keep line breaks, escaped, in every text, as
# they always did (tests/agenda/test_feeds.py), and lose the other controls.
_CONTROLS = re.compile(r" *[\x00-\x1f\x7f\x85\u2028\u2029]+ *")
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")


def ics_text(value: str | None, *, multiline: bool = False) -> str:
    """A TEXT value safe to write into a .ics, whatever it contains."""
    value = value or ""
    if multiline:
        return "\n".join(_CONTROLS.sub(" ", line) for line in _LINE_BREAKS.split(value)).strip()
    return _CONTROLS.sub(" ", value).strip()


def ics_uri(value: str | None) -> str:
    """A URI value without the control characters a typed link may carry."""
    return _CONTROLS.sub("", value or "").strip()


# How often subscribers should fetch a feed again (RFC 7986 REFRESH-INTERVAL; X-PUBLISHED-TTL for
# Outlook and older clients): often enough that a moved session reaches them the same day.
FEED_REFRESH = timedelta(hours=1)


def new_calendar(method: str | None = None, name: str | None = None, feed: bool = False) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", ics_text(name))
    if feed:
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    return calendar


def _offset_at(tz: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(tz).utcoffset()


def clock_changes(zone_name: str, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants in [start, end] at which the zone's offset changes, to the minute."""
    tz = ZoneInfo(zone_name)
    changes = []
    day = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    end = end.astimezone(UTC)
    while day < end:
        next_day = day + timedelta(days=1)
        if _offset_at(tz, day) != _offset_at(tz, next_day):
            low, high = day, next_day
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    break
                if _offset_at(tz, middle) == _offset_at(tz, low):
                    low = middle
                else:
                    high = middle
            changes.append(high)
        day = next_day
    return changes


def _observance(tz: ZoneInfo, onset: datetime, offset_from: timedelta) -> Timezone:
    local = onset.astimezone(tz)
    component = TimezoneDaylight() if local.dst() and local.dst() > timedelta(0) else TimezoneStandard()
    component.add("dtstart", (onset + offset_from).replace(tzinfo=None))
    component.add("tzoffsetfrom", offset_from)
    component.add("tzoffsetto", local.utcoffset())
    name = local.tzname()
    if name:
        component.add("tzname", name)
    return component


def vtimezone(zone_name: str, instants: Iterable[datetime]) -> Timezone:
    """A VTIMEZONE for `zone_name` that is right for every one of `instants` (and a year around)."""
    instants = sorted(i.astimezone(UTC) for i in instants)
    if not instants:
        raise ValueError("a VTIMEZONE needs at least one instant to cover")
    tz = ZoneInfo(zone_name)
    start = instants[0] - TIMEZONE_MARGIN
    end = instants[-1] + TIMEZONE_MARGIN
    timezone = Timezone()
    timezone.add("tzid", zone_name)
    first_offset = _offset_at(tz, start)
    timezone.add_component(_observance(tz, start.replace(hour=0, minute=0, second=0, microsecond=0), first_offset))
    offset = first_offset
    for change in clock_changes(zone_name, start, end):
        timezone.add_component(_observance(tz, change, offset))
        offset = _offset_at(tz, change)
    return timezone


def add_timezones(calendar: Calendar, instants_by_zone: dict[str, list[datetime]]) -> None:
    """One VTIMEZONE per zone that the calendar's events use, placed before the events: a parser
    that meets a TZID before its VTIMEZONE (vobject) falls back to its own, possibly stale, zone
    data (pytz has Casablanca wrong from 2027 on)."""
    zones = [vtimezone(name, instants) for name, instants in sorted(instants_by_zone.items())
             if name != "UTC" and name not in UTC_WRITTEN_ZONES and instants]
    calendar.subcomponents[0:0] = zones


def to_ics(calendar: Calendar) -> bytes:
    return calendar.to_ical()


ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def ics_response(calendar: Calendar, filename: str | None = None, public: bool = True) -> Response:
    """A calendar as a download or a feed. Anything not public (a draft previewed by staff, a
    participant's own calendar) must never sit in a shared cache."""
    response = Response(to_ics(calendar), content_type=ICS_CONTENT_TYPE)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


# Feeds of the agenda and of the network. Each builder is a pure function of the rows it is given:
# routes pass the addresses (they need a request) and the language order (the viewer's first).

DEFAULT_UID_DOMAIN = "mc2cm-events.local"
LANGUAGES = ("en", "fr")


def _in_order(values: dict[str, str], lang_order: Sequence[str]) -> list[str]:
    """The non-empty values in the language order, each said once."""
    seen: list[str] = []
    for lang in lang_order:
        value = (values.get(lang) or "").strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def bilingual_text(obj, field: str, lang_order: Sequence[str] = LANGUAGES, separator: str = " / ") -> str:
    return separator.join(_in_order({lang: getattr(obj, f"{field}_{lang}", "") for lang in LANGUAGES}, lang_order))


def full_lang_order(lang_order: Sequence[str]) -> tuple[str, ...]:
    return tuple(lang_order) + tuple(lang for lang in LANGUAGES if lang not in lang_order)


def item_uid(kind: str, item_id: int | str, uid_domain: str | None = None) -> str:
    """The stable UID of one calendar item (an event, an agenda item, a field visit). Feeds and
    invitations use the same one, so that a calendar matches an update to what it already has."""
    if uid_domain is None:
        uid_domain = current_app.config["ICAL_UID_DOMAIN"] if has_app_context() else DEFAULT_UID_DOMAIN
    return f"{kind}-{item_id}@{uid_domain}"


def event_uid(event, uid_domain: str | None = None) -> str:
    return item_uid("event", event.id, uid_domain)


def event_allday_vevent(event, lang_order: Sequence[str] = LANGUAGES, *, uid_domain: str | None = None,
                        url: str | None = None, sequence: int = 0) -> Event:
    """A whole event as an all-day VEVENT over its days (dates, so no time zone is involved)."""
    from app.events.models import EventState

    lang_order = full_lang_order(lang_order)
    city = event.host_city
    vevent = Event()
    vevent.add("uid", event_uid(event, uid_domain))
    vevent.add("dtstamp", event.updated_at.astimezone(UTC))
    vevent.add("last-modified", event.updated_at.astimezone(UTC))
    vevent.add("sequence", sequence)
    vevent.add("dtstart", event.start_date)
    vevent.add("dtend", event.end_date + timedelta(days=1))
    theme = bilingual_text(event, "theme", lang_order)
    city_name = " / ".join(_in_order({"en": city.name_en, "fr": city.name_fr}, lang_order))
    vevent.add("summary", ics_text(f"{theme} ({city_name})" if theme else city_name, multiline=True))
    summary = bilingual_text(event, "summary", lang_order, separator="\n\n")
    description = ics_text("\n\n".join(part for part in (summary, url) if part), multiline=True)
    if description:
        vevent.add("description", description)
    vevent.add("location", ics_text(event.venue_address(city.name_en), multiline=True))
    if ics_uri(url):
        vevent.add("url", ics_uri(url))
    vevent.add("status", "CANCELLED" if event.state is EventState.CANCELLED else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")
    return vevent


@dataclass(frozen=True)
class FeedEntry:
    """One VEVENT a stage puts in a feed, with the instants its VTIMEZONE must cover (none for
    whole days)."""

    vevent: Event
    zone_name: str = "UTC"
    instants: tuple = ()


def event_calendar(event, entries: Sequence[FeedEntry], lang_order: Sequence[str] = LANGUAGES, *,
                   uid_domain: str | None = None, url: str | None = None, sequence: int = 0) -> Calendar:
    """An event's feed: what its stages put in it (sessions, visits…), or the event over its days
    while they have nothing yet (with `sequence`, the SEQUENCE its invitations were last sent with)."""
    lang_order = full_lang_order(lang_order)
    calendar = new_calendar(name=bilingual_text(event, "theme", lang_order) or event.slug, feed=True)
    if not entries:
        calendar.add_component(event_allday_vevent(event, lang_order, uid_domain=uid_domain, url=url,
                                                   sequence=sequence))
        return calendar
    instants: dict[str, list[datetime]] = {}
    for entry in entries:
        calendar.add_component(entry.vevent)
        if entry.instants:
            instants.setdefault(entry.zone_name, []).extend(entry.instants)
    add_timezones(calendar, instants)
    return calendar


def network_calendar(events, event_url: Callable[[object], str] | None = None,
                     lang_order: Sequence[str] = LANGUAGES, *, uid_domain: str | None = None,
                     name: str = "MC2CM", sequences: dict | None = None) -> Calendar:
    """Every public event of the network, each over its days (`sequences`: by UID, the SEQUENCE its
    invitations were last sent with)."""
    calendar = new_calendar(name=name, feed=True)
    sequences = sequences or {}
    for event in events:
        uid = event_uid(event, uid_domain)
        calendar.add_component(event_allday_vevent(event, lang_order, uid_domain=uid_domain,
                                                   url=event_url(event) if event_url else None,
                                                   sequence=sequences.get(uid, 0)))
    return calendar


# Invitations: one VEVENT sent to one attendee by email (iTIP, RFC 5546).

_PARAM_UNSAFE = str.maketrans(dict.fromkeys('"\r\n\t\x0b\x0c\x00\x85\u2028\u2029', " "))


def safe_param(value: str) -> str:
    """A value that can stand in an iCalendar parameter (CN): no double quote, no line break,
    no control character, whatever a participant typed as their name."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in value.translate(_PARAM_UNSAFE))
    return " ".join(cleaned.split())


@dataclass(frozen=True)
class Person:
    name: str
    email: str


def _address(person: Person, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    name = safe_param(person.name)
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def invitation(method: str, uid: str, sequence: int, summary_by_lang: dict[str, str],
               description_by_lang: dict[str, str], start: date | datetime, end: date | datetime, zone_name: str,
               location: str, url: str, organizer: Person, attendee: Person, status: str | None = None,
               languages: Iterable[str] = ("en", "fr"), dtstamp: datetime | None = None) -> Calendar:
    """A METHOD:REQUEST (or CANCEL) calendar with one VEVENT for one attendee.

    `start`/`end` are UTC instants (shown in `zone_name`, with its VTIMEZONE) or, for a whole-day
    item, dates (`end` is the last day, inclusive). Texts come in the `languages` order, joined.
    """
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    status = (status or ("CANCELLED" if method == "CANCEL" else "CONFIRMED")).upper()
    languages = list(languages)
    calendar = new_calendar(method=method)
    vevent = Event()
    vevent.add("uid", uid)
    vevent.add("dtstamp", (dtstamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0))
    vevent.add("sequence", sequence)
    if isinstance(start, datetime):
        vevent.add("dtstart", ical_time(start, zone_name))
        vevent.add("dtend", ical_time(end, zone_name))
        add_timezones(calendar, {zone_name: [start, end]})
    else:
        vevent.add("dtstart", start)
        vevent.add("dtend", end + timedelta(days=1))
    summary = " / ".join(dict.fromkeys(summary_by_lang[lang] for lang in languages if summary_by_lang.get(lang)))
    vevent.add("summary", ics_text(summary))
    description = "\n\n".join(description_by_lang[lang] for lang in languages if description_by_lang.get(lang))
    description = ics_text(description, multiline=True)
    if description:
        vevent.add("description", description)
    if ics_text(location):
        vevent.add("location", ics_text(location))
    if ics_uri(url):
        vevent.add("url", ics_uri(url))
    vevent.add("status", status)
    vevent.add("transp", "OPAQUE")
    vevent.add("organizer", _address(organizer))
    if method == "CANCEL":
        vevent.add("attendee", _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION"))
    else:
        vevent.add("attendee", _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"))
    calendar.add_component(vevent)
    return calendar
