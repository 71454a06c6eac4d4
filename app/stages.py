"""The stage contract: what a stage offers the shared pages (../shared/DESIGN.md, "How a stage plugs in").

Each stage package's `init_app(app)` calls `register_stage(app, StageSpec(...))`; `create_app()`
calls the packages in the order the hub shows the stages. The hub, the staff workspace, the
participant's page, the feeds, the event edit checks and `flask seed-demo` loop over the specs of
the running app (`specs()`) and name no stage. Every part of a spec is optional.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

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


@dataclass
class SeedContext:
    """What a stage's demo seed gets: the upcoming demo event, whether demo people (accounts,
    participants) are wanted, and the counts the command reports (`count(label, n)`)."""

    demo_event: object
    with_demo_people: bool
    counts: dict = field(default_factory=dict)

    def count(self, label: str, added: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + added


@dataclass(frozen=True)
class StageSpec:
    """What one stage offers. The callables take the Event (or the Registration) they are about.

    - hub_status(event) -> (StageStatus, url or None): its line on the event's public hub.
    - staff_link, todo(event) -> [str]: its link on the staff workspace and what is left to do there.
    - participant_panel: its section of the participant's page.
    - event_feed(event, lang_order, url) -> [FeedEntry]: its items in the event's calendar feed.
    - personal_feed(registration, lang_order, url) -> [FeedEntry]: what this participant attends.
    - edit_check(event, new_values): raises DomainError when an edit of the event's dates, place or
      format would strand the stage's data.
    - seed(SeedContext): its part of `flask seed-demo` (idempotent). `seed_rank` orders the seeds
      where a stage's demo data refer to another's (lower first; default: the hub's order).
    - library_figures() -> {label: number}: its figures for the network's library.
    """

    key: str
    title: object
    description: object
    hub_status: Callable | None = None
    staff_link: StaffLink | None = None
    todo: Callable | None = None
    participant_panel: ParticipantPanel | None = None
    event_feed: Callable | None = None
    personal_feed: Callable | None = None
    edit_check: Callable | None = None
    seed: Callable | None = None
    seed_rank: int = 0
    library_figures: Callable | None = None


@dataclass(frozen=True)
class StageView:
    """A stage as one event's hub or workspace shows it."""

    spec: StageSpec
    status: StageStatus
    url: str | None

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
        views.append(StageView(spec, status, url))
    return views


@dataclass(frozen=True)
class StaffStage:
    """A stage on the staff workspace: its link (None where this user may not open it) and what
    is left to do."""

    spec: StageSpec
    status: StageStatus
    url: str | None
    todo: list


def staff_stages_of(event, user) -> list[StaffStage]:
    result = []
    for view in stages_of(event):
        spec = view.spec
        link = spec.staff_link
        url = url_for(link.endpoint, slug=event.slug) if link and link.shown_to(user, event) else None
        result.append(StaffStage(spec, view.status, url, list(spec.todo(event)) if spec.todo else []))
    return result


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


def event_time_span(event):
    """From the first to the last timed item the stages put in the event's feed (UTC instants), or
    None while none has a time: what an invitation to the whole event says."""
    instants = [instant for entry in event_feed_entries(event, ("en", "fr"), None) for instant in entry.instants]
    return (min(instants), max(instants)) if instants else None


def personal_feed_entries(registration, lang_order, url: str | None) -> list:
    return [entry for spec in specs() if spec.personal_feed
            for entry in spec.personal_feed(registration, lang_order, url)]


def check_event_edit(event, values: dict) -> None:
    for spec in specs():
        if spec.edit_check is not None:
            spec.edit_check(event, values)


def seed_stages(context: SeedContext) -> None:
    for spec in sorted(specs(), key=lambda spec: spec.seed_rank):
        if spec.seed is not None:
            spec.seed(context)
