"""`flask library import-recommendations FILE`: recommendations and their follow-up from a file in
the export's columns (app/library/exports.py), into the events they name. Flush, never commit.

- A recommendation is found by its event and `reference` (capture's key of the entry): a new one is
  made, a known one is updated when its words or tags differ (a new version in its history, action
  "imported"), else left alone. Importing an export again changes nothing.
- Follow-up goes through capture's own service (app.capture.curation.record_follow_up), with its
  rules: finished events, final recommendations. The command acts as an administrator.
- Every row is checked first; one refused row and nothing is written. Errors name the row.

Recommendations are written to capture's tables directly, as capture's demo seed does, since
capture's `add_entry` is for facilitators during the meeting (it refuses once capture is closed).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from app.auth.models import Role
from app.capture import curation
from app.capture.common import bump, clean_line, clean_text
from app.capture.entries import snapshot
from app.capture.models import ActorLevel, Entry, EntryKind, EntryRevision, EntrySdg, FollowUpStatus, TranslationStatus
from app.capture.reference import parse_codes, sdgs
from app.db_types import utcnow
from app.domain import DomainError
from app.events.models import City, Event, PolicyArea
from app.extensions import db
from app.library.exports import COLUMNS

REQUIRED = ("event", "reference")
_REFERENCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TEXT_MAX = 10_000
RECOMMENDATION_FIELDS = ("language", "text_en", "text_fr", "actor_level", "actor", "working_group", "policy_areas",
                         "sdgs", "final_on")


class CommandLine:
    """Who acts when the command runs: an administrator, for capture's rules."""

    is_authenticated = True
    role = Role.ADMIN
    id = None
    city_id = None
    name = "flask library import-recommendations"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    follow_ups: int = 0
    follow_ups_unchanged: int = 0
    errors: list = field(default_factory=list)  # (row number as a spreadsheet shows it, message)


@dataclass
class _Recommendation:
    row: int
    event: Event
    reference: str
    values: dict
    follow_ups: list = field(default_factory=list)  # (row, City, status, noted_on, note, action_url)


def _date(text: str, row: int, name: str, errors: list) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append((row, f"{name}: not a date (YYYY-MM-DD): {text!r}"))
        return None


def import_rows(rows: list[dict[str, str]], now: datetime | None = None) -> ImportReport:
    report = ImportReport()
    now = now or utcnow()
    if rows:
        missing = [name for name in COLUMNS if name not in rows[0]]
        unknown = [name for name in rows[0] if name not in COLUMNS]
        if missing or unknown:
            report.errors.append((1, f"columns differ from the export's: missing {missing}, unknown {unknown}"))
            return report
    events = {event.slug: event for event in db.session.scalars(
        select(Event).where(Event.slug.in_({(r.get("event") or "").strip() for r in rows})))}
    cities: dict[str, City] = {}
    for city in db.session.scalars(select(City)):
        for name in (city.slug, city.name_en.casefold(), city.name_fr.casefold()):
            cities.setdefault(name, city)
    areas = {area.code: area for area in db.session.scalars(select(PolicyArea))}
    found: dict[tuple[int, str], _Recommendation] = {}
    for number, raw in enumerate(rows, 2):
        row = {name: (raw.get(name) or "").strip() for name in COLUMNS}
        errors_before = len(report.errors)
        if missing := [name for name in REQUIRED if not row[name]]:
            report.errors.append((number, f"missing {', '.join(missing)}"))
            continue
        event = events.get(row["event"])
        if event is None:
            report.errors.append((number, f"no event with the address {row['event']!r}"))
            continue
        if row["host_city"] and cities.get(row["host_city"].casefold()) is not event.host_city:
            report.errors.append((number, f"host_city {row['host_city']!r} is not the event's "
                                          f"({event.host_city.name_en})"))
        if row["year"] and row["year"] != str(event.start_date.year):
            report.errors.append((number, f"year {row['year']} is not the event's ({event.start_date.year})"))
        if not _REFERENCE.match(row["reference"]):
            report.errors.append((number, "reference: letters, digits, - and _ only (at most 64)"))
        values = _recommendation_values(row, number, areas, report.errors)
        if len(report.errors) > errors_before:
            continue
        key = (event.id, row["reference"])
        recommendation = found.get(key)
        if recommendation is None:
            recommendation = found[key] = _Recommendation(number, event, row["reference"], values)
        elif recommendation.values != values:
            report.errors.append((number, f"the same recommendation as row {recommendation.row} with other values"))
            continue
        if row["follow_up_city"]:
            city = cities.get(row["follow_up_city"].casefold())
            status = row["follow_up_status"]
            if city is None:
                report.errors.append((number, f"follow_up_city: no city {row['follow_up_city']!r}"))
            elif status not in {s.value for s in FollowUpStatus}:
                report.errors.append((number, f"follow_up_status: one of {', '.join(s.value for s in FollowUpStatus)}"))
            else:
                noted_on = _date(row["follow_up_noted_on"], number, "follow_up_noted_on", report.errors)
                recommendation.follow_ups.append((number, city, FollowUpStatus(status), noted_on, row["follow_up_note"],
                                                  row["follow_up_action_url"]))
        elif any(row[name] for name in COLUMNS if name.startswith("follow_up_")):
            report.errors.append((number, "follow-up without follow_up_city"))
    if report.errors:
        return report
    for recommendation in found.values():
        try:
            _apply(recommendation, now, report)
        except DomainError as error:
            report.errors.append((recommendation.row, str(error.message)))
    return report


def _recommendation_values(row: dict, number: int, areas: dict, errors: list) -> dict:
    language = row["language"] or "en"
    if language not in ("en", "fr"):
        errors.append((number, "language: en or fr"))
    text_en, text_fr = clean_text(row["text_en"]), clean_text(row["text_fr"])
    if not (text_en or text_fr):
        errors.append((number, "text_en or text_fr: write the recommendation in one language at least"))
    if max(len(text_en), len(text_fr)) > TEXT_MAX:
        errors.append((number, f"text: at most {TEXT_MAX} characters"))
    level = row["actor_level"]
    if level and level not in {a.value for a in ActorLevel}:
        errors.append((number, f"actor_level: empty or one of {', '.join(a.value for a in ActorLevel)}"))
    codes = [code.strip() for code in re.split(r"[;,]", row["policy_areas"]) if code.strip()]
    if unknown := [code for code in codes if code not in areas]:
        errors.append((number, f"policy_areas: unknown {', '.join(unknown)}"))
    sdg_codes, not_sdg = parse_codes(row["sdgs"])
    if not_sdg:
        errors.append((number, f"sdgs: not a goal or target: {', '.join(not_sdg)}"))
    final_on = _date(row["final_on"], number, "final_on", errors)
    return {"language": language, "text_en": text_en, "text_fr": text_fr, "actor_level": level,
            "actor": clean_line(row["actor"])[:200], "working_group": clean_line(row["working_group"])[:120],
            "policy_areas": [areas[code].id for code in codes if code in areas], "sdgs": sdg_codes,
            "final_on": final_on}


def _current(entry: Entry) -> dict:
    return {"language": entry.language, "text_en": entry.text_en, "text_fr": entry.text_fr,
            "actor_level": entry.actor_level.value if entry.actor_level else "", "actor": entry.actor,
            "working_group": entry.working_group, "policy_areas": [area.id for area in entry.policy_areas],
            "sdgs": [sdg.code for sdg in entry.sdgs], "final_on": entry.final_at.date() if entry.final_at else None}


def _apply(recommendation: _Recommendation, now: datetime, report: ImportReport) -> None:
    event = recommendation.event
    values = recommendation.values
    entry = db.session.scalar(select(Entry).where(Entry.event_id == event.id,
                                                  Entry.client_key == recommendation.reference))
    if entry is not None and (entry.kind is not EntryKind.RECOMMENDATION or entry.is_removed or entry.is_merged):
        raise DomainError(f"reference {recommendation.reference}: not a current recommendation of {event.slug}")
    created = entry is None
    if created:
        entry = Entry(event_id=event.id, kind=EntryKind.RECOMMENDATION, client_key=recommendation.reference,
                      version=1, created_at=now, updated_at=now)
        db.session.add(entry)
    if created or _current(entry) != values:
        entry.language = values["language"]
        entry.text_en, entry.text_fr = values["text_en"], values["text_fr"]
        entry.translation_status = (TranslationStatus.TO_REVIEW if values["text_en"] and values["text_fr"]
                                    else TranslationStatus.MISSING)
        entry.actor_level = ActorLevel(values["actor_level"]) if values["actor_level"] else None
        entry.actor, entry.working_group = values["actor"], values["working_group"]
        if [area.id for area in entry.policy_areas] != values["policy_areas"]:
            chosen = {a.id: a for a in db.session.scalars(select(PolicyArea).where(
                PolicyArea.id.in_(values["policy_areas"])))}
            entry.policy_areas = [chosen[area_id] for area_id in values["policy_areas"]]
        if [sdg.code for sdg in entry.sdgs] != values["sdgs"]:
            entry.sdgs = [EntrySdg(code=code, goal=sdgs()[code].goal, position=n)
                          for n, code in enumerate(values["sdgs"])]
        final_on = values["final_on"]
        if final_on is None:
            entry.final_at = None
        elif entry.final_at is None or entry.final_at.date() != final_on:
            entry.final_at = datetime.combine(final_on, time(), tzinfo=UTC)
        if not created:
            entry.version += 1
        entry.updated_at = now
        db.session.flush()
        db.session.add(EntryRevision(entry_id=entry.id, version=entry.version, action="imported",
                                     snapshot=json.dumps(snapshot(entry), ensure_ascii=False, sort_keys=True),
                                     created_at=now))
        bump(event)
        if created:
            report.created += 1
        else:
            report.updated += 1
    else:
        report.unchanged += 1
    for _row, city, status, noted_on, note, action_url in recommendation.follow_ups:
        existing = next((f for f in _follow_ups(entry) if f.city_id == city.id), None)
        if existing is not None and (existing.status, existing.noted_on, existing.note, existing.action_url) == (
                status, noted_on or existing.noted_on, clean_text(note), action_url):
            report.follow_ups_unchanged += 1
            continue
        curation.record_follow_up(CommandLine(), event, entry,
                                  curation.FollowUpInput(city_id=city.id, status=status, note=note, noted_on=noted_on,
                                                         action_url=action_url), now=now)
        report.follow_ups += 1


def _follow_ups(entry: Entry):
    from app.capture.models import FollowUp

    return db.session.scalars(select(FollowUp).where(FollowUp.recommendation_id == entry.id))
