"""What the capture stage offers the shared pages (app/stages.py)."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.capture import queries
from app.capture.common import can_capture, settings_of
from app.events.models import EventState
from app.stages import ParticipantPanel, Phase, SeedContext, StaffLink, StageSpec, StageStatus, Task


def hub_status(event):
    summary = queries.summary(event)
    settings = settings_of(event)
    url = url_for("capture.show", slug=event.slug)
    if settings.is_closed or (event.state is EventState.FINISHED and summary.recommendations):
        return (StageStatus.AVAILABLE, url) if summary.entries else (StageStatus.CLOSED, None)
    if settings.voting_open or summary.entries:
        return StageStatus.OPEN, url
    return StageStatus.PREPARING, None


def todo(event) -> list:
    summary = queries.summary(event)
    settings = settings_of(event)
    tasks = []
    if event.state in (EventState.OPEN, EventState.CLOSED) and summary.recommendations and not settings.voting_open \
            and not settings.is_closed:
        tasks.append(Task(_l("Open voting during the recommendations session, so that the room prioritises."),
                          Phase.DURING_MEETING))
    if event.state is EventState.FINISHED and summary.recommendations and not summary.final:
        tasks.append(Task(_l("Mark the recommendations that go to the learning note as final."), Phase.AFTER_MEETING))
    if event.state is EventState.FINISHED and not settings.is_closed and summary.entries:
        tasks.append(Task(_l("Close capture once the final recommendations are marked."), Phase.AFTER_MEETING))
    return tasks


def facilitator_steps(event) -> list:
    return [
        Task(_l("Record in the capture console, as the sessions go, the common challenges, the local solutions "
                "presented and the recommendations the room makes."), Phase.DURING_MEETING),
        Task(_l("In the recommendations session the organisers open voting: participants prioritise from their "
                "phones and the room's screen shows the ranking."), Phase.DURING_MEETING),
        Task(_l("Once the meeting is over, help mark the recommendations that go to the learning note as final."),
             Phase.AFTER_MEETING),
    ]


def voting_panel(registration, token: str) -> dict | None:
    """On the participant's page: their dots and the link to vote, once there is something to vote on."""
    from app.capture.voting import why_cannot_vote
    from app.registration.models import RegistrationStatus

    if registration.status is not RegistrationStatus.CONFIRMED:
        return None
    event = registration.event
    settings = settings_of(event)
    if not (settings.voting_open or queries.has_recommendations(event)):
        return None
    # The dots left only: the whole ballot (every recommendation ranked) is the voting page's work.
    dots = ({"left": max(0, settings.dots_allowance - queries.dots_spent(registration)),
             "allowance": settings.dots_allowance} if settings.voting_open else None)
    return {"event": event, "dots": dots, "reason": why_cannot_vote(registration, settings)}


def seed(context: SeedContext) -> None:
    from app.capture.seed import seed_capture

    for label, added in seed_capture(context.demo_event, context.with_demo_people).items():
        context.count(label, added)


def scale_seed(context) -> None:
    from app.capture.seed import seed_scale_capture

    for label, added in seed_scale_capture(context).items():
        context.count(label, added)


def library_figures() -> dict:
    counts = queries.library_counts()
    return {_l("Recommendations"): counts["recommendations"], _l("Final recommendations"): counts["final"],
            _l("Follow-ups by cities"): counts["follow_ups"]}


SPEC = StageSpec(
    key="capture",
    title=_l("Recommendations"),
    description=_l("What the meeting produces, recorded live by the facilitators and prioritised by the room: "
                   "common challenges, local solutions, what the field visit showed and the recommendations."),
    hub_status=hub_status,
    staff_link=StaffLink(_l("Capture console"), "capture_manage.console", allowed=can_capture),
    todo=todo,
    facilitator_steps=facilitator_steps,
    participant_panel=ParticipantPanel("capture/_participant_panel.html", voting_panel),
    seed=seed,
    # After registration (-1, its demo participants vote), the agenda (0, where cases were presented) and the field
    # visit (1, the visit its Lyon 2017 observations belong to).
    seed_rank=2,
    scale_seed=scale_seed,
    library_figures=library_figures,
)
