"""What the field visit stage offers the shared pages (app/stages.py)."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.field_visit import queries
from app.stages import ParticipantPanel, Phase, SeedContext, StaffLink, StageSpec, StageStatus, Task


def hub_status(event):
    if queries.visit_count(event):
        return StageStatus.AVAILABLE, url_for("field_visit.show", slug=event.slug)
    return StageStatus.PREPARING, None


def todo(event) -> list:
    visits = queries.visits_of(event)
    if not visits:
        return [Task(_l("Describe the field visit: its stops, meeting point and places."), Phase.BEFORE_MEETING)]
    from app.events.models import EventFormat
    from app.i18n import localized

    tasks = [Task(_l("Field visit described."), Phase.BEFORE_MEETING, done=True)]
    if event.format is EventFormat.DIGITAL:
        # Nobody comes in person any more: a visit with places can take nobody.
        tasks += [Task(_l("The event is online only: give “%(title)s” a video link or a virtual tour, or remove it.",
                          title=localized(v, "title").text), Phase.BEFORE_MEETING)
                  for v in visits if not v.is_virtual]
    return tasks + [Task(_l("Add the stops of “%(title)s”.", title=localized(v, "title").text), Phase.BEFORE_MEETING)
                    for v in visits if not v.stops and not v.is_virtual]


def facilitator_steps(event) -> list:
    return [Task(_l("On the field visit, note what the group sees: it goes in the learning note beside the cases."),
                 Phase.DURING_MEETING)]


def participant_panel(registration, token: str) -> dict | None:
    from app.field_visit.panel import panel_context

    return panel_context(registration, token)


def event_feed(event, lang_order, url):
    from app.field_visit.calendar import feed_entries

    return feed_entries(queries.visits_of(event), lang_order)


def personal_feed(registration, lang_order, url):
    """The visits this participant holds a confirmed place on."""
    from app.field_visit.calendar import feed_entries
    from app.field_visit.models import SignupStatus

    signups = queries.signups_of_registration(registration.id, (SignupStatus.CONFIRMED,))
    return feed_entries([signup.visit for signup in signups], lang_order)


def agenda_slots(event) -> dict:
    """The agenda slots the visits fill, each shown as its visit (its time, title and meeting point)."""
    from app.stages import SlotFill

    fills = {}
    for visit in queries.visits_of(event):
        if visit.agenda_item_id is not None:
            fills.setdefault(visit.agenda_item_id, []).append(SlotFill(
                "field_visit/_agenda_slot.html", {"visit": visit}, starts_at=visit.meets_at, ends_at=visit.returns_at))
    return fills


def edit_check(event, values: dict) -> None:
    from app.field_visit.services import visits_fit_the_new_dates

    visits_fit_the_new_dates(event, values)


def change_warnings(event, values: dict) -> list:
    """Once the event is online only, nobody attends in person: every visit place and waiting-list
    place is freed (see signups.reason_to_release), which the organiser reads before saving."""
    from flask_babel import lazy_ngettext

    from app.events.models import EventFormat
    from app.field_visit.models import PLACE_HOLDING, SignupStatus

    if event.format is EventFormat.DIGITAL or values.get("format", event.format) is not EventFormat.DIGITAL:
        return []
    warnings = []
    if holding := queries.people_with_signups(event, PLACE_HOLDING):
        warnings.append(lazy_ngettext("%(num)d person loses their place on the field visit.",
                                      "%(num)d people lose their place on the field visit.", holding))
    if waiting := queries.people_with_signups(event, (SignupStatus.WAITLISTED,)):
        warnings.append(lazy_ngettext("%(num)d person leaves the field visit's waiting list.",
                                      "%(num)d people leave the field visit's waiting list.", waiting))
    return warnings


def duplicate_into(duplication) -> None:
    from app.field_visit.services import copy_visits

    copy_visits(duplication)


def shift_with_event(event, days: int) -> None:
    from app.field_visit.services import shift_visits

    shift_visits(event, days)


def seed(context: SeedContext) -> None:
    from app.field_visit.seed import seed_demo_visit, seed_guillotiere_2016, seed_lyon_2017

    context.count("field visits", seed_demo_visit(context.demo_event, context.with_demo_people))
    context.count("field visits", seed_guillotiere_2016())
    context.count("field visits", seed_lyon_2017())


def scale_seed(context) -> None:
    from app.field_visit.seed import seed_scale_visits

    context.count("field visits", seed_scale_visits(context))


SPEC = StageSpec(
    key="field_visit",
    title=_l("Field visit"),
    description=_l("A local solution seen on the ground, with the people who run it: its stops, where the "
                   "group meets, and who goes."),
    hub_status=hub_status,
    staff_link=StaffLink(_l("Field visit"), "field_visit_manage.index"),
    todo=todo,
    facilitator_steps=facilitator_steps,
    participant_panel=ParticipantPanel("field_visit/_participant_panel.html", participant_panel),
    event_feed=event_feed,
    personal_feed=personal_feed,
    agenda_slots=agenda_slots,
    edit_check=edit_check,
    change_warnings=change_warnings,
    shift_with_event=shift_with_event,
    duplicate_into=duplicate_into,
    seed=seed,
    seed_rank=1,  # after the registrations (sign-ups) and the agenda (its slot); before capture (2), whose
    # Lyon 2017 observations belong to a visit of this seed
    scale_seed=scale_seed,
)
