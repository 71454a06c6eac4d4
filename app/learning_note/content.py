"""The note's one content model: a JSON structure with both languages, and its view in one language.

- `build_captured(event)`: what the meeting produced, from the capture stage's data (stored on
  the draft at each generation).
- `draft_content(note, event)` / `freeze(...)`: the whole note (the event's facts, the written
  parts, the captured parts and, once published, its number and corrections), as a version
  stores it.
- `NoteView(content, lang, listed_ids)`: that structure as one language reads it, each text with
  its language and whether it stands in for a missing translation. The page, the PDF and the
  Word document all render a NoteView.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_date

from app.capture.models import EntryKind
from app.capture.reference import sdgs
from app.events.models import Event
from app.i18n import LocalizedText, first_of_month
from app.learning_note import sources
from app.learning_note.models import LANGUAGES, NARRATIVE_PARTS, Note
from app.markdown import render_markdown, safe_html
from app.timezones import utc_to_local

SCHEMA = 1


def _both(obj, name: str) -> dict[str, str]:
    return {lang: (getattr(obj, f"{name}_{lang}", "") or "").strip() for lang in LANGUAGES}


def _entry(entry) -> dict:
    return {"id": entry.id, "title": _both(entry, "title"), "text": _both(entry, "text")}


def _city_names(entry) -> dict[str, str]:
    if entry.city is not None:
        return {"en": entry.city.name_en, "fr": entry.city.name_fr or entry.city.name_en}
    return {"en": entry.city_other.strip(), "fr": entry.city_other.strip()}


def build_captured(event: Event, now: datetime | None = None) -> dict:
    """The parts of the note that come from the meeting, as the capture stage holds them now."""
    found = sources.entries(event)
    ranked = sources.final_recommendations(event)
    areas: dict[str, dict[str, str]] = {}
    recommendations = []
    for row in ranked:
        entry = row.entry
        for area in entry.policy_areas:
            areas.setdefault(area.code, {"en": area.name_en, "fr": area.name_fr or area.name_en})
        recommendations.append({
            **_entry(entry), "rank": row.rank, "areas": [area.code for area in entry.policy_areas],
            "sdgs": entry.sdg_codes, "actor_level": entry.actor_level.value if entry.actor_level else None,
            "actor": entry.actor.strip(), "dots": row.dots, "endorsers": row.endorsers,
        })
    rank_of = {row.entry.id: row.rank for row in ranked}
    context, context_source = sources.background_context(event)
    return {
        "schema": SCHEMA,
        "generated_at": now.isoformat() if now else None,
        "context": context,
        "context_source": context_source,
        "challenges": [_entry(e) for e in found[EntryKind.CHALLENGE]],
        "opportunities": [_entry(e) for e in found[EntryKind.OPPORTUNITY]],
        "cases": [{**_entry(e), "city": _city_names(e), "organisation": e.organisation.strip()}
                  for e in found[EntryKind.CASE]],
        "observations": [{**_entry(e), "visit": e.visit_label.strip()} for e in found[EntryKind.OBSERVATION]],
        "recommendations": recommendations,
        "policy_areas": areas,
        "follow_ups": [
            {"rank": rank_of[f.recommendation_id],
             "city": {"en": f.city.name_en, "fr": f.city.name_fr or f.city.name_en}, "status": f.status.value,
             "noted_on": f.noted_on.isoformat(), "note": f.note.strip(), "url": f.action_url}
            for f in sources.follow_ups(event) if f.recommendation_id in rank_of
        ],
        "participation": sources.participation(event),
        "listed": [{"id": r.id, "name": r.name, "organisation": r.organisation, "city": r.city}
                   for r in sources.listed_participants(event)],
    }


def event_facts(event: Event) -> dict:
    city = event.host_city
    return {
        "slug": event.slug, "theme": _both(event, "theme"),
        "city": {"en": city.name_en, "fr": city.name_fr or city.name_en}, "country_code": city.country_code,
        "start_date": event.start_date.isoformat(), "end_date": event.end_date.isoformat(),
        "month_only": event.month_only, "timezone": city.timezone,
    }


def draft_content(note: Note, event: Event) -> dict:
    """The note as it would be published now."""
    return {
        "schema": SCHEMA,
        "event": event_facts(event),
        "narrative": {part: _both(note, part) for part in NARRATIVE_PARTS},
        "captured": json.loads(note.captured or "{}"),
        "number": None,
        "published_at": None,
        "changes": [],
    }


def freeze(note: Note, event: Event, *, number: int, published_at: datetime, changes: list[dict]) -> dict:
    content = draft_content(note, event)
    content.update(number=number, published_at=published_at.isoformat(), changes=changes)
    return content


def dumps(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- What is missing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """A part with one side only: `lang` is the language it lacks; `count` of its items, for lists."""

    section: str
    lang: str
    count: int = 1


def _lacks(value: dict, lang: str) -> bool:
    return not (value.get(lang) or "").strip() and any((value.get(other) or "").strip() for other in LANGUAGES)


def untranslated_recommendations(content: dict) -> list[int]:
    """The ranks of the recommendations whose text (or title) lacks a language."""
    return [rec["rank"] for rec in content["captured"].get("recommendations", [])
            if any(_lacks(rec[name], lang) for name in ("text", "title") for lang in LANGUAGES)]


def missing_translations(content: dict) -> list[Missing]:
    missing = []
    for part in NARRATIVE_PARTS:
        missing.extend(Missing(part, lang) for lang in LANGUAGES if _lacks(content["narrative"][part], lang))
    captured = content["captured"]
    if captured.get("context"):
        missing.extend(Missing("context", lang) for lang in LANGUAGES if _lacks(captured["context"], lang))
    lists = {"challenges": captured.get("challenges", []) + captured.get("opportunities", []),
             "solutions": captured.get("cases", []), "field_visit": captured.get("observations", []),
             "recommendations": captured.get("recommendations", [])}
    for section, items in lists.items():
        for lang in LANGUAGES:
            count = sum(1 for item in items if _lacks(item["text"], lang) or _lacks(item["title"], lang))
            if count:
                missing.append(Missing(section, lang, count))
    return missing


def day_in_words(day: date, lang: str, with_year: bool = True) -> str:
    """"12 December 2017", "12 décembre 2017", "1er mars 2018"."""
    return first_of_month(format_date(day, "d MMMM y" if with_year else "d MMMM", locale=lang), lang)


def dates_in_words(start: date, end: date, month_only: bool, lang: str) -> str:
    if month_only:
        return format_date(start, "LLLL y", locale=lang)
    if end <= start:
        return day_in_words(start, lang)
    french = lang == "fr"
    if (start.year, start.month) == (end.year, end.month):
        first = day_in_words(start, lang)[: -len(format_date(start, " MMMM y", locale=lang))]
        rest = format_date(end, "d MMMM y", locale=lang)
        if french:
            return f"{first} et {rest}" if (end - start).days == 1 else f"du {first} au {rest}"
        return f"{first}\u2013{rest}"
    first = day_in_words(start, lang, with_year=start.year != end.year)
    if french:
        return f"du {first} au {day_in_words(end, lang)}"
    return f"{first} \u2013 {day_in_words(end, lang)}"


# --- One language's view -----------------------------------------------------------------------


def pick(value: dict | None, lang: str) -> LocalizedText:
    """A bilingual value in `lang`, else the other language, marked as standing in."""
    value = value or {}
    wanted = _nfc(value.get(lang))
    if wanted:
        return LocalizedText(wanted, lang, False)
    other = "fr" if lang == "en" else "en"
    fallback = _nfc(value.get(other))
    return LocalizedText(fallback, other, bool(fallback))


def _nfc(text: str | None) -> str:
    """Composed characters (é, not e and an accent), as pages and fonts expect them."""
    return unicodedata.normalize("NFC", (text or "").strip())


def narrative_html(markdown: str) -> str:
    """Written Markdown as sanitised HTML, its headings one level under the section's own."""
    html = render_markdown(markdown)
    for level in (5, 4, 3, 2):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(f"</h{level}>", f"</h{level + 1}>")
    return str(safe_html(html))


@dataclass
class Item:
    title: LocalizedText
    text: LocalizedText
    organisation: str = ""


@dataclass
class Recommendation:
    rank: int
    title: LocalizedText
    text: LocalizedText
    areas: list[LocalizedText]
    sdgs: list[str]
    actor_level: str | None
    actor: str
    dots: int
    endorsers: int


@dataclass
class Group:
    heading: LocalizedText | None  # None: the recommendations under no policy area
    items: list


@dataclass
class FollowUpLine:
    rank: int
    city: LocalizedText
    status: str
    noted_on: date
    note: str
    url: str


@dataclass
class Change:
    number: int
    on: date
    text: LocalizedText


@dataclass(frozen=True)
class Section:
    id: str
    title: object


@dataclass
class NoteView:
    """The note in one language. `listed_ids`: the participants who may be named (None: all those
    the content lists, for a draft checked just now)."""

    content: dict
    lang: str
    listed_ids: set | None = None
    sections: list[Section] = field(init=False)

    def __post_init__(self):
        from app.learning_note.labels import SECTION_TITLES

        wanted = {
            "foreword": bool(self.narrative("foreword")),
            "executive_summary": bool(self.narrative("executive_summary")),
            "key_messages": bool(self.narrative("key_messages")),
            "context": bool(self.context),
            "challenges": bool(self.challenges or self.opportunities),
            "solutions": bool(self.cases_by_city),
            "field_visit": bool(self.observations_by_visit),
            "recommendations": bool(self.captured.get("recommendations")),
            "next_steps": bool(self.narrative("next_steps") or self.follow_ups),
            "participation": bool(self.participation.get("participants")),
            "versions": bool(self.changes),
        }
        self.sections = [Section(key, title) for key, title in SECTION_TITLES.items() if wanted[key]]

    # The event and the version.

    @property
    def captured(self) -> dict:
        return self.content["captured"]

    @property
    def event(self) -> dict:
        return self.content["event"]

    @property
    def theme(self) -> LocalizedText:
        return pick(self.event["theme"], self.lang)

    @property
    def city(self) -> str:
        return pick(self.event["city"], self.lang).text

    @property
    def country_code(self) -> str:
        return self.event["country_code"]

    @property
    def start_date(self) -> date:
        return date.fromisoformat(self.event["start_date"])

    @property
    def end_date(self) -> date:
        return date.fromisoformat(self.event["end_date"])

    @property
    def month_only(self) -> bool:
        return self.event["month_only"]

    @property
    def number(self) -> int | None:
        return self.content["number"]

    @property
    def published_on(self) -> date | None:
        published = self.content["published_at"]
        if not published:
            return None
        return utc_to_local(datetime.fromisoformat(published), self.event["timezone"]).date()

    def day(self, day: date) -> str:
        """A date in words: "12 December 2017", "12 décembre 2017"."""
        return day_in_words(day, self.lang)

    @property
    def dates(self) -> str:
        """The event's dates in words, as each language writes them: "12–13 December 2017",
        "12 et 13 décembre 2017", "du 28 février au 2 mars 2018"; the month alone when only it is known."""
        return dates_in_words(self.start_date, self.end_date, self.month_only, self.lang)

    # The written parts.

    def narrative(self, part: str) -> LocalizedText:
        return pick(self.content["narrative"][part], self.lang)

    def narrative_html(self, part: str) -> str:
        return narrative_html(self.narrative(part).text)

    @property
    def context(self) -> LocalizedText:
        return pick(self.captured.get("context"), self.lang)

    @property
    def context_html(self) -> str:
        return narrative_html(self.context.text)

    # The captured parts.

    def _item(self, raw: dict) -> Item:
        return Item(pick(raw["title"], self.lang), pick(raw["text"], self.lang), raw.get("organisation", ""))

    @property
    def challenges(self) -> list[Item]:
        return [self._item(raw) for raw in self.captured.get("challenges", [])]

    @property
    def opportunities(self) -> list[Item]:
        return [self._item(raw) for raw in self.captured.get("opportunities", [])]

    @property
    def cases_by_city(self) -> list[tuple[str, list[Item]]]:
        groups: dict[str, list[Item]] = {}
        for raw in self.captured.get("cases", []):
            groups.setdefault(pick(raw["city"], self.lang).text, []).append(self._item(raw))
        return sorted(groups.items(), key=lambda pair: (pair[0] == "", pair[0].casefold()))

    @property
    def observations_by_visit(self) -> list[tuple[str, list[Item]]]:
        groups: dict[str, list[Item]] = {}
        for raw in self.captured.get("observations", []):
            groups.setdefault(raw.get("visit", ""), []).append(self._item(raw))
        return list(groups.items())

    def _recommendation(self, raw: dict) -> Recommendation:
        areas = self.captured.get("policy_areas", {})
        return Recommendation(
            rank=raw["rank"], title=pick(raw["title"], self.lang), text=pick(raw["text"], self.lang),
            areas=[pick(areas.get(code, {"en": code}), self.lang) for code in raw["areas"]],
            sdgs=list(raw["sdgs"]), actor_level=raw["actor_level"], actor=raw["actor"], dots=raw["dots"],
            endorsers=raw["endorsers"])

    @property
    def recommendation_groups(self) -> list[Group]:
        """Ranked by the room's priority, grouped by (first) policy area: the group holding the
        highest-ranked recommendation first; those under no policy area last."""
        areas = self.captured.get("policy_areas", {})
        groups: dict[str | None, list[Recommendation]] = {}
        for raw in sorted(self.captured.get("recommendations", []), key=lambda r: r["rank"]):
            groups.setdefault(raw["areas"][0] if raw["areas"] else None, []).append(self._recommendation(raw))
        ordered = sorted(groups.items(), key=lambda pair: (pair[0] is None, pair[1][0].rank))
        return [Group(pick(areas.get(code, {"en": code}), self.lang) if code else None, items)
                for code, items in ordered]

    @property
    def recommendation_count(self) -> int:
        return len(self.captured.get("recommendations", []))

    @property
    def sdg_index(self) -> list[tuple[str, str]]:
        """The SDG goals and targets the recommendations cite, in order, with their UN wording."""
        reference = sdgs()
        codes = {code for raw in self.captured.get("recommendations", []) for code in raw["sdgs"]}

        def order(code: str) -> tuple[int, int]:
            goal, _sep, target = code.partition(".")
            if not target:
                return int(goal), 0
            return int(goal), int(target) if target.isdigit() else 100 + ord(target[0])

        return [(code, _nfc(reference[code].short(self.lang)) if code in reference else "")
                for code in sorted(codes, key=order)]

    @property
    def follow_ups(self) -> list[FollowUpLine]:
        return [FollowUpLine(raw["rank"], pick(raw["city"], self.lang), raw["status"],
                             date.fromisoformat(raw["noted_on"]), raw["note"], raw["url"])
                for raw in self.captured.get("follow_ups", [])]

    @property
    def participation(self) -> dict:
        return self.captured.get("participation", {})

    @property
    def listed(self) -> list[dict]:
        people = self.captured.get("listed", [])
        if self.listed_ids is None:
            return people
        return [person for person in people if person["id"] in self.listed_ids]

    @property
    def changes(self) -> list[Change]:
        return [Change(raw["number"], date.fromisoformat(raw["date"]), pick(raw["text"], self.lang))
                for raw in self.content.get("changes", [])]

    def paragraphs(self, text: str) -> list[str]:
        """Captured text, typed in a console, as paragraphs (blank lines apart)."""
        # Ordinary white space only: the no-break spaces of French typography stay where they are.
        return [re.sub(r"[ \t\r\n]+", " ", block).strip()
                for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
