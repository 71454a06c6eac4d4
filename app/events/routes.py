from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import calendar
from app.actions import check_rules_too, run_action
from app.auth.permissions import (
    can_create_events,
    can_host_in,
    can_manage_event,
    can_view_workspace,
    is_assigned_facilitator,
    staff_required,
)
from app.db_types import utcnow
from app.events import front_door, lifecycle, queries, services
from app.events.access import event_for, public_event
from app.events.checklist import event_lines, phase_dates
from app.events.forms import AssignFacilitatorForm, DuplicateForm, EventForm, StateChangeForm
from app.events.labels import STATE_LABELS
from app.events.models import EventState
from app.events.network_map import network_map
from app.i18n import city_name, current_language, other_language
from app.links import link_to
from app.mail.services import tracked_sequences
from app.page_cache import cached_page, event_page_fingerprint, time_bucket
from app.stages import (
    call_to_action,
    card_notes,
    event_feed_entries,
    facilitator_guide,
    organiser_checklist,
    staff_stages_of,
    stages_of,
)

bp = Blueprint("events", __name__)
manage_bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.get("/")
@cached_page(lambda: (queries.network_fingerprint(), utcnow().date(), time_bucket()))
def index():
    cities = queries.all_cities()
    choices = front_door.filter_choices(cities)
    filters, refused = front_door.parse_filters(request.args, choices)
    events = front_door.filtered_events(utcnow(), filters, choices)
    return render_template("events/index.html", events=events, notes=card_notes(events.upcoming),
                           filters=filters, refused=refused, choices=choices,
                           network_map=network_map(cities, choices.hosted, city_name))


@bp.get("/events/<slug>/")
@cached_page(event_page_fingerprint)
def hub(slug: str):
    event = public_event(slug)
    return render_template("events/hub.html", event=event, stages=stages_of(event), action=call_to_action(event))


def _lang_order() -> tuple[str, str]:
    return current_language(), other_language()


@bp.get("/events/<slug>/calendar.ics")
@cached_page(event_page_fingerprint)
def feed(slug: str):
    """The event's feed: what every stage puts in it, or the event over its days."""
    event = public_event(slug)
    url = link_to("events.hub", slug=event.slug)
    uid = calendar.event_uid(event)
    cal = calendar.event_calendar(event, event_feed_entries(event, _lang_order(), url), _lang_order(), url=url,
                                  sequence=tracked_sequences([uid]).get(uid, 0))
    return calendar.ics_response(cal, public=event.is_public)


@bp.get("/calendar.ics")
@cached_page(lambda: (queries.network_fingerprint(), time_bucket()))
def network_feed():
    events = queries.feed_events()
    cal = calendar.network_calendar(
        events, lambda e: link_to("events.hub", slug=e.slug), _lang_order(), name=_("MC2CM peer-learning events"),
        sequences=tracked_sequences(calendar.event_uid(event) for event in events),
    )
    return calendar.ics_response(cal)


# Staff pages. Each view checks the role or the event-level permission before doing anything.

def _event_form() -> EventForm:
    """The form offers only the cities the user may host in (an organiser: their own)."""
    form = EventForm()
    cities = [city for city in queries.all_cities() if can_host_in(current_user, city.id)]
    form.set_choices(cities, queries.all_policy_areas(), current_language())
    return form


@manage_bp.get("/")
@staff_required()
def dashboard():
    filters = queries.StaffEventFilters.from_args(request.args)
    return render_template("manage/dashboard.html", events=queries.events_for_staff(current_user, filters),
                           filters=filters, choices=queries.staff_event_choices(current_user),
                           states=STATE_LABELS, can_create=can_create_events(current_user))


@manage_bp.route("/events/new", methods=["GET", "POST"])
@staff_required()
def new_event():
    if not can_create_events(current_user):
        abort(403)
    form = _event_form()
    if request.method == "GET" and current_user.city_id:
        form.host_city_id.data = current_user.city_id
    if form.validate_on_submit():
        return run_action(lambda: services.create_event(current_user, form.to_input()),
                          success=_("Event created as a draft. Only staff can see it until you open it."),
                          redirect_to=_workspace_of,
                          form=form, on_error=lambda: _event_form_page(form, None))
    check_rules_too(form, lambda: services.check_event_input(form.to_input(), None))
    return _event_form_page(form, None)


def _workspace_of(event) -> str:
    """After a change of its theme, city or dates the event may have a new slug: asked once saved."""
    return url_for("manage.workspace", slug=event.slug)


def _event_form_page(form: EventForm, event):
    return render_template("manage/event_form.html", form=form, event=event), 422 if form.errors else 200


@manage_bp.get("/events/<slug>/")
@staff_required()
def workspace(slug: str):
    event = event_for(slug, can_view_workspace, queries.event_workspace)
    can_manage = can_manage_event(current_user, event)
    transitions = [lifecycle.check_transition(event, target) for target in lifecycle.ALLOWED_TRANSITIONS[event.state]]
    stages = staff_stages_of(event, current_user)
    now = utcnow()
    checklist = organiser_checklist(event, stages, event_lines(event, can_manage), now) if can_manage else []
    guide = facilitator_guide(event, now, current_user) if is_assigned_facilitator(current_user, event) else []
    return render_template("manage/workspace.html", event=event, can_manage=can_manage, transitions=transitions,
                           state_form=StateChangeForm(), stages=stages, checklist=checklist, guide=guide,
                           phase_dates=phase_dates(event))


@manage_bp.route("/events/<slug>/edit", methods=["GET", "POST"])
@staff_required()
def edit_event(slug: str):
    event = event_for(slug, can_manage_event, queries.event_workspace)
    form = _event_form()
    if request.method == "GET":
        form.fill_from(event)
    if form.validate_on_submit():
        return run_action(lambda: services.update_event(current_user, event, form.to_input()),
                          success=_("Changes saved."), redirect_to=_workspace_of, after=_say_what_is_one_sided,
                          form=form, on_error=lambda: _event_form_page(form, event))
    check_rules_too(form, lambda: services.check_event_input(form.to_input(), event))
    return _event_form_page(form, event)


def _say_what_is_one_sided(event) -> None:
    """Visitors of a public event see a one-sided text in the other language, marked: the organiser
    who just saved it is told, each time, until both sides are there."""
    if event.is_public:
        for warning in lifecycle.missing_translation_warnings(event):
            flash(_("%(warning)s Visitors see the other language, marked as such.", warning=warning), "warning")


@manage_bp.route("/events/<slug>/duplicate", methods=["GET", "POST"])
@staff_required()
def duplicate_event(slug: str):
    """A new draft from this event: asks for its dates (and, if wanted, another theme and address)."""
    source = event_for(slug, can_manage_event, queries.event_workspace)
    form = DuplicateForm()
    if request.method == "GET":
        form.fill_from(source)
    if form.validate_on_submit():
        return run_action(lambda: services.duplicate_event(current_user, source, form.to_input()),
                          success=_("Copy created as a draft, with its agenda moved to the new dates. Check it "
                                    "before you open it."),
                          redirect_to=_workspace_of, form=form, on_error=lambda: _duplicate_page(source, form))
    return _duplicate_page(source, form)


def _duplicate_page(source, form: DuplicateForm):
    return render_template("manage/duplicate.html", event=source, form=form), 422 if form.errors else 200


@manage_bp.post("/events/<slug>/state")
@staff_required()
def change_state(slug: str):
    event = event_for(slug, can_manage_event, queries.event_workspace)
    form = StateChangeForm()
    try:
        target = EventState(form.target.data)
    except ValueError:
        abort(400)
    check = lifecycle.check_transition(event, target)
    needs_confirmation = bool(check.warnings) or target is EventState.CANCELLED
    if check.blockers or not form.validate() or (needs_confirmation and not form.confirmed.data):
        status = 409 if check.blockers else 422 if form.errors else 200
        return render_template("manage/state_confirm.html", event=event, check=check, form=form), status
    return run_action(
        lambda: lifecycle.change_state(event, target, current_user, confirmed=True, reason=form.reason.data or ""),
        success=_("The event is now: %(state)s.", state=STATE_LABELS[target]),
        redirect_to=url_for("manage.workspace", slug=event.slug),
    )


@manage_bp.route("/events/<slug>/facilitators", methods=["GET", "POST"])
@staff_required()
def facilitators(slug: str):
    event = event_for(slug, can_manage_event, queries.event_workspace)
    form = AssignFacilitatorForm()
    form.user_id.choices = [SelectChoice(u.id, f"{u.name} ({u.email})") for u in queries.assignable_facilitators(event)]
    if form.validate_on_submit():
        return run_action(lambda: services.assign_facilitator(current_user, event, form.user_id.data),
                          success=lambda user: _("%(name)s can now record what this event produces.", name=user.name),
                          redirect_to=url_for("manage.facilitators", slug=event.slug),
                          form=form, on_error=lambda: _facilitators_page(event, form))
    return _facilitators_page(event, form)


def _facilitators_page(event, form: AssignFacilitatorForm):
    return render_template("manage/facilitators.html", event=event, form=form)


@manage_bp.post("/events/<slug>/facilitators/<int:user_id>/remove")
@staff_required()
def remove_facilitator(slug: str, user_id: int):
    event = event_for(slug, can_manage_event, queries.event_workspace)
    return run_action(lambda: services.unassign_facilitator(current_user, event, user_id),
                      success=_("Facilitator removed from this event."),
                      redirect_to=url_for("manage.facilitators", slug=event.slug))
