"""What the registration stage offers the shared pages (app/stages.py)."""

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app.i18n import format_local_datetime
from app.stages import CallToAction, SeedContext, StaffLink, StageSpec, StageStatus


def check_event_capacity(event, values):
    from app.registration.capacity import check_event_capacity as check

    check(event, values)


def apply_event_capacity(event, before):
    from app.registration.capacity import apply_event_capacity as apply

    apply(event, before)


def change_notes(event, changes):
    from app.registration.capacity import change_notes as notes

    return notes(event, changes)


def change_warnings(event, values):
    from app.registration.capacity import change_warnings as warnings

    return warnings(event, values)


def change_cancellations(event, values):
    from app.registration.capacity import change_cancellations as cancellations

    return cancellations(event, values)


def describe(event):
    """The stage's line on the hub names only the ways of attending the event offers."""
    from app.events.models import EventFormat

    if event.format is EventFormat.DIGITAL:
        return _l("Sign up to take part online.")
    if event.format is EventFormat.IN_PERSON:
        return _l("Sign up to take part in person.")
    return _l("Sign up to take part, in person or online.")


def hub_status(event):
    from app.registration.queries import Availability, availability

    state = availability(event)
    if state is Availability.OPEN:
        return StageStatus.OPEN, url_for("registration.register", slug=event.slug)
    if state is Availability.NOT_YET:
        return StageStatus.PREPARING, url_for("registration.register", slug=event.slug)
    if state is Availability.DRAFT:
        return StageStatus.PREPARING, None
    return StageStatus.CLOSED, None


def _places(left: dict) -> object | None:
    """The places left, as a participant reads them: in all, or for the one way of attending that
    has a limit when the other has none (a hybrid event's online places often have none)."""
    from app.registration.models import AttendanceMode

    limited = {mode: count for mode, count in left.items() if count is not None}
    if not limited:
        return None
    if len(limited) == 1 and len(left) > 1:
        mode, count = next(iter(limited.items()))
        in_person = mode is AttendanceMode.IN_PERSON
        if count == 0:
            return (_l("In person: full, new registrations go on the waiting list.") if in_person
                    else _l("Online: full, new registrations go on the waiting list."))
        return (lazy_ngettext("%(num)d place left in person", "%(num)d places left in person", count) if in_person
                else lazy_ngettext("%(num)d place left online", "%(num)d places left online", count))
    total = sum(limited.values())
    if total == 0:
        return _l("Full: new registrations go on the waiting list.")
    return lazy_ngettext("%(num)d place left", "%(num)d places left", total)


def call_to_action(event):
    """Register while registration is open (with places left and until when); otherwise say when it
    opens, or that it is over. Never "open" before it opens."""
    from app.registration.queries import Availability, availability, places_left_of

    state = availability(event)
    if state is Availability.OPEN:
        parts = [part for part in (_places(places_left_of([event])[event.id]),) if part]
        if event.registration_closes_at:
            parts.append(_l("Register by %(when)s", when=format_local_datetime(event.registration_closes_at,
                                                                               event.timezone)))
        return CallToAction(note=" · ".join(str(part) for part in parts), label=_l("Register"),
                            url=url_for("registration.register", slug=event.slug))
    if state is Availability.NOT_YET:
        return CallToAction(note=_l("Registration opens on %(when)s.",
                                    when=format_local_datetime(event.registration_opens_at, event.timezone)))
    if state in (Availability.ENDED, Availability.CLOSED):
        return CallToAction(note=_l("Registration is closed."))
    return None


def card_notes(events) -> dict:
    """"Register by…" and the places left, on the cards of events open for registration."""
    from app.registration.queries import Availability, availability, places_left_of

    open_events = [event for event in events if availability(event) is Availability.OPEN]
    left = places_left_of(open_events) if open_events else {}
    notes = {}
    for event in open_events:
        parts = [str(part) for part in (_places(left[event.id]),) if part]
        if event.registration_closes_at:
            parts.append(str(_l("Register by %(when)s", when=format_local_datetime(event.registration_closes_at,
                                                                                   event.timezone))))
        notes[event.id] = " · ".join(parts) or str(_l("Registration open"))
    return notes


def transition_warnings(event, target) -> list:
    """Who is affected when the event goes back to draft or is cancelled."""
    from app.events.models import EventState
    from app.registration.queries import active_names

    if target not in (EventState.DRAFT, EventState.CANCELLED):
        return []
    names = active_names(event)
    if not names:
        return []
    shown = ", ".join(names[:12]) + ("…" if len(names) > 12 else "")
    if target is EventState.DRAFT:
        return [lazy_ngettext("%(num)d person registered (%(names)s): the event's page disappears for them and "
                              "their own page says the event is not open; they are not emailed.",
                              "%(num)d people registered (%(names)s): the event's page disappears for them and "
                              "their own page says the event is not open; they are not emailed.",
                              len(names), names=shown)]
    return [lazy_ngettext("%(num)d person registered (%(names)s) is emailed the cancellation, and the event "
                          "leaves their calendar.",
                          "%(num)d people registered (%(names)s) are emailed the cancellation, and the event "
                          "leaves their calendar.", len(names), names=shown)]


def seed(context: SeedContext) -> None:
    from app.registration.seed import seed_demo_registrations

    if context.with_demo_people:
        context.count("demo registrations", seed_demo_registrations(context.demo_event))


def duplicate_into(duplication) -> None:
    from app.registration.staff import copy_settings

    copy_settings(duplication)


def scale_seed(context) -> None:
    from app.registration.seed import seed_scale_registrations

    context.count("registrations", seed_scale_registrations(context))


SPEC = StageSpec(
    key="registration",
    title=_l("Registration"),
    description=_l("Sign up to take part, in person or online."),
    hub_status=hub_status,
    describe=describe,
    staff_link=StaffLink(_l("Participants"), "registration_manage.participants"),
    edit_check=check_event_capacity,
    after_edit=apply_event_capacity,
    change_notes=change_notes,
    change_warnings=change_warnings,
    change_cancellations=change_cancellations,
    call_to_action=call_to_action,
    card_notes=card_notes,
    transition_warnings=transition_warnings,
    duplicate_into=duplicate_into,
    seed=seed,
    seed_rank=-1,  # the other stages' demo data name participants (presenters, sign-ups)
    scale_seed=scale_seed,
)
