"""What the learning-note stage offers the shared pages (app/stages.py)."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.events.models import EventState
from app.learning_note import library, queries
from app.learning_note.services import can_edit_note
from app.stages import Phase, SeedContext, StaffLink, StageSpec, StageStatus, Task


def hub_status(event):
    if queries.latest_number(event):
        return StageStatus.AVAILABLE, url_for("learning_note.show", slug=event.slug)
    return StageStatus.PREPARING, None


def todo(event) -> list:
    if queries.latest_number(event):
        return [Task(_l("Learning note published."), Phase.AFTER_MEETING, done=True)]
    if event.state is EventState.FINISHED:
        return [Task(_l("Publish the learning note."), Phase.AFTER_MEETING)]
    return [Task(_l("Once the event is finished, generate the learning note from what was captured, edit it and "
                    "publish it."), Phase.AFTER_MEETING)]


def facilitator_steps(event) -> list:
    return [Task(_l("Once the event is finished, write the learning note's narrative parts with the organisers: "
                    "its draft is generated from what was captured."), Phase.AFTER_MEETING)]


def seed(context: SeedContext) -> None:
    from app.learning_note.seed import seed_learning_notes

    for label, added in seed_learning_notes().items():
        if added:  # said only when something was added: the report's other lines end as they did
            context.count(label, added)


def scale_seed(context) -> None:
    from app.learning_note.seed import seed_scale_notes

    context.count("published learning notes", seed_scale_notes(context))


def library_figures() -> dict:
    counts = queries.library_counts()
    return {_l("Published learning notes"): counts["notes"], _l("Corrections to learning notes"): counts["corrections"]}


SPEC = StageSpec(
    key="learning_note",
    title=_l("Learning note"),
    description=_l("What the meeting produced, written up once the event is finished: the challenges, the local "
                   "solutions, the field visit and the recommendations, in a document cities can publish."),
    hub_status=hub_status,
    staff_link=StaffLink(_l("Learning note"), "learning_note_manage.edit", allowed=can_edit_note),
    todo=todo,
    facilitator_steps=facilitator_steps,
    seed=seed,
    seed_rank=3,  # after capture (2), whose Lyon 2017 event it writes up
    scale_seed=scale_seed,
    library_figures=library_figures,
    library_documents=library.SOURCE,
)
