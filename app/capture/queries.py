"""Reads for the capture pages, each a fixed number of queries however many entries and votes
(tests/capture/test_pages.py counts them from 10 to 2,000 entries)."""

import json
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.agenda.models import AgendaItem
from app.capture.common import settings_of
from app.capture.models import (
    CaptureSettings,
    Dot,
    DotBudget,
    Endorsement,
    Entry,
    EntryKind,
    EntryRevision,
    EntrySdg,
    FollowUp,
    Merge,
    TranslationStatus,
    entry_answers,
    entry_policy_areas,
)
from app.capture.reference import normalise_code
from app.events.models import City, Event, EventState, PolicyArea
from app.extensions import db
from app.registration.models import Registration

# --- The live pages' fingerprint ---------------------------------------------------------------


@cache
def _fingerprint_statement(board: bool):
    counter = CaptureSettings.board_revision if board else CaptureSettings.revision
    return (select(Event.id, Event.updated_at, counter)
            .outerjoin(CaptureSettings, CaptureSettings.event_id == Event.id)
            .where(Event.slug == bindparam("slug")))


def live_fingerprint(slug: str, board: bool = False) -> tuple | None:
    """Changes whenever what a live page shows changes: the event (touched by its edits) and the
    capture revision (raised by every entry, vote and setting), or for the big screen its own
    (recommendations, votes and settings only). One query."""
    row = db.session.execute(_fingerprint_statement(board), {"slug": slug}).first()
    if row is None:
        return None
    event_id, updated_at, revision = row
    return event_id, updated_at.isoformat() if updated_at else "", revision or 0


# --- Results: per person and per city ----------------------------------------------------------


@dataclass
class Tally:
    """What the room gave one recommendation (with those merged into it, each voter once)."""

    dots: int = 0
    voters: int = 0  # people who put at least one dot on it
    endorsers: int = 0
    city_points: float = 0.0  # each city that voted shares 100 points, whatever its number of delegates
    cities: int = 0  # cities whose delegates endorsed it or put a dot on it


def _effective_id():
    return func.coalesce(Entry.merged_into_id, Entry.id)


def _city_key(city: str | None) -> str:
    return " ".join((city or "").split()).casefold()


def tallies(event: Event) -> dict[int, Tally]:
    """Two queries, whatever the number of recommendations and votes."""
    dot_rows = db.session.execute(
        select(_effective_id().label("rec"), Dot.registration_id, Registration.city, func.count(Dot.id))
        .join(Entry, Entry.id == Dot.recommendation_id).join(Registration, Registration.id == Dot.registration_id)
        .where(Entry.event_id == event.id)
        .group_by(_effective_id(), Dot.registration_id, Registration.city)
    ).all()
    endorsement_rows = db.session.execute(
        select(_effective_id().label("rec"), Endorsement.registration_id, Registration.city)
        .join(Entry, Entry.id == Endorsement.recommendation_id)
        .join(Registration, Registration.id == Endorsement.registration_id)
        .where(Entry.event_id == event.id)
    ).all()
    result: dict[int, Tally] = {}
    city_total: dict[str, int] = {}
    city_dots: dict[tuple[int, str], int] = {}
    voters: dict[int, set[int]] = {}
    endorsers: dict[int, set[int]] = {}
    cities: dict[int, set[str]] = {}
    for rec, registration_id, city, count in dot_rows:
        key = _city_key(city)
        result.setdefault(rec, Tally()).dots += count
        voters.setdefault(rec, set()).add(registration_id)
        cities.setdefault(rec, set()).add(key)
        city_total[key] = city_total.get(key, 0) + count
        city_dots[rec, key] = city_dots.get((rec, key), 0) + count
    for rec, registration_id, city in endorsement_rows:
        result.setdefault(rec, Tally())
        endorsers.setdefault(rec, set()).add(registration_id)
        cities.setdefault(rec, set()).add(_city_key(city))
    for (rec, key), count in city_dots.items():
        result[rec].city_points += 100 * count / city_total[key]
    for rec, tally in result.items():
        tally.voters = len(voters.get(rec, ()))
        tally.endorsers = len(endorsers.get(rec, ()))
        tally.cities = len(cities.get(rec, ()))
        tally.city_points = round(tally.city_points, 1)
    return result


def person_order(entry: Entry, tally: Tally) -> tuple:
    return (-tally.dots, -tally.endorsers, -tally.city_points, entry.id)


def city_order(entry: Entry, tally: Tally) -> tuple:
    return (-tally.city_points, -tally.cities, -tally.dots, entry.id)


# --- The public list and the big screen --------------------------------------------------------


@dataclass
class Filters:
    area: str = ""  # a policy area's code
    sdg: str = ""  # a goal (10) or a target (10.7)
    order: str = "person"  # or "city"

    @classmethod
    def from_args(cls, args) -> "Filters":
        sdg = normalise_code((args.get("sdg") or "")[:12]) or ""
        order = "city" if args.get("order") == "city" else "person"
        return cls(area=(args.get("area") or "").strip()[:40], sdg=sdg, order=order)

    @property
    def active(self) -> bool:
        return bool(self.area or self.sdg)


@dataclass
class Ranked:
    entry: Entry
    tally: Tally
    merged: list[Entry] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    rank: int | None = None


@dataclass
class LivePage:
    event: Event
    settings: CaptureSettings
    recommendations: list[Ranked]
    by_city: list[Ranked]  # the same, in the per-city order
    filters: Filters
    areas: list[PolicyArea]
    others: dict[EntryKind, list[Entry]]
    total: int  # recommendations before filtering

    @property
    def show_results(self) -> bool:
        return self.settings.results_revealed


def _recommendations_query(event: Event):
    return select(Entry).where(Entry.event_id == event.id, Entry.kind == EntryKind.RECOMMENDATION,
                               Entry.removed_at.is_(None))


def _fill(event: Event, entries: list[Entry], *collections: str) -> list[Entry]:
    """Load the entries' `sdgs`, `policy_areas` and `answers` with one query each for the whole
    event (selectinload would send one query per 500 entries)."""
    if not entries:
        return entries
    wanted = {entry.id: entry for entry in entries}
    found: dict[str, dict[int, list]] = {name: {} for name in collections}
    if "sdgs" in collections:
        for sdg in db.session.scalars(
            select(EntrySdg).join(Entry, Entry.id == EntrySdg.entry_id)
            .where(Entry.event_id == event.id).order_by(EntrySdg.entry_id, EntrySdg.position)
        ):
            found["sdgs"].setdefault(sdg.entry_id, []).append(sdg)
    if "policy_areas" in collections:
        for entry_id, area in db.session.execute(
            select(entry_policy_areas.c.entry_id, PolicyArea)
            .join(PolicyArea, PolicyArea.id == entry_policy_areas.c.policy_area_id)
            .join(Entry, Entry.id == entry_policy_areas.c.entry_id)
            .where(Entry.event_id == event.id).order_by(PolicyArea.id)
        ):
            found["policy_areas"].setdefault(entry_id, []).append(area)
    if "answers" in collections:
        answered = aliased(Entry)
        for entry_id, entry in db.session.execute(
            select(entry_answers.c.recommendation_id, answered)
            .join(answered, answered.id == entry_answers.c.answered_id)
            .where(answered.event_id == event.id).order_by(answered.id)
        ):
            found["answers"].setdefault(entry_id, []).append(entry)
    for name, values in found.items():
        for entry_id, entry in wanted.items():
            set_committed_value(entry, name, values.get(entry_id, []))
    return entries


def _filtered(query, filters: Filters):
    if filters.area:
        query = query.where(Entry.id.in_(
            select(entry_policy_areas.c.entry_id).join(PolicyArea, PolicyArea.id == entry_policy_areas.c.policy_area_id)
            .where(PolicyArea.code == filters.area)))
    if filters.sdg:
        condition = EntrySdg.goal == int(filters.sdg) if "." not in filters.sdg else EntrySdg.code == filters.sdg
        if "." not in filters.sdg:
            condition = or_(condition, EntrySdg.code == filters.sdg)
        query = query.where(Entry.id.in_(select(EntrySdg.entry_id).where(condition)))
    return query


def _ranked(event: Event, entries: list[Entry], settings: CaptureSettings, with_follow_ups: bool) -> list[Ranked]:
    current = [e for e in entries if e.merged_into_id is None]
    merged: dict[int, list[Entry]] = {}
    for entry in entries:
        if entry.merged_into_id is not None:
            merged.setdefault(entry.merged_into_id, []).append(entry)
    counts = tallies(event)
    follow_ups: dict[int, list[FollowUp]] = {}
    if with_follow_ups and any(e.is_final for e in current):
        for follow_up in db.session.scalars(
            select(FollowUp).options(joinedload(FollowUp.city)).join(Entry, Entry.id == FollowUp.recommendation_id)
            .where(Entry.event_id == event.id).order_by(FollowUp.noted_on.desc(), FollowUp.id)
        ):
            follow_ups.setdefault(follow_up.recommendation_id, []).append(follow_up)
    rows = [Ranked(e, counts.get(e.id, Tally()), merged.get(e.id, []), follow_ups.get(e.id, [])) for e in current]
    if settings.results_revealed:
        rows.sort(key=lambda row: person_order(row.entry, row.tally))
        for number, row in enumerate(rows, 1):
            row.rank = number
    else:
        rows.sort(key=lambda row: row.entry.id)
    return rows


def live_page(event: Event, filters: Filters) -> LivePage:
    settings = settings_of(event)
    all_recommendations = _fill(event, list(db.session.scalars(_recommendations_query(event).order_by(Entry.id))),
                                "sdgs", "policy_areas")
    if filters.active:
        shown = set(db.session.scalars(_filtered(select(Entry.id).where(
            Entry.event_id == event.id, Entry.kind == EntryKind.RECOMMENDATION), filters)))
        entries = [e for e in all_recommendations if e.id in shown or e.merged_into_id in shown]
    else:
        entries = all_recommendations
    rows = _ranked(event, entries, settings, with_follow_ups=True)
    by_city = sorted(rows, key=lambda row: city_order(row.entry, row.tally)) if settings.results_revealed else rows
    if filters.order == "city" and settings.results_revealed:
        rows = by_city
    areas = list(db.session.scalars(select(PolicyArea).order_by(PolicyArea.id)))
    others: dict[EntryKind, list[Entry]] = {kind: [] for kind in EntryKind if kind is not EntryKind.RECOMMENDATION}
    for entry in db.session.scalars(
        select(Entry).options(joinedload(Entry.city), joinedload(Entry.agenda_item))
        .where(Entry.event_id == event.id, Entry.kind != EntryKind.RECOMMENDATION, Entry.removed_at.is_(None))
        .order_by(Entry.id)
    ):
        others[entry.kind].append(entry)
    total = sum(1 for e in all_recommendations if e.merged_into_id is None)
    return LivePage(event, settings, rows, by_city, filters, areas, others, total)


@dataclass
class Screen:
    event: Event
    settings: CaptureSettings
    rows: list[Ranked]
    by_city: list[Ranked]


SCREEN_ROWS = 10


def screen(event: Event) -> Screen:
    """The big screen: the recommendations (the latest first while results are hidden), ranked
    per person and per city side by side once they are shown."""
    settings = settings_of(event)
    entries = list(db.session.scalars(_recommendations_query(event).order_by(Entry.id)))
    rows = _ranked(event, entries, settings, with_follow_ups=False)
    if settings.results_revealed:
        return Screen(event, settings, rows[:SCREEN_ROWS],
                      sorted(rows, key=lambda row: city_order(row.entry, row.tally))[:SCREEN_ROWS])
    return Screen(event, settings, list(reversed(rows))[:SCREEN_ROWS], [])


# --- The facilitators' console -----------------------------------------------------------------


@dataclass
class ConsolePage:
    event: Event
    settings: CaptureSettings
    entries: dict[EntryKind, list[Entry]]
    removed: list[Entry]
    tallies: dict[int, Tally]
    translation_counts: dict[TranslationStatus, int]
    merges: list[Merge]
    spent_dots: int


def _entry_options():
    return joinedload(Entry.city), joinedload(Entry.agenda_item), joinedload(Entry.updated_by)


def console(event: Event) -> ConsolePage:
    entries: dict[EntryKind, list[Entry]] = {kind: [] for kind in EntryKind}
    removed = []
    counts = dict.fromkeys(TranslationStatus, 0)
    loaded = _fill(event, list(db.session.scalars(select(Entry).options(*_entry_options())
                                                  .where(Entry.event_id == event.id).order_by(Entry.id.desc()))),
                   "sdgs", "policy_areas")
    for entry in loaded:
        if entry.is_removed:
            removed.append(entry)
            continue
        entries[entry.kind].append(entry)
        counts[entry.translation_status] += 1
    merges = list(db.session.scalars(
        select(Merge).options(joinedload(Merge.source), joinedload(Merge.target), joinedload(Merge.actor),
                              joinedload(Merge.undone_by))
        .where(Merge.event_id == event.id).order_by(Merge.merged_at.desc(), Merge.id.desc())))
    spent = db.session.scalar(select(func.coalesce(func.sum(DotBudget.spent), 0)).where(DotBudget.event_id == event.id))
    return ConsolePage(event, settings_of(event), entries, removed, tallies(event), counts, merges, spent)


def entry_of(event: Event, entry_id: int) -> Entry | None:
    return db.session.scalar(select(Entry).options(*_entry_options(), selectinload(Entry.policy_areas),
                                                   selectinload(Entry.sdgs), selectinload(Entry.answers))
                             .where(Entry.id == entry_id, Entry.event_id == event.id))


def answerable(event: Event) -> list[Entry]:
    """What a recommendation can answer: the event's challenges, opportunities and cases."""
    return list(db.session.scalars(
        select(Entry).where(Entry.event_id == event.id, Entry.removed_at.is_(None),
                            Entry.kind.in_((EntryKind.CHALLENGE, EntryKind.OPPORTUNITY, EntryKind.CASE)))
        .order_by(Entry.kind, Entry.id)))


def merge_targets(event: Event, source: Entry) -> list[Entry]:
    return list(db.session.scalars(
        select(Entry).where(Entry.event_id == event.id, Entry.kind == EntryKind.RECOMMENDATION,
                            Entry.removed_at.is_(None), Entry.merged_into_id.is_(None), Entry.id != source.id)
        .order_by(Entry.id)))


def agenda_choices(event: Event) -> list[AgendaItem]:
    return list(db.session.scalars(select(AgendaItem).where(AgendaItem.event_id == event.id)
                                   .order_by(AgendaItem.starts_at, AgendaItem.id)))


def all_cities() -> list[City]:
    return list(db.session.scalars(select(City).order_by(City.name_en)))


def all_policy_areas() -> list[PolicyArea]:
    return list(db.session.scalars(select(PolicyArea).order_by(PolicyArea.id)))


# --- History -----------------------------------------------------------------------------------


@dataclass
class Change:
    field: str
    before: object
    after: object


@dataclass
class Version:
    revision: EntryRevision
    values: dict
    changes: list[Change]


def history(entry: Entry) -> list[Version]:
    """Every version, the latest first, with what changed from the one before."""
    revisions = list(db.session.scalars(select(EntryRevision).options(joinedload(EntryRevision.actor))
                                        .where(EntryRevision.entry_id == entry.id).order_by(EntryRevision.version)))
    snapshots = [json.loads(r.snapshot) for r in revisions]
    versions = []
    previous: dict = {}
    for revision, values in zip(revisions, snapshots, strict=True):
        changes = [Change(name, previous.get(name), value) for name, value in values.items()
                   if previous and previous.get(name) != value]
        versions.append(Version(revision, values, changes))
        previous = values
    return list(reversed(versions))


@dataclass(frozen=True)
class Names:
    """How ids in snapshots read: cities, agenda items, policy areas and answered entries."""

    cities: dict
    items: dict
    areas: dict
    entries: dict


def names_for(event: Event, versions: list[Version]) -> Names:
    ids = {"city_id": set(), "agenda_item_id": set(), "policy_areas": set(), "answers": set()}
    for version in versions:
        for name in ids:
            value = version.values.get(name)
            if isinstance(value, list):
                ids[name].update(value)
            elif value is not None:
                ids[name].add(value)

    def load(model, wanted):
        return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(wanted)))} if wanted else {}

    return Names(load(City, ids["city_id"]), load(AgendaItem, ids["agenda_item_id"]),
                 load(PolicyArea, ids["policy_areas"]), load(Entry, ids["answers"]))


# --- Participants ------------------------------------------------------------------------------


@dataclass
class Ballot:
    """What one participant's voting page shows."""

    settings: CaptureSettings
    rows: list[Ranked]
    endorsed: set[int]  # recommendations (as they count now) this participant supports
    my_dots: dict[int, list[int]]  # recommendation → this participant's dot ids on it
    spent: int

    @property
    def allowance(self) -> int:
        return self.settings.dots_allowance

    @property
    def left(self) -> int:
        return max(0, self.allowance - self.spent)


def ballot(registration: Registration) -> Ballot:
    event = registration.event
    settings = settings_of(event)
    entries = _fill(event, list(db.session.scalars(_recommendations_query(event).order_by(Entry.id))), "sdgs")
    rows = _ranked(event, entries, settings, with_follow_ups=False)
    endorsed = set(db.session.scalars(
        select(_effective_id()).join(Endorsement, Endorsement.recommendation_id == Entry.id)
        .where(Endorsement.registration_id == registration.id)))
    my_dots: dict[int, list[int]] = {}
    for rec, dot_id in db.session.execute(
        select(_effective_id(), Dot.id).join(Dot, Dot.recommendation_id == Entry.id)
        .where(Dot.registration_id == registration.id).order_by(Dot.id)
    ):
        my_dots.setdefault(rec, []).append(dot_id)
    return Ballot(settings, rows, endorsed, my_dots, dots_spent(registration))


def dots_spent(registration: Registration) -> int:
    """How many of their dots a participant has put on recommendations: one query."""
    return db.session.scalar(select(DotBudget.spent).where(DotBudget.event_id == registration.event_id,
                                                           DotBudget.registration_id == registration.id)) or 0


def has_recommendations(event: Event) -> bool:
    return db.session.scalar(select(Entry.id).where(Entry.event_id == event.id,
                                                    Entry.kind == EntryKind.RECOMMENDATION,
                                                    Entry.removed_at.is_(None)).limit(1)) is not None


@dataclass(frozen=True)
class Summary:
    entries: int
    recommendations: int
    final: int


def summary(event: Event) -> Summary:
    """For the hub and the organiser's checklist: one query."""
    rows = db.session.execute(
        select(Entry.kind, func.count(Entry.id), func.count(Entry.final_at))
        .where(Entry.event_id == event.id, Entry.removed_at.is_(None), Entry.merged_into_id.is_(None))
        .group_by(Entry.kind)).all()
    recommendations = next(((count, final) for kind, count, final in rows if kind is EntryKind.RECOMMENDATION), (0, 0))
    return Summary(sum(row[1] for row in rows), recommendations[0], recommendations[1])


# --- Exports, follow-up and the library ----------------------------------------------------------


def export_entries(event: Event) -> list[Entry]:
    loaded = list(db.session.scalars(select(Entry).options(*_entry_options(), joinedload(Entry.created_by))
                                     .where(Entry.event_id == event.id).order_by(Entry.kind, Entry.id)))
    return _fill(event, loaded, "sdgs", "policy_areas", "answers")


def final_recommendations(event: Event) -> list[Ranked]:
    entries = list(db.session.scalars(_recommendations_query(event).where(Entry.final_at.is_not(None))
                                      .order_by(Entry.id)))
    rows = _ranked(event, entries, settings_of(event), with_follow_ups=True)
    rows.sort(key=lambda row: row.entry.id)
    return rows


def follow_ups_of_city(city_id: int) -> list[FollowUp]:
    """A city's follow-up of recommendations, across events, the latest first (for the library)."""
    return list(db.session.scalars(
        select(FollowUp).options(joinedload(FollowUp.recommendation).joinedload(Entry.event))
        .where(FollowUp.city_id == city_id).order_by(FollowUp.noted_on.desc(), FollowUp.id.desc())))


def library_counts() -> dict[str, int]:
    public = select(Event.id).where(Event.state != EventState.DRAFT)
    rows = db.session.execute(
        select(func.count(Entry.id), func.count(Entry.final_at))
        .where(Entry.kind == EntryKind.RECOMMENDATION, Entry.removed_at.is_(None), Entry.merged_into_id.is_(None),
               Entry.event_id.in_(public))).one()
    follow_ups = db.session.scalar(select(func.count(FollowUp.id)))
    return {"recommendations": rows[0], "final": rows[1], "follow_ups": follow_ups}
