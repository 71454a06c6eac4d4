"""What the background stage offers the shared pages (app/stages.py)."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.background import queries
from app.stages import Phase, SeedContext, StaffLink, StageSpec, StageStatus, Task


def hub_status(event):
    if event.id in queries.published_event_ids([event.id]):
        return StageStatus.AVAILABLE, url_for("background.show", slug=event.slug)
    return StageStatus.PREPARING, None


def todo(event) -> list:
    if event.id in queries.published_event_ids([event.id]):
        return [Task(_l("Background document published."), Phase.BEFORE_OPENING, done=True)]
    return [Task(_l("Publish the background document."), Phase.BEFORE_OPENING)]


def facilitator_steps(event) -> list:
    return [Task(_l("Read the background document: it sets the common understanding the meeting starts from."),
                 Phase.BEFORE_MEETING)]


def duplicate_into(duplication) -> None:
    from app.background.services import copy_background

    copy_background(duplication)


def seed(context: SeedContext) -> None:
    from app.background.seed import seed_background

    context.count("background documents", seed_background(context.demo_event))


def scale_seed(context) -> None:
    from app.background.seed import seed_scale_backgrounds

    context.count("background documents", seed_scale_backgrounds(context))


SPEC = StageSpec(
    key="background",
    title=_l("Background document"),
    description=_l("A common understanding of the theme, shared before the meeting."),
    hub_status=hub_status,
    staff_link=StaffLink(_l("Background document"), "background.edit"),
    todo=todo,
    facilitator_steps=facilitator_steps,
    duplicate_into=duplicate_into,
    seed=seed,
    scale_seed=scale_seed,
)
