"""What the agenda stage offers the shared pages (app/stages.py)."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.agenda import queries
from app.links import link_to
from app.stages import ParticipantPanel, Phase, SeedContext, StaffLink, StageSpec, StageStatus, Task


def hub_status(event):
    if queries.agenda_summary(event).items:
        return StageStatus.AVAILABLE, url_for("agenda.show", slug=event.slug)
    return StageStatus.PREPARING, None


def todo(event) -> list:
    from app.agenda.models import ItemKind
    from app.i18n import localized

    items = queries.items_of(event)
    if not items:
        return [Task(_l("Build the agenda (it can start from the peer-learning template)."), Phase.BEFORE_OPENING)]
    tasks = [Task(_l("Agenda built."), Phase.BEFORE_OPENING, done=True)]
    cases = [item for item in items if item.kind is ItemKind.LOCAL_SOLUTIONS]
    unnamed = [item for item in cases if not item.presenters]
    tasks += [Task(_l("Name who presents “%(title)s”.", title=localized(item, "title").text), Phase.BEFORE_MEETING)
              for item in unnamed]
    if cases and not unnamed:
        tasks.append(Task(_l("Presenters of the local solutions named."), Phase.BEFORE_MEETING, done=True))
    return tasks


def facilitator_steps(event) -> list:
    return [Task(_l("Read the agenda: the challenges, the local solutions and the field visit feed the "
                    "recommendations you will record."), Phase.BEFORE_MEETING)]


def agenda_panel(registration, token: str) -> dict | None:
    """The participant's agenda at a glance: each day's hours and items, a link to the whole of it,
    and what they present. Nothing while the agenda is empty."""
    event = registration.event
    items = queries.items_of(event)
    if not items:
        return None
    return {"event": event, "days": queries.by_day(items, event.timezone),
            "presenting": queries.items_presented_by(registration.id)}


def _agenda_url(event) -> str:
    return link_to("agenda.show", slug=event.slug)


def _unfilled(items, event):
    """The items no other stage fills: a filled slot (the field visit's) is in the feeds as what fills it."""
    from app.stages import agenda_slot_fills

    filled = agenda_slot_fills(event)
    return [item for item in items if item.id not in filled]


def event_feed(event, lang_order, url):
    from app.agenda.calendar import feed_entries

    return feed_entries(_unfilled(queries.items_of(event), event), event, lang_order, _agenda_url(event))


def personal_feed(registration, lang_order, url):
    """The sessions of the agenda; the field visit's slot only for those who come in person."""
    from app.agenda.calendar import feed_entries
    from app.agenda.models import ItemKind
    from app.registration.models import AttendanceMode

    event = registration.event
    items = _unfilled(queries.items_of(event), event)
    if registration.attendance is AttendanceMode.ONLINE:
        items = [item for item in items if item.kind is not ItemKind.FIELD_VISIT]
    return feed_entries(items, event, lang_order, _agenda_url(event))


def edit_check(event, values: dict) -> None:
    from app.agenda.services import agenda_fits_the_new_dates

    agenda_fits_the_new_dates(event, values)


def shift_with_event(event, days: int) -> None:
    from app.agenda.services import shift_items

    shift_items(event, days)


PRESENTER = _l("Presenter")


def badge_roles(event) -> dict:
    return dict.fromkeys(queries.presenting_registration_ids(event), PRESENTER)


def duplicate_into(duplication) -> None:
    from app.agenda.services import copy_agenda

    copy_agenda(duplication)


def seed(context: SeedContext) -> None:
    from app.agenda.seed import link_demo_presenters, seed_agenda

    context.count("agenda items", seed_agenda(context.demo_event))
    if context.with_demo_people:
        link_demo_presenters(context.demo_event)  # Lina Haddad presents and registered too


def scale_seed(context) -> None:
    from app.agenda.seed import seed_scale_agenda

    context.count("agenda items", seed_scale_agenda(context))


SPEC = StageSpec(
    key="agenda",
    title=_l("Agenda"),
    description=_l("Common challenges and opportunities, local solutions presented by participants, "
                   "a field visit and recommendations."),
    hub_status=hub_status,
    staff_link=StaffLink(_l("Agenda"), "agenda.manage"),
    todo=todo,
    facilitator_steps=facilitator_steps,
    participant_panel=ParticipantPanel("agenda/_participant_panel.html", agenda_panel),
    event_feed=event_feed,
    personal_feed=personal_feed,
    edit_check=edit_check,
    shift_with_event=shift_with_event,
    duplicate_into=duplicate_into,
    badge_roles=badge_roles,
    seed=seed,
    scale_seed=scale_seed,
)
