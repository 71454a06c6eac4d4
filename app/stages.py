"""The stage contract: what a stage offers the shared pages (../shared/DESIGN.md, "How a stage plugs in").

Each stage package's `init_app(app)` calls `register_stage(app, StageSpec(...))`; `create_app()`
calls the packages in the order the hub shows the stages. The hub, the staff workspace, the
participant's page, the feeds, the event edit checks and `flask seed-demo` loop over the specs of
the running app (`specs()`) and name no stage. Every part of a spec is optional.
"""

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app, render_template, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup


class StageStatus(enum.StrEnum):
    PREPARING = "preparing"
    AVAILABLE = "available"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    StageStatus.PREPARING: _l("In preparation"),
    StageStatus.AVAILABLE: _l("Available"),
    StageStatus.OPEN: _l("Open"),
    StageStatus.CLOSED: _l("Closed"),
    StageStatus.CANCELLED: _l("Cancelled"),
}


class Phase(enum.StrEnum):
    """When a task of the organiser's checklist (or a facilitator's step) falls, in the order an
    event lives them."""

    BEFORE_OPENING = "before_opening"  # before registration opens: what a registrant reads
    BEFORE_MEETING = "before_meeting"
    DURING_MEETING = "during_meeting"
    AFTER_MEETING = "after_meeting"


PHASE_LABELS = {
    Phase.BEFORE_OPENING: _l("Before opening registration"),
    Phase.BEFORE_MEETING: _l("Before the meeting"),
    Phase.DURING_MEETING: _l("During the meeting"),
    Phase.AFTER_MEETING: _l("After the meeting"),
}


@dataclass(frozen=True)
class Task:
    """One line of the organiser's checklist (from a stage's `todo`) or of a facilitator's guide
    (from its `facilitator_steps`): what to do, in which phase, and whether it is done already (a
    done task stays on the list, ticked, so that the list shows how far the event has come; its
    text then says what was done: "Background document published")."""

    text: object
    phase: Phase | None
    done: bool = False


@dataclass(frozen=True)
class StaffLink:
    """A link on the staff workspace to the stage's own staff page, which takes `slug=`.

    `allowed(user, event)` says who sees it (default: the event's organisers and administrators);
    a stage whose page is for the event's facilitators too gives `can_view_workspace`."""

    label: object
    endpoint: str
    allowed: Callable[[object, object], bool] | None = None

    def shown_to(self, user, event) -> bool:
        if self.allowed is not None:
            return self.allowed(user, event)
        from app.auth.permissions import can_manage_event

        return can_manage_event(user, event)


@dataclass(frozen=True)
class ParticipantPanel:
    """A section of the participant's page `/r/<token>`: `context(registration, token)` returns the
    template's context, or None when the stage has nothing to show this participant."""

    template: str
    context: Callable[[object, str], dict | None]


@dataclass(frozen=True)
class CallToAction:
    """What a stage asks visitors of the event's page to do now (one primary button), or only a
    note when there is nothing to do yet ("Registration opens on…")."""

    note: object
    label: object = None
    url: str | None = None


@dataclass(frozen=True)
class SlotFill:
    """What fills an agenda slot in another stage's name (the "Field visit" item becomes the visit):
    the agenda page shows `template` (rendered with `slot` = `context`) and the times
    `starts_at`–`ends_at` in that slot, and the agenda leaves the slot out of its feeds, where the
    filling stage puts its own entry: one source of truth for the time."""

    template: str
    context: dict
    starts_at: object = None
    ends_at: object = None


@dataclass(frozen=True)
class ChangeNote:
    """What a stage adds, for one participant, to the message that tells them the event's dates,
    place or format changed (see StageSpec.change_notes): `lines` to read after the changes, and
    `cancel` when the change cost them their confirmed place (the message then carries a
    METHOD:CANCEL instead of the updated invitation)."""

    lines: tuple = ()
    cancel: bool = False


@dataclass
class SeedContext:
    """What a stage's demo seed gets: the upcoming demo event, whether demo people (accounts,
    participants) are wanted, and the counts the command reports (`count(label, n)`)."""

    demo_event: object
    with_demo_people: bool
    counts: dict = field(default_factory=dict)

    def count(self, label: str, added: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + added


@dataclass
class Duplication:
    """An event being copied into a new draft (see StageSpec.duplicate_into): `days` is how far the
    new dates are from the source's, `copied` maps (what, source id) to the copy a stage made."""

    source: object
    target: object
    days: int
    copied: dict = field(default_factory=dict)

    def moved(self, instant: datetime | None) -> datetime | None:
        """The instant `days` later as the host city's clocks show it (09:00 stays 09:00 across a
        clock change). On the new day a time the clocks skip comes out an hour later, as the clocks
        show it, and one that happens twice is the first: the copy is a draft the organiser reviews."""
        if instant is None:
            return None
        from datetime import timedelta

        from app.timezones import NonexistentLocalTime, local_to_utc, utc_to_local

        zone = self.target.timezone
        wall_clock = utc_to_local(instant, self.source.timezone).replace(tzinfo=None) + timedelta(days=self.days)
        try:
            return local_to_utc(wall_clock, zone, fold=0)
        except NonexistentLocalTime:
            return local_to_utc(wall_clock + timedelta(hours=1), zone, fold=0)

    # Columns a copy never takes from its source: its own identity and history.
    NOT_COPIED = frozenset({"id", "created_at", "updated_at"})

    def copy(self, row, **values):
        """A new row of the same model with the source row's column values, but its id and
        timestamps, and with `values` instead of the source's where given (its new parent…)."""
        from sqlalchemy import inspect

        columns = {attribute.key: getattr(row, attribute.key) for attribute in inspect(type(row)).column_attrs
                   if attribute.key not in self.NOT_COPIED}
        return type(row)(**{**columns, **values})


@dataclass
class ScaleSeedContext:
    """What a stage's part of `flask seed-demo --scale` gets: the network's events made for the
    measurement (`finished` ones, whose meeting is over and written up, and `upcoming` open ones),
    the scale (1.0: the issue's network, 20 finished events, 3,000 registrations, 2,000 captured
    entries), and the counts the command reports. Each stage draws from its own `random(name)`,
    seeded by the stage's name, so that the data are the same on every run whatever ran before."""

    finished: list
    upcoming: list
    scale: float
    counts: dict = field(default_factory=dict)

    @property
    def events(self) -> list:
        return [*self.finished, *self.upcoming]

    def share(self, total: int, at_least: int = 1) -> int:
        """`total` at scale 1, this run's part of it."""
        return max(at_least, round(total * self.scale))

    def random(self, name: str):
        return random.Random(f"scale-seed:{name}")  # noqa: S311 (demo data, not secrets)

    def count(self, label: str, added: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + added


@dataclass(frozen=True)
class StageSpec:
    """What one stage offers. The callables take the Event (or the Registration) they are about.

    - hub_status(event) -> (StageStatus, url or None): its line on the event's public hub;
      describe(event) -> text: its description there when it depends on the event (its format),
      instead of `description`.
    - staff_link, todo(event) -> [Task]: its link on the staff workspace and its lines of the
      organiser's checklist, each in its phase (a plain string is a task left in no given phase).
    - facilitator_steps(event) -> [Task]: what an event's facilitator will be able to do in the stage
      and in which phase (their workspace and the email that tells them they were assigned).
    - participant_panel: its section of the participant's page.
    - call_to_action(event) -> CallToAction | None: the event page's primary action (the first
      stage that has one gives it); card_notes(events) -> {event id: text}: a line on each upcoming
      event's card on the network page, for all of them at once (its queries must not grow with them).
    - event_feed(event, lang_order, url) -> [FeedEntry]: its items in the event's calendar feed.
    - personal_feed(registration, lang_order, url) -> [FeedEntry]: what this participant attends.
    - agenda_slots(event) -> {agenda item id: [SlotFill]}: the agenda slots the stage fills.
    - edit_check(event, new_values): raises DomainError when an edit of the event's dates, place or
      format would strand the stage's data; shift_with_event(event, days): move the stage's dated
      data by that many days, when the organiser moves the event's dates and asks for it;
      transition_warnings(event, target) -> [str]: what the organiser must know before the event
      changes state (who is affected), shown before they confirm; change_warnings(event, new_values)
      -> [str]: the same for an edit of the event's dates, place or format that participants are
      told of (what it does to their registrations), said with who will be emailed;
      change_cancellations(event, new_values) -> int: how many of those told the edit costs their
      confirmed place, whose message will carry a calendar cancellation (ChangeNote.cancel) instead
      of the updated invitation, so that the question says so.
    - after_edit(event, before): once an edit of the event is saved, brings the stage's data in line
      with it (`before`: the event's capacity and format as they were); edit_check's
      `new_values["capacity_confirmed"]`: the organiser confirmed a capacity below the places held.
    - change_notes(event, changes) -> {email (lower case): ChangeNote}: once an edit is saved and
      its changes (app.events.signals.event_changed) are about to be emailed, what the stage's own
      consequences of it mean for each participant, said in the same message (one message per change).
    - duplicate_into(Duplication): copies the stage's own part of `duplication.source` into the new
      draft `duplication.target` (texts, shape and settings; never participants nor what the meeting
      produced), its dated data moved with `duplication.moved(instant)`; stages later in the hub's
      order find what earlier ones copied in `duplication.copied` (an agenda item's copy).
    - badge_roles(event) -> {registration id: label}: the role a participant's name badge shows when
      the stage gives them one ("Presenter"); others are participants.
    - seed(SeedContext): its part of `flask seed-demo` (idempotent). `seed_rank` orders the seeds
      where a stage's demo data refer to another's (lower first; default: the hub's order).
    - scale_seed(ScaleSeedContext): its part of `flask seed-demo --scale` (the network at the size
      the benchmarks measure; deterministic; only for events that have none of its data yet),
      ordered by `seed_rank` too.
    - library_figures() -> {label: number}: its figures for the network's library.
    - library_documents: the searchable documents it publishes for the library (LibrarySource).
    """

    key: str
    title: object
    description: object
    hub_status: Callable | None = None
    describe: Callable | None = None
    staff_link: StaffLink | None = None
    todo: Callable | None = None
    facilitator_steps: Callable | None = None
    participant_panel: ParticipantPanel | None = None
    call_to_action: Callable | None = None
    card_notes: Callable | None = None
    event_feed: Callable | None = None
    personal_feed: Callable | None = None
    agenda_slots: Callable | None = None
    edit_check: Callable | None = None
    shift_with_event: Callable | None = None
    transition_warnings: Callable | None = None
    change_warnings: Callable | None = None
    change_cancellations: Callable | None = None
    after_edit: Callable | None = None
    change_notes: Callable | None = None
    duplicate_into: Callable | None = None
    badge_roles: Callable | None = None
    seed: Callable | None = None
    seed_rank: int = 0
    scale_seed: Callable | None = None
    library_figures: Callable | None = None
    library_documents: "LibrarySource | None" = None


@dataclass(frozen=True)
class LibraryDocument:
    """One searchable document a stage publishes for the network's library (app/library/): a
    published learning note, a final recommendation. The library indexes it, finds it by its words
    in both languages, filters it by its event (theme, host city, year) and its `facets`, and shows
    `details` with the source's `result_template`.

    - kind: its source's kind; key: unique within the kind (the library replaces by (kind, key)).
    - title_*/text_*: plain text, as published (never HTML); searched, excerpted and highlighted.
    - published_at: when it was published (the results' order without a search, the Atom feed).
    - endpoint, params, anchor: where it is read (`url_for(endpoint, **params) + "#" + anchor`).
    - facets: the filters it answers beyond its event's: "area" (policy-area codes), "sdg" (goal or
      target codes, "10" or "10.7"), "actor" (who should act), "status" (follow-up statuses, "none"
      when nobody followed it up). Other names are kept and offered as nothing yet.
    - details: JSON-able values its result template shows.
    - search_extra: more words it is found by without showing them (who should act…).
    """

    kind: str
    key: str
    event_id: int
    title_en: str
    title_fr: str
    text_en: str
    text_fr: str
    published_at: datetime
    endpoint: str
    params: dict
    anchor: str = ""
    facets: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    search_extra: str = ""


@dataclass(frozen=True)
class LibrarySource:
    """How a stage hands its published documents to the library: one reader, and what tells the
    library when to read again (the library keeps an index and refreshes it per event, on read, when
    a stamp changed; the stage writes nothing for it and sends no signal).

    - documents(event_ids) -> [LibraryDocument]: what these events publish now (public events only:
      nothing of a draft), in a fixed number of queries however many events are asked.
    - stamps() -> {event_id: value}: changes for an event whenever its documents would. Events
      missing from it have none.
    - fingerprint() -> [scalar subqueries]: cheap values that change whenever any stamp does; run on
      every library page (the library adds the events' own). None: the stamps are read instead.
    - label: its documents' kind as the library's filter names it (plural: "Learning notes");
      item_label: one of them, as a result's badge ("Learning note").
    - result_template: the template of one result (gets `hit`), else the library's generic one.
    - in_feed: its documents are listed in the library's Atom feed of what was newly published.
    """

    kind: str
    label: object
    documents: Callable[[list[int]], list[LibraryDocument]]
    stamps: Callable[[], dict]
    fingerprint: Callable[[], list] | None = None
    item_label: object = None
    result_template: str | None = None
    in_feed: bool = False


@dataclass(frozen=True)
class StageView:
    """A stage as one event's hub or workspace shows it."""

    spec: StageSpec
    status: StageStatus
    url: str | None
    description: object = None

    @property
    def stage(self) -> StageSpec:
        return self.spec

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


_EXTENSION = "stages"


def register_stage(app: Flask, spec: StageSpec) -> None:
    registry: dict[str, StageSpec] = app.extensions.setdefault(_EXTENSION, {})
    if spec.key in registry:
        raise ValueError(f"stage {spec.key!r} is registered twice")
    registry[spec.key] = spec


def specs(app: Flask | None = None) -> list[StageSpec]:
    """The running app's stages, in the hub's order."""
    return list((app or current_app).extensions.get(_EXTENSION, {}).values())


_LIBRARY_SOURCES = "library_sources"
_NETWORK_SEEDS = "network_seeds"


def register_library_source(app: Flask, source: LibrarySource) -> None:
    """A source of library documents that no stage's spec declares (the library reads capture's
    final recommendations itself, from its tables). A stage declares its own in its StageSpec."""
    app.extensions.setdefault(_LIBRARY_SOURCES, []).append(source)


def library_sources(app: Flask | None = None) -> list[LibrarySource]:
    """Every source of the library's documents: the stages' (in the hub's order), then the others."""
    app = app or current_app
    found = [spec.library_documents for spec in specs(app) if spec.library_documents is not None]
    found += app.extensions.get(_LIBRARY_SOURCES, [])
    kinds = [source.kind for source in found]
    if len(set(kinds)) != len(kinds):
        raise ValueError(f"library document kinds registered twice: {kinds}")
    return found


def register_seed(app: Flask, seed: Callable[[SeedContext], None], rank: int) -> None:
    """Demo data of a package that is no stage (the library's), run by `flask seed-demo` among the
    stages' seeds, by rank."""
    app.extensions.setdefault(_NETWORK_SEEDS, []).append((rank, seed))


def stages_of(event) -> list[StageView]:
    from app.events.models import EventState

    views = []
    for spec in specs():
        if event.state is EventState.CANCELLED:
            status, url = StageStatus.CANCELLED, None
        elif spec.hub_status is not None:
            status, url = spec.hub_status(event)
        else:
            status, url = StageStatus.PREPARING, None
        description = spec.describe(event) if spec.describe is not None else spec.description
        views.append(StageView(spec, status, url, description))
    return views


@dataclass(frozen=True)
class StaffStage:
    """A stage on the staff workspace: its link (None where this user may not open it) and its
    lines of the checklist (done or not)."""

    spec: StageSpec
    status: StageStatus
    url: str | None
    tasks: list


def _as_task(task) -> Task:
    return task if isinstance(task, Task) else Task(task, None)


def staff_stages_of(event, user) -> list[StaffStage]:
    result = []
    for view in stages_of(event):
        spec = view.spec
        link = spec.staff_link
        url = url_for(link.endpoint, slug=event.slug) if link and link.shown_to(user, event) else None
        tasks = [_as_task(task) for task in spec.todo(event)] if spec.todo else []
        result.append(StaffStage(spec, view.status, url, tasks))
    return result


@dataclass(frozen=True)
class ChecklistLine:
    """A task and where it is done (a staff page; None where this user may not open it)."""

    task: Task
    url: str | None = None


@dataclass(frozen=True)
class ChecklistPhase:
    """The lines of one phase; `phase` None holds the tasks a stage gave without one."""

    phase: Phase | None
    lines: list
    current: bool = False

    @property
    def label(self):
        return PHASE_LABELS[self.phase] if self.phase is not None else _l("Still to do")

    @property
    def left(self) -> int:
        return sum(1 for line in self.lines if not line.task.done)


_PHASE_ORDER = list(Phase)


def current_phase(event, now: datetime) -> Phase | None:
    """Where the event stands: before its registration opens, before its first day, during its
    days, after them (local days of the host city). None once it is cancelled."""
    from app.events.models import EventState
    from app.timezones import utc_to_local

    if event.state is EventState.CANCELLED:
        return None
    if event.state is EventState.FINISHED:
        return Phase.AFTER_MEETING
    if event.state is EventState.DRAFT or (event.registration_opens_at and now < event.registration_opens_at):
        return Phase.BEFORE_OPENING
    today = utc_to_local(now, event.timezone).date()
    if today < event.start_date:
        return Phase.BEFORE_MEETING
    return Phase.DURING_MEETING if today <= event.end_date else Phase.AFTER_MEETING


def by_phase(lines: list[ChecklistLine], now_phase: Phase | None) -> list[ChecklistPhase]:
    """The lines grouped by phase, in the order the event lives them (tasks without a phase first)."""
    groups: dict[Phase | None, list] = {}
    for line in lines:
        groups.setdefault(line.task.phase, []).append(line)
    order = [None, *_PHASE_ORDER]
    return [ChecklistPhase(phase, groups[phase], current=phase is not None and phase is now_phase)
            for phase in order if phase in groups]


def organiser_checklist(event, stages: list[StaffStage], more: list[ChecklistLine], now: datetime
                        ) -> list[ChecklistPhase]:
    """The organiser's checklist: the stages' tasks (each linked to its stage's staff page) and
    `more` (the event's own: facilitators, venue…), by phase; nothing once the event is cancelled."""
    if current_phase(event, now) is None:
        return []
    lines = list(more) + [ChecklistLine(task, stage.url) for stage in stages for task in stage.tasks]
    return by_phase(lines, current_phase(event, now))


def facilitator_guide(event, now: datetime, user=None) -> list[ChecklistPhase]:
    """What a facilitator of the event will be able to do, stage by stage, by phase; for `user`
    (on their page, not in an email), each step links to the stage's staff page where they may open
    it, else to its public page once that is available. Nothing once the event is cancelled."""
    if current_phase(event, now) is None:
        return []
    lines = []
    for view in stages_of(event) if user is not None else [StageView(spec, StageStatus.PREPARING, None)
                                                            for spec in specs()]:
        spec = view.spec
        if spec.facilitator_steps is None:
            continue
        link = spec.staff_link
        url = url_for(link.endpoint, slug=event.slug) if user is not None and link and link.shown_to(user, event) \
            else view.url if view.status in (StageStatus.AVAILABLE, StageStatus.OPEN) else None
        lines += [ChecklistLine(_as_task(step), url) for step in spec.facilitator_steps(event)]
    return by_phase(lines, current_phase(event, now))


def call_to_action(event) -> CallToAction | None:
    for spec in specs():
        if spec.call_to_action is not None and (action := spec.call_to_action(event)) is not None:
            return action
    return None


def card_notes(events) -> dict[int, list]:
    """Per event id, the lines the stages add to its card on the network page."""
    notes: dict[int, list] = {}
    for spec in specs():
        if spec.card_notes is not None and events:
            for event_id, note in spec.card_notes(events).items():
                notes.setdefault(event_id, []).append(note)
    return notes


def participant_panels(registration, token: str) -> list[Markup]:
    """The stages' sections of the participant's page, rendered, in the hub's order."""
    panels = []
    for spec in specs():
        if spec.participant_panel is None:
            continue
        context = spec.participant_panel.context(registration, token)
        if context is not None:
            panels.append(Markup(render_template(spec.participant_panel.template, token=token,  # noqa: S704
                                                 registration=registration, **context)))
    return panels


def event_feed_entries(event, lang_order, url: str | None) -> list:
    return [entry for spec in specs() if spec.event_feed for entry in spec.event_feed(event, lang_order, url)]


_SPANS = "event_time_spans"
_SPANS_KEPT = 256


def event_time_span(event):
    """From the first to the last timed item the stages put in the event's feed (UTC instants), or
    None while none has a time: what an invitation to the whole event says.

    Every invitation needs it (each registration's, each reminder's), and it reads every stage's
    feed: the process keeps it per event until the event is touched (every service that changes
    what the event's pages show moves `updated_at`, as the page cache relies on too)."""
    key = (event.id, event.updated_at, event.start_date, event.end_date, event.timezone)
    kept: dict = current_app.extensions.setdefault(_SPANS, {})
    if key in kept:
        return kept[key]
    instants = [instant for entry in event_feed_entries(event, ("en", "fr"), None) for instant in entry.instants]
    span = (min(instants), max(instants)) if instants else None
    if event.id is not None and event.updated_at is not None:
        if len(kept) >= _SPANS_KEPT:
            kept.clear()
        kept[key] = span
    return span


def personal_feed_entries(registration, lang_order, url: str | None) -> list:
    return [entry for spec in specs() if spec.personal_feed
            for entry in spec.personal_feed(registration, lang_order, url)]


def shift_with_event(event, days: int) -> None:
    for spec in specs():
        if spec.shift_with_event is not None:
            spec.shift_with_event(event, days)


def duplicate_stages(duplication: Duplication) -> None:
    """Each stage copies its own part of the source event into the new draft, in the hub's order."""
    for spec in specs():
        if spec.duplicate_into is not None:
            spec.duplicate_into(duplication)


def badge_roles(event) -> dict:
    """{registration id: label}: the roles the stages give participants on their badges (the first
    stage in the hub's order that names one wins)."""
    roles: dict = {}
    for spec in reversed(specs()):
        if spec.badge_roles is not None:
            roles.update(spec.badge_roles(event))
    return roles


def transition_warnings(event, target) -> list:
    return [warning for spec in specs() if spec.transition_warnings
            for warning in spec.transition_warnings(event, target)]


def change_warnings(event, new_values: dict) -> list:
    """What the stages say an edit of the event's dates, place or format does to their data, in the
    hub's order."""
    return [warning for spec in specs() if spec.change_warnings
            for warning in spec.change_warnings(event, new_values)]


def change_cancellations(event, new_values: dict) -> int:
    """How many of the people told of an edit the stages say it costs their confirmed place."""
    return sum(spec.change_cancellations(event, new_values) for spec in specs() if spec.change_cancellations)


def agenda_slot_fills(event) -> dict:
    """{agenda item id: [SlotFill]}: what the stages put in the agenda's slots."""
    fills: dict = {}
    for spec in specs():
        if spec.agenda_slots is not None:
            for item_id, entries in spec.agenda_slots(event).items():
                fills.setdefault(item_id, []).extend(entries)
    return fills


def check_event_edit(event, values: dict) -> None:
    """Every stage's refusal of the edit at once (one of them must not hide another's question)."""
    from app.domain import Checks

    checks = Checks()
    for spec in specs():
        if spec.edit_check is not None:
            checks.run(lambda check=spec.edit_check: check(event, values))
    checks.raise_any()


def apply_event_edit(event, before: dict) -> None:
    for spec in specs():
        if spec.after_edit is not None:
            spec.after_edit(event, before)


def event_change_notes(event, changes: dict) -> dict:
    """{email (lower case): ChangeNote}: the stages' notes for each participant told of a change,
    in the hub's order."""
    notes: dict = {}
    for spec in specs():
        if spec.change_notes is None:
            continue
        for email, note in spec.change_notes(event, changes).items():
            kept = notes.get(email, ChangeNote())
            notes[email] = ChangeNote((*kept.lines, *note.lines), kept.cancel or note.cancel)
    return notes


def seed_stages(context: SeedContext) -> None:
    seeds = [(spec.seed_rank, spec.seed) for spec in specs() if spec.seed is not None]
    seeds += current_app.extensions.get(_NETWORK_SEEDS, [])
    for _rank, seed in sorted(seeds, key=lambda pair: pair[0]):
        seed(context)


def seed_stages_at_scale(context: ScaleSeedContext) -> None:
    seeds = [(spec.seed_rank, spec.scale_seed) for spec in specs() if spec.scale_seed is not None]
    for _rank, seed in sorted(seeds, key=lambda pair: pair[0]):
        seed(context)
