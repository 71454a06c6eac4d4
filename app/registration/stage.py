"""What the registration stage offers the shared pages (app/stages.py)."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.stages import SeedContext, StaffLink, StageSpec, StageStatus


def check_event_capacity(event, values):
    from app.registration.capacity import check_event_capacity as check

    check(event, values)


def apply_event_capacity(event, before):
    from app.registration.capacity import apply_event_capacity as apply

    apply(event, before)


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


def seed(context: SeedContext) -> None:
    from app.registration.seed import seed_demo_registrations

    if context.with_demo_people:
        context.count("demo registrations", seed_demo_registrations(context.demo_event))


SPEC = StageSpec(
    key="registration",
    title=_l("Registration"),
    description=_l("Sign up to take part, in person or online."),
    hub_status=hub_status,
    staff_link=StaffLink(_l("Participants"), "registration_manage.participants"),
    edit_check=check_event_capacity,
    after_edit=apply_event_capacity,
    seed=seed,
    seed_rank=-1,  # the other stages' demo data name participants (presenters, sign-ups)
)
