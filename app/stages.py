"""The stages every event goes through, in order, as the hub lists them.

Each stage package fills in its entry when it is built: `register_stage_status(key, fn)` gives
the hub a live status and a link. Until then a stage reads "In preparation".
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.events.models import Event, EventState


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
class Stage:
    key: str
    title: str
    description: str


@dataclass(frozen=True)
class StageView:
    """A stage as one event's hub shows it."""

    stage: Stage
    status: StageStatus
    url: str | None

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


STAGES = (
    Stage("background", _l("Background document"),
          _l("A common understanding of the theme, shared before the meeting.")),
    Stage("agenda", _l("Agenda"),
          _l("Common challenges and opportunities, local solutions presented by participants, "
             "a field visit and recommendations.")),
    Stage("field_visit", _l("Field visit"), _l("A visit proposed by the host city.")),
    Stage("registration", _l("Registration"), _l("Sign up to take part, in person or online.")),
    Stage("recommendations", _l("Recommendations"), _l("What participants recommend, recorded during the meeting.")),
    Stage("learning_note", _l("Thematic learning note"), _l("The results of the event, written up once it is over.")),
)

StatusProvider = Callable[[Event], tuple[StageStatus, str | None]]
_providers: dict[str, StatusProvider] = {}


def register_stage_status(key: str, provider: StatusProvider) -> None:
    if key not in {stage.key for stage in STAGES}:
        raise ValueError(f"unknown stage {key!r}")
    _providers[key] = provider


def stages_of(event: Event) -> list[StageView]:
    views = []
    for stage in STAGES:
        if event.state is EventState.CANCELLED:
            status, url = StageStatus.CANCELLED, None
        elif stage.key in _providers:
            status, url = _providers[stage.key](event)
        else:
            status, url = StageStatus.PREPARING, None
        views.append(StageView(stage, status, url))
    return views
